/**
 * Bronze layer: every data line of every file, exactly as read.
 *
 * Schema (stable across files, so that one Delta table holds every variant):
 * - every catalogue column ({@linkcode COLUMNS}, in catalogue order) as Utf8, null when the
 *   cell is empty or the file does not have the column; `ND` and `-` kept verbatim;
 * - unknown columns found in the files (Utf8), after the catalogue columns;
 * - lineage: `_ingested_at` (Datetime ms, UTC), `_source_file`, `_source_sha256` (of the file
 *   as stored, archive included), `_source_line` (Int32, 1-based line or sheet row), `_format`
 *   (the reader's `Eco2mixVariant`).
 *
 * Nothing is dropped: future rows, empty `:15`/`:45` rows of half-hourly files and DST filler
 * rows are all there; silver interprets them. Idempotence is by file hash: ingest only what
 * {@linkcode newFiles} returns.
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
] as const;

/** Options of {@linkcode toBronze}. */
export interface BronzeOptions {
  /** Ingestion instant stamped on every row (one per batch). */
  readonly ingestedAt: Date;
}

/**
 * Raw tables -> the bronze frame (see module doc for the schema). Rows keep file order and,
 * within a file, line order.
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
  const frames = tables.map(({ frame, meta }) =>
    frame.select(
      ...dataColumns.map((name) =>
        frame.columns.includes(name) ? pl.col(name) : pl.lit(null).cast(pl.Utf8).alias(name)
      ),
      ingestedAt.alias("_ingested_at"),
      pl.lit(meta.file).alias("_source_file"),
      pl.lit(meta.sha256).alias("_source_sha256"),
      pl.col("_source_line"),
      pl.lit(meta.variant).alias("_format"),
    )
  );
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
  ]);
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
