/**
 * Row predicates for `read({ where })` and `replaceWhere`: a conjunction of simple conditions on
 * columns, typed by the table schema, evaluated by polars on rows and on partition values.
 *
 * @module
 */

import pl from "nodejs-polars";
import { SchemaMismatchError } from "./errors.ts";
import { parseTimestampMicros } from "./partition.ts";
import { type DeltaType, polarsTypeOf, type StructType } from "./schema.ts";

/** A literal value in a condition. Dates are instants for timestamps, UTC days for dates. */
export type Scalar = string | number | bigint | boolean | Date;

/** One condition on a column; every given bound must hold (SQL semantics: null never matches). */
export interface Condition {
  /** Column name. */
  column: string;
  /** Equal to. */
  eq?: Scalar;
  /** One of. */
  in?: Scalar[];
  /** Greater than. */
  gt?: Scalar;
  /** Greater than or equal to. */
  gte?: Scalar;
  /** Less than. */
  lt?: Scalar;
  /** Less than or equal to. */
  lte?: Scalar;
}

/** A conjunction of conditions (all must hold). */
export type Predicate = Condition[];

/**
 * A polars literal of a Delta type, built without going through a JS double for 64-bit
 * integers and decimals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { literalExpr } from "./predicate.ts";
 * const df = pl.DataFrame({ a: [1] }).select(literalExpr(new Date("2025-01-01T00:00:00Z"), "date").alias("d"));
 * assert.equal(df.getColumn("d").cast(pl.String).toArray()[0], "2025-01-01");
 * ```
 */
export function literalExpr(value: Scalar, type: DeltaType): pl.Expr {
  const target = polarsTypeOf(type);
  if (type === "timestamp" || type === "timestamp_ntz") {
    const micros = value instanceof Date
      ? BigInt(value.getTime()) * 1000n
      : typeof value === "string"
      ? parseTimestampMicros(value)
      : BigInt(value as number | bigint);
    return pl.lit(micros.toString()).cast(pl.Int64).cast(target);
  }
  if (type === "date" && value instanceof Date) {
    return pl.lit(value.toISOString().slice(0, 10)).cast(pl.Date);
  }
  if (typeof value === "bigint") return pl.lit(value.toString()).cast(target);
  return pl.lit(value as string | number | boolean).cast(target);
}

function typeOf(schema: StructType, column: string): DeltaType {
  const f = schema.fields.find((f) => f.name === column);
  if (!f) {
    throw new SchemaMismatchError(`predicate column ${column} is not in the table`, [column]);
  }
  return f.type;
}

/**
 * The polars expression of a predicate (null results count as false).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { predicateExpr } from "./predicate.ts";
 * import { schemaOfFrame } from "./schema.ts";
 * const df = pl.DataFrame({ x: [1, 5, null] });
 * const kept = df.filter(predicateExpr([{ column: "x", gte: 2 }], schemaOfFrame(df)));
 * assert.equal(kept.height, 1);
 * ```
 */
export function predicateExpr(predicate: Predicate, schema: StructType): pl.Expr {
  let all: pl.Expr = pl.lit(true);
  for (const c of predicate) {
    const type = typeOf(schema, c.column);
    const col = pl.col(c.column);
    const lit = (v: Scalar) => literalExpr(v, type);
    if (c.eq !== undefined) all = all.and(col.eq(lit(c.eq)));
    if (c.gt !== undefined) all = all.and(col.gt(lit(c.gt)));
    if (c.gte !== undefined) all = all.and(col.gtEq(lit(c.gte)));
    if (c.lt !== undefined) all = all.and(col.lt(lit(c.lt)));
    if (c.lte !== undefined) all = all.and(col.ltEq(lit(c.lte)));
    if (c.in !== undefined) {
      let any: pl.Expr = pl.lit(false);
      for (const v of c.in) any = any.or(col.eq(lit(v)));
      all = all.and(any);
    }
  }
  return all.fillNull(false);
}

/**
 * SQL-like text of a predicate, for `commitInfo.operationParameters`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describePredicate } from "./predicate.ts";
 * assert.equal(
 *   describePredicate([{ column: "d", gte: "2025-01-01", lt: "2025-02-01" }]),
 *   "d >= '2025-01-01' AND d < '2025-02-01'",
 * );
 * ```
 */
export function describePredicate(predicate: Predicate): string {
  const q = (v: Scalar) =>
    v instanceof Date
      ? `'${v.toISOString()}'`
      : typeof v === "string"
      ? `'${v.replaceAll("'", "''")}'`
      : String(v);
  const parts: string[] = [];
  for (const c of predicate) {
    if (c.eq !== undefined) parts.push(`${c.column} = ${q(c.eq)}`);
    if (c.gt !== undefined) parts.push(`${c.column} > ${q(c.gt)}`);
    if (c.gte !== undefined) parts.push(`${c.column} >= ${q(c.gte)}`);
    if (c.lt !== undefined) parts.push(`${c.column} < ${q(c.lt)}`);
    if (c.lte !== undefined) parts.push(`${c.column} <= ${q(c.lte)}`);
    if (c.in !== undefined) parts.push(`${c.column} IN (${c.in.map(q).join(", ")})`);
  }
  return parts.length ? parts.join(" AND ") : "true";
}
