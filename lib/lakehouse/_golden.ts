/**
 * Test helpers: canonical rows of a frame, for order-insensitive exact comparison of tables.
 *
 * @module
 */

import pl from "nodejs-polars";

/**
 * One canonical JSON line per row (columns sorted by name), rows sorted: 64-bit integers,
 * decimals and dates as text, timestamps as UTC epoch microseconds.
 */
export function canonicalRows(df: pl.DataFrame): string[] {
  const names = [...df.columns].sort();
  const exprs = names.map((name) => {
    // deno-lint-ignore no-explicit-any
    const d = df.getColumn(name).dtype as any;
    const c = pl.col(name);
    switch (d.variant) {
      case "Datetime":
        return c.cast(pl.Datetime("us", d.timeZone || undefined)).cast(pl.Int64)
          .cast(pl.String).alias(name);
      case "Int64":
      case "UInt64":
      case "Decimal":
      case "Date":
        return c.cast(pl.String).alias(name);
      default:
        return c;
    }
  });
  if (df.height === 0) return [];
  // Polars' own JSON writer: the only way nested decimals and 64-bit integers reach JS exactly.
  const text = new TextDecoder().decode(df.select(...exprs).writeJSON({ format: "lines" }));
  return text.split("\n").filter((l) => l.length > 0).sort();
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
