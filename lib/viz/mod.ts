/**
 * Charts of French electricity data: plotly figures from the platform's tables, notebook
 * display, the offline dashboard and PNG/SVG export for the report.
 *
 * - **Figures** (`figures.ts`): one builder per chart of the brief, a nodejs-polars table in,
 *   a plotly figure (`{data, layout}`, plain JSON) out: consumption, mix, production by source,
 *   daily profile, day x hour heatmap, weekday vs weekend, wind (onshore/offshore), solar by
 *   hour, renewable share, exchanges by border, energy flows (Sankey), CO2 intensity, mix vs
 *   CO2, ML predictions, forecast errors (histogram, by hour), feature importance. French
 *   titles and units, one colour per source (`palette.ts`), long periods downsampled and said
 *   so. A table without the needed columns is a `VizInputError` naming them.
 * - **Hourly data** (`toHourly`): the duration-weighted hourly means every chart reads; reduce
 *   once and call the `*Spec` functions to draw many charts of the same data.
 * - **Notebooks** (`showFigure`, `figureBundle`): a MIME bundle that JupyterLab (with or without
 *   the plotly extension), the classic Notebook and nbconvert render live, with a PNG and a
 *   text fallback for untrusted reopening.
 * - **Dashboard** (`buildDashboard`, `writeDashboard`): one self-contained HTML page, eight
 *   sections, a date filter that redraws every chart (and the tables of events) in the page.
 * - **Images** (`FigureRenderer`, `exportFigures`): PNG/SVG through headless Chromium;
 *   `sharedRenderer` and `shareRenderer`: one browser per kernel, or per pipeline run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { consumptionSpec, mixPieFigure, toHourly } from "./mod.ts";
 * const silver = pl.DataFrame({
 *   timestamp_utc: [new Date("2025-01-01T00:00:00Z"), new Date("2025-01-01T01:00:00Z")],
 *   consommation: [70000, 68000], nucleaire: [50000, 49000], eolien: [8000, 9000],
 * });
 * const pie = mixPieFigure(silver);
 * assert.deepEqual(pie.data[0].labels, ["Nucléaire", "Éolien"]);
 * const h = toHourly(silver); // reduce once, draw several charts
 * assert.equal(consumptionSpec(h).data[0].name, "Consommation");
 * ```
 *
 * @module
 */

export type { Figure, HourlyData } from "./_core_data.ts";
export type { ImportanceData, PredictionData, PredictionSeries } from "./_core_ml.ts";
export type { DashboardData, Kpi } from "./_core_dashboard.ts";
export {
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
export {
  errorByHourSpec,
  errorHistogramSpec,
  importanceSpec,
  predictionsSpec,
} from "./_core_ml.ts";
export { dashboardFigures, dashboardKpis } from "./_core_dashboard.ts";
export {
  type AnomalyEventData,
  anomalyEventsSpec,
  type ExchangeEpisodeData,
  exchangeEpisodesSpec,
} from "./_core_events.ts";
export { type PriceData, priceSpec } from "./_core_prices.ts";
export type { SeriesChoice } from "./_frame.ts";
export * from "./dashboard.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./figures.ts";
export * from "./hourly.ts";
export * from "./ml.ts";
export * from "./notebook.ts";
export * from "./palette.ts";
export * from "./prices.ts";
export * from "./render.ts";
export * from "./shared_renderer.ts";
