/**
 * `deno task bench`: wall time and peak memory of the runner, of each pipeline stage (each in
 * its own process, on the shared real data), of the daily refresh of RTE's growing real-time
 * file (`incremental.ts`), of the README's command cold, unchanged and a day later beside the
 * pandas reference (`daily_run.ts`), of the live mode from a new file to its alert
 * (`live_bench.ts`) and of each pipeline notebook, printed as a table and written to
 * `runs/bench/bench.json`. Speed targets are checked here, never in tests.
 *
 * ```sh
 * deno task bench [--input FILE_OR_FOLDER] [--repeat N]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { PATHS } from "../paths.ts";
import { fileURLToPath } from "node:url";
import { executeNotebook, Kernel, runNotebooks } from "../runner/mod.ts";
import { pipelineNotebooks } from "../pipeline/steps.ts";
import { STAGES } from "./stage.ts";
import { REGIONAL_2014 } from "../testing/shared_data.ts";

/** One measured item. */
export interface BenchRow {
  name: string;
  wall_s: number;
  peak_rss_mb: number | null;
  /** The target, when the item has one (seconds). */
  target_s?: number;
  /** What else was measured (printed after the target). */
  note?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function kernelFirstResult(dir: string): Promise<BenchRow> {
  const t0 = performance.now();
  const kernel = await Kernel.start({ cwd: PATHS.notebooks, connectionDir: dir });
  const deadline = { at: Date.now() + 30_000, reason: "first cell did not finish within 30 s" };
  await kernel.execute("1 + 1", { deadline, onOutput: () => {} });
  const wall = (performance.now() - t0) / 1000;
  const rss = kernel.peakRssMb();
  await kernel.shutdown();
  return { name: "kernel start to first cell result", wall_s: wall, peak_rss_mb: rss, target_s: 1 };
}

async function fiftyCells(dir: string): Promise<BenchRow> {
  const cells = Array.from({ length: 50 }, (_, i) => ({
    cell_type: "code",
    id: `c${i}`,
    source: `const v${i} = ${i} * 2; v${i}`,
    metadata: {},
    outputs: [],
    execution_count: null,
  }));
  const input = join(dir, "fifty.ipynb");
  await Deno.writeTextFile(
    input,
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }),
  );
  const t0 = performance.now();
  const run = await executeNotebook(input, { outputPath: join(dir, "fifty.out.ipynb") });
  return {
    name: "50-cell trivial notebook, end to end",
    wall_s: (performance.now() - t0) / 1000,
    peak_rss_mb: run.peakRssMb,
    target_s: 2,
  };
}

async function pipeline(dir: string, input: string): Promise<BenchRow[]> {
  const { runs, failed } = await runNotebooks(await pipelineNotebooks(PATHS.notebooks), {
    runDir: dir,
    parameters: { input_path: input, lakehouse_dir: join(dir, "lakehouse") },
  });
  if (failed) throw failed;
  return runs.map((r) => ({
    name: `notebook ${r.input.split("/").pop()}`,
    wall_s: r.durationS,
    peak_rss_mb: r.peakRssMb,
  }));
}

/** The inputs the stages are measured on (shared real data), with the bronze+silver target. */
function stageInputs(shared: string): Record<string, { files: string[]; target_s: number }> {
  const eco2mix = join(shared, "eco2mix");
  const regional = REGIONAL_2014.map((p) => join(shared, p));
  const tr2025 = join(eco2mix, "eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
  const history = join(eco2mix, "odre", "consommation-quotidienne-brute.csv.gz");
  return {
    "2025 real-time file": { files: [tr2025], target_s: 1 },
    "12 regional 2014 files": { files: regional, target_s: 5 },
    "consumption history 2012-2025": { files: [history], target_s: 3 },
  };
}

async function stages(dir: string, shared: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const script = fileURLToPath(import.meta.resolve("./stage.ts"));
  for (const [label, { files, target_s }] of Object.entries(stageInputs(shared))) {
    const lakehouse = join(dir, `lakehouse-${rows.length}`);
    const measured: BenchRow[] = [];
    for (const stage of Object.keys(STAGES)) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script, stage, lakehouse, ...files],
        stderr: "inherit",
      }).output();
      if (!out.success) throw new Error(`stage ${stage} failed on ${label}`);
      const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
      measured.push({ name: `${stage}: ${label}`, ...r });
    }
    const ingestion = measured.filter((r) => /^(bronze|silver):/.test(r.name));
    rows.push(...measured, {
      name: `bronze+silver: ${label}`,
      wall_s: ingestion.reduce((t, r) => t + r.wall_s, 0),
      peak_rss_mb: Math.max(...ingestion.map((r) => r.peak_rss_mb ?? 0)),
      target_s,
    });
  }
  return rows;
}

/** The rows of a bench script run in its own process with `--json` (`incremental.ts`...). */
async function benchScript(name: string): Promise<BenchRow[]> {
  const script = fileURLToPath(import.meta.resolve(`./${name}`));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "--json"],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`the bench ${name} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}

function printTable(rows: BenchRow[]): void {
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(52)} ${b.padStart(9)} ${c.padStart(12)} ${d.padStart(9)}`;
  console.log(line("item", "wall s", "peak RSS MB", "target s"));
  for (const r of rows) {
    console.log(
      line(
        r.name,
        r.wall_s.toFixed(3),
        r.peak_rss_mb === null ? "-" : r.peak_rss_mb.toFixed(1),
        r.target_s === undefined ? "" : `${r.wall_s <= r.target_s ? "≤" : ">"} ${r.target_s}`,
      ) + (r.note ? `  ${r.note}` : ""),
    );
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { input: { type: "string" }, repeat: { type: "string" } },
  });
  const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  const shared = Deno.env.get("ECO2MIX_SHARED_DATA") ?? join(PATHS.root, "..", "shared", "data");
  const input = resolve(
    cwd,
    values.input ?? join(shared, "eco2mix", "eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls"),
  );
  const repeat = Number(values.repeat ?? 5);
  const dir = join(PATHS.runs, "bench");
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });

  const rows: BenchRow[] = [];
  for (const measure of [kernelFirstResult, fiftyCells]) {
    const samples: BenchRow[] = [];
    for (let i = 0; i < repeat; i++) samples.push(await measure(dir));
    const wall = median(samples.map((s) => s.wall_s));
    rows.push({ ...samples[0], wall_s: wall, name: `${samples[0].name} (median of ${repeat})` });
  }
  rows.push(...await stages(join(dir, "stages"), shared));
  // The daily refresh of the growing real-time file, then the README's command on it.
  rows.push(...await benchScript("incremental.ts"));
  rows.push(...await benchScript("daily_run.ts"));
  rows.push(...await benchScript("live_bench.ts"));
  rows.push(...await pipeline(join(dir, "pipeline"), input));
  printTable(rows);
  const out = join(dir, "bench.json");
  await Deno.writeTextFile(
    out,
    JSON.stringify({ date: new Date().toISOString(), input, rows }, null, 2) + "\n",
  );
  console.log(`\nWritten: ${out}`);
}
