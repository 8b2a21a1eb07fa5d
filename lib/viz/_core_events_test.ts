import assert from "node:assert/strict";
import { type MixForecastData, mixForecastSpec } from "./_core_events.ts";

const FORECAST: MixForecastData = {
  schema: "terciles",
  horizonHeures: [1, 2, 6],
  instant: ["25/07/2025 23:45", "26/07/2025 00:45", "26/07/2025 04:45"],
  classe: ["bas (<22,1 %)", "moyen (22,1-27,4 %)", "haut (>=27,4 %)"],
};

const annotation = (fig: ReturnType<typeof mixForecastSpec>) =>
  (fig.layout.annotations as { text: string }[])[0].text;

Deno.test("mix forecast panel: one row per horizon, French headers, the scheme in the subtitle", () => {
  const fig = mixForecastSpec(FORECAST);
  const table = fig.data[0] as { header: { values: string[] }; cells: { values: string[][] } };
  assert.deepEqual(table.header.values, [
    "<b>échéance (h)</b>",
    "<b>instant</b>",
    "<b>classe de la part renouvelable</b>",
  ]);
  assert.deepEqual(table.cells.values, [
    ["1", "2", "6"],
    [...FORECAST.instant],
    [...FORECAST.classe],
  ]);
  const title = fig.layout.title as { text: string; subtitle: { text: string } };
  assert.equal(title.text, "Mix des prochaines heures");
  assert.match(title.subtitle.text, /gradient boosting \(terciles\)/);
});

Deno.test("mix forecast panel: why there is no table", () => {
  const absent = mixForecastSpec(null);
  assert.equal(absent.data.length, 0);
  assert.equal(annotation(absent), "Table predictions_mix non fournie au tableau de bord");
  const none = mixForecastSpec({ schema: null, horizonHeures: [], instant: [], classe: [] });
  assert.equal(none.data.length, 0);
  assert.equal(annotation(none), "Aucune prévision du mix après la dernière mesure");
});
