/**
 * Silver step: `eco2mix_bronze` → `eco2mix_silver` and its companions (`previsions_rte`,
 * `lacunes`, `rejets_bronze`), checked by the data-quality rules (`qualite_donnees`,
 * `quarantaine`).
 *
 * **Incremental.** Each table records the bronze version it reflects (see `_incremental.ts`).
 * A run reads the bronze rows added since (`tableChanges`: a daily version of RTE's file adds a
 * day and its revisions), and rebuilds only the series (jeu_donnees × perimetre) they belong to,
 * from the bronze rows of every file those series hold, through the same `toSilver`: overlap
 * precedence (definitive over consolidated over real-time, then the latest ingestion), versions
 * of a file, gap interpolation and the per-file rules all read whole files, so a series rebuilt
 * from its files equals that series in a rebuild from all of bronze. The series set is closed
 * over files (a file's every series, every file of those series), since quality results and
 * rejections are per file. The tables are then updated by MERGE: rows equal to the stored ones
 * stay in place, changed and new rows are written, the rebuilt series' rows that vanished are
 * deleted; only the files (year partitions of `eco2mix_silver`) holding a change are rewritten.
 * Why not a narrower time window: `toSilver` costs a few hundred milliseconds whatever its input
 * below a year of rows, and per-file rules (last measured instant, step, absent sources) would
 * have to be carried across windows; the series' bronze rows are read anyway.
 *
 * The whole of bronze is rebuilt (each table replaced in one Delta commit) on the first run,
 * after a change of parameters or of the code of silver, when the bronze versions to compare
 * were vacuumed, or on demand (`full`). The quality rules run before anything is written: a
 * `fail` rule stops the step with the tables unchanged, and rows failing a `quarantine` rule go
 * to `quarantaine` instead of silver. When no row is left for silver, the step stops with
 * {@linkcode EmptySilverError} after writing the tables that say why. Each table is written in
 * one commit, `eco2mix_silver` last: readers see each table's previous or new version.
 *
 * @module
 */

import pl from "nodejs-polars";
import { DeltaError, type DeltaTable } from "../lakehouse/mod.ts";
import { bronzeSeries, type SilverOptions, toSilver } from "../layers/silver.ts";
import { checkQuality } from "../quality/mod.ts";
import {
  reflectedVersion,
  stateAppId,
  stateTxns,
  type StepMode,
  type TableChange,
  tableRows,
} from "./_incremental.ts";
import { type LakehouseCatalog, TABLE, type TableName } from "./catalog.ts";

export type { StepMode, TableChange } from "./_incremental.ts";

/** What the silver step wrote. */
export interface SilverReport {
  /** Version of `eco2mix_silver` after the step. */
  version: number;
  /** `complet` (rebuilt from all of bronze), `incremental` or `a_jour` (nothing to do). */
  mode: StepMode;
  /** Why this mode, in French, for the notebook. */
  reason: string;
  /** Series (jeu_donnees, perimetre) rebuilt: all of them in a full run, none when up to date. */
  series: pl.DataFrame;
  /** Rows per table after the step. */
  rows: Record<string, number>;
  /** Rows inserted, changed and deleted per table (incremental runs; empty otherwise). */
  changes: TableChange[];
  /** Per source file rebuilt: bronze lines and where each went (see `toSilver`). */
  fileBalance: pl.DataFrame;
  /** Data-quality results, all files (the `qualite_donnees` table after the step). */
  quality: pl.DataFrame;
}

/** Options of {@linkcode refreshSilver}. */
export interface SilverStepOptions extends SilverOptions {
  /** Rebuild from all of bronze even when an incremental update is possible. */
  full?: boolean;
}

/** Bronze is empty: nothing to build silver from. */
export class EmptyBronzeError extends Error {
  override name = "EmptyBronzeError";
}

/**
 * Every bronze line was set aside (rejected or quarantined): silver would be empty. The message
 * is French, for the notebook reader, and names the tables that say why.
 */
export class EmptySilverError extends Error {
  override name = "EmptySilverError";
}

const { eco2mix_bronze: BRONZE, eco2mix_silver: SILVER } = TABLE;
const SERIES = ["jeu_donnees", "perimetre"];

/**
 * Every table the step writes, `eco2mix_silver` last; how an incremental run merges into it
 * (`keys`: null for all columns) and which rows it replaces (`scope`: the rebuilt series, or
 * the rebuilt files for tables without series columns).
 */
const WRITTEN: { name: TableName; keys: string[] | null; scope: "series" | "files" }[] = [
  { name: TABLE.previsions_rte, keys: [...SERIES, "timestamp_utc"], scope: "series" },
  { name: TABLE.lacunes, keys: null, scope: "series" },
  { name: TABLE.rejets_bronze, keys: null, scope: "files" },
  { name: TABLE.qualite_donnees, keys: null, scope: "files" },
  { name: TABLE.quarantaine, keys: null, scope: "series" },
  { name: SILVER, keys: [...SERIES, "timestamp_utc", "annee"], scope: "series" },
];

/** The code silver depends on: a change rebuilds everything. */
const CODE = [
  new URL("../layers/silver.ts", import.meta.url),
  new URL("../quality/mod.ts", import.meta.url),
  new URL("./silver_step.ts", import.meta.url),
];

/**
 * Brings the silver tables up to date with bronze: incrementally when they reflect an earlier
 * bronze version under the same parameters and code, else from all of bronze (module doc).
 *
 * @example
 * ```ts ignore
 * const report = await refreshSilver(openCatalog(), { invalidValues: "quarantine" });
 * console.log(report.mode, report.rows);
 * ```
 */
export async function refreshSilver(
  catalog: LakehouseCatalog,
  options: SilverStepOptions = {},
): Promise<SilverReport> {
  const bronzeTable = catalog.table(BRONZE);
  if (!(await bronzeTable.exists())) {
    throw new EmptyBronzeError(`${BRONZE} does not exist yet: run the bronze step first`);
  }
  const silverOptions: SilverOptions = {
    invalidValues: options.invalidValues ?? "error",
    maxGapMinutes: options.maxGapMinutes ?? 60,
  };
  const appId = await stateAppId("eco2mix-silver", silverOptions, CODE);
  const bronzeVersion = await bronzeTable.version();
  const reflected = await Promise.all(
    WRITTEN.map((t) => reflectedVersion(catalog.table(t.name), appId)),
  );
  const full = (reason: string) =>
    fullRebuild(catalog, silverOptions, appId, bronzeVersion, reason);
  if (options.full) return full("reconstruction complète demandée");
  if (reflected.some((v) => v === null)) {
    return full(
      reflected.every((v) => v === null)
        ? "première construction, ou paramètres ou code de silver modifiés"
        : "une table silver n'a pas été construite avec ces paramètres et ce code",
    );
  }
  const from = Math.min(...(reflected as number[]));
  if (from === bronzeVersion) return await upToDate(catalog);
  let changed: pl.DataFrame;
  try {
    const changes = await bronzeTable.changesSince(from, bronzeVersion);
    changed = pl.concat(
      [changes.inserted, changes.deleted].map((c) => c.select(...bronzeSeries())),
    );
  } catch (e) {
    if (!(e instanceof DeltaError)) throw e;
    return full(`la version ${from} de bronze n'est plus lisible (${e.message})`);
  }
  // Only content hashes recorded, or files compacted: no row to rebuild.
  if (changed.height === 0) return await upToDate(catalog);
  return incremental(catalog, silverOptions, appId, bronzeVersion, changed, reflected);
}

/** Rebuilds every table from all of bronze, each replaced in one commit. */
async function fullRebuild(
  catalog: LakehouseCatalog,
  options: SilverOptions,
  appId: string,
  bronzeVersion: number,
  reason: string,
): Promise<SilverReport> {
  const bronze = await catalog.table(BRONZE).read({ version: bronzeVersion });
  const result = toSilver(bronze, options);
  const quality = checkQuality(result.silver);
  const outputs = tableFrames(result, quality);
  const write = async (name: TableName) => {
    const table = catalog.table(name);
    // A code change may add derived columns: replacing a derived table's schema is a logged
    // metaData change in its Delta history.
    return await table.overwrite(outputs[name], {
      overwriteSchema: true,
      txns: await stateTxns(table, appId, bronzeVersion),
    });
  };
  if (quality.valides.height === 0) {
    // The tables that say why are written; silver keeps its previous version.
    for (const { name } of WRITTEN.slice(0, -1)) await write(name);
    throw emptySilver(result.rejets.height, quality.quarantaine.height);
  }
  const rows: Record<string, number> = {};
  let version = -1;
  for (const { name } of WRITTEN) {
    const commit = await write(name);
    rows[name] = outputs[name].height;
    if (name === SILVER) version = commit.version;
  }
  return {
    version,
    mode: "complet",
    reason,
    series: result.silver.select(...SERIES).unique().sort(SERIES),
    rows,
    changes: [],
    fileBalance: result.bilan,
    quality: quality.qualite_donnees,
  };
}

/** Nothing changed in bronze: what the tables hold. */
async function upToDate(catalog: LakehouseCatalog): Promise<SilverReport> {
  const silver = catalog.table(SILVER);
  return {
    version: await silver.version(),
    mode: "a_jour",
    reason: "aucune ligne bronze nouvelle depuis la dernière construction",
    series: pl.DataFrame({
      jeu_donnees: pl.Series("jeu_donnees", [], pl.Utf8),
      perimetre: pl.Series("perimetre", [], pl.Utf8),
    }),
    rows: await rowsPerTable(catalog),
    changes: [],
    fileBalance: pl.DataFrame({}),
    quality: await catalog.table(TABLE.qualite_donnees).read(),
  };
}

/**
 * Rebuilds the series touched by `changed` (bronze rows' series) and every series of their files,
 * then merges them into each table.
 */
async function incremental(
  catalog: LakehouseCatalog,
  options: SilverOptions,
  appId: string,
  bronzeVersion: number,
  changed: pl.DataFrame,
  reflected: (number | null)[],
): Promise<SilverReport> {
  const bronzeTable = catalog.table(BRONZE);
  const ids = (await bronzeTable.read({
    version: bronzeVersion,
    columns: ["_format", "perimetre", "_source_file"],
  })).select(...bronzeSeries(), pl.col("_source_file")).unique();
  const { series, files } = closeOverFiles(ids, changed.unique());
  const bronze = await bronzeTable.read({
    version: bronzeVersion,
    where: [{ column: "_source_file", in: files.getColumn("_source_file").toArray() }],
  });
  const result = toSilver(bronze, options);
  const quality = checkQuality(result.silver);
  const outputs = tableFrames(result, quality);
  const silverTable = catalog.table(SILVER);
  // Year partitions the rebuilt series hold now or held before: the only ones MERGE reads.
  const years = pl.concat([
    outputs[SILVER].select(...SERIES, "annee"),
    (await silverTable.read({ columns: [...SERIES, "annee"] })).unique(),
  ]).join(series, { on: SERIES, how: "semi" }).unique();
  const scopes: Record<"series" | "files", pl.DataFrame> = {
    series,
    files: files.rename({ _source_file: "source_file" }),
  };
  const changes: TableChange[] = [];
  const write = async (t: (typeof WRITTEN)[number]) => {
    const table = catalog.table(t.name);
    let scope = scopes[t.scope];
    if (t.name === SILVER) scope = years;
    if (t.name === TABLE.qualite_donnees) scope = scope.rename({ source_file: "fichier" });
    const r = await table.merge(outputs[t.name], {
      keys: t.keys ?? outputs[t.name].columns,
      onlyChanged: true,
      deleteMissing: scope,
      txns: await stateTxns(table, appId, bronzeVersion),
    });
    changes.push({
      table: t.name,
      inserees: r.inserted,
      modifiees: r.updated,
      supprimees: r.deleted,
    });
    return r;
  };
  // Tables already reflecting this bronze version (a run stopped midway) are left alone.
  const todo = WRITTEN.filter((_, i) => reflected[i] !== bronzeVersion);
  if (quality.valides.height === 0 && (await rowsOutside(silverTable, series)) === 0) {
    for (const t of todo.filter((t) => t.name !== SILVER)) await write(t);
    throw emptySilver(result.rejets.height, quality.quarantaine.height);
  }
  for (const t of todo) await write(t);
  return {
    version: await silverTable.version(),
    mode: "incremental",
    reason: `${changed.height.toLocaleString("fr-FR")} ligne(s) bronze nouvelle(s) ou ` +
      `retirée(s) depuis la version ${Math.min(...(reflected as number[]))} de bronze`,
    series,
    rows: await rowsPerTable(catalog),
    changes,
    fileBalance: result.bilan,
    quality: await catalog.table(TABLE.qualite_donnees).read(),
  };
}

/**
 * The series of `changed` closed over files: every series of a file holding one of them, every
 * file holding one of those series, until nothing is added. `ids`: (jeu_donnees, perimetre,
 * _source_file) of every bronze row.
 */
function closeOverFiles(ids: pl.DataFrame, changed: pl.DataFrame) {
  let series = changed.select(...SERIES).unique();
  for (;;) {
    const files = ids.join(series, { on: SERIES, how: "semi" }).select("_source_file").unique();
    const more = ids.join(files, { on: "_source_file", how: "semi" }).select(...SERIES).unique();
    if (more.height === series.height) return { series: series.sort(SERIES), files };
    series = more;
  }
}

/** The frame each table receives, by table name. */
function tableFrames(
  result: ReturnType<typeof toSilver>,
  quality: ReturnType<typeof checkQuality>,
): Record<string, pl.DataFrame> {
  return {
    previsions_rte: result.previsions,
    lacunes: result.lacunes,
    rejets_bronze: result.rejets,
    qualite_donnees: quality.qualite_donnees,
    quarantaine: quality.quarantaine,
    [SILVER]: quality.valides,
  };
}

/** Rows of `eco2mix_silver` outside `series`. */
async function rowsOutside(silver: DeltaTable, series: pl.DataFrame): Promise<number> {
  if (!(await silver.exists())) return 0;
  return (await silver.read({ columns: SERIES })).join(series, { on: SERIES, how: "anti" }).height;
}

async function rowsPerTable(catalog: LakehouseCatalog): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const { name } of WRITTEN) rows[name] = await tableRows(catalog.table(name));
  return rows;
}

function emptySilver(rejected: number, quarantined: number): EmptySilverError {
  return new EmptySilverError(
    `aucune ligne de bronze ne devient une ligne silver : ${rejected} lignes ` +
      `rejetées (table rejets_bronze), ${quarantined} en quarantaine (table ` +
      `quarantaine) ; eco2mix_silver garde sa version précédente`,
  );
}
