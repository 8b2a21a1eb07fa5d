/**
 * Reading the data of a snapshot into one nodejs-polars DataFrame: Parquet files (written by
 * this layer, Spark, Databricks or delta-rs), partition columns parsed by type, column mapping
 * (name and id modes, physical names down nested structs), schema evolution (columns a file
 * lacks come back as nulls), deletion vectors. Files are checked against their `add` actions
 * first (see `_verify.ts`).
 *
 * INT96 timestamps (Spark's default) are decoded with hyparquet, since polars overflows on them
 * past year 2262; everything else goes through polars.
 *
 * @module
 */

import pl from "nodejs-polars";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import type { AddFile } from "./actions.ts";
import { DeltaError, UnsupportedFeatureError } from "./errors.ts";
import type { Snapshot } from "./log.ts";
import { partitionValueExpr, resolveLogPath } from "./partition.ts";
import { type Predicate, predicateExpr } from "./predicate.ts";
import {
  type ColumnMappingMode,
  type DeltaType,
  physicalName,
  polarsTypeOf,
  type StructField,
  type StructType,
} from "./schema.ts";
import { deletedRows } from "./deletion_vector.ts";
import { verifyDataFiles } from "./_verify.ts";
import { locate } from "./storage.ts";
import { Buffer } from "node:buffer";

/** Options of {@linkcode readFiles}. */
export interface ReadOptions {
  /** Columns to return (all by default), in this order. */
  columns?: string[];
  /**
   * Rows the caller keeps (it filters them itself): a file may return only the rows matching
   * the conditions on its string columns, decoded first, so that the other columns are decoded
   * for those rows only. Every matching row is returned; rows not matching may be.
   */
  where?: Predicate;
}

/**
 * An empty frame with the polars types of a schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyFrame } from "./reader.ts";
 * const df = emptyFrame({ type: "struct", fields: [{ name: "a", type: "long", nullable: true, metadata: {} }] });
 * assert.equal(df.height, 0);
 * assert.equal(df.columns[0], "a");
 * ```
 */
export function emptyFrame(schema: StructType): pl.DataFrame {
  if (schema.fields.length === 0) return pl.DataFrame({});
  return pl.DataFrame({ _: [null] })
    .select(...schema.fields.map((f) => pl.lit(null).cast(polarsTypeOf(f.type)).alias(f.name)))
    .head(0);
}

/**
 * Reads the given files of a snapshot (all its files by default) into one frame with the
 * table's logical schema. Each file is first checked against its `add` action (size, and row
 * count when the log has stats): a mismatch throws `DataFileCorruptError` before any
 * row is returned.
 *
 * @example
 * ```ts ignore
 * import { loadSnapshot } from "./log.ts";
 * import { readFiles } from "./reader.ts";
 * const snap = await loadSnapshot("lakehouse/silver/eco2mix");
 * const df = await readFiles(snap);
 * ```
 */
export async function readFiles(
  snapshot: Snapshot,
  files: AddFile[] = snapshot.files,
  options: ReadOptions = {},
): Promise<pl.DataFrame> {
  const fields = selectFields(snapshot.schema, options.columns);
  const schema: StructType = { type: "struct", fields };
  if (files.length === 0) return emptyFrame(schema);
  // Every file is checked before any is read: a corrupt one fails the read, never part of it.
  const rows = await verifyDataFiles(snapshot, files);
  const frames: pl.DataFrame[] = [];
  for (const [i, add] of files.entries()) {
    frames.push(await readFile(snapshot, add, fields, rows[i], options.where ?? []));
  }
  return frames.length === 1 ? frames[0] : pl.concat(frames, { how: "vertical" });
}

function selectFields(schema: StructType, columns?: string[]): StructField[] {
  if (!columns) return schema.fields;
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  return columns.map((c) => {
    const f = byName.get(c);
    if (!f) {
      throw new DeltaError(
        `column ${c} is not in the table (columns: ${schema.fields.map((f) => f.name).join(", ")})`,
      );
    }
    return f;
  });
}

/**
 * Reads one data file as the given logical fields; `rows` is its row count (from its footer,
 * checked by {@linkcode verifyDataFiles}).
 */
async function readFile(
  snapshot: Snapshot,
  add: AddFile,
  fields: StructField[],
  rows: number,
  where: Predicate,
): Promise<pl.DataFrame> {
  const mode = snapshot.columnMapping;
  const partitionCols = new Set(snapshot.metadata.partitionColumns);
  const path = resolveLogPath(snapshot.root, add.path);
  const { storage, key } = locate(path);
  // Polars opens local files itself; a blob is downloaded once (INT96 decoding reuses it).
  const local = storage.localPath(key);
  let downloaded: Uint8Array | null = null;
  const bytes = async () => {
    downloaded ??= await storage.read(key);
    if (downloaded === null) throw new DeltaError(`${path}: data file is missing`);
    return downloaded;
  };
  const dataFields = fields.filter((f) => !partitionCols.has(f.name));
  let raw: pl.DataFrame;
  try {
    raw = dataFields.length
      ? await readColumns(
        local,
        bytes,
        dataFields.map((f) => physicalName(f, mode)),
        // Positions in a deletion vector, and physical names, are those of the file's rows.
        add.deletionVector || mode !== "none" ? [] : where.filter((c) => {
          const f = dataFields.find((f) => f.name === c.column);
          return f?.type === "string";
        }),
        snapshot.schema,
      )
      : pl.DataFrame({});
  } catch (e) {
    if (e instanceof DeltaError) throw e;
    throw new DeltaError(`${path}: cannot read data file (${(e as Error).message})`);
  }
  raw = await fixInt96(raw, bytes, dataFields, mode);
  const height = raw.width > 0 ? raw.height : rows;
  const present = new Set(raw.columns);
  const exprs = fields.map((f) => {
    const target = polarsTypeOf(f.type);
    const phys = physicalName(f, mode);
    if (partitionCols.has(f.name)) {
      const value = add.partitionValues?.[phys] ?? add.partitionValues?.[f.name] ?? null;
      return partitionValueExpr(value, f.type).alias(f.name);
    }
    if (!present.has(phys)) return pl.lit(null).cast(target).alias(f.name);
    let e = pl.col(phys);
    const renamed = mode === "none" ? null : renameNested(e, f.type, raw.getColumn(phys).dtype);
    if (renamed) e = renamed;
    // Nested types keep polars' own reading (legacy list/map layouts differ in field names).
    if (typeof f.type === "string" && !sameType(raw.getColumn(phys).dtype, target)) {
      e = e.cast(target);
    }
    return e.alias(f.name);
  });
  // A frame with no column would lose the row count; literal partition columns need one. The
  // columns are added, then selected: a select of literals only would give one row, not `height`.
  const base = raw.width > 0 ? raw : pl.DataFrame({ _: Array(height).fill(null) });
  let df = base.withColumns(...exprs).select(...fields.map((f) => f.name));
  if (add.deletionVector) {
    const deleted = await deletedRows(snapshot.root, add.deletionVector);
    if (deleted.size) {
      const keep = new Array<boolean>(df.height);
      for (let i = 0; i < keep.length; i++) keep[i] = !deleted.has(i);
      df = df.filter(pl.Series(keep));
    }
  }
  return df;
}

/**
 * The columns `names` that a data file holds (an older file may lack newer columns), read
 * alone: polars then decodes only those, a fraction of the cost of a wide file's every column.
 */
async function readColumns(
  local: string | null,
  bytes: () => Promise<Uint8Array>,
  names: string[],
  where: Predicate,
  schema: StructType,
): Promise<pl.DataFrame> {
  let source: string | Buffer;
  let inFile: string[];
  if (local !== null) {
    source = local;
    const lazy = pl.scanParquet(local);
    inFile = lazy.columns;
    const kept = where.filter((c) => names.includes(c.column) && inFile.includes(c.column));
    if (kept.length) {
      // Polars decodes the filter's columns first, the others for the matching rows only; only
      // string columns stored as strings, compared without any cast.
      const probe = lazy.select(...kept.map((c) => c.column)).head(0).collectSync();
      if (probe.columns.every((c) => sameType(probe.getColumn(c).dtype, pl.String))) {
        const present = new Set(inFile);
        return lazy.select(...names.filter((n) => present.has(n)))
          .filter(predicateExpr(kept, schema))
          .collectSync();
      }
    }
  } else {
    const b = await bytes();
    source = Buffer.from(b);
    const buffer = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    inFile = parquetSchema(parquetMetadata(buffer, { geoparquet: false })).children
      .map((c) => c.element.name);
  }
  const present = new Set(inFile);
  const wanted = names.filter((n) => present.has(n));
  return wanted.length ? pl.readParquet(source, { columns: wanted }) : pl.DataFrame({});
}

function sameType(a: pl.DataType, b: pl.DataType): boolean {
  return String(a) === String(b);
}

// Polars reads INT96 as nanoseconds and wraps past 2262: re-decode those columns exactly.
async function fixInt96(
  raw: pl.DataFrame,
  fileBytes: () => Promise<Uint8Array>,
  fields: StructField[],
  mode: ColumnMappingMode,
): Promise<pl.DataFrame> {
  const suspects = fields
    .filter((f) => f.type === "timestamp" || f.type === "timestamp_ntz")
    .map((f) => physicalName(f, mode))
    .filter((p) => {
      if (!raw.columns.includes(p)) return false;
      // deno-lint-ignore no-explicit-any
      const d = raw.getColumn(p).dtype as any;
      return d.variant === "Datetime" && d.timeUnit === "ns";
    });
  if (!suspects.length) return raw;
  const bytes = await fileBytes();
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const rows = await parquetReadObjects({
    file: buffer as ArrayBuffer,
    compressors,
    columns: suspects,
    parsers: {
      timestampFromNanoseconds: (n: bigint) => (n / 1000n - (n % 1000n < 0n ? 1n : 0n)).toString(),
      timestampFromMicroseconds: (n: bigint) => n.toString(),
      timestampFromMilliseconds: (n: bigint) => (n * 1000n).toString(),
      // deno-lint-ignore no-explicit-any
    } as any,
  });
  const tz = (name: string) => {
    // deno-lint-ignore no-explicit-any
    return (raw.getColumn(name).dtype as any).timeZone as string | null;
  };
  return raw.withColumns(
    ...suspects.map((name) =>
      pl.Series(name, rows.map((r) => r[name] as string | null), pl.String)
        .cast(pl.Int64)
        .cast(pl.Datetime("us", tz(name) ?? undefined))
    ),
  );
}

/**
 * With column mapping, nested struct fields carry physical names too: rename them (by position,
 * after checking the physical names match) down structs, arrays and maps.
 */
function renameNested(e: pl.Expr, type: DeltaType, dtype: pl.DataType): pl.Expr | null {
  if (typeof type === "string") return null;
  // deno-lint-ignore no-explicit-any
  const d = dtype as any;
  if (type.type === "struct" && d.variant === "Struct") {
    const actual = d.fields as { name: string; dtype: pl.DataType }[];
    const wanted = type.fields.map((f) => physicalName(f, "name"));
    if (actual.length !== wanted.length || actual.some((a, i) => a.name !== wanted[i])) {
      throw new UnsupportedFeatureError(
        `nested fields [${actual.map((a) => a.name)}] do not match the mapped schema [${wanted}]`,
      );
    }
    const children = type.fields.map((f, i) =>
      renameNested(e.struct.field(actual[i].name), f.type, actual[i].dtype) ??
        e.struct.field(actual[i].name)
    );
    return pl.struct(children.map((c, i) => c.alias(type.fields[i].name)));
  }
  if (type.type === "array" && d.variant === "List") {
    const inner = renameNested(pl.element(), type.elementType, d.inner);
    return inner ? e.lst.eval(inner) : null;
  }
  if (type.type === "map" && d.variant === "List") {
    const kv = d.inner as { fields: { name: string; dtype: pl.DataType }[] };
    const k = renameNested(pl.element().struct.field("key"), type.keyType, kv.fields[0].dtype);
    const v = renameNested(pl.element().struct.field("value"), type.valueType, kv.fields[1].dtype);
    if (!k && !v) return null;
    return e.lst.eval(pl.struct([
      (k ?? pl.element().struct.field("key")).alias("key"),
      (v ?? pl.element().struct.field("value")).alias("value"),
    ]));
  }
  return null;
}
