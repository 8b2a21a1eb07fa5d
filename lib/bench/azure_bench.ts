/**
 * The lakehouse on Azure Blob storage against a local folder: commit latency (a log entry
 * created put-if-absent, and a whole one-row append: snapshot, data file, commit) and the
 * quick-profile pipeline end to end (`lib/runner/cli.ts` on notebook 11, as users run it), each
 * on Azurite (the emulator, on 127.0.0.1: no network latency, so this measures the layer's own
 * cost of going through HTTP) and on a local folder. Prints a table and writes
 * `runs/bench/azure_bench.json`.
 *
 * ```sh
 * deno run -A lib/bench/azure_bench.ts [--days 10] [--commits 30] [--skip-pipeline]
 * ```
 *
 * `--days N` cuts the 2025 real-time file after N days (0: the whole file); the shared data are
 * read from `ECO2MIX_SHARED_DATA` (default `../shared/data`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import pl from "nodejs-polars";
import { PATHS } from "../paths.ts";
import { DeltaTable } from "../lakehouse/table.ts";
import { joinLocation, locate } from "../lakehouse/storage.ts";
import { startAzurite } from "../testing/azurite.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { pipelineCommand } from "../testing/pipeline_command.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const TR_2025 = "eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls";

/** One measured item: a median (and 90th percentile) of repeats, or one wall time. */
interface Row {
  name: string;
  local: string;
  azurite: string;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const ms = (xs: number[]) =>
  `${quantile(xs, 0.5).toFixed(1)} ms (p90 ${quantile(xs, 0.9).toFixed(1)})`;

/** Latencies of `n` put-if-absent log entries and of `n` one-row appends under `root`. */
async function commitLatencies(root: string, n: number) {
  const { storage, key } = locate(joinLocation(root, "raw", "_delta_log"));
  const puts: number[] = [];
  for (let v = 0; v < n; v++) {
    const t0 = performance.now();
    const ok = await storage.putIfAbsent(
      `${key}/${String(v).padStart(20, "0")}.json`,
      new TextEncoder().encode(`{"commitInfo":{"n":${v}}}\n`),
    );
    puts.push(performance.now() - t0);
    if (!ok) throw new Error(`${root}: version ${v} already there`);
  }
  const table = new DeltaTable(joinLocation(root, "appends"));
  const appends: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await table.append(pl.DataFrame({ i: [i], mw: [i * 1.5] }));
    appends.push(performance.now() - t0);
  }
  return { puts, appends };
}

/** Wall time of the quick-profile pipeline (seconds) with its lakehouse at `lakehouse`. */
async function pipelineSeconds(
  tmp: string,
  input: string,
  lakehouse: string,
  name: string,
  env: Record<string, string>,
): Promise<number> {
  const t0 = performance.now();
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: pipelineCommand({
      input,
      lakehouseDir: lakehouse,
      modelsDir: join(tmp, `models-${name}`),
      reportDir: join(tmp, `rapport-${name}`),
      profile: "rapide",
      runDir: join(tmp, `run-${name}`),
    }),
    cwd: tmp,
    env: { NO_COLOR: "1", ...env },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`pipeline on ${lakehouse}: ${new TextDecoder().decode(stderr)}`);
  return (performance.now() - t0) / 1000;
}

/** The quick-profile pipeline on the 2025 file cut after `days` days, local then on Azurite. */
async function pipelineRow(
  tmp: string,
  days: number,
  env: Readonly<Record<string, string>>,
): Promise<Row> {
  const download = await Deno.readFile(sharedDataPath(TR_2025));
  const input = join(tmp, "eCO2mix_RTE_En-cours-TR.xls");
  await Deno.writeFile(input, days > 0 ? growingFileVersion(download, { days }) : download);
  const what = days > 0 ? `${days}-day cut of the 2025 file` : "the 2025 file";
  const localRun = await pipelineSeconds(tmp, input, join(tmp, "lakehouse"), "local", {});
  const remoteRun = await pipelineSeconds(tmp, input, "az://bench/lakehouse", "azurite", env);
  return {
    name: `pipeline, quick profile, ${what}`,
    local: `${localRun.toFixed(1)} s`,
    azurite: `${remoteRun.toFixed(1)} s`,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      days: { type: "string", default: "10" },
      commits: { type: "string", default: "30" },
      "skip-pipeline": { type: "boolean", default: false },
    },
  });
  const days = Number(values.days);
  const commits = Number(values.commits);
  const tmp = await Deno.makeTempDir({ prefix: "azure_bench_" });
  await using azurite = await startAzurite();
  Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString);
  try {
    const local = await commitLatencies(join(tmp, "lake"), commits);
    const remote = await commitLatencies("az://bench/lake", commits);
    const rows: Row[] = [
      { name: "log entry put-if-absent", local: ms(local.puts), azurite: ms(remote.puts) },
      {
        name: "one-row append (snapshot, data file, commit)",
        local: ms(local.appends),
        azurite: ms(remote.appends),
      },
    ];
    if (!values["skip-pipeline"]) rows.push(await pipelineRow(tmp, days, azurite.env));
    console.table(rows);
    const out = join(PATHS.runs, "bench");
    await Deno.mkdir(out, { recursive: true });
    await Deno.writeTextFile(
      join(out, "azure_bench.json"),
      JSON.stringify({ at: new Date().toISOString(), days, commits, rows }, null, 2) + "\n",
    );
  } finally {
    Deno.env.delete("AZURE_STORAGE_CONNECTION_STRING");
    await Deno.remove(tmp, { recursive: true });
  }
}
