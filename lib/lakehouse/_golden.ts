/**
 * Test helpers: canonical rows of a frame, for order-insensitive exact comparison of tables.
 *
 * @module
 */

import pl from "nodejs-polars";

/**
 * One canonical JSON string per row, sorted: 64-bit integers, decimals and dates as text,
 * timestamps as UTC epoch microseconds, nested values through JSON (dates as ISO text).
 */
export function canonicalRows(df: pl.DataFrame): string[] {
  const names = [...df.columns].sort();
  const exprs = names.map((name) => {
    // deno-lint-ignore no-explicit-any
    const d = df.getColumn(name).dtype as any;
    const c = pl.col(name);
    switch (d.variant) {
      case "Datetime":
        return (d.timeZone ? c.dt.convertTimeZone("UTC").dt.replaceTimeZone(undefined) : c)
          .cast(pl.Datetime("us")).cast(pl.Int64).cast(pl.String).alias(name);
      case "Int64":
      case "UInt64":
      case "Decimal":
      case "Date":
        return c.cast(pl.String).alias(name);
      case "List":
      case "Struct":
        return c.cast(textLeaves(d)).alias(name);
      default:
        return c;
    }
  });
  const rows = df.select(...exprs).toRecords() as Record<string, unknown>[];
  return rows.map((r) => JSON.stringify(names.map((n) => [n, r[n]]), replacer)).sort();
}

// Nested decimals and 64-bit integers cannot reach JavaScript as numbers: cast them to text.
// deno-lint-ignore no-explicit-any
function textLeaves(d: any): pl.DataType {
  switch (d.variant) {
    case "Decimal":
    case "Int64":
    case "UInt64":
      return pl.String;
    case "List":
      return pl.List(textLeaves(d.inner));
    case "Struct":
      return pl.Struct(
        (d.fields as { name: string; dtype: unknown }[]).map((f) =>
          new pl.Field(f.name, textLeaves(f.dtype))
        ),
      );
    default:
      return d;
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

/** Reads every Parquet file of a folder (Spark output: `_SUCCESS` and `.crc` files ignored). */
export function readParquetFolder(dir: string): pl.DataFrame {
  const files = [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".parquet") && !e.name.startsWith("."))
    .map((e) => `${dir}/${e.name}`)
    .sort();
  const frames = files.map((f) => pl.readParquet(f));
  return frames.length === 1 ? frames[0] : pl.concat(frames, { how: "vertical" });
}
