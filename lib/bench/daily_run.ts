/**
 * The README's pipeline command as users schedule it, timed end to end in its own processes: a
 * cold run (empty lakehouse and model registry) on RTE's growing real-time file as it stood one
 * day before the 2025 download ended, the same command again with nothing changed, then the
 * run after one more day of data (`growing_file.ts` makes both versions, the newer with the last
 * rows revised as RTE does). The pandas + scikit-learn reference (`../shared/pandas_reference`)
 * is run in the same session when Debian's Python has pandas and scikit-learn, so that the cold
 * run is judged as a ratio to it (absolute times vary from session to session on this machine).
 *
 * ```sh
 * deno run -A lib/bench/daily_run.ts [--days 205] [--no-reference] [--json]
 * ```
 *
 * `deno task bench` runs it in its own process (`--json`, one line of {@linkcode BenchRow}s).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { PATHS } from "../paths.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { pipelineCommand } from "../testing/pipeline_command.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { ModelRegistry } from "../ml/mod.ts";
import type { BenchRow } from "./bench.ts";

/** RTE's name for its current real-time file, the same every day. */
const CURRENT = "eCO2mix_RTE_En-cours-TR.xls";
/** Issue 12's targets for the unchanged and the next-day runs (seconds). */
const UNCHANGED_TARGET_S = 20;
const NEXT_DAY_TARGET_S = 45;

/** Wall seconds of a command; its output goes to `log` (stderr to `log.stderr`). */
async function timedCommand(command: string, args: string[], log: string): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(command, { args, cwd: PATHS.root }).output();
  const wall = (performance.now() - t0) / 1000;
  await Deno.writeFile(log, out.stdout);
  await Deno.writeFile(`${log}.stderr`, out.stderr);
  if (!out.success) throw new Error(`${command} ${args.join(" ")} failed: see ${log}`);
  return wall;
}

/**
 * Test MAPE (%) of each horizon's champion, as the registry recorded it, and of the day-ahead
 * champion given the observed temperature of the day forecast: the reference's day-ahead models
 * are given that temperature, so that is the score to set beside theirs.
 */
async function championScores(modelsDir: string): Promise<string> {
  const registry = new ModelRegistry(modelsDir);
  const scores = [];
  for (const model of ["h1", "j1", "j1_temperature_observee"]) {
    const v = await registry.getVersion(`consommation_${model}`, "champion");
    scores.push(`${model} ${v.kind} v${v.version} MAPE ${v.metrics.mape_test?.toFixed(3)} %`);
  }
  return scores.join(", ");
}

/**
 * Runs the three pipeline runs (and the reference) in `dir`; returns their rows.
 */
export async function dailyRunBench(
  dir: string,
  options: { days: number; reference: boolean },
): Promise<BenchRow[]> {
  const download = await Deno.readFile(
    sharedDataPath("eco2mix", "eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls"),
  );
  const data = join(dir, "data");
  await Deno.mkdir(data, { recursive: true });
  const shared = sharedDataPath();
  const pipeline = (label: string) =>
    timedCommand(
      Deno.execPath(),
      pipelineCommand({
        input: data,
        referenceDir: shared,
        lakehouseDir: join(dir, "lakehouse"),
        modelsDir: join(dir, "models"),
        reportDir: join(dir, "report"),
        allowDownload: false,
      }),
      join(dir, `${label}.log`),
    );
  await Deno.mkdir(join(dir, "report"), { recursive: true });
  const rows: BenchRow[] = [];
  let referenceS: number | undefined;
  if (options.reference) {
    // Beside the shared data: ../shared/pandas_reference.
    const script = join(shared, "..", "pandas_reference", "pipeline.py");
    try {
      referenceS = await timedCommand("/usr/bin/python3", [
        script,
        "--out",
        join(dir, "reference"),
        "--json",
        join(dir, "reference.json"),
      ], join(dir, "reference.log"));
      rows.push({
        name: "pandas + scikit-learn reference, same session",
        wall_s: referenceS,
        peak_rss_mb: null,
      });
    } catch (error) {
      rows.push({
        name: "pandas + scikit-learn reference",
        wall_s: NaN,
        peak_rss_mb: null,
        note: `not run: ${(error as Error).message}`,
      });
    }
  }
  await Deno.writeFile(join(data, CURRENT), growingFileVersion(download, { days: options.days }));
  const cold = await pipeline("cold");
  rows.push({
    name: `pipeline, cold (${options.days} days, empty lakehouse and registry)`,
    wall_s: cold,
    peak_rss_mb: null,
    target_s: referenceS,
    note: await championScores(join(dir, "models")),
  });
  rows.push({
    name: "pipeline, inputs unchanged",
    wall_s: await pipeline("unchanged"),
    peak_rss_mb: null,
    target_s: UNCHANGED_TARGET_S,
  });
  await Deno.writeFile(
    join(data, CURRENT),
    growingFileVersion(download, { days: options.days + 1 }),
  );
  rows.push({
    name: "pipeline, one more day of data",
    wall_s: await pipeline("next_day"),
    peak_rss_mb: null,
    target_s: NEXT_DAY_TARGET_S,
    note: await championScores(join(dir, "models")),
  });
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      days: { type: "string", default: "205" },
      "no-reference": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const dir = join(PATHS.runs, "bench", "daily_run");
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const rows = await dailyRunBench(dir, {
    days: Number(values.days),
    reference: !values["no-reference"],
  });
  if (values.json) console.log(JSON.stringify(rows));
  else {for (const r of rows) {
      console.log(r.name, r.wall_s.toFixed(1), r.target_s ?? "", r.note ?? "");
    }}
}
