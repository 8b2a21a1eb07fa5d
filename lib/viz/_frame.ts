/**
 * Checks shared by the polars-side adapters: required columns, the time column, the perimeter
 * and dataset choice. Every failure is a {@linkcode VizInputError} naming the table and the
 * columns (or the row) at fault.
 *
 * @module
 */

import pl from "nodejs-polars";
import { VizInputError } from "./errors.ts";

/**
 * Throws when `frame` lacks any of `columns`, naming them all and the table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { requireColumns } from "./_frame.ts";
 * requireColumns(pl.DataFrame({ a: [1] }), "t", ["a"]); // fine
 * assert.throws(() => requireColumns(pl.DataFrame({ a: [1] }), "t", ["b"]), {
 *   name: "VizInputError",
 *   message: "t: missing column(s) b (columns present: a)",
 * });
 * ```
 */
export function requireColumns(
  frame: pl.DataFrame,
  table: string,
  columns: readonly string[],
): void {
  const missing = columns.filter((c) => !frame.columns.includes(c));
  if (missing.length > 0) {
    throw new VizInputError(
      `${table}: missing column(s) ${missing.join(", ")} (columns present: ${
        frame.columns.join(", ") || "none"
      })`,
    );
  }
}

/**
 * The name of the time column (`timestamp_utc` in silver, `timestamp` in gold and ML tables),
 * checked to be a Datetime without nulls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { timeColumn } from "./_frame.ts";
 * assert.equal(timeColumn(pl.DataFrame({ timestamp: [new Date(0)] }), "t"), "timestamp");
 * ```
 */
export function timeColumn(frame: pl.DataFrame, table: string): string {
  const name = ["timestamp_utc", "timestamp"].find((c) => frame.columns.includes(c));
  if (name === undefined) requireColumns(frame, table, ["timestamp_utc"]);
  const column = name as string;
  const series = frame.getColumn(column);
  if (series.dtype.variant !== "Datetime") {
    throw new VizInputError(
      `${table}: column ${column} must be a Datetime, not ${series.dtype.variant}`,
    );
  }
  if (series.nullCount() > 0) {
    const row = frame.withRowIndex("_row").filter(pl.col(column).isNull())
      .getColumn("_row").toArray()[0];
    throw new VizInputError(
      `${table}: row ${row} has no ${column} (${series.nullCount()} null(s))`,
    );
  }
  return column;
}

/**
 * The instant of a Datetime column as UTC: tz-aware columns are converted, naive ones are
 * taken as UTC (the convention of every table of the platform).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { utcInstant } from "./_frame.ts";
 * const df = pl.DataFrame({ t: [new Date(0)] });
 * assert.ok(df.select(utcInstant(df, "t")).getColumn("t").dtype.toString().includes("UTC"));
 * ```
 */
export function utcInstant(frame: pl.DataFrame, column: string): pl.Expr {
  const tz = (frame.getColumn(column).dtype as unknown as { timeZone?: string }).timeZone;
  return tz
    ? pl.col(column).cast(pl.Datetime("ms", tz)).dt.convertTimeZone("UTC")
    : pl.col(column).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC");
}

/** Selection of one series: `perimetre` and `jeu_donnees` when the table has them. */
export interface SeriesChoice {
  /**
   * Perimeter to keep. Default: `France`, else gold's national view of regions
   * (`France (somme des régions)`), else the table's only perimeter.
   */
  readonly perimeter?: string;
  /** Dataset of silver to keep (default `eco2mix`, RTE's power data). */
  readonly dataset?: string;
}

/**
 * The rows of the chosen perimeter (and dataset), with the perimeter's name. A table with
 * several perimeters and no choice, or a choice absent from it, is an error listing the
 * perimeters it has.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { chooseSeries } from "./_frame.ts";
 * const df = pl.DataFrame({ perimetre: ["France", "Bretagne"], v: [1, 2] });
 * assert.equal(chooseSeries(df, "t", {}).frame.height, 1);
 * ```
 */
export function chooseSeries(
  frame: pl.DataFrame,
  table: string,
  choice: SeriesChoice,
): { frame: pl.DataFrame; perimeter: string } {
  let df = frame;
  if (df.columns.includes("jeu_donnees")) {
    const wanted = choice.dataset ?? "eco2mix";
    df = df.filter(pl.col("jeu_donnees").eq(pl.lit(wanted)));
    if (df.height === 0 && frame.height > 0) {
      const present = frame.getColumn("jeu_donnees").unique().sort().toArray().join(", ");
      throw new VizInputError(`${table}: no row of jeu_donnees '${wanted}' (present: ${present})`);
    }
  }
  if (!df.columns.includes("perimetre")) {
    return { frame: df, perimeter: choice.perimeter ?? "France" };
  }
  const perimeters = df.getColumn("perimetre").unique().sort().toArray() as string[];
  // Gold's national view of regional data is "France (somme des régions)".
  const national = perimeters.includes("France")
    ? "France"
    : perimeters.find((p) => p.startsWith("France ("));
  const wanted = choice.perimeter ??
    (perimeters.length === 0
      ? "France"
      : national ?? (perimeters.length === 1 ? perimeters[0] : undefined));
  if (wanted === undefined) {
    throw new VizInputError(
      `${table}: several perimeters (${perimeters.join(", ")}): choose one with options.perimeter`,
    );
  }
  if (perimeters.length > 0 && !perimeters.includes(wanted)) {
    throw new VizInputError(
      `${table}: no row of perimetre '${wanted}' (present: ${perimeters.join(", ")})`,
    );
  }
  return { frame: df.filter(pl.col("perimetre").eq(pl.lit(wanted))), perimeter: wanted };
}
