/**
 * One figure builder per chart of the brief: a nodejs-polars table in, a plotly figure
 * (`{data, layout}`, plain JSON) out. French titles and units, palette colours, long periods
 * downsampled (hourly means, then daily means beyond a month or a quarter, said in the
 * subtitle).
 *
 * Inputs: the silver frame (or any frame with a time column `timestamp_utc`/`timestamp` and the
 * value columns named like silver's), filtered to one perimeter (`France` by default) and to
 * `jeu_donnees = eco2mix`; or the gold tables that hold the same series hour by hour:
 * `production_par_source_horaire` (mix, production, wind, solar, renewable share),
 * `consommation_previsions` (consumption, profiles, heatmap), `empreinte_carbone` (CO2);
 * `exchangesFigure` also takes `echanges_internationaux`; the ML builders take the predictions
 * and feature-importance tables (see `ml.ts`). A table without the columns a chart needs is a
 * {@linkcode VizInputError} naming them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { consumptionFigure } from "./figures.ts";
 * const silver = pl.DataFrame({
 *   timestamp_utc: [new Date("2025-01-01T00:00:00Z"), new Date("2025-01-01T01:00:00Z")],
 *   consommation: [70000, 68000],
 * });
 * const fig = consumptionFigure(silver);
 * assert.deepEqual(fig.data[0].y, [70000, 68000]);
 * ```
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Figure, HourlyData } from "./_core_data.ts";
import { periodLabel } from "./_core_format.ts";
import {
  type BorderTotal,
  borderTotals,
  co2Spec,
  consumptionSpec,
  exchangesSpec,
  heatmapSpec,
  loadProfileSpec,
  mixCo2ScatterSpec,
  mixPieSpec,
  physicalBalance,
  productionStackSpec,
  renewableShareSpec,
  sankeySpec,
  solarProfileSpec,
  type TimeOptions,
  weekdayWeekendSpec,
  windSpec,
} from "./_core_figures.ts";
import {
  errorByHourSpec,
  errorHistogramSpec,
  importanceSpec,
  predictionsSpec,
} from "./_core_ml.ts";
import { VizInputError } from "./errors.ts";
import { chooseSeries, requireColumns } from "./_frame.ts";
import { asSilverLike } from "./_gold_input.ts";
import { type HourlyOptions, toHourly } from "./hourly.ts";
import { type PredictionOptions, toImportanceData, toPredictionData } from "./ml.ts";
import { COUNTRIES, SOURCES } from "./palette.ts";

export type { Figure } from "./_core_data.ts";

/** Options of the silver-based builders: series choice, bucket length, hourly threshold. */
export interface FigureOptions extends HourlyOptions, TimeOptions {}

const SOURCE_KEYS = SOURCES.map((s) => s.key);
const RENEWABLE_KEYS = SOURCES.filter((s) => s.family === "renouvelable").map((s) => s.key);
const CO2_KEYS = ["taux_co2", "taux_co2_recalcule"];
const WIND_KEYS = ["eolien", "eolien_terrestre", "eolien_offshore"];

/**
 * Checks the columns a chart needs (`required`: all of them; `anyOf`: at least one of each
 * group), then reduces the frame to hourly means of the columns it uses.
 */
function hourlyFor(
  input: pl.DataFrame,
  options: FigureOptions,
  required: readonly string[],
  anyOf: readonly (readonly string[])[],
  uses: readonly string[],
): HourlyData {
  const table = options.table ?? "silver";
  const frame = asSilverLike(input, table);
  requireColumns(frame, table, required);
  for (const group of anyOf) {
    if (!group.some((c) => frame.columns.includes(c))) {
      throw new VizInputError(`${table}: missing column(s): needs one of ${group.join(", ")}`);
    }
  }
  return toHourly(frame, { ...options, columns: [...required, ...anyOf.flat(), ...uses] });
}

/**
 * Consumption over the period (hourly up to `maxHourlyDays`, default 92, then daily means with
 * the daily range), RTE's J-1 and J forecasts dashed when present.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { consumptionFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], consommation: [70000] });
 * assert.equal(consumptionFigure(silver).data[0].name, "Consommation");
 * ```
 */
export function consumptionFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  const h = hourlyFor(silver, options, ["consommation"], [], ["prevision_j1", "prevision_j"]);
  return consumptionSpec(h, options);
}

/**
 * Energy mix of the period: a donut of each source's energy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { mixPieFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], nucleaire: [40000], eolien: [10000] });
 * assert.deepEqual(mixPieFigure(silver).data[0].labels, ["Nucléaire", "Éolien"]);
 * ```
 */
export function mixPieFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return mixPieSpec(hourlyFor(silver, options, [], [SOURCE_KEYS], []));
}

/**
 * Production by source as stacked areas (hourly up to `maxHourlyDays`, default 31, then daily
 * means), consumption dotted on top.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { productionFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], nucleaire: [40000] });
 * assert.equal(productionFigure(silver).data[0].stackgroup, "production");
 * ```
 */
export function productionFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return productionStackSpec(
    hourlyFor(silver, options, [], [SOURCE_KEYS], ["consommation"]),
    options,
  );
}

/**
 * Mean daily load profile with the 10th-90th percentile band of each local hour.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { loadProfileFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], consommation: [70000] });
 * assert.deepEqual(loadProfileFigure(silver).data[2].x, [1]);
 * ```
 */
export function loadProfileFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return loadProfileSpec(hourlyFor(silver, options, ["consommation"], [], []));
}

/**
 * Consumption heatmap: local day x local hour.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { heatmapFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], consommation: [70000] });
 * assert.equal(heatmapFigure(silver).data[0].type, "heatmap");
 * ```
 */
export function heatmapFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return heatmapSpec(hourlyFor(silver, options, ["consommation"], [], []));
}

/**
 * Weekday vs weekend mean profiles, with the weekend effect (%).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { weekdayWeekendFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-04T12:00:00Z")], consommation: [60000] });
 * assert.equal(weekdayWeekendFigure(silver).data[0].name, "Week-end (sam.–dim.)");
 * ```
 */
export function weekdayWeekendFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return weekdayWeekendSpec(hourlyFor(silver, options, ["consommation"], [], []));
}

/**
 * Wind production, onshore and offshore stacked (total `eolien` for files before the split).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { windFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")],
 *   eolien_terrestre: [9000], eolien_offshore: [1000] });
 * assert.equal(windFigure(silver).data.length, 2);
 * ```
 */
export function windFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return windSpec(hourlyFor(silver, options, [], [WIND_KEYS], []), options);
}

/**
 * Solar production by local hour, one line per month.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { solarProfileFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-06-01T10:00:00Z")], solaire: [15000] });
 * assert.equal(solarProfileFigure(silver).data[0].name, "juin 2025");
 * ```
 */
export function solarProfileFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return solarProfileSpec(hourlyFor(silver, options, ["solaire"], [], []));
}

/**
 * Share of renewables in production over time (hourly up to `maxHourlyDays`, default 31, then
 * daily energy shares with a 7-day rolling mean).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { renewableShareFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], nucleaire: [30000], eolien: [10000] });
 * assert.equal((renewableShareFigure(silver).data[0].y as number[])[0], 25);
 * ```
 */
export function renewableShareFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return renewableShareSpec(hourlyFor(silver, options, [], [RENEWABLE_KEYS], SOURCE_KEYS), options);
}

/**
 * Commercial exchanges per border (imports up, exports down, net balance), and the physical
 * balance (`ech_physiques`, all borders) in the subtitle when known. Takes silver (the
 * `ech_comm_*` columns, > 0 import) or the gold table `echanges_internationaux` (`pays`,
 * `import_total_mwh`, `export_total_mwh`, optional `date`, `perimetre`, and its `Total` rows
 * with `solde_physique_mwh`); exports count as outflows whatever their sign in the gold table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { exchangesFigure } from "./figures.ts";
 * const gold = pl.DataFrame({ date: ["2025-01-01", "2025-01-01"], pays: ["UK", "Espagne"],
 *   import_total_mwh: [1000, 0], export_total_mwh: [-20000, -5000] });
 * const fig = exchangesFigure(gold);
 * assert.deepEqual(fig.data[1].y, [-20, -5]); // GWh
 * ```
 */
export function exchangesFigure(table: pl.DataFrame, options: FigureOptions = {}): Figure {
  if (!table.columns.includes("pays")) {
    const h = hourlyFor(table, options, [], [COUNTRIES.map((c) => c.key)], ["ech_physiques"]);
    return exchangesSpec(borderTotals(h), h.perimeter, periodLabel(h.days), physicalBalance(h));
  }
  const name = options.table ?? "echanges_internationaux";
  requireColumns(table, name, ["pays", "import_total_mwh", "export_total_mwh"]);
  const chosen = chooseSeries(table, name, options);
  const { perimeter } = chosen;
  // The `Total` row sums the borders (not to be added again) and carries the physical balance.
  const total = chosen.frame.filter(pl.col("pays").eq(pl.lit("Total")));
  const frame = chosen.frame.filter(pl.col("pays").neq(pl.lit("Total")));
  const physical = total.columns.includes("solde_physique_mwh") &&
      total.getColumn("solde_physique_mwh").nullCount() < total.height
    ? Number(total.getColumn("solde_physique_mwh").sum())
    : null;
  const sums = frame.groupBy("pays").agg(
    pl.col("import_total_mwh").cast(pl.Float64).sum().alias("imp"),
    pl.col("export_total_mwh").cast(pl.Float64).abs().sum().alias("exp"),
  ).toRecords() as { pays: string; imp: number; exp: number }[];
  const unknown = sums.filter((s) => !COUNTRIES.some((c) => c.country === s.pays));
  if (unknown.length > 0) {
    throw new VizInputError(
      `${name}: unknown pays ${unknown.map((s) => `'${s.pays}'`).join(", ")} (expected ${
        COUNTRIES.map((c) => c.country).join(", ")
      })`,
    );
  }
  const borders: BorderTotal[] = COUNTRIES.flatMap((c) => {
    const s = sums.find((x) => x.pays === c.country);
    return s
      ? [{
        country: c.country,
        label: c.label,
        color: c.color,
        importMwh: s.imp,
        exportMwh: -s.exp,
      }]
      : [];
  });
  const dates = frame.columns.includes("date")
    ? (frame.getColumn("date").cast(pl.Utf8).unique().sort().toArray() as string[])
    : [];
  return exchangesSpec(borders, perimeter, periodLabel(dates), physical);
}

/**
 * Energy flows (Sankey): sources, imports and battery discharge -> grid -> consumption,
 * exports, pumping, battery charge; a balance residual as its own node.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { sankeyFigure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")],
 *   consommation: [50000], nucleaire: [50000] });
 * assert.equal(sankeyFigure(silver).data[0].type, "sankey");
 * ```
 */
export function sankeyFigure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  const h = hourlyFor(silver, options, ["consommation"], [SOURCE_KEYS], [
    "ech_physiques",
    "pompage",
    "stockage_batterie",
    "destockage_batterie",
  ]);
  return sankeySpec(h);
}

/**
 * CO2 intensity of production over time (hourly up to `maxHourlyDays`, default 31, then daily
 * production-weighted means with the daily range).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { co2Figure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], taux_co2: [25] });
 * assert.equal((co2Figure(silver).data[0].y as number[])[0], 25);
 * ```
 */
export function co2Figure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return co2Spec(hourlyFor(silver, options, [], [CO2_KEYS], SOURCE_KEYS), options);
}

/**
 * Mix vs CO2 intensity: fossil share on x, CO2 on y, renewable share as colour, least-squares
 * line, Pearson's r of each family's share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { mixCo2Figure } from "./figures.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")],
 *   taux_co2: [25], nucleaire: [45000], gaz: [5000] });
 * assert.equal((mixCo2Figure(silver).data[0].x as number[])[0], 10);
 * ```
 */
export function mixCo2Figure(silver: pl.DataFrame, options: FigureOptions = {}): Figure {
  return mixCo2ScatterSpec(hourlyFor(silver, options, [], [CO2_KEYS, SOURCE_KEYS], []), options);
}

/** Options of the prediction builders. */
export interface PredictionFigureOptions extends PredictionOptions {
  /** Longest period (days) drawn at the native step; longer ones are daily means (default 31). */
  readonly maxDetailDays?: number;
}

/**
 * ML predictions against actual consumption, one line per (model, horizon), MAPE of each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { predictionsFigure } from "./figures.ts";
 * const predictions = pl.DataFrame({ timestamp: [new Date("2025-01-01T12:00:00Z")],
 *   model: ["gbdt"], prediction: [61000], actual: [60000] });
 * assert.equal(predictionsFigure(predictions).data[1].name, "gradient boosting");
 * ```
 */
export function predictionsFigure(
  predictions: pl.DataFrame,
  options: PredictionFigureOptions = {},
): Figure {
  return predictionsSpec(toPredictionData(predictions, options), options);
}

/**
 * Histogram of forecast errors (prediction - actual, MW) per (model, horizon).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { errorHistogramFigure } from "./figures.ts";
 * const predictions = pl.DataFrame({ timestamp: [new Date("2025-01-01T12:00:00Z")],
 *   prediction: [61000], actual: [60000] });
 * assert.equal((errorHistogramFigure(predictions).data[0].x as number[])[0], 1000);
 * ```
 */
export function errorHistogramFigure(
  predictions: pl.DataFrame,
  options: PredictionOptions = {},
): Figure {
  return errorHistogramSpec(toPredictionData(predictions, options));
}

/**
 * Mean absolute forecast error by local hour, per (model, horizon).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { errorByHourFigure } from "./figures.ts";
 * const predictions = pl.DataFrame({ timestamp: [new Date("2025-01-01T12:00:00Z")],
 *   prediction: [61000], actual: [60000] });
 * assert.equal((errorByHourFigure(predictions).data[0].x as number[])[0], 13); // CET
 * ```
 */
export function errorByHourFigure(
  predictions: pl.DataFrame,
  options: PredictionOptions = {},
): Figure {
  return errorByHourSpec(toPredictionData(predictions, options));
}

/**
 * Feature importance as horizontal bars, the `top` (default 20) most important features.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { importanceFigure } from "./figures.ts";
 * const imp = pl.DataFrame({ feature: ["heure", "lag_24h"], importance: [0.2, 0.7] });
 * assert.deepEqual(importanceFigure(imp).data[0].y, ["heure", "lag_24h"]);
 * ```
 */
export function importanceFigure(
  importance: pl.DataFrame,
  options: { unit?: string; top?: number } = {},
): Figure {
  return importanceSpec(toImportanceData(importance, options.unit), options);
}
