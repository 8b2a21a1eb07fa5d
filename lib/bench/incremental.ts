/**
 * The daily refresh of RTE's growing real-time file: 30 daily versions of the 2025 download
 * (`growing_file.ts`: one day longer each time, last rows revised), each ingested and carried
 * through silver and gold incrementally, as the daily job does. Reports bronze's rows against
 * the file's (and against 30 whole copies, what bronze held before), and the wall time of the
 * last day's ingest, silver and gold against a rebuild: the same steps on an empty lakehouse
 * with the last version, silver and gold rebuilt from the incremental bronze (`full`), and
 * silver rebuilt from a bronze of 30 whole copies (the former daily run). The last day and the
 * rebuilds are run `--repeat` times from copies of the lakehouse, and their medians reported.
 *
 * ```sh
 * deno run -A lib/bench/incremental.ts [--days 30] [--repeat 3] [--json]
 * ```
 *
 * `deno task bench` runs it in its own process (`--json`, one line of {@linkcode BenchRow}s).
 *
 * @module
 */

import { cpSync } from "node:fs";
import { parseArgs } from "node:util";
import { join } from "node:path";
import { readEco2mixFile } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { openCatalog, TABLE } from "../pipeline/catalog.ts";
import { ingestFiles } from "../pipeline/ingest.ts";
import { refreshSilver } from "../pipeline/silver_step.ts";
import { refreshGold } from "../pipeline/gold_step.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import type { BenchRow } from "./bench.ts";

/** RTE's name for its current real-time file, the same every day. */
const CURRENT = "eCO2mix_RTE_En-cours-TR.xls";
/** Days of the 2025 download (its last version is the download itself). */
const DOWNLOAD_DAYS = 208;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, (performance.now() - t0) / 1000];
}

/** Ingest, silver and gold of one lakehouse: wall seconds of each. */
async function pipeline(lakehouse: string, file: string, now: Date, full = false) {
  const catalog = openCatalog(lakehouse);
  const [, ingest] = await timed(() => ingestFiles(catalog, [file], { now }));
  const [silver, silverS] = await timed(() => refreshSilver(catalog, { full }));
  const [gold, goldS] = await timed(() => refreshGold(catalog, { full }));
  return { ingest, silver: silverS, gold: goldS, modes: `${silver.mode}/${gold.mode}` };
}

/** The median of some numbers. */
function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs the simulation in `dir` over `versions` daily versions ending with the whole download;
 * the last day, and the rebuilds, are measured `repeat` times from copies of the lakehouse
 * (medians: the machine is shared). Returns the measured rows.
 */
export async function dailyRefreshBench(
  dir: string,
  versions = 30,
  repeat = 3,
): Promise<BenchRow[]> {
  const download = await Deno.readFile(
    sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls"),
  );
  const inputs = join(dir, "inputs");
  await Deno.mkdir(inputs, { recursive: true });
  const file = join(inputs, CURRENT);
  const before = join(dir, "before-last");
  const wholeCopies = openCatalog(join(dir, "copies")).table(TABLE.eco2mix_bronze);
  const first = DOWNLOAD_DAYS - versions + 1;
  const at = (day: number) => new Date(Date.UTC(2025, 0, day + 1, 6));
  let copies = 0;
  for (let day = first; day <= DOWNLOAD_DAYS; day++) {
    const bytes = growingFileVersion(download, { days: day });
    await Deno.writeFile(file, bytes);
    if (day < DOWNLOAD_DAYS) await pipeline(before, file, at(day));
    // The former daily run appended the whole file again.
    const whole = toBronze(readEco2mixFile(bytes, CURRENT), { ingestedAt: at(day) });
    await wholeCopies.append(whole);
    copies += whole.height;
  }
  const samples: Record<string, number[]> = {};
  const add = (name: string, s: number) => (samples[name] ??= []).push(s);
  let bronzeRows = 0;
  let modes = "";
  for (let r = 0; r < repeat; r++) {
    const lakehouse = join(dir, `last-${r}`);
    cpSync(before, lakehouse, { recursive: true });
    const last = await pipeline(lakehouse, file, at(DOWNLOAD_DAYS));
    modes = last.modes;
    add("ingest", last.ingest);
    add("silver", last.silver);
    add("gold", last.gold);
    add("daily", last.ingest + last.silver + last.gold);
    const catalog = openCatalog(lakehouse);
    bronzeRows =
      (await catalog.table(TABLE.eco2mix_bronze).read({ columns: ["_source_line"] })).height;
    const [, silver] = await timed(() => refreshSilver(catalog, { full: true }));
    const [, gold] = await timed(() => refreshGold(catalog, { full: true }));
    add("rebuild silver", silver);
    add("rebuild gold", gold);
    add("rebuild", silver + gold);
    const scratch = await pipeline(join(dir, `scratch-${r}`), file, at(DOWNLOAD_DAYS));
    add("scratch ingest", scratch.ingest);
    add("scratch silver", scratch.silver);
    add("scratch gold", scratch.gold);
    add("scratch", scratch.ingest + scratch.silver + scratch.gold);
  }
  const [, fromCopies] = await timed(() => refreshSilver(openCatalog(join(dir, "copies"))));
  const m = (name: string) => median(samples[name]);
  const s = (name: string) => `${m(name).toFixed(2)} s`;
  const fr = (n: number) => n.toLocaleString("en-US");
  const row = (name: string, wall_s: number, note: string): BenchRow => ({
    name,
    wall_s,
    peak_rss_mb: null,
    note,
  });
  const fileRows = dataLines(download);
  return [
    row(
      `daily refresh: last of ${versions} versions, ingest+silver+gold`,
      m("daily"),
      `median of ${repeat}: ingest ${s("ingest")}, silver ${s("silver")}, gold ${s("gold")} ` +
        `(${modes}); bronze ${fr(bronzeRows)} rows for a file of ${fr(fileRows)} ` +
        `(+${fr(bronzeRows - fileRows)} revised), ${fr(copies)} as ${versions} whole copies`,
    ),
    row(
      "daily refresh: same file, empty lakehouse, ingest+silver+gold",
      m("scratch"),
      `ingest ${s("scratch ingest")}, silver ${s("scratch silver")}, gold ${s("scratch gold")}`,
    ),
    row(
      "daily refresh: silver+gold rebuilt from all of bronze",
      m("rebuild"),
      `silver ${s("rebuild silver")}, gold ${s("rebuild gold")}`,
    ),
    row(
      `daily refresh: silver from ${versions} whole copies (before)`,
      fromCopies,
      `${fr(copies)} bronze rows, measured once`,
    ),
  ];
}

/** Data lines of an RTE text file: lines between the header and the disclaimer. */
function dataLines(bytes: Uint8Array): number {
  const text = new TextDecoder("windows-1252").decode(bytes);
  return text.split("\n").slice(1).filter((l) => l.includes("\t")).length;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { days: { type: "string" }, repeat: { type: "string" }, json: { type: "boolean" } },
  });
  const dir = await Deno.makeTempDir({ prefix: "bench-incremental-" });
  try {
    const rows = await dailyRefreshBench(
      dir,
      Number(values.days ?? 30),
      Number(values.repeat ?? 3),
    );
    if (values.json) console.log(JSON.stringify(rows));
    else for (const r of rows) console.log(`${r.name}: ${r.wall_s.toFixed(3)} s  ${r.note ?? ""}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
