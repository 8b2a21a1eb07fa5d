/**
 * Benchmarks of the figures and the dashboard on the real 2025 real-time file (silver of
 * January 1 to July 25, 19,700 15-minute rows), with two naive models' predictions on its last
 * 20 % and a feature-importance table. Run: `deno bench -A lib/bench/viz_bench.ts`.
 *
 * Sizes (dashboard bytes, its data part, the notebook bundle) are printed once at start: a
 * size is not a time.
 *
 * @module
 */

import pl from "nodejs-polars";
import { dashboardFigures } from "../viz/_core_dashboard.ts";
import { buildDashboard, dashboardData } from "../viz/dashboard.ts";
import { co2Figure, consumptionFigure, heatmapFigure, sankeyFigure } from "../viz/figures.ts";
import { toHourly } from "../viz/hourly.ts";
import { figureBundle } from "../viz/notebook.ts";
import { FigureRenderer } from "../viz/render.ts";
import { persistencePredictions, realSilver2025 } from "../viz/_testdata.ts";

const silver = realSilver2025();
const tables = {
  silver,
  predictions: persistencePredictions(silver),
  featureImportance: pl.DataFrame({
    feature: ["lag_24h", "heure", "jour_semaine", "temperature", "lag_168h"],
    importance: [0.42, 0.21, 0.12, 0.18, 0.07],
  }),
};
const html = buildDashboard(tables);
const data = JSON.stringify(dashboardData(tables));
const payload = html.match(/id="donnees">([^<]+)</)?.[1].length ?? 0;
const bundle = figureBundle(consumptionFigure(silver), { includePlotly: true });
console.log(
  `silver rows: ${silver.height}\n` +
    `dashboard: ${(html.length / 1e6).toFixed(2)} MB (data: ${(data.length / 1e6).toFixed(2)} MB ` +
    `JSON, ${(payload / 1e6).toFixed(2)} MB gzip+base64 in the page)\n` +
    `notebook bundle, first figure (plotly inlined): ${
      ((bundle["text/html"] as string).length / 1e6).toFixed(2)
    } MB; next figures: ${
      ((figureBundle(consumptionFigure(silver))["text/html"] as string).length / 1e3).toFixed(0)
    } kB`,
);

Deno.bench("hourly means of silver (2025, 15 min -> 1 h)", { group: "data" }, () => {
  toHourly(silver);
});

Deno.bench("dashboard data (hourly, predictions, importance)", { group: "data" }, () => {
  dashboardData(tables);
});

Deno.bench("buildDashboard: the whole HTML (2025)", { group: "dashboard", baseline: true }, () => {
  buildDashboard(tables);
});

const prepared = dashboardData(tables);
Deno.bench("every dashboard figure, whole period (the page's redraw work)", {
  group: "dashboard",
}, () => {
  dashboardFigures(prepared, "", "");
});

Deno.bench("notebook figures from silver: consumption, heatmap, Sankey, CO2", {
  group: "figures",
}, () => {
  consumptionFigure(silver);
  heatmapFigure(silver);
  sankeyFigure(silver);
  co2Figure(silver);
});

const renderer = await FigureRenderer.launch();
const figure = consumptionFigure(silver);
Deno.bench("PNG export of one figure (browser and plotly already loaded)", {
  group: "png",
}, async () => {
  await renderer.png(figure);
});
globalThis.addEventListener("unload", () => void renderer.close());
