/**
 * Bronze layer: every data line of every file, exactly as read.
 *
 * Schema (stable across files, so that one Delta table holds every variant):
 * - every catalogue column ({@linkcode COLUMNS}, in catalogue order) as Utf8, null when the
 *   cell is empty or the file does not have the column; `ND` and `-` kept verbatim;
 * - unknown columns found in the files (Utf8), after the catalogue columns;
 * - lineage: `_ingested_at` (Datetime ms, UTC), `_source_file`, `_source_sha256` (of the file
 *   as stored, archive included), `_source_line` (Int32, 1-based line or sheet row), `_format`
 *   (the reader's `Eco2mixVariant`), `_row_hash` (the row's content, see {@linkcode toBronze}).
 *
 * Nothing is dropped: future rows, empty `:15`/`:45` rows of half-hourly files and DST filler
 * rows are all there; silver interprets them. Idempotence is by file hash: ingest only what
 * {@linkcode newFiles} returns.
 *
 * **New versions of a file.** RTE serves its current file under the same name every day, one
 * day longer, with the last rows revised. A file whose name (`_source_file`, archive entry
 * included) is already in bronze is a new version of it: {@linkcode bronzeDelta} keeps only its
 * rows whose key ({@linkcode ROW_KEY_COLUMNS}: file name, perimeter and instant as written) is
 * new, or whose content differs from the rows of that key in the file's latest version. Bronze
 * then holds each version's new and revised rows, under that version's lineage, instead of a
 * whole copy per day; a file's current content is, per key, the rows of its latest ingestion
 * (silver reads it so). A key the new version no longer has keeps its last rows.
 *
 * @module
 */

import pl from "nodejs-polars";
import { COLUMNS, type Eco2mixTable } from "../eco2mix/mod.ts";

/**
 * Lineage columns bronze adds to every row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LINEAGE_COLUMNS } from "./bronze.ts";
 * assert.ok(LINEAGE_COLUMNS.includes("_source_sha256"));
 * ```
 */
export const LINEAGE_COLUMNS = [
  "_ingested_at",
  "_source_file",
  "_source_sha256",
  "_source_line",
  "_format",
  "_row_hash",
] as const;

/**
 * What identifies a row across the versions of a file: the file name and the row's perimeter
 * and instant, as written (`date`, `heure`, and ODRÉ's `date_heure`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ROW_KEY_COLUMNS } from "./bronze.ts";
 * assert.deepEqual(ROW_KEY_COLUMNS, ["_source_file", "perimetre", "date", "heure", "date_heure"]);
 * ```
 */
export const ROW_KEY_COLUMNS = [
  "_source_file",
  "perimetre",
  "date",
  "heure",
  "date_heure",
] as const;

/** Seeds of the two 64-bit hashes behind `_row_hash` (128 bits: collisions are negligible). */
const HASH_SEEDS = [[0x5eed, 1, 2, 3], [0x5eed, 4, 5, 6]] as const;

/** Options of {@linkcode toBronze}. */
export interface BronzeOptions {
  /** Ingestion instant stamped on every row (one per batch). */
  readonly ingestedAt: Date;
}

/**
 * Raw tables -> the bronze frame (see module doc for the schema). Rows keep file order and,
 * within a file, line order.
 *
 * `_row_hash` is the row's content: two 64-bit polars row hashes of the catalogue columns and
 * the file's own unknown columns (sorted by name), written `"<h1>-<h2>"`, lineage excluded. It
 * depends on nothing else (not on the other files of a batch), so the same row in two versions
 * of a file hashes alike. polars does not promise the same hashes across its versions: after an
 * upgrade (or a new catalogue column), rows compare as different and the next version of each
 * file is stored whole once, which costs space, never correctness.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEco2mix } from "../eco2mix/mod.ts";
 * import { toBronze } from "./bronze.ts";
 * const text = "Périmètre\tNature\tDate\tHeures\tConsommation\n" +
 *   "France\tDonnées temps réel\t2025-01-01\t00:00\t63949\t\n" +
 *   "RTE ne pourra être tenu responsable de l'usage des données.\n\n";
 * const table = readEco2mix(new TextEncoder().encode(text), "mini.xls");
 * const bronze = toBronze([table], { ingestedAt: new Date("2025-07-26T08:00:00Z") });
 * assert.equal(bronze.height, 1);
 * assert.equal(bronze.getColumn("_source_file").toArray()[0], "mini.xls");
 * ```
 */
export function toBronze(tables: readonly Eco2mixTable[], options: BronzeOptions): pl.DataFrame {
  const unknown: string[] = [];
  for (const t of tables) {
    for (const c of t.meta.unknownColumns) if (!unknown.includes(c.name)) unknown.push(c.name);
  }
  const dataColumns = [...COLUMNS.map((c) => c.name), ...unknown];
  const ingestedAt = pl.lit(options.ingestedAt.getTime()).cast(pl.Datetime("ms"))
    .dt.replaceTimeZone("UTC");
  const frames = tables.map(({ frame, meta }) => {
    const cell = (name: string) =>
      frame.columns.includes(name) ? pl.col(name) : pl.lit(null).cast(pl.Utf8).alias(name);
    const own = [
      ...COLUMNS.map((c) => c.name),
      ...meta.unknownColumns.map((c) => c.name).sort(),
    ];
    const content = frame.select(...own.map(cell));
    const [h1, h2] = HASH_SEEDS.map((k) => content.hashRows(...k).cast(pl.Utf8));
    return frame.select(
      ...dataColumns.map(cell),
      ingestedAt.alias("_ingested_at"),
      pl.lit(meta.file).alias("_source_file"),
      pl.lit(meta.sha256).alias("_source_sha256"),
      pl.col("_source_line"),
      pl.lit(meta.variant).alias("_format"),
    ).withColumns(h1.alias("_h1"), h2.alias("_h2")).withColumn(
      pl.concatString([pl.col("_h1"), pl.col("_h2")], "-").alias("_row_hash"),
    ).drop("_h1", "_h2");
  });
  if (frames.length === 0) return emptyBronze(dataColumns);
  return frames.length === 1 ? frames[0] : pl.concat(frames, { how: "vertical", rechunk: false });
}

function emptyBronze(dataColumns: string[]): pl.DataFrame {
  return pl.DataFrame([
    ...dataColumns.map((name) => pl.Series(name, [], pl.Utf8)),
    pl.Series("_ingested_at", [], pl.Datetime("ms", "UTC")),
    pl.Series("_source_file", [], pl.Utf8),
    pl.Series("_source_sha256", [], pl.Utf8),
    pl.Series("_source_line", [], pl.Int32),
    pl.Series("_format", [], pl.Utf8),
    pl.Series("_row_hash", [], pl.Utf8),
  ]);
}

/** What {@linkcode bronzeDelta} keeps of a new version, and its counts. */
export interface BronzeDelta {
  /** Rows to append: new keys, and keys whose rows differ from the latest version's. */
  rows: pl.DataFrame;
  /**
   * Per `_source_file` of the incoming rows: `lignes_nouvelles` (key not in bronze),
   * `lignes_revisees` (key in bronze, content differs), `lignes_inchangees` (same rows as the
   * file's latest version: not appended).
   */
  counts: pl.DataFrame;
}

/**
 * The rows of `incoming` (bronze frames of new file contents) worth appending, given the rows
 * bronze already holds for the same file names (`existing`: at least {@linkcode ROW_KEY_COLUMNS},
 * `_ingested_at` and `_row_hash`). A key's rows are compared as a whole with those of the file's
 * latest ingestion of that key, as sorted hashes: a key written twice in a file stays a key with
 * two rows. Rows without a hash (ingested before hashes existed) never compare equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { bronzeDelta } from "./bronze.ts";
 * const rows = (at: number, values: [string, string][]) =>
 *   pl.DataFrame({
 *     _source_file: values.map(() => "tr.xls"), perimetre: values.map(() => "France"),
 *     date: values.map(() => "2025-01-01"), heure: values.map(([h]) => h),
 *     date_heure: pl.Series("date_heure", values.map(() => null), pl.Utf8),
 *     _ingested_at: values.map(() => at), _row_hash: values.map(([, v]) => v),
 *   });
 * // Yesterday: 00:00 = a, 00:15 = b. Today: 00:15 revised to c, 00:30 new.
 * const existing = rows(1, [["00:00", "a"], ["00:15", "b"]]);
 * const delta = bronzeDelta(rows(2, [["00:00", "a"], ["00:15", "c"], ["00:30", "d"]]), existing);
 * assert.deepEqual(delta.rows.getColumn("heure").toArray(), ["00:15", "00:30"]);
 * assert.deepEqual(delta.counts.toRecords(), [
 *   { _source_file: "tr.xls", lignes_nouvelles: 1, lignes_revisees: 1, lignes_inchangees: 1 },
 * ]);
 * ```
 */
export function bronzeDelta(incoming: pl.DataFrame, existing: pl.DataFrame): BronzeDelta {
  const keys = [...ROW_KEY_COLUMNS];
  const byKey = { on: keys, nullsEqual: true };
  const signature = (df: pl.DataFrame, name: string) =>
    df.groupBy(keys).agg(
      pl.col("_row_hash").sort().str.concat("|").alias(name),
      pl.col("_row_hash").nullCount().gt(0).alias(`${name}_null`),
    );
  const latest = existing.filter(
    pl.col("_ingested_at").eq(pl.col("_ingested_at").max().over(...ROW_KEY_COLUMNS)),
  );
  const status = signature(incoming, "_new").join(signature(latest, "_old"), {
    ...byKey,
    how: "left",
  }).select(
    ...keys,
    pl.when(pl.col("_old").isNull().and(pl.col("_old_null").isNull())).then(pl.lit("nouvelles"))
      .when(pl.col("_old").eq(pl.col("_new")).and(pl.col("_old_null").not()))
      .then(pl.lit("inchangees")).otherwise(pl.lit("revisees")).alias("_statut"),
  );
  const marked = incoming.join(status, { ...byKey, how: "left" });
  const count = (s: string) =>
    pl.col("_statut").eq(pl.lit(s)).cast(pl.Int64).sum().alias(`lignes_${s}`);
  return {
    rows: marked.filter(pl.col("_statut").neq(pl.lit("inchangees"))).drop("_statut"),
    counts: marked.groupBy("_source_file")
      .agg(count("nouvelles"), count("revisees"), count("inchangees"))
      .sort("_source_file"),
  };
}

/** Anything with a content hash: a file on disk, a read table's metadata... */
export interface Hashed {
  /** SHA-256 hex of the file content. */
  readonly sha256: string;
}

/**
 * The files still to ingest: those whose hash is not already in bronze, each content once
 * (the first of several identical files wins), in the given order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newFiles } from "./bronze.ts";
 * const files = [{ name: "a.xls", sha256: "aa" }, { name: "b.xls", sha256: "bb" },
 *   { name: "b-copy.xls", sha256: "bb" }];
 * const todo = newFiles(files, new Set(["aa"]));
 * assert.deepEqual(todo.map((f) => f.name), ["b.xls"]);
 * ```
 */
export function newFiles<T extends Hashed>(files: readonly T[], ingested: Iterable<string>): T[] {
  const seen = new Set(ingested);
  return files.filter((f) => {
    if (seen.has(f.sha256)) return false;
    seen.add(f.sha256);
    return true;
  });
}
