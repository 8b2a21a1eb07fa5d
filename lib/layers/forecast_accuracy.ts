/**
 * Gold summaries of RTE's consumption forecasts: `precision_previsions` and
 * `pires_heures_previsions`, computed from the `consommation_previsions` table
 * (`consumptionForecasts` in `gold.ts`) rather than from silver, so they share none of
 * `gold.ts`'s silver preparation. `gold.ts` re-exports them and builds them in `buildGold`.
 *
 * @module
 */

import pl from "nodejs-polars";
import { GoldInputError } from "./_gold_frame.ts";

const HORIZONS = ["j1", "j"] as const;
/** A forecast horizon of RTE: day-ahead (`j1`) or intraday (`j`). */
export type Horizon = typeof HORIZONS[number];

const WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

/** "1-lundi" ... "7-dimanche" from a Date expression: readable and sorting in week order. */
function weekdayLabel(date: pl.Expr): pl.Expr {
  let label: pl.Expr = pl.lit(null).cast(pl.Utf8);
  WEEKDAYS.forEach((name, i) => {
    label = pl.when(date.dt.weekday().eq(i + 1)).then(pl.lit(`${i + 1}-${name}`))
      .otherwise(label);
  });
  return label;
}

function checkForecasts(frame: pl.DataFrame, caller: string): void {
  const needed = [
    "perimetre",
    "timestamp",
    "date",
    "heure",
    ...HORIZONS.flatMap((h) => [
      `ecart_${h}_mw`,
      `erreur_${h}_pct`,
    ]),
  ];
  const missing = needed.filter((c) => !frame.columns.includes(c));
  if (missing.length > 0) {
    throw new GoldInputError(
      `${caller}: expects the consommation_previsions frame; missing column(s) ${
        missing.join(", ")
      }`,
    );
  }
}

/** The forecasts in long form: one row per instant and horizon with a usable error. */
function forecastErrors(forecasts: pl.DataFrame): pl.DataFrame {
  return pl.concat(
    HORIZONS.map((h) =>
      forecasts.select(
        "perimetre",
        "timestamp",
        "date",
        "heure",
        pl.lit(h).alias("horizon"),
        pl.col(`ecart_${h}_mw`).alias("ecart"),
        pl.col(`erreur_${h}_pct`).alias("erreur"),
        pl.col("consommation_reelle").alias("consommation"),
        pl.col(`prevision_${h}`).alias("prevision"),
      ).filter(pl.col("erreur").isNotNull())
    ),
  );
}

/**
 * Summary of forecast accuracy from `consumptionForecasts` (`gold.ts`): one row per perimetre,
 * horizon (`j1`, `j`), dimension and modality.
 *
 * Why: a single MAPE hides where RTE misses: the evening peak, Mondays, a month of cold spell;
 * the same four metrics by hour, weekday and month point at it. Every step counts alike (the
 * usual definition of MAPE on 15-minute data).
 *
 * Columns: `perimetre`, `horizon`, `dimension` (`global`, `heure`, `jour_semaine`, `mois`),
 * `modalite` (`ensemble`; "00"-"23"; "1-lundi"-"7-dimanche"; "YYYY-MM"), `nb_pas` (steps with
 * both values), `mape_pct` = mean |écart| / consumption × 100, `mae_mw` = mean |écart|,
 * `rmse_mw` = √mean écart², `biais_mw` = mean écart (> 0: RTE under-forecasts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { forecastAccuracy } from "./forecast_accuracy.ts";
 * const table = pl.DataFrame({
 *   perimetre: ["France", "France"],
 *   timestamp: [Date.UTC(2025, 0, 6, 17), Date.UTC(2025, 0, 6, 18)],
 *   date: ["2025-01-06", "2025-01-06"], heure: [18, 19],
 *   consommation_reelle: [80000, 50000], prevision_j1: [78000, 51000], prevision_j: [80000, 50000],
 *   ecart_j1_mw: [2000, -1000], ecart_j_mw: [0, 0], erreur_j1_pct: [2.5, -2], erreur_j_pct: [0, 0],
 * }).withColumns(
 *   pl.col("timestamp").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date").str.strptime(pl.Date, "%Y-%m-%d"),
 * );
 * const overall = forecastAccuracy(table).filter(
 *   pl.col("dimension").eq(pl.lit("global")).and(pl.col("horizon").eq(pl.lit("j1"))),
 * ).toRecords()[0];
 * assert.equal(overall.mape_pct, 2.25);
 * assert.equal(overall.mae_mw, 1500);
 * assert.equal(overall.biais_mw, 500);
 * ```
 */
export function forecastAccuracy(forecasts: pl.DataFrame): pl.DataFrame {
  checkForecasts(forecasts, "forecastAccuracy");
  const long = forecastErrors(forecasts);
  const dimensions: [string, pl.Expr][] = [
    ["global", pl.lit("ensemble")],
    ["heure", pl.col("heure").cast(pl.Utf8).str.zFill(2)],
    ["jour_semaine", weekdayLabel(pl.col("date"))],
    ["mois", pl.col("date").dt.strftime("%Y-%m")],
  ];
  const ecart = pl.col("ecart");
  return pl.concat(
    dimensions.map(([dimension, modality]) =>
      long.withColumns(pl.lit(dimension).alias("dimension"), modality.alias("modalite"))
        .groupBy(["perimetre", "horizon", "dimension", "modalite"]).agg(
          pl.col("erreur").count().cast(pl.Int32).alias("nb_pas"),
          pl.col("erreur").abs().mean().alias("mape_pct"),
          ecart.abs().mean().alias("mae_mw"),
          ecart.pow(2).mean().pow(0.5).alias("rmse_mw"),
          ecart.mean().alias("biais_mw"),
        )
    ),
  ).sort(["perimetre", "horizon", "dimension", "modalite"]);
}

/** Options of {@linkcode worstForecastHours}. */
export interface WorstHoursOptions {
  /** Hours kept per perimetre and horizon; default 10. */
  readonly n?: number;
}

/**
 * The hours RTE missed most, from `consumptionForecasts` (`gold.ts`): per perimetre and horizon,
 * the `n` clock hours (UTC-truncated, so the repeated autumn hour stays two hours) with the
 * highest mean absolute percentage error.
 *
 * Why: the worst hours are where a forecaster looks first (cold snaps, holidays, eclipses,
 * strikes); ranking whole hours rather than single steps avoids listing the same event four
 * times.
 *
 * Columns: `perimetre`, `horizon`, `rang` (1 = worst), `heure_debut_utc`, `date`, `heure`
 * (local, of the hour's first step), `nb_pas`, `consommation_moyenne_mw`,
 * `prevision_moyenne_mw`, `ecart_moyen_mw`, `erreur_absolue_moyenne_pct`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { worstForecastHours } from "./forecast_accuracy.ts";
 * const table = pl.DataFrame({
 *   perimetre: ["France", "France"],
 *   timestamp: [Date.UTC(2025, 0, 6, 17), Date.UTC(2025, 0, 6, 18)],
 *   date: ["2025-01-06", "2025-01-06"], heure: [18, 19],
 *   consommation_reelle: [80000, 50000], prevision_j1: [78000, 51000], prevision_j: [80000, 50000],
 *   ecart_j1_mw: [2000, -1000], ecart_j_mw: [0, 0], erreur_j1_pct: [2.5, -2], erreur_j_pct: [0, 0],
 * }).withColumns(
 *   pl.col("timestamp").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date").str.strptime(pl.Date, "%Y-%m-%d"),
 * );
 * const worst = worstForecastHours(table, { n: 1 }).filter(pl.col("horizon").eq(pl.lit("j1")));
 * assert.equal(worst.height, 1);
 * assert.equal(worst.getColumn("heure").toArray()[0], 18);
 * ```
 */
export function worstForecastHours(
  forecasts: pl.DataFrame,
  options: WorstHoursOptions = {},
): pl.DataFrame {
  checkForecasts(forecasts, "worstForecastHours");
  const n = options.n ?? 10;
  if (!Number.isInteger(n) || n < 1) {
    throw new GoldInputError(`worstForecastHours: n must be a positive integer, got ${n}`);
  }
  const hours = forecastErrors(forecasts)
    .sort(["perimetre", "horizon", "timestamp"])
    .withColumn(pl.col("timestamp").dt.truncate("1h").alias("heure_debut_utc"))
    .groupBy(["perimetre", "horizon", "heure_debut_utc"]).agg(
      pl.col("date").first(),
      pl.col("heure").first(),
      pl.col("erreur").count().cast(pl.Int32).alias("nb_pas"),
      pl.col("consommation").mean().alias("consommation_moyenne_mw"),
      pl.col("prevision").mean().alias("prevision_moyenne_mw"),
      pl.col("ecart").mean().alias("ecart_moyen_mw"),
      pl.col("erreur").abs().mean().alias("erreur_absolue_moyenne_pct"),
    );
  return hours
    .sort(["perimetre", "horizon", "erreur_absolue_moyenne_pct", "heure_debut_utc"], [
      false,
      false,
      true,
      false,
    ])
    // Ordinal rank on the sorted frame: ties keep chronological order.
    .withColumn(
      pl.col("erreur_absolue_moyenne_pct").rank("ordinal", true).over("perimetre", "horizon")
        .cast(pl.Int32).alias("rang"),
    )
    .filter(pl.col("rang").ltEq(n))
    .select(
      "perimetre",
      "horizon",
      "rang",
      "heure_debut_utc",
      "date",
      "heure",
      "nb_pas",
      "consommation_moyenne_mw",
      "prevision_moyenne_mw",
      "ecart_moyen_mw",
      "erreur_absolue_moyenne_pct",
    );
}
