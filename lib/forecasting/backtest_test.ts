import assert from "node:assert/strict";
import { readEco2mix } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import {
  type BacktestData,
  backtestPeriods,
  type BacktestResult,
  backtestScores,
  backtestWeeks,
  runBacktest,
} from "./backtest.ts";
import { dayNumberOfDate, localDayNumber, parisInstant } from "./calendar.ts";
import { HORIZONS, rteJ1Publication, scrambledTemperatures } from "./features.ts";
import { PROFILES, type TrainingProfile } from "./forecaster_config.ts";
import { mulberry32 } from "../ml/mod.ts";
import { loadNationalConsumption } from "../ml/_consumption_testdata.ts";
import {
  type HalfHourlySeries,
  seriesFromColumns,
  seriesFromSilver,
  slotInstant,
  SOURCE_REAL_TIME,
} from "./series.ts";
import { mergeTempoCalendars, parseTempoCalendar, tempoPublication } from "./tempo.ts";
import { nationalTemperature } from "./weather.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");

/** The real 2025 file, the ODRÉ history from June 2024, temperatures and Tempo. */
async function realData(): Promise<BacktestData> {
  const table = readEco2mix(await Deno.readFile(TR_2025), "TR_2025.xls");
  const { silver } = toSilver(toBronze([table], { ingestedAt: new Date(0) }));
  const realTime = seriesFromSilver(silver, "eco2mix", SOURCE_REAL_TIME)!;
  // The ODRÉ history read by the benchmark's plain reader (the pipeline's goes through bronze
  // and silver: many seconds for 13 years), from 2024 on.
  const national = await loadNationalConsumption();
  const first = national.epochMs.findIndex((t) => t >= Date.UTC(2024, 0, 1));
  const history = seriesFromColumns(national.epochMs.subarray(first), {
    consommation: national.consumption.subarray(first),
  });
  const temperature = nationalTemperature(
    await Deno.readTextFile(sharedDataPath("weather/temperature-quotidienne-regionale.csv")),
    "temperature-quotidienne-regionale.csv",
  );
  const tempo = mergeTempoCalendars(
    await Promise.all(["2024-2025", "2025-2026"].map(async (season) => {
      const file = `eCO2mix_RTE_tempo_${season}.xls`;
      const text = await Deno.readTextFile(sharedDataPath(`eco2mix/tempo/${file}`));
      return { file, days: parseTempoCalendar(text, file) };
    })),
  );
  // A year of history before the file keeps the test quick (a year of training rows at most).
  return {
    history,
    realTime,
    temperature,
    tempo,
  };
}

let cached: Promise<BacktestData> | null = null;
const data = () => (cached ??= realData());

/** Small trees: the test is about which data reach a forecast, not about accuracy. */
const TINY: TrainingProfile = {
  ...PROFILES.rapide,
  gbdt: { maxIter: 15, learningRate: 0.3, maxLeafNodes: 15, minSamplesLeaf: 20 },
  trainDays: 120,
};

/** Monday 3 to Sunday 9 February 2025 (Paris): one week, retrained (a new month). */
const WEEK = {
  from: parisInstant(dayNumberOfDate("2025-02-03"), 0),
  to: parisInstant(dayNumberOfDate("2025-02-10"), 0) - 1,
};

Deno.test("periods and weeks of the real 2025 file: one period, monthly or weekly retraining", async () => {
  const { realTime } = await data();
  const periods = backtestPeriods(realTime);
  // The 9,869 measured half-hours of the file (series_test.ts) all have RTE's J-1 and J.
  assert.deepEqual(periods, [{
    start: Date.UTC(2024, 11, 31, 23),
    end: Date.UTC(2025, 6, 25, 13),
    halfHours: 9869,
  }]);
  const monthly = backtestWeeks(periods, "mois");
  const weekly = backtestWeeks(periods, "semaine");
  assert.equal(monthly.length, 30); // Wednesday 1 January to Friday 25 July
  assert.deepEqual(monthly.map((w) => w.week), weekly.map((w) => w.week));
  assert.ok(weekly.every((w, k) => w.modelWeek === k));
  // Monthly: retrained on 1 January, then in the first week starting in each new month.
  const retrained = monthly.filter((w, k) => w.modelWeek === k).map((w) => w.week);
  assert.deepEqual(retrained, [
    "2024-12-30",
    "2025-02-03",
    "2025-03-03",
    "2025-04-07",
    "2025-05-05",
    "2025-06-02",
    "2025-07-07",
  ]);
  // Every week forecast by the models of a week at or before it, in the same month.
  for (const w of monthly) {
    const source = monthly[w.modelWeek];
    assert.ok(source.start <= w.start);
    assert.ok(w.end - source.start < 35 * 86_400_000);
  }
});

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
  const run = (input: BacktestData) => runBacktest(input, { profile: TINY, ...WEEK });
  const base = await run(d);
  // One week, retrained: both horizons, the live models with intervals.
  assert.deepEqual(base.weeks.map((w) => [w.week, w.modelWeek]), [["2025-02-03", 0]]);
  assert.ok(base.forecasts.filter((f) => f.p10).every((f) => f.model === "gbdt"));
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
