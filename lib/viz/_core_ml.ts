/**
 * Portable core, part 4: figures of the forecasting models (same inlining rules as
 * `_core_data.ts`): predictions against actual consumption, forecast errors (histogram, by
 * hour) and feature importance. Errors follow `lib/ml`'s convention: prediction - actual
 * (> 0: over-forecast).
 *
 * @module
 */

import { COLORS } from "./palette.ts";
import type { Figure } from "./_core_data.ts";
import { band } from "./_core_figures.ts";
import { baseLayout, emptyFigure, formatValue, periodLabel, timeAxes } from "./_core_format.ts";

/** Predictions of one model at one horizon, columnar. */
export interface PredictionSeries {
  /** Model identifier (`gbdt`, `ridge`, `RTE`...). */
  readonly model: string;
  /** The model's name for a reader (`gradient boosting`: `modelName` of `lib/notebook/labels.ts`). */
  readonly name: string;
  /** Horizon (`1h`, `J-1`...); empty when the frame has none. */
  readonly horizon: string;
  /** Per row: index into {@linkcode PredictionData.days} (local date). */
  readonly day: readonly number[];
  /** Per row: local minutes since midnight of the target instant. */
  readonly minute: readonly number[];
  /** Predicted value (MW). */
  readonly prediction: readonly number[];
  /** Actual value (MW); null for an instant not measured yet. */
  readonly actual: readonly (number | null)[];
  /** P10 and P90 of the forecast (MW), when the model gives an interval; null per row where not. */
  readonly p10?: readonly (number | null)[];
  readonly p90?: readonly (number | null)[];
}

/** Predictions of every model, sharing one list of local dates. */
export interface PredictionData {
  /** Local dates present, ascending. */
  readonly days: readonly string[];
  /** One entry per (model, horizon), rows in time order. */
  readonly series: readonly PredictionSeries[];
}

/** Feature importance, columnar: one row per (model, feature). */
export interface ImportanceData {
  /** Feature names. */
  readonly feature: readonly string[];
  /** Importance values (any scale: gain, permutation MAE increase...). */
  readonly importance: readonly number[];
  /** Model of each row, named for a reader (one model when the table has no `model` column). */
  readonly model: readonly string[];
  /** What the values measure, for the axis title. */
  readonly unit: string;
}

/**
 * The series name shown in legends: the model's name for a reader, then its horizon (a model
 * given the observed temperature of the day it forecasts says so in its name: an upper bound).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesName } from "./_core_ml.ts";
 * assert.equal(
 *   seriesName({ name: "gradient boosting", horizon: "J-1" } as never),
 *   "gradient boosting (J-1)",
 * );
 * assert.equal(seriesName({ name: "ridge", horizon: "" } as never), "ridge");
 * ```
 */
export function seriesName(s: PredictionSeries): string {
  return s.horizon === "" ? s.name : s.name + " (" + s.horizon + ")";
}

/**
 * The rows of every series whose local date lies in [`from`, `to`] (empty bound: open).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slicePredictions } from "./_core_ml.ts";
 * const p = { days: ["2025-01-01", "2025-01-02"], series: [{ model: "m", name: "m",
 *   horizon: "", day: [0, 1], minute: [0, 0], prediction: [1, 2], actual: [1, 3] }] };
 * const s = slicePredictions(p, "2025-01-02", "2025-01-02");
 * assert.deepEqual(s.days, ["2025-01-02"]);
 * assert.deepEqual(s.series[0].actual, [3]);
 * ```
 */
export function slicePredictions(p: PredictionData, from: string, to: string): PredictionData {
  let first = 0;
  while (first < p.days.length && from !== "" && p.days[first] < from) first++;
  let last = p.days.length - 1;
  while (last >= first && to !== "" && p.days[last] > to) last--;
  return {
    days: p.days.slice(first, last + 1),
    series: p.series.map((s) => {
      const rows: number[] = [];
      s.day.forEach((d, i) => {
        if (d >= first && d <= last) rows.push(i);
      });
      const quantiles = s.p10 && s.p90
        ? { p10: rows.map((i) => s.p10![i]), p90: rows.map((i) => s.p90![i]) }
        : {};
      return {
        model: s.model,
        name: s.name,
        horizon: s.horizon,
        day: rows.map((i) => s.day[i] - first),
        minute: rows.map((i) => s.minute[i]),
        prediction: rows.map((i) => s.prediction[i]),
        actual: rows.map((i) => s.actual[i]),
        ...quantiles,
      };
    }),
  };
}

/**
 * MAE, bias (mean of prediction - actual) and MAPE (%, rows with a non-zero actual) of a
 * series over the rows with an actual value; nulls when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorStats } from "./_core_ml.ts";
 * const e = errorStats({ prediction: [110, 90], actual: [100, 100] } as never);
 * assert.equal(e.mae, 10);
 * assert.equal(e.bias, 0);
 * assert.equal(e.mape, 10);
 * ```
 */
export function errorStats(
  s: PredictionSeries,
): { mae: number | null; bias: number | null; mape: number | null } {
  let n = 0;
  let abs = 0;
  let sum = 0;
  let pct = 0;
  let nPct = 0;
  for (let i = 0; i < s.prediction.length; i++) {
    const a = s.actual[i];
    if (a === null) continue;
    const e = s.prediction[i] - a;
    n++;
    abs += Math.abs(e);
    sum += e;
    if (a !== 0) {
      pct += Math.abs(e / a);
      nPct++;
    }
  }
  if (n === 0) return { mae: null, bias: null, mape: null };
  return { mae: abs / n, bias: sum / n, mape: nPct > 0 ? (100 * pct) / nPct : null };
}

/**
 * The errors (prediction - actual, MW) of the rows of a series that have an actual value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorsOf } from "./_core_ml.ts";
 * assert.deepEqual(errorsOf({ prediction: [5, 7], actual: [4, null] } as never), [1]);
 * ```
 */
export function errorsOf(s: PredictionSeries): number[] {
  const out: number[] = [];
  s.prediction.forEach((v, i) => {
    const a = s.actual[i];
    if (a !== null) out.push(v - a);
  });
  return out;
}

/**
 * Share (%) of the rows with an actual value and an interval whose actual value lies in
 * [P10, P90]; null without such rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intervalCoverageOf } from "./_core_ml.ts";
 * const s = { actual: [100, 100, null], p10: [99, 101, 90], p90: [102, 103, 110] };
 * assert.equal(intervalCoverageOf(s as never), 50);
 * ```
 */
export function intervalCoverageOf(s: PredictionSeries): number | null {
  if (!s.p10 || !s.p90) return null;
  let n = 0;
  let inside = 0;
  s.actual.forEach((a, i) => {
    const low = s.p10![i];
    const high = s.p90![i];
    if (a === null || low === null || high === null) return;
    n++;
    if (a >= low && a <= high) inside++;
  });
  return n > 0 ? (100 * inside) / n : null;
}

/** The colour of the k-th series: RTE's forecasts keep their palette colours. */
function seriesColor(s: PredictionSeries, k: number): string {
  if (s.model === "RTE") return s.horizon === "J" ? COLORS.prevision_j : COLORS.prevision_j1;
  return COLORS.models[k % COLORS.models.length];
}

/**
 * Predictions against actual consumption: each row when the period is at most
 * `maxDetailDays` days, else daily means; MAPE of each series in the subtitle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { predictionsSpec } from "./_core_ml.ts";
 * const p = { days: ["2025-01-01"], series: [{ model: "gbdt", name: "gradient boosting",
 *   horizon: "h1", day: [0, 0], minute: [0, 60], prediction: [110, 90], actual: [100, 100] }] };
 * const fig = predictionsSpec(p);
 * assert.deepEqual(fig.data.map((t) => t.name), [
 *   "Consommation réalisée",
 *   "gradient boosting (h1)",
 * ]);
 * assert.equal((fig.data[0].x as string[])[1], "2025-01-01 01:00");
 * ```
 */
export function predictionsSpec(
  p: PredictionData,
  options: { maxDetailDays?: number } = {},
): Figure {
  const title = "Prévisions de consommation et réalisé";
  const present = p.series.filter((s) => s.prediction.length > 0);
  if (present.length === 0) return emptyFigure(title, "Aucune prévision sur la période choisie");
  const detail = p.days.length <= (options.maxDetailDays ?? 31);
  const points = (s: PredictionSeries, values: readonly (number | null)[]) => {
    if (detail) {
      return {
        x: s.day.map((d, i) => {
          const m = s.minute[i];
          const hh = Math.floor(m / 60);
          const mm = m % 60;
          return p.days[d] + " " + (hh < 10 ? "0" : "") + hh + ":" + (mm < 10 ? "0" : "") + mm;
        }),
        y: values.slice(),
      };
    }
    const sum = new Array(p.days.length).fill(0);
    const count = new Array(p.days.length).fill(0);
    s.day.forEach((d, i) => {
      const v = values[i];
      if (v === null) return;
      sum[d] += v;
      count[d]++;
    });
    const x: string[] = [];
    const y: number[] = [];
    sum.forEach((v, d) => {
      if (count[d] > 0) {
        x.push(p.days[d]);
        y.push(v / count[d]);
      }
    });
    return { x, y };
  };
  const reference = present.reduce((a, b) => (b.actual.length > a.actual.length ? b : a));
  const actual = points(reference, reference.actual);
  const data: Record<string, unknown>[] = [{
    type: "scatter",
    mode: "lines",
    name: "Consommation réalisée",
    x: actual.x,
    y: actual.y,
    line: { color: COLORS.consommation, width: 2 },
    hovertemplate: "%{y} MW",
  }];
  present.forEach((s, k) => {
    // The P10-P90 band under the model's line.
    if (s.p10 && s.p90 && s.p10.some((v) => v !== null)) {
      const low = points(s, s.p10);
      const high = points(s, s.p90);
      data.push(...band(low.x, low.y, high.y, "P10-P90 " + seriesName(s), seriesColor(s, k)));
    }
    const pts = points(s, s.prediction);
    data.push({
      type: "scatter",
      mode: "lines",
      name: seriesName(s),
      x: pts.x,
      y: pts.y,
      line: { color: seriesColor(s, k), width: 1.3, dash: s.model === "RTE" ? "dot" : "solid" },
      hovertemplate: "%{y} MW",
    });
  });
  const mapes = present.map((s) => {
    const coverage = intervalCoverageOf(s);
    return seriesName(s) + " " + formatValue(errorStats(s).mape, 2) + " %" +
      (coverage === null ? "" : " (P10-P90 : " + formatValue(coverage, 0) + " % couverts)");
  });
  return {
    data,
    layout: baseLayout(
      title,
      [
        periodLabel(p.days),
        detail ? "pas natif" : "moyennes journalières",
        "MAPE : " + mapes.join(", "),
      ]
        .join(" · "),
      timeAxes("Puissance (MW)"),
    ),
  };
}

/**
 * Distribution of forecast errors (prediction - actual, MW), one overlaid histogram per series,
 * MAE and bias in the subtitle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorHistogramSpec } from "./_core_ml.ts";
 * const p = { days: ["2025-01-01"], series: [{ model: "gbdt", name: "gradient boosting",
 *   horizon: "", day: [0, 0], minute: [0, 60], prediction: [110, 90], actual: [100, 100] }] };
 * assert.deepEqual(errorHistogramSpec(p).data[0].x, [10, -10]);
 * ```
 */
export function errorHistogramSpec(p: PredictionData): Figure {
  const title = "Distribution des erreurs de prévision";
  const present = p.series.filter((s) => s.prediction.length > 0);
  if (present.length === 0) return emptyFigure(title, "Aucune prévision sur la période choisie");
  const stats = present.map((s) => {
    const e = errorStats(s);
    return seriesName(s) + " : EAM " + formatValue(e.mae, 0) + " MW, biais " +
      formatValue(e.bias, 0) +
      " MW";
  });
  return {
    data: present.map((s, k) => ({
      type: "histogram",
      name: seriesName(s),
      x: errorsOf(s),
      opacity: 0.55,
      nbinsx: 60,
      marker: { color: seriesColor(s, k) },
      hovertemplate: "%{x} MW : %{y} pas<extra>" + seriesName(s) + "</extra>",
    })),
    layout: baseLayout(title, periodLabel(p.days) + " · " + stats.join(" ; "), {
      barmode: "overlay",
      xaxis: {
        title: { text: "Erreur = prévision − réalisé (MW), > 0 : surestimation" },
        gridcolor: "#ECECEC",
      },
      yaxis: { title: { text: "Nombre de pas de temps" }, gridcolor: "#ECECEC" },
    }),
  };
}

/**
 * Mean absolute error by local hour of the target instant, one line per series.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorByHourSpec } from "./_core_ml.ts";
 * const p = { days: ["2025-01-01"], series: [{ model: "gbdt", name: "gradient boosting",
 *   horizon: "", day: [0, 0, 0], minute: [0, 30, 60], prediction: [110, 96, 90],
 *   actual: [100, 100, 100] }] };
 * const fig = errorByHourSpec(p);
 * assert.deepEqual(fig.data[0].y, [7, 10]);
 * ```
 */
export function errorByHourSpec(p: PredictionData): Figure {
  const title = "Erreur absolue moyenne selon l'heure";
  const present = p.series.filter((s) => s.prediction.length > 0);
  if (present.length === 0) return emptyFigure(title, "Aucune prévision sur la période choisie");
  const data = present.map((s, k) => {
    const sum = new Array(24).fill(0);
    const count = new Array(24).fill(0);
    s.minute.forEach((m, i) => {
      const a = s.actual[i];
      if (a === null) return;
      const hour = Math.floor(m / 60);
      sum[hour] += Math.abs(s.prediction[i] - a);
      count[hour]++;
    });
    const x: number[] = [];
    const y: number[] = [];
    for (let hour = 0; hour < 24; hour++) {
      if (count[hour] === 0) continue;
      x.push(hour);
      y.push(sum[hour] / count[hour]);
    }
    return {
      type: "scatter",
      mode: "lines+markers",
      name: seriesName(s),
      x,
      y,
      line: { color: seriesColor(s, k), width: 2 },
      marker: { size: 5 },
      hovertemplate: "%{x} h : %{y} MW",
    };
  });
  return {
    data,
    layout: baseLayout(title, periodLabel(p.days) + " · heure locale de l'instant prévu", {
      xaxis: {
        title: { text: "Heure locale (Europe/Paris)" },
        tickvals: [0, 3, 6, 9, 12, 15, 18, 21],
        ticktext: ["0 h", "3 h", "6 h", "9 h", "12 h", "15 h", "18 h", "21 h"],
        range: [-0.5, 23.5],
        gridcolor: "#ECECEC",
      },
      yaxis: {
        title: { text: "Erreur absolue moyenne (MW)" },
        rangemode: "tozero",
        gridcolor: "#ECECEC",
        hoverformat: ",.0f",
      },
      hovermode: "x unified",
    }),
  };
}

/**
 * Feature importance as horizontal bars, most important on top (the `top` features by mean
 * importance across models), one colour per model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importanceSpec } from "./_core_ml.ts";
 * const fig = importanceSpec({ feature: ["heure", "lag_24h"], importance: [0.2, 0.7],
 *   model: ["gradient boosting", "gradient boosting"], unit: "gain" });
 * assert.deepEqual(fig.data[0].y, ["heure", "lag_24h"]); // bottom to top
 * ```
 */
export function importanceSpec(imp: ImportanceData, options: { top?: number } = {}): Figure {
  const title = "Importance des variables";
  if (imp.feature.length === 0) return emptyFigure(title, "Aucune importance fournie");
  const models = Array.from(new Set(imp.model));
  const total: Record<string, number> = {};
  imp.feature.forEach((f, i) => {
    total[f] = (total[f] ?? 0) + imp.importance[i] / models.length;
  });
  const top = Object.keys(total).sort((a, b) => total[b] - total[a]).slice(0, options.top ?? 20);
  const order = top.slice().reverse();
  const data = models.map((m, k) => {
    const value: Record<string, number> = {};
    imp.feature.forEach((f, i) => {
      if (imp.model[i] === m) value[f] = imp.importance[i];
    });
    return {
      type: "bar",
      orientation: "h",
      name: m,
      y: order,
      x: order.map((f) => value[f] ?? null),
      marker: { color: COLORS.models[k % COLORS.models.length] },
      hovertemplate: "%{y} : %{x}<extra>" + m + "</extra>",
    };
  });
  const shown = top.length < Object.keys(total).length
    ? top.length + " variables les plus importantes sur " + Object.keys(total).length
    : top.length + " variables";
  return {
    data,
    layout: baseLayout(title, shown + " · " + models.join(", "), {
      barmode: "group",
      showlegend: models.length > 1,
      xaxis: {
        title: { text: "Importance (" + imp.unit + ")" },
        gridcolor: "#ECECEC",
        hoverformat: ".4g",
      },
      yaxis: { automargin: true },
      margin: { l: 160, r: 30, t: 80, b: 60 },
      height: Math.max(380, 120 + 22 * top.length * Math.max(1, models.length * 0.6)),
    }),
  };
}

/**
 * The module's private helpers, which the dashboard page declares beside the exported specs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ML_HELPERS } from "./_core_ml.ts";
 * assert.ok(ML_HELPERS.every((f) => typeof f === "function"));
 * ```
 */
export const ML_HELPERS: readonly ((...args: never[]) => unknown)[] = [seriesColor];
