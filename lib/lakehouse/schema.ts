/**
 * Delta Lake schemas (Spark `StructType` JSON) and their mapping to nodejs-polars data types.
 *
 * The writer produces protocol 1/2 tables, so it only emits types every Delta reader knows:
 * `string`, `long`, `integer`, `short`, `byte`, `double`, `float`, `boolean`, `date`,
 * `timestamp` (UTC instants), `decimal(p,s)`, arrays and structs. The reader also maps `map`,
 * `binary` and `timestamp_ntz`.
 *
 * @module
 */

import pl from "nodejs-polars";
import { SchemaMismatchError, UnsupportedFeatureError } from "./errors.ts";

/** A Delta primitive type name, e.g. `"long"` or `"decimal(10,2)"`. */
export type PrimitiveType = string;

/** A Delta struct field. */
export interface StructField {
  /** Column name (logical name when column mapping is on). */
  name: string;
  /** Field type. */
  type: DeltaType;
  /** Whether nulls are allowed. */
  nullable: boolean;
  /** Field metadata (comments, column mapping ids and physical names...). */
  metadata: Record<string, unknown>;
}

/** A Delta struct type (the table schema is one). */
export interface StructType {
  /** Always `"struct"`. */
  type: "struct";
  /** The fields, in column order. */
  fields: StructField[];
}

/** A Delta array type. */
export interface ArrayType {
  /** Always `"array"`. */
  type: "array";
  /** Element type. */
  elementType: DeltaType;
  /** Whether elements may be null. */
  containsNull: boolean;
}

/** A Delta map type. */
export interface MapType {
  /** Always `"map"`. */
  type: "map";
  /** Key type. */
  keyType: DeltaType;
  /** Value type. */
  valueType: DeltaType;
  /** Whether values may be null. */
  valueContainsNull: boolean;
}

/** Any Delta type. */
export type DeltaType = PrimitiveType | StructType | ArrayType | MapType;

/** Column mapping mode of a table (`delta.columnMapping.mode`). */
export type ColumnMappingMode = "none" | "name" | "id";

const DECIMAL_RE = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;
const INVALID_NAME_CHARS = /[ ,;{}()\n\t=]/;

/**
 * Parses a `metaData.schemaString`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSchemaString } from "./schema.ts";
 * const s = parseSchemaString('{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]}');
 * assert.equal(s.fields[0].type, "long");
 * ```
 */
export function parseSchemaString(json: string): StructType {
  const parsed = JSON.parse(json) as StructType;
  if (parsed?.type !== "struct" || !Array.isArray(parsed.fields)) {
    throw new SchemaMismatchError(`schemaString is not a struct type: ${json.slice(0, 200)}`, []);
  }
  return parsed;
}

/**
 * Throws a {@linkcode SchemaMismatchError} if a column name is not valid for Spark without
 * column mapping (a space or one of `,;{}()\n\t=`), or is empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SchemaMismatchError } from "./errors.ts";
 * import { validateColumnName } from "./schema.ts";
 * validateColumnName("prevision_j1");
 * assert.throws(() => validateColumnName("Prévision J-1"), SchemaMismatchError);
 * ```
 */
export function validateColumnName(name: string): void {
  if (name.length === 0 || INVALID_NAME_CHARS.test(name)) {
    throw new SchemaMismatchError(
      `invalid column name ${JSON.stringify(name)}: Delta tables without column mapping ` +
        "reject empty names and names with a space or any of , ; { } ( ) \\n \\t =",
      [name],
    );
  }
}

/**
 * Delta type of a polars data type. Unsigned integers widen to the next signed type, categorical
 * becomes `string`, any zoned datetime becomes `timestamp` (stored in UTC). Naive datetimes,
 * `UInt64`, durations, times and objects have no protocol 1/2 equivalent and throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { deltaTypeOf } from "./schema.ts";
 * assert.equal(deltaTypeOf(pl.Int64, "x"), "long");
 * assert.equal(deltaTypeOf(pl.Datetime("ms", "Europe/Paris"), "t"), "timestamp");
 * ```
 */
export function deltaTypeOf(dtype: pl.DataType, column: string): DeltaType {
  // deno-lint-ignore no-explicit-any
  const d = dtype as any;
  switch (variantOf(dtype)) {
    case "Utf8":
    case "String":
    case "Categorical":
      return "string";
    case "Int64":
    case "UInt32":
      return "long";
    case "Int32":
    case "UInt16":
      return "integer";
    case "Int16":
    case "UInt8":
      return "short";
    case "Int8":
      return "byte";
    case "Float64":
      return "double";
    case "Float32":
      return "float";
    case "Bool":
      return "boolean";
    case "Date":
      return "date";
    case "Datetime":
      if (!d.timeZone) {
        throw new SchemaMismatchError(
          `column ${column}: a datetime without time zone has no protocol 1/2 Delta type; ` +
            'give it one first (e.g. pl.col(...).dt.replaceTimeZone("Europe/Paris"))',
          [column],
        );
      }
      return "timestamp";
    case "Decimal":
      return `decimal(${d.precision ?? 38},${d.scale ?? 0})`;
    case "List":
      return {
        type: "array",
        elementType: deltaTypeOf(d.inner, `${column}[]`),
        containsNull: true,
      };
    case "Struct":
      return {
        type: "struct",
        fields: (d.fields as { name: string; dtype: pl.DataType }[]).map((f) => {
          validateColumnName(f.name);
          return field(f.name, deltaTypeOf(f.dtype, `${column}.${f.name}`));
        }),
      };
    default:
      throw new SchemaMismatchError(
        `column ${column}: polars type ${String(dtype)} has no Delta equivalent ` +
          "(cast it to a signed integer, float, string, date or zoned datetime)",
        [column],
      );
  }
}

/** Polars type name; inner types of lists may lack `variant`, their text always has it. */
function variantOf(dtype: pl.DataType): string {
  // deno-lint-ignore no-explicit-any
  const v = (dtype as any).variant as string | undefined;
  return v ?? /^DataType\((\w+)/.exec(String(dtype))?.[1] ?? String(dtype);
}

function field(name: string, type: DeltaType): StructField {
  return { name, type, nullable: true, metadata: {} };
}

/**
 * The polars data type a Delta type is read as. Timestamps come back as `Datetime("us", "UTC")`,
 * maps as a list of `{key, value}` structs (how polars reads Parquet maps).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { polarsTypeOf } from "./schema.ts";
 * assert.equal(String(polarsTypeOf("timestamp")), "DataType(Datetime(us,UTC))");
 * ```
 */
export function polarsTypeOf(type: DeltaType): pl.DataType {
  if (typeof type === "string") {
    switch (type) {
      case "string":
        return pl.String;
      case "long":
        return pl.Int64;
      case "integer":
        return pl.Int32;
      case "short":
        return pl.Int16;
      case "byte":
        return pl.Int8;
      case "double":
        return pl.Float64;
      case "float":
        return pl.Float32;
      case "boolean":
        return pl.Bool;
      case "date":
        return pl.Date;
      case "timestamp":
        return pl.Datetime("us", "UTC");
      case "timestamp_ntz":
        return pl.Datetime("us");
      case "void":
        return pl.Null;
      case "binary":
        // nodejs-polars 0.25 cannot hand a Binary column to JavaScript at all.
        throw new UnsupportedFeatureError(
          "binary columns are not supported: nodejs-polars cannot represent them",
        );
    }
    const m = DECIMAL_RE.exec(type);
    if (m) return pl.Decimal(Number(m[1]), Number(m[2]));
    throw new SchemaMismatchError(`Delta type ${type} cannot be read into polars`, []);
  }
  switch (type.type) {
    case "array":
      return pl.List(polarsTypeOf(type.elementType));
    case "map":
      return pl.List(
        pl.Struct([
          new pl.Field("key", polarsTypeOf(type.keyType)),
          new pl.Field("value", polarsTypeOf(type.valueType)),
        ]),
      );
    case "struct":
      return pl.Struct(type.fields.map((f) => new pl.Field(f.name, polarsTypeOf(f.type))));
  }
}

/**
 * Delta schema of a frame, after checking every column name (see {@linkcode validateColumnName}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { schemaOfFrame } from "./schema.ts";
 * const s = schemaOfFrame(pl.DataFrame({ id: [1, 2], nom: ["a", "b"] }));
 * assert.deepEqual(s.fields.map((f) => f.type), ["double", "string"]);
 * ```
 */
export function schemaOfFrame(df: pl.DataFrame): StructType {
  return {
    type: "struct",
    fields: df.columns.map((name) => {
      validateColumnName(name);
      return field(name, deltaTypeOf(df.getColumn(name).dtype, name));
    }),
  };
}

/** Canonical text of a Delta type, used to compare types (ignores nullability and metadata). */
export function typeKey(type: DeltaType): string {
  if (typeof type === "string") return type.replace(/\s+/g, "");
  switch (type.type) {
    case "array":
      return `array<${typeKey(type.elementType)}>`;
    case "map":
      return `map<${typeKey(type.keyType)},${typeKey(type.valueType)}>`;
    case "struct":
      return `struct<${type.fields.map((f) => `${f.name}:${typeKey(f.type)}`).join(",")}>`;
  }
}

/** How a frame's schema differs from a table's. */
export interface SchemaDiff {
  /** Columns of the table absent from the frame. */
  missing: string[];
  /** Columns of the frame absent from the table. */
  extra: string[];
  /** Columns present in both with different types (`name: table type != frame type`). */
  retyped: string[];
}

/**
 * Compares a frame schema with a table schema, by column name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffSchemas } from "./schema.ts";
 * const t = { type: "struct" as const, fields: [{ name: "a", type: "long", nullable: true, metadata: {} }] };
 * const f = { type: "struct" as const, fields: [{ name: "b", type: "long", nullable: true, metadata: {} }] };
 * const d = diffSchemas(t, f);
 * assert.equal(d.missing[0], "a");
 * assert.equal(d.extra[0], "b");
 * ```
 */
export function diffSchemas(table: StructType, frame: StructType): SchemaDiff {
  const byName = new Map(frame.fields.map((f) => [f.name, f]));
  const tableNames = new Set(table.fields.map((f) => f.name));
  const diff: SchemaDiff = { missing: [], extra: [], retyped: [] };
  for (const f of table.fields) {
    const g = byName.get(f.name);
    if (!g) diff.missing.push(f.name);
    else if (typeKey(f.type) !== typeKey(g.type)) {
      diff.retyped.push(`${f.name}: ${typeKey(f.type)} != ${typeKey(g.type)}`);
    }
  }
  for (const g of frame.fields) if (!tableNames.has(g.name)) diff.extra.push(g.name);
  return diff;
}

/** Human-readable summary of a non-empty {@linkcode SchemaDiff}. */
export function describeDiff(diff: SchemaDiff): string {
  const parts: string[] = [];
  if (diff.missing.length) parts.push(`missing columns: ${diff.missing.join(", ")}`);
  if (diff.extra.length) parts.push(`extra columns: ${diff.extra.join(", ")}`);
  if (diff.retyped.length) parts.push(`type changes: ${diff.retyped.join("; ")}`);
  return parts.join("; ");
}

/** True when the diff is empty. */
export function isSameSchema(diff: SchemaDiff): boolean {
  return !diff.missing.length && !diff.extra.length && !diff.retyped.length;
}

/**
 * Reorders and casts a frame to exactly the polars types the table stores: datetimes to UTC
 * microseconds, unsigned integers widened, categoricals to strings. Columns of the table that
 * the frame lacks are added as nulls (only used after `mergeSchema` checks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { conformFrame, schemaOfFrame } from "./schema.ts";
 * const df = pl.DataFrame({ b: [1], a: ["x"] });
 * assert.deepEqual(conformFrame(df, schemaOfFrame(df.select("a", "b"))).columns, ["a", "b"]);
 * ```
 */
export function conformFrame(df: pl.DataFrame, schema: StructType): pl.DataFrame {
  const present = new Set(df.columns);
  return df.select(
    ...schema.fields.map((f) => {
      const target = polarsTypeOf(f.type);
      if (!present.has(f.name)) return pl.lit(null).cast(target).alias(f.name);
      // deno-lint-ignore no-explicit-any
      const d = df.getColumn(f.name).dtype as any;
      let e = pl.col(f.name);
      if (d.variant === "Datetime" && d.timeZone && d.timeZone !== "UTC") {
        e = e.dt.convertTimeZone("UTC");
      }
      return e.cast(target).alias(f.name);
    }),
  );
}

/**
 * Physical (Parquet) name of a field under a column mapping mode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { physicalName } from "./schema.ts";
 * const f = { name: "a", type: "long", nullable: true, metadata: { "delta.columnMapping.physicalName": "col-1" } };
 * assert.equal(physicalName(f, "name"), "col-1");
 * assert.equal(physicalName(f, "none"), "a");
 * ```
 */
export function physicalName(f: StructField, mode: ColumnMappingMode): string {
  if (mode === "none") return f.name;
  const p = f.metadata["delta.columnMapping.physicalName"];
  return typeof p === "string" ? p : f.name;
}

/**
 * Schema after `mergeSchema`: the table's columns first (types unchanged), then the frame's new
 * columns. A type change of an existing column throws: only additions are allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeSchemas } from "./schema.ts";
 * const t = { type: "struct" as const, fields: [{ name: "a", type: "long", nullable: true, metadata: {} }] };
 * const f = { type: "struct" as const, fields: [...t.fields, { name: "b", type: "string", nullable: true, metadata: {} }] };
 * assert.equal(mergeSchemas(t, f).fields.length, 2);
 * ```
 */
export function mergeSchemas(table: StructType, frame: StructType): StructType {
  const diff = diffSchemas(table, frame);
  if (diff.retyped.length) {
    throw new SchemaMismatchError(
      `mergeSchema only adds columns; ${
        describeDiff({ missing: [], extra: [], retyped: diff.retyped })
      }`,
      diff.retyped.map((r) => r.split(":")[0]),
    );
  }
  const extra = frame.fields.filter((f) => diff.extra.includes(f.name));
  return { type: "struct", fields: [...table.fields, ...extra] };
}
