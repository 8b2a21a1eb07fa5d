import assert from "node:assert/strict";
import { runBacktest } from "./backtest.ts";
import { backtestScores } from "./backtest_scores.ts";
import { backtestTestData as data, TINY, WEEK } from "./_backtest_testdata.ts";

Deno.test("scores: every model and RTE on the same instants, RTE's MAPE recomputed by hand", async () => {
  const d = await data();
  const result = await runBacktest(d, { profile: TINY, ...WEEK, horizons: ["j1"] });
  const scores = backtestScores(result, { resamples: 200 });
  const overall = scores.filter((s) => s.grain === "ensemble");
  assert.deepEqual(overall.map((s) => [s.model, s.reference]), [
    ["gbdt", "rte_j1"],
    ["gbdt_temperature_observee", "rte_j1"],
    ["gbdt_sans_temperature", "rte_j1"],
    ["gbdt", "gbdt_temperature_observee"],
    ["gbdt", "gbdt_sans_temperature"],
  ]);
  // Seven days of 48 half-hours, all with RTE's J-1.
  assert.ok(overall.every((s) => s.demi_heures === 336 && s.jours === 7));
  const rte = result.forecasts.find((f) => f.model === "rte_j1")!;
  let ape = 0;
  rte.actual.forEach((a, i) => (ape += Math.abs(rte.prediction[i] - a) / a));
  assert.ok(Math.abs(overall[0].mape_reference - (100 * ape) / 336) < 1e-9);
  assert.ok(overall.every((s) => Math.abs(s.ecart_mape - (s.mape - s.mape_reference)) < 1e-9));
  assert.ok(overall.every((s) => s.ic_bas <= s.ecart_mape && s.ecart_mape <= s.ic_haut));
  // Coverage only for the live model; the shares below, inside and above add up.
  for (const s of overall) {
    if (s.model !== "gbdt") assert.ok(Number.isNaN(s.couverture_p10_p90));
    else {
      assert.ok(
        Math.abs(s.couverture_p10_p90 + s.sous_p10 + s.au_dessus_p90 - 100) < 1e-9,
        JSON.stringify(s),
      );
    }
  }
  // One week in February: winter, one month, one week.
  assert.deepEqual(
    [...new Set(scores.map((s) => `${s.grain}:${s.groupe}`))],
    ["ensemble:toutes", "saison:hiver", "mois:2025-02", "semaine:2025-02-03"],
  );
});
