import assert from "node:assert/strict";
import {
  type AnomalyEventData,
  anomalyEventsSpec,
  type ExchangeEpisodeData,
  exchangeEpisodesSpec,
  type MixForecastData,
  mixForecastSpec,
} from "./_core_events.ts";
import { toMixForecastData } from "./ml.ts";
import pl from "nodejs-polars";

const FORECAST: MixForecastData = {
  schema: "terciles",
  horizonHours: [1, 2, 6],
  instant: ["25/07/2025 23:45", "26/07/2025 00:45", "26/07/2025 04:45"],
  predictedClass: ["bas (<22,1 %)", "moyen (22,1-27,4 %)", "haut (>=27,4 %)"],
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
    [...FORECAST.predictedClass],
  ]);
  const title = fig.layout.title as { text: string; subtitle: { text: string } };
  assert.equal(title.text, "Mix des prochaines heures");
  assert.match(title.subtitle.text, /gradient boosting \(terciles\)/);
});

Deno.test("mix forecast panel: why there is no table", () => {
  const absent = mixForecastSpec(null);
  assert.equal(absent.data.length, 0);
  assert.equal(annotation(absent), "Table predictions_mix non fournie au tableau de bord");
  const none = mixForecastSpec({ schema: null, horizonHours: [], instant: [], predictedClass: [] });
  assert.equal(none.data.length, 0);
  assert.equal(annotation(none), "Aucune prévision du mix après la dernière mesure");
});

const EVENTS: AnomalyEventData = {
  start: ["2025-05-01 00:45", "2025-03-09 23:00"],
  end: ["2025-05-02 13:00", "2025-03-10 02:15"],
  peak: ["2025-05-01 08:15", "2025-03-10 00:30"],
  label: ["creux de consommation inhabituel", "pic de consommation inhabituel"],
  deviationMwh: [-263_094, 12_345],
  peakDeviationMw: [-15_000, 4_000],
  cause: ["jour férié (jeudi 1er mai 2025)", null],
};

const cellsOf = (fig: ReturnType<typeof mixForecastSpec>) =>
  (fig.data[0] as { cells: { values: string[][] } }).cells.values;

Deno.test("events and the next hours' mix: one date style, lib's Paris jj/mm/aaaa hh:mm", () => {
  const events = cellsOf(anomalyEventsSpec(EVENTS, "", ""));
  // Largest deviation first: 1 May, then 9-10 March.
  assert.deepEqual(events[0], ["01/05/2025 00:45", "09/03/2025 23:00"]);
  assert.deepEqual(events[1], ["02/05/2025 13:00", "10/03/2025 02:15"]);
  assert.deepEqual(events[5], ["01/05/2025 08:15", "10/03/2025 00:30"]);
  assert.deepEqual(events[3], ["\u2212263,1", "12,3"]);
  const episodes: ExchangeEpisodeData = {
    start: ["2025-01-08 16:00"],
    end: ["2025-01-09 12:00"],
    label: ["export, toutes frontières"],
    durationHours: [20],
    energyMwh: [-325_516],
    maxPowerMw: [-17_605],
    thresholdMw: [14_662],
  };
  const exchange = cellsOf(exchangeEpisodesSpec(episodes, "", ""));
  assert.deepEqual([exchange[0][0], exchange[1][0]], ["08/01/2025 16:00", "09/01/2025 12:00"]);
  // The mix panel's instants, from a predictions_mix table: the same style, to the character.
  const mix = toMixForecastData(
    pl.DataFrame({
      timestamp_utc: [new Date("2025-04-30T22:45:00Z")],
      horizon_heures: [1],
      periode: ["prevision"],
      schema: ["brief"],
      model: ["gbdt"],
      classe_predite: ["<30 %"],
    }),
  );
  assert.deepEqual(cellsOf(mixForecastSpec(mix))[1], ["01/05/2025 00:45"]);
  assert.equal(cellsOf(mixForecastSpec(mix))[1][0], events[0][0]);
});
