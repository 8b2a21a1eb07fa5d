/**
 * The backtest tests' inputs (`backtest_test.ts`, `backtest_plan_test.ts`,
 * `backtest_scores_test.ts`): the real 2025 real-time file with a year of ODRÉ history,
 * temperatures and Tempo from the shared data, a tiny training profile and one week.
 *
 * @module
 */

import { readEco2mix } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { loadNationalConsumption } from "../ml/_consumption_testdata.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import type { BacktestData } from "./backtest.ts";
import { dayNumberOfDate, parisInstant } from "./calendar.ts";
import { PROFILES, type TrainingProfile } from "./forecaster_config.ts";
import { seriesFromColumns, seriesFromSilver, SOURCE_REAL_TIME } from "./series.ts";
import { mergeTempoCalendars, parseTempoCalendar } from "./tempo.ts";
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
/** The backtest's inputs from the shared data, read once per test file. */
export const backtestTestData = (): Promise<BacktestData> => (cached ??= realData());

/** Small trees: the test is about which data reach a forecast, not about accuracy. */
export const TINY: TrainingProfile = {
  ...PROFILES.rapide,
  gbdt: { maxIter: 15, learningRate: 0.3, maxLeafNodes: 15, minSamplesLeaf: 20 },
  trainDays: 120,
};

/** Monday 3 to Sunday 9 February 2025 (Paris): one week, retrained (a new month). */
export const WEEK = {
  from: parisInstant(dayNumberOfDate("2025-02-03"), 0),
  to: parisInstant(dayNumberOfDate("2025-02-10"), 0) - 1,
};
