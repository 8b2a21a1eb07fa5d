/**
 * Gold tables as silver-like frames, so that every silver-based figure also draws them:
 * - `production_par_source_horaire` (long: `source_energie`, `production_moyenne_mw`) is
 *   pivoted to one column per source;
 * - hourly tables keyed by local `date` and `heure` (0-23) get `timestamp_utc`: the hour's
 *   start in Europe/Paris. On the autumn fall-back day, gold's `heure` 2 holds two real hours
 *   (CEST then CET): the row becomes two one-hour rows with its mean, so energy (mean x hours)
 *   is kept; a local hour that does not exist (spring, 02:00) is an error naming the row; an
 *   hour with missing steps (`nb_mesures` < `nb_mesures_attendues`) counts for its share of an
 *   hour (`pas_minutes`), so energies equal gold's;
 * - gold's names are mapped to silver's: `consommation_reelle` -> `consommation`,
 *   `taux_co2_gkwh` -> `taux_co2`.
 * Frames that already have a time column pass through unchanged (apart from the renaming).
 *
 * @module
 */

import pl from "nodejs-polars";
import { VizInputError } from "./errors.ts";
import { requireColumns } from "./_frame.ts";

const RENAMES: Readonly<Record<string, string>> = {
  consommation_reelle: "consommation",
  taux_co2_gkwh: "taux_co2",
};
const PARIS = "Europe/Paris";
const HOUR_MS = 3_600_000;

/**
 * A gold table (or silver, unchanged) as a silver-like frame (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { asSilverLike } from "./_gold_input.ts";
 * const gold = pl.DataFrame({ date: ["2025-10-26", "2025-10-26"], heure: [1, 2],
 *   source_energie: ["nucleaire", "nucleaire"], production_moyenne_mw: [40000, 39000] });
 * const df = asSilverLike(gold, "production_par_source_horaire");
 * assert.equal(df.height, 3);
 * assert.deepEqual(df.getColumn("nucleaire").toArray(), [40000, 39000, 39000]);
 * ```
 */
export function asSilverLike(frame: pl.DataFrame, table: string): pl.DataFrame {
  const renames = Object.fromEntries(
    Object.entries(RENAMES).filter(([from, to]) =>
      frame.columns.includes(from) && !frame.columns.includes(to)
    ),
  );
  let df = Object.keys(renames).length > 0 ? frame.rename(renames) : frame;
  if (df.columns.includes("timestamp_utc") || df.columns.includes("timestamp")) return df;
  const counted = df.columns.includes("nb_mesures") && df.columns.includes("nb_mesures_attendues");
  if (df.columns.includes("source_energie")) {
    requireColumns(df, table, ["date", "heure", "production_moyenne_mw"]);
    const index = ["perimetre", "jeu_donnees", "date", "heure"].filter((c) =>
      df.columns.includes(c)
    );
    const wide = df.pivot("production_moyenne_mw", {
      index,
      on: "source_energie",
      aggregateFunc: "first",
    });
    df = counted
      ? wide.join(
        df.groupBy(index).agg(pl.col("nb_mesures").max(), pl.col("nb_mesures_attendues").max()),
        { on: index, how: "left" },
      )
      : wide;
  }
  if (!df.columns.includes("date") || !df.columns.includes("heure")) return df;
  // Share of the hour's steps that gold had: a partial hour must not count as a full one.
  const coverage = counted
    ? pl.col("nb_mesures").cast(pl.Float64).div(pl.col("nb_mesures_attendues").cast(pl.Float64))
    : pl.lit(1);
  return withInstants(df.withColumns(coverage.mul(60).alias("pas_minutes")), table);
}

/** Adds `timestamp_utc` from local `date` + `heure`, one row per real hour. */
function withInstants(df: pl.DataFrame, table: string): pl.DataFrame {
  const day = df.getColumn("date").dtype.variant === "Date"
    ? pl.col("date")
    : pl.col("date").cast(pl.Utf8).str.strptime(pl.Date, "%Y-%m-%d");
  const naive = day.cast(pl.Datetime("ms")).cast(pl.Int64)
    .add(pl.col("heure").cast(pl.Int64).mul(HOUR_MS)).cast(pl.Datetime("ms"));
  const withBoth = df.withRowIndex("_row").withColumns(
    naive.dt.replaceTimeZone(PARIS, "earliest", "null").dt.convertTimeZone("UTC").alias("_first"),
    naive.dt.replaceTimeZone(PARIS, "latest", "null").dt.convertTimeZone("UTC").alias("_last"),
  );
  const missing = withBoth.filter(pl.col("_first").isNull());
  if (missing.height > 0) {
    const r = missing.toRecords()[0] as Record<string, unknown>;
    throw new VizInputError(
      `${table}: row ${r._row} (date ${String(r.date).slice(0, 10)}, heure ${r.heure}) is not a ` +
        "local hour that exists in Europe/Paris (spring DST change)",
    );
  }
  const columns = df.columns.filter((c) =>
    !["date", "heure", "nb_mesures", "nb_mesures_attendues"].includes(c)
  );
  const rows = (instant: string, frame: pl.DataFrame) =>
    frame.select(pl.col(instant).alias("timestamp_utc"), ...columns.map((c) => pl.col(c)));
  return pl.concat([
    rows("_first", withBoth),
    rows("_last", withBoth.filter(pl.col("_first").neq(pl.col("_last")))),
  ]).sort("timestamp_utc");
}
