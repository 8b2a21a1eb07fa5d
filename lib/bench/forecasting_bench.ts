/**
 * Benchmark of the consumption forecasters as the pipeline trains them (profile `complet`): the
 * features of notebook 07 built from the real data (ODRÉ history 2016-2025 spliced with the 2025
 * real-time file, national temperatures, Tempo), every learner fitted on the full training set of
 * each horizon (about 165k half-hours), and the forecast of one day (48 half-hours).
 *
 * Run: `deno bench -A --v8-flags=--expose-gc lib/bench/forecasting_bench.ts`
 *
 * The first run of each fit prints its wall time, the peak resident memory of the process during
 * the fit (Linux VmHWM, reset through /proc/self/clear_refs; the forest's Web Workers are threads
 * of the process, so they are included), the training rows and the test MAPE. Targets (issue 6):
 * each fit at most 60 s on 2 cores, one day's forecast at most 50 ms.
 *
 * @module
 */

import { readEco2mix } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { mape, takeRows } from "../ml/mod.ts";
import {
  assignSplits,
  consumptionFeatures,
  type ConsumptionForecaster,
  fitForecaster,
  type HorizonName,
  learnersOf,
  loadReference,
  measuredInstants,
  modelFeatures,
  PROFILES,
  seriesFromSilver,
  SOURCE_REAL_TIME,
  spliceSeries,
  testPeriodStart,
} from "../forecasting/mod.ts";

const reference = await loadReference(sharedDataPath());
const table = readEco2mix(
  await Deno.readFile(sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls")),
  "TR_2025.xls",
);
const realTime = seriesFromSilver(
  toSilver(toBronze([table], { ingestedAt: new Date(0) })).silver,
  "eco2mix",
  SOURCE_REAL_TIME,
)!;
const series = spliceSeries(reference.history!.series, realTime)!;
const targets = measuredInstants(series, Date.UTC(2016, 0, 9));
const inputs = { temperature: reference.temperatures!.daily, tempo: reference.tempo!.calendar };

function problem(horizon: HorizonName) {
  const set = consumptionFeatures(series, horizon, targets, inputs);
  const splits = assignSplits(set, testPeriodStart(set));
  const rows = (name: string) => splits.flatMap((s, i) => (s === name ? [i] : []));
  const train = rows("entrainement");
  const test = rows("test");
  return {
    xTrain: takeRows(set.x, train),
    yTrain: Float64Array.from(train, (i) => set.target[i]),
    xTest: takeRows(set.x, test),
    yTest: Float64Array.from(test, (i) => set.target[i]),
  };
}

const problems = { h1: problem("h1"), j1: problem("j1") };
const fitted = new Map<string, ConsumptionForecaster>();

const peakRssMb = () =>
  Number(Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+)/)?.[1]) / 1024;

for (const horizon of ["h1", "j1"] as const) {
  for (const learner of learnersOf(horizon)) {
    const key = `${learner} ${horizon}`;
    Deno.bench({
      name: `fit ${key}`,
      group: "fit",
      n: 1,
      warmup: 0,
      async fn() {
        const p = problems[horizon];
        (globalThis as { gc?: () => void }).gc?.();
        Deno.writeTextFileSync("/proc/self/clear_refs", "5");
        const start = performance.now();
        const { forecaster, rows } = await fitForecaster(p.xTrain, p.yTrain, {
          horizon,
          learner,
          features: modelFeatures(horizon, { temperature: "forecast" }),
          profile: PROFILES.complet,
        });
        const seconds = (performance.now() - start) / 1000;
        const peak = peakRssMb();
        fitted.set(key, forecaster);
        console.log(
          `${key}: fit ${seconds.toFixed(1)} s on ${rows} rows, peak RSS ${peak.toFixed(0)} MB, ` +
            `test MAPE ${mape(p.yTest, forecaster.predict(p.xTest)).toFixed(3)} %`,
        );
      },
    });
  }
}

for (const horizon of ["h1", "j1"] as const) {
  for (const learner of learnersOf(horizon)) {
    const key = `${learner} ${horizon}`;
    const oneDay = takeRows(problems[horizon].xTest, Array.from({ length: 48 }, (_, i) => i));
    Deno.bench({
      name: `predict one day (48 half-hours), ${key}`,
      group: "predict",
      async fn() {
        let forecaster = fitted.get(key);
        if (!forecaster) {
          const p = problems[horizon];
          forecaster = (await fitForecaster(p.xTrain, p.yTrain, {
            horizon,
            learner,
            features: modelFeatures(horizon, { temperature: "forecast" }),
            profile: PROFILES.complet,
          })).forecaster;
          fitted.set(key, forecaster);
        }
        forecaster.predict(oneDay);
      },
    });
  }
}
