/**
 * Per-file column statistics (`add.stats`) as Spark writes them: `numRecords`, and for the first
 * 32 leaf columns `minValues`, `maxValues` (numbers, strings, dates, timestamps, decimals) and
 * `nullCount` (every leaf, arrays and maps as a whole).
 *
 * Stats must never lie: a reader may skip a file on their word. So values are taken exactly
 * (64-bit integers and decimals as text from polars, not through a JS double), strings longer
 * than 32 characters get a truncated min and a max raised past the truncated prefix, timestamps
 * are truncated to milliseconds like Spark's, and a float column holding NaN or infinities gets
 * no min/max at all.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { AddFile } from "./actions.ts";
import { type ColumnMappingMode, type DeltaType, physicalName, type StructType } from "./schema.ts";
import { formatTimestampMicros, parseTimestampMicros } from "./partition.ts";
import type { Predicate, Scalar } from "./predicate.ts";

/** Spark's default `delta.dataSkippingNumIndexedCols`. */
export const DEFAULT_INDEXED_COLUMNS = 32;
/** Spark's default `delta.dataSkippingStringPrefixLength`. */
export const STRING_PREFIX_LENGTH = 32;

/** A JSON number kept as its exact text (64-bit integers, decimals). */
class RawNumber {
  constructor(readonly text: string) {}
}

type StatTree = { [k: string]: StatTree | string | number | RawNumber };

interface Leaf {
  path: string[];
  type: DeltaType;
  expr: pl.Expr;
}

function leaves(schema: StructType, limit: number): Leaf[] {
  const out: Leaf[] = [];
  const walk = (fields: StructType["fields"], prefix: string[], base: pl.Expr | null) => {
    for (const f of fields) {
      if (out.length >= limit) return;
      const expr = base ? base.struct.field(f.name) : pl.col(f.name);
      if (typeof f.type !== "string" && f.type.type === "struct") {
        walk(f.type.fields, [...prefix, f.name], expr);
      } else out.push({ path: [...prefix, f.name], type: f.type, expr });
    }
  };
  walk(schema.fields, [], null);
  return out;
}

const MINMAX =
  /^(byte|short|integer|long|float|double|date|timestamp|timestamp_ntz|string|decimal\(.*\))$/;

/**
 * Statistics JSON of one data file (the frame holds the file's rows, without partition columns;
 * `schema` lists those columns in file order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { computeStats } from "./stats.ts";
 * import { schemaOfFrame } from "./schema.ts";
 * const df = pl.DataFrame({ n: [3, null, 1] });
 * assert.equal(
 *   computeStats(df, schemaOfFrame(df)),
 *   '{"numRecords":3,"minValues":{"n":1},"maxValues":{"n":3},"nullCount":{"n":1}}',
 * );
 * ```
 */
export function computeStats(
  df: pl.DataFrame,
  schema: StructType,
  indexedColumns = DEFAULT_INDEXED_COLUMNS,
): string {
  const cols = leaves(schema, indexedColumns < 0 ? Infinity : indexedColumns);
  const exprs: pl.Expr[] = [];
  cols.forEach((leaf, i) => {
    exprs.push(leaf.expr.nullCount().cast(pl.Int64).alias(`n${i}`));
    if (typeof leaf.type === "string" && MINMAX.test(leaf.type) && df.height > 0) {
      exprs.push(...minMaxExprs(leaf, i));
    }
  });
  const row = exprs.length ? df.select(...exprs).toRecords()[0] as Record<string, unknown> : {};
  const minValues: StatTree = {};
  const maxValues: StatTree = {};
  const nullCount: StatTree = {};
  cols.forEach((leaf, i) => {
    setPath(nullCount, leaf.path, Number(row[`n${i}`]));
    if (row[`bad${i}`] === true) return;
    const lo = row[`lo${i}`];
    const hi = row[`hi${i}`];
    if (lo === null || lo === undefined || hi === null || hi === undefined) return;
    const [min, max] = bounds(leaf.type as string, lo, hi);
    setPath(minValues, leaf.path, min);
    setPath(maxValues, leaf.path, max);
  });
  return toJson({ numRecords: df.height, minValues, maxValues, nullCount });
}

function minMaxExprs(leaf: Leaf, i: number): pl.Expr[] {
  const t = leaf.type as string;
  let e = leaf.expr;
  const out: pl.Expr[] = [];
  if (t === "float" || t === "double") {
    // NaN and infinities have no JSON number: such a column gets no min/max.
    out.push(e.isNan().or(e.isInfinite()).any().alias(`bad${i}`));
  }
  if (t === "timestamp" || t === "timestamp_ntz") e = e.cast(pl.Datetime("us")).cast(pl.Int64);
  const exact = t === "long" || t.startsWith("decimal") || t === "date" ||
    t === "timestamp" || t === "timestamp_ntz";
  const min = exact ? e.min().cast(pl.String) : e.min();
  const max = exact ? e.max().cast(pl.String) : e.max();
  out.push(min.alias(`lo${i}`), max.alias(`hi${i}`));
  return out;
}

function bounds(type: string, lo: unknown, hi: unknown): [StatTree[string], StatTree[string]] {
  switch (type) {
    case "long":
      return [new RawNumber(String(lo)), new RawNumber(String(hi))];
    case "date":
      return [String(lo), String(hi)];
    case "timestamp":
    case "timestamp_ntz": {
      const fmt = (v: unknown) => {
        const iso = formatTimestampMicros(BigInt(String(v)));
        // Spark writes millisecond precision (truncated), UTC as "Z", NTZ without zone.
        const ms = `${iso.slice(0, 23)}Z`;
        return type === "timestamp" ? ms : ms.slice(0, -1);
      };
      return [fmt(lo), fmt(hi)];
    }
    case "string":
      return [truncateMin(String(lo)), truncateMax(String(hi))];
    default:
      if (type.startsWith("decimal")) return [new RawNumber(String(lo)), new RawNumber(String(hi))];
      return [lo as number, hi as number];
  }
}

function truncateMin(s: string): string {
  const cps = [...s];
  return cps.length <= STRING_PREFIX_LENGTH ? s : cps.slice(0, STRING_PREFIX_LENGTH).join("");
}

function truncateMax(s: string): string {
  const cps = [...s];
  // The prefix followed by the highest code point sorts after every string with that prefix.
  return cps.length <= STRING_PREFIX_LENGTH
    ? s
    : cps.slice(0, STRING_PREFIX_LENGTH).join("") + "\u{10FFFF}";
}

function setPath(tree: StatTree, path: string[], value: StatTree[string]): void {
  let node = tree;
  for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as StatTree;
  node[path.at(-1)!] = value;
}

function toJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (value !== null && typeof value === "object") {
    return `{${
      Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(",")
    }}`;
  }
  return JSON.stringify(value);
}

/**
 * Row count from an add's stats (`stats.numRecords`), or null when the log has no stats for the
 * file (they are optional in the protocol).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numRecords } from "./stats.ts";
 * const add = { path: "a.parquet", partitionValues: {}, size: 1, modificationTime: 0, dataChange: true };
 * assert.equal(numRecords({ ...add, stats: '{"numRecords":400}' }), 400);
 * assert.equal(numRecords(add), null);
 * ```
 */
export function numRecords(add: AddFile): number | null {
  if (!add.stats) return null;
  try {
    const n = JSON.parse(add.stats).numRecords;
    return typeof n === "number" ? n : null;
  } catch {
    return null;
  }
}

/** A value of a column's order: integers and instants exact, strings (and dates) as text. */
type OrderKey = number | bigint | string;

// Code point order (UTF-8 byte order, as Delta and polars compare strings), not JS's UTF-16 order.
function compareKeys(a: OrderKey, b: OrderKey): number {
  if (typeof a !== "string" || typeof b !== "string") return a < b ? -1 : a > b ? 1 : 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

const INTEGER = /^(byte|short|integer|long)$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ZONE = /(Z|[+-]\d{2}:?\d{2})$/;

/** The order key of a literal for a column type, or null when it cannot be compared exactly. */
function literalKey(type: string, v: Scalar): OrderKey | null {
  if (INTEGER.test(type)) {
    // A fractional literal is cast (truncated) by the row filter: no bound is worth the risk.
    if (typeof v === "bigint") return v;
    return typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : null;
  }
  if (type === "double") return typeof v === "number" && Number.isFinite(v) ? v : null;
  if (type === "string") return typeof v === "string" ? v : null;
  if (type === "date") {
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10);
    return typeof v === "string" && DAY.test(v) ? v : null;
  }
  if (type === "timestamp" || type === "timestamp_ntz") {
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : BigInt(v.getTime()) * 1000n;
    if (typeof v === "bigint") return v;
    if (typeof v === "number") return Number.isSafeInteger(v) ? BigInt(v) : null;
    try {
      return typeof v === "string" ? parseTimestampMicros(v) : null;
    } catch {
      return null; // the row filter reports the bad literal
    }
  }
  return null;
}

/**
 * The order key of a stats bound, or null when it proves nothing: absent, of an unexpected JSON
 * type, a long past 2^53 (JSON.parse rounded it), a string max cut at the prefix length without
 * the highest code point after it (our writer and delta-spark add it: a bare prefix may sort
 * below the true max), a timestamp without the zone its type needs. A timestamp max is raised
 * by 999 µs: stats are truncated down to milliseconds.
 */
function boundKey(type: string, v: unknown, side: "min" | "max", prefix: number): OrderKey | null {
  if (INTEGER.test(type)) return Number.isSafeInteger(v) ? BigInt(v as number) : null;
  if (type === "double") return typeof v === "number" && Number.isFinite(v) ? v : null;
  if (typeof v !== "string") return null;
  if (type === "string") {
    if (side === "min") return v;
    const cps = [...v];
    return cps.length < prefix || cps.at(-1) === "\u{10FFFF}" ? v : null;
  }
  if (type === "date") return DAY.test(v) ? v : null;
  if (type === "timestamp" || type === "timestamp_ntz") {
    if (ZONE.test(v) !== (type === "timestamp")) return null;
    try {
      return parseTimestampMicros(v) + (side === "max" ? 999n : 0n);
    } catch {
      return null;
    }
  }
  return null;
}

/** Options of {@linkcode statsMayMatch}, from the snapshot. */
export interface SkippingOptions {
  /** Column mapping mode: stats are keyed by physical column names. */
  columnMapping?: ColumnMappingMode;
  /** `delta.dataSkippingStringPrefixLength` (default 32). */
  stringPrefixLength?: number;
}

/**
 * Whether a data file may hold a row matching the predicate's conditions on data columns, from
 * its `add.stats` (Delta data skipping): false only when the min/max stats prove that no
 * non-null value satisfies some condition (nulls never match one). Conservative: a file without
 * stats, a column without min/max, a type whose stats cannot be compared exactly (float,
 * decimal, boolean, nested; collated strings), a literal of another type, keep the file. On
 * doubles only `eq`, `in`, `lt` and `lte` skip: polars sorts NaN above every number, so
 * `gt 5` matches a NaN that a writer's max may leave out. Conditions on columns absent from the
 * stats (partition columns) are ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statsMayMatch } from "./stats.ts";
 * const schema = { type: "struct" as const, fields: [{ name: "n", type: "long", nullable: true, metadata: {} }] };
 * const add = {
 *   path: "a.parquet", partitionValues: {}, size: 1, modificationTime: 0, dataChange: true,
 *   stats: '{"numRecords":2,"minValues":{"n":3},"maxValues":{"n":7},"nullCount":{"n":0}}',
 * };
 * assert.equal(statsMayMatch(add, [{ column: "n", eq: 5 }], schema), true);
 * assert.equal(statsMayMatch(add, [{ column: "n", gt: 7 }], schema), false);
 * assert.equal(statsMayMatch({ ...add, stats: undefined }, [{ column: "n", gt: 7 }], schema), true);
 * ```
 */
export function statsMayMatch(
  add: AddFile,
  where: Predicate,
  schema: StructType,
  options: SkippingOptions = {},
): boolean {
  if (!add.stats) return true;
  let stats: { minValues?: Record<string, unknown>; maxValues?: Record<string, unknown> };
  try {
    stats = JSON.parse(add.stats);
  } catch {
    return true;
  }
  const prefix = options.stringPrefixLength ?? STRING_PREFIX_LENGTH;
  for (const c of where) {
    const field = schema.fields.find((f) => f.name === c.column);
    if (!field || typeof field.type !== "string" || "__COLLATIONS" in field.metadata) continue;
    const type = field.type;
    const name = physicalName(field, options.columnMapping ?? "none");
    const lo = boundKey(type, stats.minValues?.[name], "min", prefix);
    const hi = boundKey(type, stats.maxValues?.[name], "max", prefix);
    if (lo === null && hi === null) continue;
    const key = (v: Scalar | undefined) => v === undefined ? null : literalKey(type, v);
    const outside = (k: OrderKey | null) =>
      k !== null && ((hi !== null && compareKeys(hi, k) < 0) ||
        (lo !== null && compareKeys(lo, k) > 0));
    const nanSafe = type !== "double";
    const [eq, gt, gte, lt, lte] = [c.eq, c.gt, c.gte, c.lt, c.lte].map(key);
    if (
      outside(eq) ||
      (c.in !== undefined && c.in.every((v) => outside(key(v)))) ||
      (nanSafe && gt !== null && hi !== null && compareKeys(hi, gt) <= 0) ||
      (nanSafe && gte !== null && hi !== null && compareKeys(hi, gte) < 0) ||
      (lt !== null && lo !== null && compareKeys(lo, lt) >= 0) ||
      (lte !== null && lo !== null && compareKeys(lo, lte) > 0)
    ) return false;
  }
  return true;
}
