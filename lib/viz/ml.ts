/**
 * Forecast tables -> the columnar data of the ML figures, and RTE's own forecasts in the same
 * shape, so that every model is compared with the reference the sector knows.
 *
 * Tables: predictions (`timestamp` or `timestamp_utc`, `prediction`, `actual`, optional
 * `model`, `horizon`, and `p10`, `p90` for the models with a prediction interval; an `error`
 * column is ignored and recomputed as prediction - actual, `lib/ml`'s convention); feature
 * importance (`feature`, `importance`, optional `model`); the mix classifiers' forecast of the
 * next hours (`predictions_mix`).
 *
 * @module
 */

import pl from "nodejs-polars";
import type { ImportanceData, PredictionData, PredictionSeries } from "./_core_ml.ts";
import type { MixForecastData } from "./_core_events.ts";
import { MIX_SCHEME_LABELS } from "../forecasting/mod.ts";
import { formatParisDateTime } from "../notebook/format.ts";
import { modelName } from "../notebook/labels.ts";
import { VizInputError } from "./errors.ts";
import { asSilverLike } from "./_gold_input.ts";
import {
  chooseSeries,
  requireColumns,
  type SeriesChoice,
  timeColumn,
  utcInstant,
} from "./_frame.ts";

const PARIS = "Europe/Paris";

/** Options of {@linkcode toPredictionData}. */
export interface PredictionOptions {
  /** Average predictions and actuals over buckets of this many minutes (default: as given). */
  readonly stepMinutes?: number;
  /** Table name used in error messages (default `predictions`). */
  readonly table?: string;
}

/**
 * A predictions table in the standard shape: `timestamp` (Datetime ms, UTC), `model`, `horizon`
 * (Utf8; `modèle` and empty when absent), `prediction`, `actual`, `error` = prediction - actual
 * (Float64), and `p10`, `p90` (Float64) when the table has them. A null prediction is an error
 * naming the row; a null actual (a forecast of an instant not measured yet) is kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { standardPredictions } from "./ml.ts";
 * const frame = pl.DataFrame({
 *   timestamp: [new Date("2025-01-01T23:00:00Z")], prediction: [61000], actual: [60000],
 * });
 * const std = standardPredictions(frame);
 * assert.deepEqual(
 *   std.columns,
 *   ["timestamp", "model", "horizon", "prediction", "actual", "error"],
 * );
 * assert.equal(std.getColumn("error").toArray()[0], 1000);
 * ```
 */
export function standardPredictions(frame: pl.DataFrame, table = "predictions"): pl.DataFrame {
  requireColumns(frame, table, ["prediction", "actual"]);
  const time = timeColumn(frame, table);
  const nullPrediction = frame.getColumn("prediction").nullCount();
  if (nullPrediction > 0) {
    const row = frame.withRowIndex("_row").filter(pl.col("prediction").isNull())
      .getColumn("_row").toArray()[0];
    throw new VizInputError(`${table}: row ${row} has no prediction (${nullPrediction} null(s))`);
  }
  const text = (name: string, absent: string) =>
    (frame.columns.includes(name) ? pl.col(name).cast(pl.Utf8) : pl.lit(absent)).alias(name);
  return frame.select(
    utcInstant(frame, time).alias("timestamp"),
    text("model", "modèle"),
    text("horizon", ""),
    pl.col("prediction").cast(pl.Float64),
    pl.col("actual").cast(pl.Float64),
    pl.col("prediction").cast(pl.Float64).sub(pl.col("actual").cast(pl.Float64)).alias("error"),
    ...QUANTILE_COLUMNS.filter((c) => frame.columns.includes(c)).map((c) =>
      pl.col(c).cast(pl.Float64)
    ),
  );
}

/** The interval columns a predictions table may have. */
const QUANTILE_COLUMNS = ["p10", "p90"] as const;

/**
 * A predictions table (see {@linkcode standardPredictions}) -> {@linkcode PredictionData}, one
 * series per (model, horizon) in order of first appearance, rows in time order, each model named
 * for a reader (`modelName`: `gbdt` → gradient boosting).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toPredictionData } from "./ml.ts";
 * const frame = pl.DataFrame({
 *   timestamp: [new Date("2025-01-01T23:00:00Z"), new Date("2025-01-01T23:30:00Z")],
 *   model: ["gbdt", "gbdt"],
 *   prediction: [61000, 60000],
 *   actual: [60000, 60500],
 * });
 * const p = toPredictionData(frame);
 * assert.deepEqual(p.days, ["2025-01-02"]);
 * assert.equal(p.series[0].name, "gradient boosting");
 * assert.deepEqual(p.series[0].minute, [0, 30]);
 * ```
 */
export function toPredictionData(
  frame: pl.DataFrame,
  options: PredictionOptions = {},
): PredictionData {
  const std = standardPredictions(frame, options.table ?? "predictions");
  const quantiles = QUANTILE_COLUMNS.every((c) => std.columns.includes(c));
  const values = ["_prediction", "_actual", ...(quantiles ? ["_p10", "_p90"] : [])];
  let df = std.select(
    pl.col("timestamp").alias("_ts"),
    pl.col("model").alias("_model"),
    pl.col("horizon").alias("_horizon"),
    pl.col("prediction").alias("_prediction"),
    pl.col("actual").alias("_actual"),
    ...(quantiles ? QUANTILE_COLUMNS.map((c) => pl.col(c).alias(`_${c}`)) : []),
  ).withRowIndex("_order");
  if (options.stepMinutes !== undefined) {
    df = df.withColumns(pl.col("_ts").dt.truncate(`${options.stepMinutes}m`))
      .groupBy(["_model", "_horizon", "_ts"]).agg(
        pl.col("_order").min(),
        ...values.map((c) => pl.col(c).mean()),
      );
  }
  df = df.withColumns(
    pl.col("_ts").dt.convertTimeZone(PARIS).dt.strftime("%Y-%m-%d").alias("_jour"),
    pl.col("_ts").dt.convertTimeZone(PARIS).dt.hour().cast(pl.Int32).mul(60)
      .add(pl.col("_ts").dt.convertTimeZone(PARIS).dt.minute().cast(pl.Int32)).alias("_minute"),
  ).sort("_ts");
  const days = df.getColumn("_jour").unique().sort().toArray() as string[];
  const index = new Map(days.map((d, i) => [d, i]));
  const keys = df.groupBy(["_model", "_horizon"]).agg(pl.col("_order").min()).sort("_order")
    .toRecords() as { _model: string; _horizon: string }[];
  const series: PredictionSeries[] = keys.map((k) => {
    const s = df.filter(
      pl.col("_model").eq(pl.lit(k._model)).and(pl.col("_horizon").eq(pl.lit(k._horizon))),
    );
    const interval = quantiles && s.getColumn("_p10").nullCount() < s.height
      ? {
        p10: s.getColumn("_p10").toArray() as (number | null)[],
        p90: s.getColumn("_p90").toArray() as (number | null)[],
      }
      : {};
    return {
      model: k._model,
      name: modelName(k._model),
      horizon: k._horizon,
      day: (s.getColumn("_jour").toArray() as string[]).map((d) => index.get(d) as number),
      minute: (s.getColumn("_minute").toArray() as number[]).map(Number),
      prediction: s.getColumn("_prediction").toArray() as number[],
      actual: s.getColumn("_actual").toArray() as number[],
      ...interval,
    };
  });
  return { days, series };
}

/**
 * RTE's consumption forecasts of a silver-like frame (or gold's `consommation_previsions`) as a
 * standard predictions table
 * (`timestamp`, `model` RTE, `horizon` J-1 / J, `prediction`, `actual`, `error` = prediction -
 * actual), on the rows that have both the forecast and the measured consumption.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { rteForecasts } from "./ml.ts";
 * const silver = pl.DataFrame({
 *   timestamp_utc: [new Date("2025-01-01T00:00:00Z"), new Date("2025-01-01T00:15:00Z")],
 *   consommation: [60000, null],
 *   prevision_j1: [61000, 60000],
 * });
 * const rte = rteForecasts(silver);
 * assert.equal(rte.height, 1);
 * assert.equal(rte.getColumn("error").toArray()[0], 1000);
 * ```
 */
export function rteForecasts(input: pl.DataFrame, options: SeriesChoice = {}): pl.DataFrame {
  const silver = asSilverLike(input, "silver");
  requireColumns(silver, "silver", ["consommation"]);
  const { frame } = chooseSeries(silver, "silver", options);
  const time = timeColumn(frame, "silver");
  const horizons = [
    { column: "prevision_j1", horizon: "J-1" },
    { column: "prevision_j", horizon: "J" },
  ].filter((h) => frame.columns.includes(h.column));
  if (horizons.length === 0) requireColumns(silver, "silver", ["prevision_j1"]);
  return pl.concat(
    horizons.map((h) =>
      frame.filter(pl.col(h.column).isNotNull().and(pl.col("consommation").isNotNull())).select(
        utcInstant(frame, time).alias("timestamp"),
        pl.lit("RTE").alias("model"),
        pl.lit(h.horizon).alias("horizon"),
        pl.col(h.column).cast(pl.Float64).alias("prediction"),
        pl.col("consommation").cast(pl.Float64).alias("actual"),
        pl.col(h.column).cast(pl.Float64).sub(pl.col("consommation").cast(pl.Float64)).alias(
          "error",
        ),
      )
    ),
    { how: "vertical" },
  );
}

/**
 * A feature-importance table (`feature`, `importance`, optional `model`) -> {@linkcode ImportanceData},
 * models named for a reader (`modelName`); `unit` says what the values measure (axis title).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toImportanceData } from "./ml.ts";
 * const imp = toImportanceData(pl.DataFrame({ feature: ["lag_24h"], importance: [0.7] }), "gain");
 * assert.equal(imp.model[0], "modèle");
 * assert.equal(imp.unit, "gain");
 * ```
 */
export function toImportanceData(frame: pl.DataFrame, unit = "importance"): ImportanceData {
  requireColumns(frame, "feature_importance", ["feature", "importance"]);
  const nulls = frame.getColumn("importance").nullCount() + frame.getColumn("feature").nullCount();
  if (nulls > 0) {
    const row = frame.withRowIndex("_row")
      .filter(pl.col("importance").isNull().or(pl.col("feature").isNull()))
      .getColumn("_row").toArray()[0];
    throw new VizInputError(`feature_importance: row ${row} has no feature or no importance`);
  }
  return {
    feature: frame.getColumn("feature").cast(pl.Utf8).toArray() as string[],
    importance: frame.getColumn("importance").cast(pl.Float64).toArray() as number[],
    model: frame.columns.includes("model")
      ? (frame.getColumn("model").cast(pl.Utf8).toArray() as string[]).map(modelName)
      : new Array(frame.height).fill("modèle"),
    unit,
  };
}

/**
 * The mix forecast of the next hours from `predictions_mix`: the gradient boosting's rows after
 * the last measurement (`periode = "prevision"`, `model = "gbdt"`; the test rows are left out),
 * in the brief's classes, or in terciles when the table has no forecast in the brief's classes,
 * sorted by horizon; instants in Paris time (`jj/mm/aaaa hh:mm`). A forecast row without a class
 * is an error naming its row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toMixForecastData } from "./ml.ts";
 * const mix = pl.DataFrame({
 *   timestamp_utc: [new Date("2025-07-25T22:00:00Z"), new Date("2025-07-25T21:00:00Z")],
 *   horizon_heures: [2, 1], periode: ["prevision", "prevision"], schema: ["brief", "brief"],
 *   model: ["gbdt", "gbdt"], classe_predite: ["30-50 %", "<30 %"],
 * });
 * const f = toMixForecastData(mix);
 * assert.equal(f.schema, "classes du cahier des charges");
 * assert.deepEqual(f.horizonHours, [1, 2]);
 * assert.deepEqual(f.instant, ["25/07/2025 23:00", "26/07/2025 00:00"]);
 * assert.deepEqual(f.predictedClass, ["<30 %", "30-50 %"]);
 * ```
 */
export function toMixForecastData(frame: pl.DataFrame): MixForecastData {
  const table = "predictions_mix";
  requireColumns(frame, table, [
    "timestamp_utc",
    "horizon_heures",
    "periode",
    "schema",
    "model",
    "classe_predite",
  ]);
  const forecasts = frame.withRowIndex("_row").filter(
    pl.col("periode").eq(pl.lit("prevision")).and(pl.col("model").eq(pl.lit("gbdt"))),
  );
  const schemes = forecasts.getColumn("schema").toArray() as string[];
  const schema = ["brief", "terciles"].find((s) => schemes.includes(s));
  if (schema === undefined) {
    return { schema: null, horizonHours: [], instant: [], predictedClass: [] };
  }
  const rows = forecasts.filter(pl.col("schema").eq(pl.lit(schema)))
    .select(
      "_row",
      pl.col("horizon_heures").cast(pl.Int32),
      utcInstant(frame, "timestamp_utc").cast(pl.Int64),
      "classe_predite",
    )
    .sort("horizon_heures");
  const missing = rows.filter(pl.col("classe_predite").isNull());
  if (missing.height > 0) {
    throw new VizInputError(
      `${table}: row ${missing.getColumn("_row").toArray()[0]} is a forecast without a class`,
    );
  }
  return {
    schema: MIX_SCHEME_LABELS[schema],
    horizonHours: rows.getColumn("horizon_heures").toArray() as number[],
    instant: (rows.getColumn("timestamp_utc").toArray() as (number | bigint)[]).map((t) =>
      formatParisDateTime(Number(t))
    ),
    predictedClass: rows.getColumn("classe_predite").toArray() as string[],
  };
}
