import assert from "node:assert/strict";
import { type BacktestData, type BacktestResult, runBacktest } from "./backtest.ts";
import { backtestTestData as data, TINY, WEEK } from "./_backtest_testdata.ts";
import { dayNumberOfDate, localDayNumber, parisInstant } from "./calendar.ts";
import { HORIZONS, rteJ1Publication, scrambledTemperatures } from "./features.ts";
import { mulberry32 } from "../ml/mod.ts";
import { type HalfHourlySeries, slotInstant } from "./series.ts";
import { tempoPublication } from "./tempo.ts";

/**
 * `series` with every value published after `cut` replaced by random ones: measurements and RTE's
 * J (intraday) after it, RTE's J-1 of the days whose forecast is published after it.
 */
function scrambled(series: HalfHourlySeries, cut: number, seed: number): HalfHourlySeries {
  const rng = mulberry32(seed);
  const scramble = (values: Float64Array, published: (t: number) => number = (t) => t) =>
    values.map((v, i) => (published(slotInstant(series, i)) > cut ? 40_000 + 30_000 * rng() : v));
  return {
    ...series,
    consommation: scramble(series.consommation),
    eolien: scramble(series.eolien),
    solaire: scramble(series.solaire),
    prevision_j1: scramble(series.prevision_j1, (t) => rteJ1Publication(localDayNumber(t))),
    prevision_j: scramble(series.prevision_j),
  };
}

/** Everything published after `cut` replaced: measurements, temperatures, Tempo colours. */
function after(d: BacktestData, cut: number): BacktestData {
  return {
    history: d.history && scrambled(d.history, cut, 1),
    realTime: scrambled(d.realTime, cut, 2),
    temperature: d.temperature &&
      scrambledTemperatures(d.temperature, localDayNumber(cut), mulberry32(3)),
    tempo: d.tempo &&
      new Map([...d.tempo].map(([day, c]) => [day, tempoPublication(day) > cut ? (c + 1) % 3 : c])),
  };
}

/** Rows of the non-RTE forecasts whose cut-off is at or before `cut`, unchanged or not. */
function compare(base: BacktestResult, other: BacktestResult, cut: number) {
  let before = 0;
  let changedAfter = 0;
  for (const [k, f] of base.forecasts.entries()) {
    const g = other.forecasts[k];
    assert.deepEqual([g.horizon, g.model, g.week], [f.horizon, f.model, f.week]);
    // RTE's forecasts were scrambled themselves; the upper bound reads the observed temperature
    // of the day it forecasts, unknown at the cut-off by definition.
    if (f.model.startsWith("rte_") || f.model.endsWith("_temperature_observee")) continue;
    for (let i = 0; i < f.epochMs.length; i++) {
      const values = [f.prediction, f.p10, f.p50, f.p90].map((v) => v?.[i] ?? null);
      const others = [g.prediction, g.p10, g.p50, g.p90].map((v) => v?.[i] ?? null);
      const same = values.every((v, j) => Object.is(v, others[j]));
      if (f.cutoffMs[i] <= cut) {
        assert.ok(same, `${f.horizon} ${f.model} ${new Date(f.epochMs[i]).toISOString()}`);
        before++;
      } else if (!same) changedAfter++;
    }
  }
  return { before, changedAfter };
}

Deno.test("no forecast of the backtest depends on data after its cut-off (real series)", async () => {
  const d = await data();
  // Day-ahead, the ensemble notebook 08 selects: each of its members fitted on the same rows.
  const learners = { j1: "moyenne_modeles" } as const;
  const run = (input: BacktestData) => runBacktest(input, { profile: TINY, ...WEEK, learners });
  const base = await run(d);
  // One week, retrained: both horizons, the live models with intervals.
  assert.deepEqual(base.weeks.map((w) => [w.week, w.modelWeek]), [["2025-02-03", 0]]);
  assert.deepEqual(
    [...new Set(base.forecasts.filter((f) => f.p10).map((f) => `${f.horizon} ${f.model}`))],
    ["h1 gbdt_corrige_rte_j1", "j1 moyenne_modeles"],
  );
  // Trained on targets up to each horizon's cut-off of the week's first instant, no later.
  for (const fit of base.fits.filter((f) => f.role === "modele")) {
    assert.ok(fit.trainedUntil <= HORIZONS[fit.horizon].cutoff(WEEK.from), fit.model);
    assert.ok(fit.trainedUntil > HORIZONS[fit.horizon].cutoff(WEEK.from) - 3_600_000, fit.model);
  }
  // The calibration window: the 28 days before the cut-off, by a model trained before them.
  for (const c of base.calibrations) {
    const cutoff = HORIZONS[c.horizon].cutoff(WEEK.from);
    assert.ok(c.end <= cutoff && c.start > cutoff - 28 * 86_400_000, c.horizon);
  }
  // Cuts: the training cut-off of each horizon (Sunday 12:00 for j1, 23:00 for h1), and a
  // Wednesday afternoon (within the week, after both).
  const cuts = [
    HORIZONS.j1.cutoff(WEEK.from),
    HORIZONS.h1.cutoff(WEEK.from),
    parisInstant(dayNumberOfDate("2025-02-05"), 15 * 60 + 17),
  ];
  for (const cut of cuts) {
    const { before, changedAfter } = compare(base, await run(after(d, cut)), cut);
    // The check did see rows on both sides: the first day's j1 rows (cut-off Sunday noon) at
    // the first cut, the h1 midnight row at the second, half the week at the third.
    assert.ok(before >= 48, `${new Date(cut).toISOString()}: ${before}`);
    assert.ok(changedAfter > 100, `${new Date(cut).toISOString()}: ${changedAfter}`);
  }
});
