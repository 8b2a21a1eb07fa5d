/**
 * Latency of the live mode (`deno task direct`): from a new version of RTE's current file put
 * into the watched folder (one more quarter-hour, as RTE publishes every 15 minutes) to its
 * alert received by a webhook on 127.0.0.1. The loop runs as the service does, in its own
 * process (`live_cli.ts`), on a lakehouse already holding `--days` days of the 2025 file, with a
 * 1-second trigger so that the batch dominates; a rule that fires on every quarter-hour makes
 * each version raise one alert. With the default 15-minute trigger, add the wait for the next
 * trigger (7.5 minutes on average).
 *
 * ```sh
 * deno run -A lib/bench/live_bench.ts [--days 30] [--count 10] [--json]
 * ```
 *
 * `deno task bench` runs it in its own process (`--json`, one line of {@linkcode BenchRow}s).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PATHS } from "../paths.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import type { BenchRow } from "./bench.ts";

const CLI = fileURLToPath(new URL("../pipeline/live_cli.ts", import.meta.url));
const CURRENT = "eCO2mix_RTE_En-cours-TR.xls";

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Measures `count` quarter-hours after a history of `days` days, in `dir`: seconds from each
 * version's rename into the folder to the webhook's receipt of its alert, and the batch times
 * the loop reports.
 */
export async function liveLatencyBench(dir: string, days = 30, count = 10): Promise<BenchRow[]> {
  const source = growingFileVersion(
    await Deno.readFile(sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls")),
    { days: days + 1, provisionalRows: 0, futureDays: 0 },
  );
  const version = (quarterHours: number) =>
    growingFileVersion(source, { days, quarterHours, provisionalRows: 0, futureDays: 1 });
  const input = join(dir, "arrivees");
  await Deno.mkdir(input, { recursive: true });
  const publish = async (bytes: Uint8Array) => {
    await Deno.writeFile(join(input, `.${CURRENT}.part`), bytes);
    await Deno.rename(join(input, `.${CURRENT}.part`), join(input, CURRENT));
    return performance.now();
  };
  const config = join(dir, "alertes.yaml");
  await Deno.writeTextFile(config, "perimetres: [France]\nregles:\n  co2_eleve:\n    seuil: -1\n");
  const args = ["run", "-A", CLI, "--folder", input, "--lakehouse", join(dir, "lake")];
  const run = (extra: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [...args, "--config", config, ...extra],
      cwd: PATHS.root,
      stdout: "piped",
      stderr: "inherit",
    });
  let received: ((at: number, alerts: number) => void) | null = null;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    received?.(performance.now(), body.alertes.length);
    return new Response(null, { status: 204 });
  });
  const webhook = ["--webhook", `http://127.0.0.1:${server.addr.port}/`];
  // History: `days` days in one batch, its alerts delivered, before the measured loop starts.
  await publish(version(0));
  if (!(await run(["--once", ...webhook]).output()).success) {
    throw new Error("history batch failed");
  }
  const child = run(["--interval", "1s", ...webhook]).spawn();
  const lines: string[] = [];
  const { promise: firstBatch, resolve: started } = Promise.withResolvers<void>();
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      lines.push(...chunk.split("\n").filter((l) => l));
      if (lines.some((l) => /^(lot \d+|rien de nouveau) :/.test(l))) started();
    }
  })();
  const latencies: number[] = [];
  try {
    await Promise.race([
      firstBatch,
      reading.then(() => Promise.reject(new Error("the loop ended before its first batch"))),
    ]);
    for (let q = 1; q <= count; q++) {
      const alert = new Promise<number>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no alert within 5 min (q ${q})`)), 300_000);
        received = (at, alerts) => {
          // The new quarter-hour's alert, alone: nothing older was pending.
          if (alerts !== 1) fail(new Error(`${alerts} alerts for quarter-hour ${q}`));
          clearTimeout(timer);
          done(at);
        };
      });
      const at = await publish(version(q));
      latencies.push((await alert - at) / 1000);
      received = null;
      // A random phase against the 1 s trigger, as files arrive whenever RTE publishes them.
      await new Promise((done) => setTimeout(done, 1000 + Math.random() * 1000));
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reading;
    await server.shutdown();
  }
  const batches = lines.flatMap((l) => {
    const m = /^lot \d+ : .*\((\d+(?:,\d+)?) s\)$/.exec(l);
    return m ? [Number(m[1].replace(",", "."))] : [];
  });
  const s = (x: number) => `${x.toFixed(2)} s`;
  return [{
    name: "live mode: new file in the folder to its alert (webhook)",
    wall_s: median(latencies),
    peak_rss_mb: null,
    note: `median of ${count} quarter-hours (min ${s(Math.min(...latencies))}, max ` +
      `${s(Math.max(...latencies))}), 1 s trigger, batches ${s(median(batches))} median as the ` +
      `loop reports them; lakehouse with ${days} days of the 2025 file`,
  }];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { days: { type: "string" }, count: { type: "string" }, json: { type: "boolean" } },
  });
  const dir = await Deno.makeTempDir({ prefix: "bench-live-" });
  try {
    const rows = await liveLatencyBench(dir, Number(values.days ?? 30), Number(values.count ?? 10));
    if (values.json) console.log(JSON.stringify(rows));
    else for (const r of rows) console.log(`${r.name}: ${r.wall_s.toFixed(3)} s  ${r.note ?? ""}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
