/**
 * Bronze step: input files → `eco2mix_bronze`.
 *
 * Why one commit per batch: every file is read (and every bad file rejected with its typed
 * error naming file and line) before anything is written, so a bad input never leaves a
 * half-ingested batch. Why skip by content hash: RTE re-serves files under the same name with
 * new content, and users copy the same file under new names; the SHA-256 of the bytes is what
 * identifies what was already ingested, so ingesting the same content again is a no-op.
 *
 * Why only new or revised rows of a file already seen: RTE's current real-time file grows by
 * a day every day and revises its last rows, under the same name. A file whose name is already
 * in bronze is a new version of it: only its rows whose key (name, perimeter, instant) is new or
 * whose content (`_row_hash`) differs from the file's latest version are appended, with the new
 * version's lineage (see `bronzeDelta` in `layers/bronze.ts`). Bronze grows by a day's rows and
 * the revisions, not by a whole copy per day. A new version's rows are stamped later than every
 * earlier version's (`_ingested_at`), since the latest ingestion of a key is its current value.
 *
 * Why a Delta `txn` action per file ({@linkcode bronzeAppId}): two ingests running at the same
 * time both see a new file as new. The commit carries one application transaction per file
 * content, and the table layer refuses a commit whose app id the table already holds or a
 * concurrent winner committed first (Delta's idempotent writes). The losing ingest then reports
 * that file as already ingested and appends only what is still new; the data files of its lost
 * attempt are removed (a process killed mid-way leaves them to VACUUM). Hashes are also read
 * from the rows' `_source_sha256`, for bronze tables written before files were recorded as
 * `txn` actions. Each commit also advances one `txn` per file name ({@linkcode bronzeFileAppId},
 * version = its number of ingested versions): two ingests of two versions of a file computed
 * their new rows against the same state, so the second to commit loses the race and computes
 * them again against the first one's rows.
 *
 * **The consumption history is an input like the others.** ODRÉ's national half-hourly history
 * (`consommation-quotidienne-brute*.csv[.gz]`), found by name under the reference folder, is
 * ingested with the input files ({@linkcode referenceHistoryInputs}): the eCO2mix reader reads it
 * (variant `odre_consommation_brute`), silver makes it the `consommation_brute` data set, and the
 * models read it there. Its bronze name is its path relative to the reference folder, the name
 * the models' lineage (`caracteristiques_consommation._reference`) has always given it; an
 * unchanged history is skipped by its SHA-256 like any file, so a daily run pays its hash only.
 *
 * @module
 */

import { basename, relative } from "node:path";
import pl from "nodejs-polars";
import { ConcurrentModificationError, TransactionAlreadyCommittedError } from "../lakehouse/mod.ts";
import {
  Eco2mixNotDataError,
  type Eco2mixTable,
  readEco2mixFile,
  sha256Hex,
} from "../eco2mix/mod.ts";
import { bronzeDelta, LINEAGE_COLUMNS, ROW_KEY_COLUMNS, toBronze } from "../layers/bronze.ts";
import { epochMs } from "../layers/time_keys.ts";
import { findReferenceFiles } from "../forecasting/reference.ts";
import { type LakehouseCatalog, TABLE } from "./catalog.ts";

/** An input file and the name bronze records for it (`_source_file`). */
export interface IngestInput {
  path: string;
  file: string;
}

/** What happened to one input file. */
export interface FileIngest {
  file: string;
  sha256: string;
  status: "ingere" | "deja_ingere" | "ignore";
  /** Data lines read (0 when not read). */
  lines: number;
  /**
   * Of the lines read: rows whose key bronze did not hold for this file name, rows revising it,
   * and rows equal to the file's latest version (not appended). 0 when not ingested.
   */
  newRows: number;
  revisedRows: number;
  unchangedRows: number;
  /** Publication variant(s) found, or why the file was ignored. */
  detail: string;
  /** Text encoding detected (empty when not read). */
  encoding: string;
  /** Revision stages (temps_reel, consolide, definitif) and perimeters found. */
  natures: string;
  perimeters: string;
  /** Header columns unknown to the column catalogue (kept in bronze). */
  unknownColumns: string;
}

/** Result of {@linkcode ingestFiles}. */
export interface IngestReport {
  files: FileIngest[];
  /** Rows appended to bronze in this batch (new and revised rows). */
  rowsAppended: number;
  /** Rows read in this batch that bronze already held unchanged, under an earlier version. */
  rowsUnchanged: number;
  /** Bronze version written by this batch (null: nothing new). */
  version: number | null;
  /** Columns unknown to the column catalogue, added to bronze by this batch. */
  newColumns: string[];
}

/** The bronze table is inconsistent with what was read (a bug, never expected). */
export class IngestError extends Error {
  override name = "IngestError";
}

const BRONZE = TABLE.eco2mix_bronze;

const TXN_PREFIX = "eco2mix-bronze:";
const FILE_TXN_PREFIX = "eco2mix-bronze-file:";

/** Commits tried by one ingest while concurrent ingests keep winning the race. */
const MAX_ATTEMPTS = 10;

/**
 * The Delta `txn` app id that records in bronze that a file content (its SHA-256) was ingested;
 * its version is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bronzeAppId } from "./ingest.ts";
 * assert.equal(bronzeAppId("83b9c55d"), "eco2mix-bronze:83b9c55d");
 * ```
 */
export function bronzeAppId(sha256: string): string {
  return TXN_PREFIX + sha256;
}

/**
 * The Delta `txn` app id that counts, in bronze, the versions of a file name ingested (its
 * version is that count minus one): concurrent ingests of two versions of a file conflict on it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bronzeFileAppId } from "./ingest.ts";
 * assert.equal(bronzeFileAppId("tr.zip!/tr.xls"), "eco2mix-bronze-file:tr.zip!/tr.xls");
 * ```
 */
export function bronzeFileAppId(file: string): string {
  return FILE_TXN_PREFIX + file;
}

function notRead(file: string, sha256: string): Omit<FileIngest, "status" | "detail"> {
  return {
    file,
    sha256,
    lines: 0,
    newRows: 0,
    revisedRows: 0,
    unchangedRows: 0,
    encoding: "",
    natures: "",
    perimeters: "",
    unknownColumns: "",
  };
}

async function ingestedHashes(catalog: LakehouseCatalog): Promise<Set<string>> {
  const table = catalog.table(BRONZE);
  if (!(await table.exists())) return new Set();
  const snap = await table.snapshot();
  const seen = new Set<string>();
  for (const appId of snap.txns.keys()) {
    if (appId.startsWith(TXN_PREFIX)) seen.add(appId.slice(TXN_PREFIX.length));
  }
  const df = await table.read({ columns: ["_source_sha256"], version: snap.version });
  for (const h of df.getColumn("_source_sha256").unique().toArray() as string[]) seen.add(h);
  return seen;
}

/**
 * The consumption histories under the reference folder `dir`, as inputs of
 * {@linkcode ingestFiles} named by their path relative to `dir` (none when it holds none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceHistoryInputs } from "./ingest.ts";
 * import { sharedDataPath } from "../testing/shared_data.ts";
 * const [history] = await referenceHistoryInputs(sharedDataPath());
 * assert.equal(history.file, "eco2mix/odre/consommation-quotidienne-brute.csv.gz");
 * assert.deepEqual(await referenceHistoryInputs(await Deno.makeTempDir()), []);
 * ```
 */
export async function referenceHistoryInputs(dir: string): Promise<IngestInput[]> {
  const { history } = await findReferenceFiles(dir);
  return history.map((path) => ({ path, file: relative(dir, path) }));
}

/**
 * Reads `paths` (a path is named by its base name in bronze, an {@linkcode IngestInput} by its
 * `file`) and appends the lines of the files not ingested yet to `eco2mix_bronze`, in one
 * commit. Files that are not eCO2mix data (e.g. Tempo calendars) are reported as
 * `ignore`; any other unreadable file throws its typed error before anything is written.
 * Concurrent ingests of the same content (in this process or others) append it once: the
 * others report it `deja_ingere`.
 *
 * @example
 * ```ts ignore
 * const report = await ingestFiles(openCatalog(), ["data/eCO2mix_RTE_En-cours-TR.xls"]);
 * console.log(report.rowsAppended, report.files);
 * ```
 */
export async function ingestFiles(
  catalog: LakehouseCatalog,
  paths: readonly (string | IngestInput)[],
  options: { now?: Date } = {},
): Promise<IngestReport> {
  const seen = await ingestedHashes(catalog);
  const files: FileIngest[] = [];
  const read = new Map<number, Eco2mixTable[]>(); // index in `files` -> its tables
  for (const input of paths) {
    const { path, file } = typeof input === "string"
      ? { path: input, file: basename(input) }
      : input;
    const bytes = await Deno.readFile(path);
    const sha256 = sha256Hex(bytes);
    if (seen.has(sha256)) {
      files.push({ ...notRead(file, sha256), status: "deja_ingere", detail: "same content" });
      continue;
    }
    let tables: Eco2mixTable[];
    try {
      tables = readEco2mixFile(bytes, file);
    } catch (e) {
      if (!(e instanceof Eco2mixNotDataError)) throw e;
      files.push({ ...notRead(file, sha256), status: "ignore", detail: e.message });
      continue;
    }
    seen.add(sha256);
    read.set(files.length, tables);
    const distinct = (f: (t: Eco2mixTable) => readonly string[] | string) =>
      [...new Set(tables.flatMap(f))].join(", ");
    files.push({
      ...notRead(file, sha256),
      status: "ingere",
      lines: tables.reduce((n, t) => n + t.meta.dataLines, 0),
      detail: distinct((t) => t.meta.variant),
      encoding: distinct((t) => t.meta.encoding),
      natures: distinct((t) => t.meta.natures),
      perimeters: distinct((t) => t.meta.perimeters),
      unknownColumns: distinct((t) => t.meta.unknownColumns.map((c) => c.header)),
    });
  }
  for (let attempt = 1;; attempt++) {
    const batch = [...read.keys()].filter((i) => files[i].status === "ingere");
    if (batch.length === 0) {
      return { files, rowsAppended: 0, rowsUnchanged: 0, version: null, newColumns: [] };
    }
    try {
      const tables = batch.flatMap((i) => read.get(i)!);
      const hashes = batch.map((i) => files[i].sha256);
      const appended = await appendToBronze(catalog, tables, hashes, options.now ?? new Date());
      for (const i of batch) {
        const names = new Set(read.get(i)!.map((t) => t.meta.file));
        const mine = appended.counts.filter((c) => names.has(c._source_file));
        const sum = (k: Exclude<keyof DeltaCount, "_source_file">) =>
          mine.reduce((n, c) => n + c[k], 0);
        files[i].newRows = sum("lignes_nouvelles");
        files[i].revisedRows = sum("lignes_revisees");
        files[i].unchangedRows = sum("lignes_inchangees");
      }
      const { counts: _, ...report } = appended;
      return { files, ...report };
    } catch (e) {
      const lostRace = e instanceof TransactionAlreadyCommittedError ||
        e instanceof ConcurrentModificationError;
      if (!lostRace || attempt === MAX_ATTEMPTS) throw e;
    }
    // A concurrent ingest committed some of these contents first (or created bronze, or added
    // columns to it): drop what it ingested and append the rest on top of its commit.
    const now = await ingestedHashes(catalog);
    for (const i of batch) {
      if (!now.has(files[i].sha256)) continue;
      files[i] = {
        ...notRead(files[i].file, files[i].sha256),
        status: "deja_ingere",
        detail: "same content, ingested by a concurrent run",
      };
    }
  }
}

/** Rows counted by {@linkcode bronzeDelta}, per file name. */
interface DeltaCount {
  _source_file: string;
  lignes_nouvelles: number;
  lignes_revisees: number;
  lignes_inchangees: number;
}

/**
 * Appends the new and revised rows of `tables` to bronze, with one `txn` action per file
 * content and one per file name.
 */
async function appendToBronze(
  catalog: LakehouseCatalog,
  tables: Eco2mixTable[],
  hashes: string[],
  now: Date,
): Promise<Omit<IngestReport, "files"> & { counts: DeltaCount[] }> {
  const names = new Map<string, string>();
  for (const t of tables) {
    const other = names.get(t.meta.file);
    if (other !== undefined && other !== t.meta.sha256) {
      throw new IngestError(
        `two different contents named ${t.meta.file} in one batch: ingest the versions of a ` +
          "file one batch at a time, the older first",
      );
    }
    names.set(t.meta.file, t.meta.sha256);
  }
  const expected = tables.reduce((n, t) => n + t.meta.dataLines, 0);
  const table = catalog.table(BRONZE);
  const exists = await table.exists();
  const snap = exists ? await table.snapshot() : null;
  const existing = snap ? snap.schema.fields.map((f) => f.name) : [];
  const previous = await rowsOfFiles(catalog, [...names.keys()], existing, snap?.version);
  // The latest ingestion of a key is its current value: this version must come after the others.
  const last = previous.height
    ? Number(previous.select(epochMs(pl.col("_ingested_at")).max()).getColumn("_ingested_at")[0])
    : -Infinity;
  const ingestedAt = new Date(Math.max(now.getTime(), last + 1));
  let bronze = toBronze(tables, { ingestedAt });
  if (bronze.height !== expected) {
    throw new IngestError(`bronze has ${bronze.height} rows for ${expected} data lines read`);
  }
  const delta = bronzeDelta(bronze, previous);
  bronze = delta.rows;
  const lineage = new Set<string>(LINEAGE_COLUMNS);
  const newColumns = existing.length
    ? bronze.columns.filter((c) => !existing.includes(c) && !lineage.has(c))
    : tables.flatMap((t) => t.meta.unknownColumns.map((c) => c.name));
  // Columns an earlier file brought (unknown to the catalogue) are null for this batch.
  bronze = bronze.select(
    ...existing.map((c) =>
      bronze.columns.includes(c) ? pl.col(c) : pl.lit(null).cast(pl.Utf8).alias(c)
    ),
    ...bronze.columns.filter((c) => !existing.includes(c)).map((c) => pl.col(c)),
  );
  const fileTxns = [...names.keys()].map((name) => {
    const appId = bronzeFileAppId(name);
    return { appId, version: (snap?.txns.get(appId)?.version ?? -1) + 1 };
  });
  const commit = await table.append(bronze, {
    mergeSchema: existing.length > 0 && bronze.columns.some((c) => !existing.includes(c)),
    txns: [...hashes.map((h) => ({ appId: bronzeAppId(h), version: 0 })), ...fileTxns],
  });
  const counts = delta.counts.toRecords() as unknown as DeltaCount[];
  return {
    rowsAppended: bronze.height,
    rowsUnchanged: counts.reduce((n, c) => n + Number(c.lignes_inchangees), 0),
    version: commit.version,
    newColumns: [...new Set(newColumns)],
    counts: counts.map((c) => ({
      _source_file: c._source_file,
      lignes_nouvelles: Number(c.lignes_nouvelles),
      lignes_revisees: Number(c.lignes_revisees),
      lignes_inchangees: Number(c.lignes_inchangees),
    })),
  };
}

/**
 * The key, ingestion time and content hash of the bronze rows (at `version`) of the given file
 * names; rows written before bronze had `_row_hash` have a null one.
 */
async function rowsOfFiles(
  catalog: LakehouseCatalog,
  names: string[],
  columns: string[],
  version: number | undefined,
): Promise<pl.DataFrame> {
  const wanted = [...ROW_KEY_COLUMNS, "_ingested_at", "_row_hash"];
  if (version === undefined) {
    return pl.DataFrame(wanted.map((c) => pl.Series(c, [], pl.Utf8))).withColumn(
      pl.col("_ingested_at").cast(pl.Datetime("ms", "UTC")),
    );
  }
  const present = wanted.filter((c) => columns.includes(c));
  const rows = await catalog.table(BRONZE).read({
    version,
    columns: present,
    where: [{ column: "_source_file", in: names }],
  });
  return rows.select(
    ...wanted.map((c) => present.includes(c) ? pl.col(c) : pl.lit(null).cast(pl.Utf8).alias(c)),
  );
}

/**
 * Lines per ingested file in bronze, with its hash and when it was ingested: the check that
 * nothing was dropped, and the lineage users look up.
 *
 * @example
 * ```ts ignore
 * console.log((await bronzeFiles(openCatalog())).toRecords());
 * ```
 */
export async function bronzeFiles(catalog: LakehouseCatalog): Promise<pl.DataFrame> {
  const bronze = await catalog.table(BRONZE).read({
    columns: ["_source_file", "_source_sha256", "_ingested_at"],
  });
  return bronze
    .groupBy(["_source_file", "_source_sha256", "_ingested_at"])
    .agg(pl.len().alias("lignes"))
    .sort(["_ingested_at", "_source_file"]);
}

/**
 * One line of {@linkcode compareWithBronze}. The fields stay French: notebook 02 shows these
 * records as a table, their keys as its column headers.
 */
export interface LineCount {
  fichier: string;
  lignes_lues: number;
  /** Lines bronze holds under this content hash: the new and revised rows. */
  lignes_bronze: number;
  /** Lines bronze already held, unchanged, under an earlier version of the file. */
  lignes_inchangees: number;
  /** lignes_bronze + lignes_inchangees - lignes_lues. */
  ecart: number;
}

/**
 * For each file ingested by `report`, the lines read against the lines bronze now holds for
 * its content hash (from {@linkcode bronzeFiles}) plus those an earlier version of the file
 * already held unchanged; any `ecart` other than 0 is data loss.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * const counts = compareWithBronze(report, await bronzeFiles(catalog));
 * assert.ok(counts.every((c) => c.ecart === 0));
 * ```
 */
export function compareWithBronze(report: IngestReport, perFile: pl.DataFrame): LineCount[] {
  const stored = new Map<string, number>();
  for (const r of perFile.toRecords() as { _source_sha256: string; lignes: number }[]) {
    stored.set(r._source_sha256, (stored.get(r._source_sha256) ?? 0) + Number(r.lignes));
  }
  return report.files.filter((f) => f.status === "ingere").map((f) => {
    const inBronze = stored.get(f.sha256) ?? 0;
    return {
      fichier: f.file,
      lignes_lues: f.lines,
      lignes_bronze: inBronze,
      lignes_inchangees: f.unchangedRows,
      ecart: inBronze + f.unchangedRows - f.lines,
    };
  });
}
