/**
 * Portable core, part 6: the dated events of the dashboard (same inlining rules as
 * `_core_data.ts`): anomaly events and episodes of massive import or export, as tables that
 * follow the chosen dates, and the mix class forecast for the hours after the last measurement.
 *
 * @module
 */

import type { Figure } from "./_core_data.ts";
import { baseLayout, emptyFigure, formatLocal, formatValue } from "./_core_format.ts";

/**
 * Anomaly events of one perimeter (`evenements_anomalies`), columnar and JSON-able. Times are
 * Paris local `YYYY-MM-DD HH:MM`.
 */
export interface AnomalyEventData {
  readonly start: readonly string[];
  readonly end: readonly string[];
  /** Instant of the largest score. */
  readonly peak: readonly string[];
  /** French label of the deviation ("creux de consommation inhabituel"). */
  readonly label: readonly string[];
  /** Energy deviation over the event (MWh, signed). */
  readonly deviationMwh: readonly number[];
  /** Deviation at the peak (MW, signed). */
  readonly peakDeviationMw: readonly number[];
  /** Holiday or bridge day touched, or null. */
  readonly cause: readonly (string | null)[];
}

/**
 * Episodes of massive import or export of one perimeter (`episodes_echanges`), columnar and
 * JSON-able. Times are Paris local `YYYY-MM-DD HH:MM`.
 */
export interface ExchangeEpisodeData {
  readonly start: readonly string[];
  readonly end: readonly string[];
  /** French label: "export vers l'Italie", "import, toutes frontières". */
  readonly label: readonly string[];
  readonly durationHours: readonly number[];
  /** Energy over the episode (MWh, > 0 import). */
  readonly energyMwh: readonly number[];
  /** Hourly balance of largest magnitude (MW, signed). */
  readonly maxPowerMw: readonly number[];
  /** Threshold on |hourly balance| of the series (MW). */
  readonly thresholdMw: readonly number[];
}

/**
 * The classifier's forecast of the class of the renewable share for the hours after the last
 * measured instant (`predictions_mix`, rows `periode = "prevision"`), columnar and JSON-able,
 * sorted by horizon.
 */
export interface MixForecastData {
  /** French name of the class scheme shown, or null when the table has no forecast row. */
  readonly schema: string | null;
  /** Hours after the last measured instant. */
  readonly horizonHours: readonly number[];
  /** Target instant, Paris local `jj/mm/aaaa hh:mm`. */
  readonly instant: readonly string[];
  /** Predicted class label (`30-50 %`, `bas (<25,3 %)`). */
  readonly predictedClass: readonly string[];
}

/**
 * Indices of the events that overlap the local dates [`from`, `to`] (empty bound: open).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventsBetween } from "./_core_events.ts";
 * const starts = ["2025-05-01 00:45", "2025-07-01 09:30"];
 * const ends = ["2025-05-02 13:00", "2025-07-01 23:15"];
 * assert.deepEqual(eventsBetween(starts, ends, "2025-05-02", ""), [0, 1]);
 * assert.deepEqual(eventsBetween(starts, ends, "2025-05-03", "2025-06-30"), []);
 * ```
 */
export function eventsBetween(
  starts: readonly string[],
  ends: readonly string[],
  from: string,
  to: string,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    if (
      (to === "" || starts[i].slice(0, 10) <= to) && (from === "" || ends[i].slice(0, 10) >= from)
    ) {
      out.push(i);
    }
  }
  return out;
}

/**
 * A plotly table (French header, one array of cell texts per column), or a figure saying why
 * there is no row.
 */
function tableFigure(
  title: string,
  subtitle: string,
  header: readonly string[],
  columns: readonly (readonly string[])[],
  widths: readonly number[],
): Figure {
  return {
    data: [{
      type: "table",
      columnwidth: widths,
      header: {
        values: header.map((h) => "<b>" + h + "</b>"),
        align: "left",
        fill: { color: "#EEF2F7" },
        font: { size: 12, color: "#22223B" },
      },
      cells: {
        values: columns,
        align: "left",
        height: 26,
        font: { size: 12, color: "#22223B" },
        line: { color: "#E3E5EA" },
      },
    }],
    layout: baseLayout(title, subtitle, { margin: { l: 10, r: 10, t: 80, b: 10 } }),
  };
}

/**
 * The largest anomaly events (by energy deviation, at most `top`, default 10) overlapping the
 * local dates [`from`, `to`], as a table; `null` data: a figure saying the table was not given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anomalyEventsSpec } from "./_core_events.ts";
 * const e = { start: ["2025-05-01 00:45"], end: ["2025-05-02 13:00"], peak: ["2025-05-01 08:15"],
 *   label: ["creux de consommation inhabituel"], deviationMwh: [-263094], peakDeviationMw: [-15000],
 *   cause: ["jour férié (jeudi 1er mai 2025)"] };
 * const fig = anomalyEventsSpec(e, "", "");
 * const cells = (fig.data[0].cells as { values: string[][] }).values;
 * assert.equal(cells[0][0], "01/05/2025 00:45");
 * assert.equal(cells[3][0], "\u2212263,1");
 * assert.equal(anomalyEventsSpec(e, "2025-06-01", "").data.length, 0);
 * ```
 */
export function anomalyEventsSpec(
  e: AnomalyEventData | null,
  from: string,
  to: string,
  top?: number,
): Figure {
  const title = "Événements anormaux";
  if (e === null) {
    return emptyFigure(title, "Table evenements_anomalies non fournie au tableau de bord");
  }
  const rows = eventsBetween(e.start, e.end, from, to)
    .sort((a, b) => Math.abs(e.deviationMwh[b]) - Math.abs(e.deviationMwh[a]))
    .slice(0, top ?? 10);
  if (rows.length === 0) {
    return emptyFigure(title, "Aucun événement anormal sur la période choisie");
  }
  const label = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return tableFigure(
    title,
    "classés par écart d'énergie à la normale (" + rows.length + " sur la période choisie, " +
      "10 au plus), heures de Paris",
    ["début", "fin", "événement", "écart (GWh)", "écart au pic (MW)", "pic", "cause probable"],
    [
      rows.map((i) => formatLocal(e.start[i])),
      rows.map((i) => formatLocal(e.end[i])),
      rows.map((i) => label(e.label[i])),
      rows.map((i) => formatValue(e.deviationMwh[i] / 1000, 1)),
      rows.map((i) => formatValue(e.peakDeviationMw[i], 0)),
      rows.map((i) => formatLocal(e.peak[i])),
      rows.map((i) => e.cause[i] ?? "aucun jour férié ni pont"),
    ],
    [1.2, 1.2, 2.2, 0.8, 0.9, 1.2, 2.6],
  );
}

/**
 * The largest episodes of massive import or export (by energy, at most `top`, default 10)
 * overlapping the local dates [`from`, `to`], as a table; `null` data: a figure saying the
 * table was not given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exchangeEpisodesSpec } from "./_core_events.ts";
 * const e = { start: ["2025-01-08 16:00"], end: ["2025-01-09 12:00"],
 *   label: ["export, toutes frontières"], durationHours: [20], energyMwh: [-325516],
 *   maxPowerMw: [-17605], thresholdMw: [14662] };
 * const cells = (exchangeEpisodesSpec(e, "", "").data[0].cells as { values: string[][] }).values;
 * assert.deepEqual(cells.map((c) => c[0]), [
 *   "08/01/2025 16:00", "09/01/2025 12:00", "Export, toutes frontières", "20", "\u2212325,5",
 *   "\u221217\u202f605", "14\u202f662",
 * ]);
 * ```
 */
export function exchangeEpisodesSpec(
  e: ExchangeEpisodeData | null,
  from: string,
  to: string,
  top?: number,
): Figure {
  const title = "Épisodes d'import ou d'export massifs";
  if (e === null) {
    return emptyFigure(title, "Table episodes_echanges non fournie au tableau de bord");
  }
  const rows = eventsBetween(e.start, e.end, from, to)
    .sort((a, b) => Math.abs(e.energyMwh[b]) - Math.abs(e.energyMwh[a]))
    .slice(0, top ?? 10);
  if (rows.length === 0) return emptyFigure(title, "Aucun épisode sur la période choisie");
  return tableFigure(
    title,
    "classés par énergie échangée (" + rows.length + " sur la période choisie, 10 au plus), " +
      "heures de Paris ; > 0 import, < 0 export",
    ["début", "fin", "épisode", "durée (h)", "énergie (GWh)", "max (MW)", "seuil (MW)"],
    [
      rows.map((i) => formatLocal(e.start[i])),
      rows.map((i) => formatLocal(e.end[i])),
      rows.map((i) => e.label[i].charAt(0).toUpperCase() + e.label[i].slice(1)),
      rows.map((i) => formatValue(e.durationHours[i], 0)),
      rows.map((i) => formatValue(e.energyMwh[i] / 1000, 1)),
      rows.map((i) => formatValue(e.maxPowerMw[i], 0)),
      rows.map((i) => formatValue(e.thresholdMw[i], 0)),
    ],
    [1.2, 1.2, 2.2, 0.7, 0.9, 0.8, 0.8],
  );
}

/**
 * The mix class forecast of the next hours as a table (horizon, Paris instant, class). It does
 * not follow the chosen dates: it always concerns the hours after the last measurement. `null`
 * data, or data without a row: a figure saying why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixForecastSpec } from "./_core_events.ts";
 * const f = { schema: "classes du cahier des charges", horizonHours: [1, 2],
 *   instant: ["25/07/2025 23:00", "26/07/2025 00:00"], predictedClass: ["<30 %", "30-50 %"] };
 * const cells = (mixForecastSpec(f).data[0].cells as { values: string[][] }).values;
 * assert.deepEqual(cells, [["1", "2"], ["25/07/2025 23:00", "26/07/2025 00:00"],
 *   ["<30 %", "30-50 %"]]);
 * assert.equal(mixForecastSpec(null).data.length, 0);
 * ```
 */
export function mixForecastSpec(f: MixForecastData | null): Figure {
  const title = "Mix des prochaines heures";
  if (f === null) return emptyFigure(title, "Table predictions_mix non fournie au tableau de bord");
  if (f.horizonHours.length === 0) {
    return emptyFigure(title, "Aucune prévision du mix après la dernière mesure");
  }
  return tableFigure(
    title,
    "classe de la part renouvelable de la production nationale prévue par le gradient boosting " +
      "(" + f.schema + ") après le dernier instant mesuré, heures de Paris",
    ["échéance (h)", "instant", "classe de la part renouvelable"],
    [f.horizonHours.map((h) => formatValue(h, 0)), f.instant, f.predictedClass],
    [0.8, 1.4, 2.4],
  );
}

/**
 * The module's private helpers, which the dashboard page declares beside the exported specs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EVENT_HELPERS } from "./_core_events.ts";
 * assert.ok(EVENT_HELPERS.every((f) => typeof f === "function"));
 * ```
 */
export const EVENT_HELPERS: readonly ((...args: never[]) => unknown)[] = [tableFigure];
