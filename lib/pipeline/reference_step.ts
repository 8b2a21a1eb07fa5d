/**
 * The models' reference data in the lakehouse: ODRÉ's daily regional temperatures →
 * `temperatures_quotidiennes`, RTE's Tempo calendars → `calendrier_tempo` (silver, written by
 * notebook 03 with {@linkcode refreshReferenceTables}), and what notebook 07 and the backtest read
 * back ({@linkcode referenceFromLakehouse}): those two tables and the consumption history, which
 * notebook 02 ingests into bronze like any input (`ingest.ts`) and silver holds as the
 * `consommation_brute` data set.
 *
 * **Why silver tables straight from the files, without a bronze table.** `eco2mix_bronze` keeps
 * eCO2mix power files cell by cell as text, because their formats vary (36 to 40 columns, ODRÉ
 * exports, markers) and silver must be rebuilt from what was read. A temperature or Tempo file
 * has one fixed format of a few columns, checked line by line as it is read (an unknown region, a
 * bad date or colour, a day given twice: an error naming the file and line); a bronze copy of
 * it would hold the same values as text. Each row keeps its lineage as bronze rows do
 * (`_source_file`, its path relative to the reference folder; `_source_sha256`; `_source_line`),
 * so every value is traced to its file and line, and the tables are replaced whole when the files
 * change (a few thousand to 50 000 rows). Like the daily prices of notebook 06, they are empty,
 * with their columns, when the reference folder holds no such file.
 *
 * **Incremental.** The files are found and hashed on every run (3 MB: milliseconds); a table is
 * parsed and written again only when its files (names and SHA-256) or the reading code changed:
 * each write carries a Delta `txn` whose app id is a fingerprint of both (`_incremental.ts`), and
 * a run whose fingerprint is the table's latest leaves it alone.
 *
 * @module
 */

import pl from "nodejs-polars";
import {
  type DailyTemperature,
  mergeTempoCalendars,
  MISSING_REFERENCE,
  nationalFromRegional,
  readReferenceFiles,
  readRegionalTemperatures,
  readTempoLines,
  type ReferenceContents,
  type ReferenceData,
  type ReferenceFile,
  referenceText,
  seriesFromSilver,
  SOURCE_HISTORY,
  TEMPO_COLOURS,
  type TempoCalendar,
} from "../forecasting/mod.ts";
import type { Catalog, DeltaTable } from "../lakehouse/mod.ts";
import { reflectedVersion, stateAppId, type StepMode, tableRows } from "./_incremental.ts";
import { type LakehouseCatalog, TABLE } from "./catalog.ts";

/** The reference data the models read from the lakehouse (the folder is no longer theirs). */
export type LakehouseReference = Omit<ReferenceData, "dir">;

/** What {@linkcode refreshReferenceTables} did to one table. */
export interface ReferenceTableReport {
  table: typeof TABLE.temperatures_quotidiennes | typeof TABLE.calendrier_tempo;
  /** `complet`: parsed and written; `a_jour`: its files and code unchanged, left as it was. */
  mode: Exclude<StepMode, "incremental">;
  /** The files it holds (path relative to the reference folder, SHA-256). */
  files: ReferenceFile[];
  /** Rows it holds. */
  rows: number;
}

/** The code the tables depend on: a change parses the files again. */
const CODE = [new URL("./reference_step.ts", import.meta.url)];

/** Rows of one file's lines with its lineage columns, in file order. */
function withLineage(
  file: ReferenceFile,
  lines: readonly { line: number; day: number }[],
  columns: Record<string, pl.Series>,
): pl.DataFrame {
  return pl.DataFrame({
    date: pl.Series("date", lines.map((l) => l.day), pl.Int32).cast(pl.Date),
    ...columns,
    _source_file: pl.Series("_source_file", lines.map(() => file.file), pl.Utf8),
    _source_sha256: pl.Series("_source_sha256", lines.map(() => file.sha256), pl.Utf8),
    _source_line: pl.Series("_source_line", lines.map((l) => l.line), pl.Int64),
  });
}

/** `temperatures_quotidiennes` of the temperature file read (empty without one). */
async function temperatureFrame(input: ReferenceContents): Promise<pl.DataFrame> {
  const frames = await Promise.all(input.files.temperatures.map(async ({ path, bytes, file }) => {
    const rows = readRegionalTemperatures(await referenceText(path, bytes), file.file);
    return withLineage(file, rows, {
      code_insee_region: pl.Series("code_insee_region", rows.map((r) => r.code), pl.Utf8),
      region: pl.Series("region", rows.map((r) => r.region), pl.Utf8),
      temperature_min: pl.Series("temperature_min", rows.map((r) => r.tmin), pl.Float64),
      temperature_max: pl.Series("temperature_max", rows.map((r) => r.tmax), pl.Float64),
      temperature_moyenne: pl.Series("temperature_moyenne", rows.map((r) => r.tmoy), pl.Float64),
    });
  }));
  return frames.length ? pl.concat(frames) : withLineage({ file: "", sha256: "" }, [], {
    code_insee_region: pl.Series("code_insee_region", [], pl.Utf8),
    region: pl.Series("region", [], pl.Utf8),
    temperature_min: pl.Series("temperature_min", [], pl.Float64),
    temperature_max: pl.Series("temperature_max", [], pl.Float64),
    temperature_moyenne: pl.Series("temperature_moyenne", [], pl.Float64),
  });
}

/** `calendrier_tempo` of the Tempo files read (empty without one); contradictions throw. */
async function tempoFrame(input: ReferenceContents): Promise<pl.DataFrame> {
  const parts = await Promise.all(input.files.tempo.map(async ({ path, bytes, file }) => ({
    file,
    lines: readTempoLines(await referenceText(path, bytes), file.file),
  })));
  // A day two files give different colours is an error naming both, before anything is written.
  mergeTempoCalendars(
    parts.map((p) => ({ file: p.file.file, days: new Map(p.lines.map((l) => [l.day, l.code])) })),
  );
  const frames = parts.map(({ file, lines }) =>
    withLineage(file, lines, {
      couleur: pl.Series("couleur", lines.map((l) => TEMPO_COLOURS[l.code]), pl.Utf8),
    })
  );
  return frames.length
    ? pl.concat(frames)
    : withLineage({ file: "", sha256: "" }, [], { couleur: pl.Series("couleur", [], pl.Utf8) });
}

/** Writes `frame` over `table` with the txn recording `appId` (its next version). */
async function replace(table: DeltaTable, frame: pl.DataFrame, appId: string): Promise<void> {
  // The txn version must grow at each write of the step (files A, then B, then A again).
  const next = (await table.exists()) ? (await table.version()) + 1 : 0;
  await table.overwrite(frame, { overwriteSchema: true, txns: [{ appId, version: next }] });
}

/**
 * Brings `temperatures_quotidiennes` and `calendrier_tempo` up to date with the reference files
 * under `referenceDir` (see the module documentation). Two temperature files are an error
 * (`ReferenceDataError`: which one to trust?), so is a malformed line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openCatalog } from "./catalog.ts";
 * import { refreshReferenceTables } from "./reference_step.ts";
 * const catalog = openCatalog(await Deno.makeTempDir());
 * const empty = await Deno.makeTempDir();
 * const first = await refreshReferenceTables(catalog, { referenceDir: empty });
 * assert.deepEqual(first.map((t) => [t.mode, t.rows]), [["complet", 0], ["complet", 0]]);
 * const again = await refreshReferenceTables(catalog, { referenceDir: empty });
 * assert.deepEqual(again.map((t) => t.mode), ["a_jour", "a_jour"]);
 * ```
 */
export async function refreshReferenceTables(
  catalog: LakehouseCatalog,
  options: { referenceDir: string },
): Promise<ReferenceTableReport[]> {
  const input = await readReferenceFiles(options.referenceDir, ["temperatures", "tempo"]);
  const steps = [
    { table: TABLE.temperatures_quotidiennes, kind: "temperatures", build: temperatureFrame },
    { table: TABLE.calendrier_tempo, kind: "tempo", build: tempoFrame },
  ] as const;
  const reports: ReferenceTableReport[] = [];
  for (const { table: name, kind, build } of steps) {
    const files = input.files[kind].map((f) => f.file);
    const appId = await stateAppId(`reference-${kind}`, files, CODE);
    const table = catalog.table(name);
    if ((await reflectedVersion(table, appId)) !== null) {
      reports.push({ table: name, mode: "a_jour", files, rows: await tableRows(table) });
      continue;
    }
    const frame = await build(input);
    await replace(table, frame, appId);
    reports.push({ table: name, mode: "complet", files, rows: frame.height });
  }
  return reports;
}

/** The files a table's rows come from, in the order of their rows. */
function filesOf(frame: pl.DataFrame): ReferenceFile[] {
  return (frame.select("_source_file", "_source_sha256").unique({ maintainOrder: true })
    .toRecords() as { _source_file: string; _source_sha256: string }[])
    .map((r) => ({ file: r._source_file, sha256: r._source_sha256 }));
}

/** The rows of a reference table in file and line order (null: absent or empty). */
async function readOrdered(table: DeltaTable): Promise<pl.DataFrame | null> {
  if (!(await table.exists())) return null;
  const frame = (await table.read()).sort(["_source_file", "_source_line"]);
  return frame.height ? frame : null;
}

/** Day numbers (days since 1970-01-01) of the `date` column. */
function dayNumbers(frame: pl.DataFrame): number[] {
  return frame.getColumn("date").cast(pl.Int32).toArray() as number[];
}

/** The national daily temperatures of `temperatures_quotidiennes`, in the file's line order. */
function temperaturesOf(frame: pl.DataFrame): DailyTemperature {
  const days = dayNumbers(frame);
  const column = (c: string) => frame.getColumn(c).toArray() as number[];
  const [codes, tmin, tmax, tmoy] = [
    frame.getColumn("code_insee_region").toArray() as string[],
    column("temperature_min"),
    column("temperature_max"),
    column("temperature_moyenne"),
  ];
  const rows = days.map((day, i) => ({
    day,
    code: codes[i],
    tmin: tmin[i],
    tmax: tmax[i],
    tmoy: tmoy[i],
  }));
  return nationalFromRegional(rows, TABLE.temperatures_quotidiennes);
}

/** The Tempo calendar of `calendrier_tempo` (files merged in name order). */
function tempoOf(frame: pl.DataFrame): TempoCalendar {
  const days = dayNumbers(frame);
  const colours = frame.getColumn("couleur").toArray() as string[];
  const files = frame.getColumn("_source_file").toArray() as string[];
  const parts: { file: string; days: Map<number, number> }[] = [];
  days.forEach((day, i) => {
    if (parts.at(-1)?.file !== files[i]) parts.push({ file: files[i], days: new Map() });
    parts.at(-1)!.days.set(day, TEMPO_COLOURS.indexOf(colours[i] as "BLEU"));
  });
  return mergeTempoCalendars(parts);
}

/** The history files in bronze (`odre_consommation_brute`), in ingestion order. */
async function historyFiles(catalog: Catalog): Promise<ReferenceFile[]> {
  const bronze = catalog.table(TABLE.eco2mix_bronze);
  if (!(await bronze.exists())) return [];
  const rows = await bronze.read({
    columns: ["_source_file", "_source_sha256", "_ingested_at"],
    where: [{ column: "_format", eq: "odre_consommation_brute" }],
  });
  return filesOf(
    rows.groupBy(["_source_file", "_source_sha256"]).agg(pl.col("_ingested_at").min())
      .sort(["_ingested_at", "_source_file"]),
  );
}

/**
 * The models' reference data from the lakehouse: the `consommation_brute` national series of
 * `silver` (the rows of `eco2mix_silver`) with the history files bronze holds, and the
 * temperatures and Tempo calendar of their silver tables; `missing` says, in French, what is
 * absent. Values are exactly those of parsing the files (`loadReference`): the same lines,
 * summed in the same order.
 *
 * @example
 * ```ts ignore
 * const reference = await referenceFromLakehouse(catalog, silver);
 * console.log(reference.missing);
 * ```
 */
export async function referenceFromLakehouse(
  catalog: Catalog,
  silver: pl.DataFrame,
): Promise<LakehouseReference> {
  const missing: string[] = [];
  const series = seriesFromSilver(silver, "consommation_brute", SOURCE_HISTORY);
  const history = series ? { series, files: await historyFiles(catalog) } : null;
  if (!history) missing.push(MISSING_REFERENCE.history);
  const t = await readOrdered(catalog.table(TABLE.temperatures_quotidiennes));
  const temperatures = t ? { daily: temperaturesOf(t), files: filesOf(t) } : null;
  if (!temperatures) missing.push(MISSING_REFERENCE.temperatures);
  const c = await readOrdered(catalog.table(TABLE.calendrier_tempo));
  const tempo = c ? { calendar: tempoOf(c), files: filesOf(c) } : null;
  if (!tempo) missing.push(MISSING_REFERENCE.tempo);
  return { history, temperatures, tempo, missing };
}
