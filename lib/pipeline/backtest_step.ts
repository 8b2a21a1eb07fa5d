/**
 * The consumption backtest as a pipeline step (`deno task backtest`, notebook 08's last
 * section reads its tables): silver's national real-time series, the consumption history and
 * the reference inputs, all read from the lakehouse as notebook 07 reads them
 * (`referenceFromLakehouse`) → the rolling-origin backtest of `lib/forecasting/backtest.ts` → two gold tables:
 *
 * - `backtest_consommation`: every forecast of every week (the live models with their P10, P50
 *   and P90, the day-ahead upper bound with observed temperature and the model without
 *   temperature, RTE's forecast of each horizon), with the instant its model was trained up to;
 * - `scores_backtest_consommation`: scores by week, month, season and over the whole backtest,
 *   each model against RTE on the same instants with the day-block bootstrap interval of the
 *   difference, and P10-P90 coverage.
 *
 * The learner of each horizon is the one notebook 08 selected (its cached selection in the
 * model registry, `consommation_h1` / `consommation_j1`), gradient boosting when none was made;
 * the profile's parameters are used as they are.
 *
 * @module
 */

import pl from "nodejs-polars";
import { type LakehouseCatalog, TABLE } from "./catalog.ts";
import { PATHS } from "../paths.ts";
import {
  type BacktestCalibration,
  type BacktestFit,
  type BacktestForecast,
  type BacktestPeriod,
  type BacktestScore,
  backtestScores,
  DEFAULT_LEARNER,
  type HorizonName,
  type LearnerName,
  LEARNERS,
  ML_STEPS,
  type ProfileName,
  PROFILES,
  type RetrainCadence,
  runBacktest,
  SelectionStore,
  skip,
  type Skipped,
} from "../forecasting/mod.ts";
import { MlStepError, realTimeSeries } from "./features_step.ts";
import { referenceFromLakehouse } from "./reference_step.ts";

const PREDICTIONS_TABLE = TABLE.backtest_consommation;
const SCORES_TABLE = TABLE.scores_backtest_consommation;

/** Options of {@linkcode runConsumptionBacktest}. */
export interface BacktestStepOptions {
  /** Training configuration (default `complet`). */
  profile?: ProfileName;
  /** Retraining cadence (default `mois`). */
  cadence?: RetrainCadence;
  /** Days of the intervals' calibration window (default 28). */
  calibrationDays?: number;
  /** Registry root whose cached selections name the learners (default the project's). */
  modelsDir?: string;
  /** Only the instants from `from` to `to` (UTC epoch ms). */
  from?: number;
  to?: number;
  /** Told after each fit. */
  onFit?: (done: number, total: number) => void;
}

/** What {@linkcode runConsumptionBacktest} did. */
export interface BacktestReport {
  kind: "done";
  profile: ProfileName;
  cadence: RetrainCadence;
  calibrationDays: number;
  /** The learner of each horizon and where it comes from. */
  learners: { horizon: HorizonName; learner: LearnerName; origin: "selection" | "defaut" }[];
  /** Whether the temperatures fed the live models (else every model is without temperature). */
  withTemperature: boolean;
  periods: BacktestPeriod[];
  weeks: number;
  fits: BacktestFit[];
  calibrations: BacktestCalibration[];
  scores: BacktestScore[];
  predictionsVersion: number;
  scoresVersion: number;
}

/** The learner notebook 08 selected for a horizon's live model, or the default. */
async function selectedLearner(
  store: SelectionStore,
  horizon: HorizonName,
): Promise<{ learner: LearnerName; origin: "selection" | "defaut" }> {
  const selection = await store.load(`consommation_${horizon}`);
  const champion = selection?.champion as LearnerName | undefined;
  return champion && LEARNERS.includes(champion)
    ? { learner: champion, origin: "selection" }
    : { learner: DEFAULT_LEARNER, origin: "defaut" };
}

/** Float64 columns with NaN as null (Delta statistics cannot hold NaN), instants as UTC datetimes. */
function withNulls(frame: pl.DataFrame, floats: readonly string[], instants: readonly string[]) {
  return frame.withColumns(
    ...floats.map((c) => pl.col(c).fillNan(null)),
    ...instants.map((c) =>
      pl.col(c).fillNan(null).cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")
    ),
  );
}

/**
 * Rows of `backtest_consommation`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestFrame } from "./backtest_step.ts";
 * const f = backtestFrame([{
 *   period: 0, week: "2025-01-06", horizon: "j1", model: "rte_j1",
 *   epochMs: Float64Array.of(Date.UTC(2025, 0, 6)), cutoffMs: Float64Array.of(Date.UTC(2025, 0, 5, 11)),
 *   trainedUntil: NaN, actual: Float64Array.of(70_000), prediction: Float64Array.of(71_000),
 *   p10: null, p50: null, p90: null,
 * }]);
 * assert.equal(f.height, 1);
 * assert.equal(f.getColumn("p10").nullCount(), 1);
 * assert.equal(f.getColumn("entrainement_jusqua_utc").nullCount(), 1);
 * ```
 */
export function backtestFrame(forecasts: readonly BacktestForecast[]): pl.DataFrame {
  const columns: Record<string, unknown[]> = {
    periode: [],
    semaine: [],
    horizon: [],
    model: [],
    timestamp_utc: [],
    cutoff_utc: [],
    entrainement_jusqua_utc: [],
    prediction: [],
    p10: [],
    p50: [],
    p90: [],
    actual: [],
  };
  for (const f of forecasts) {
    const n = f.epochMs.length;
    const repeat = (v: unknown) => Array(n).fill(v);
    columns.periode.push(...repeat(f.period));
    columns.semaine.push(...repeat(f.week));
    columns.horizon.push(...repeat(f.horizon));
    columns.model.push(...repeat(f.model));
    columns.timestamp_utc.push(...f.epochMs);
    columns.cutoff_utc.push(...f.cutoffMs);
    columns.entrainement_jusqua_utc.push(...repeat(f.trainedUntil));
    columns.prediction.push(...f.prediction);
    columns.p10.push(...(f.p10 ?? repeat(NaN)));
    columns.p50.push(...(f.p50 ?? repeat(NaN)));
    columns.p90.push(...(f.p90 ?? repeat(NaN)));
    columns.actual.push(...f.actual);
  }
  const instants = ["timestamp_utc", "cutoff_utc", "entrainement_jusqua_utc"];
  const floats = ["prediction", "p10", "p50", "p90", "actual"];
  const frame = pl.DataFrame([
    pl.Series("periode", columns.periode, pl.Int32),
    ...["semaine", "horizon", "model"].map((c) => pl.Series(c, columns[c], pl.Utf8)),
    ...[...instants, ...floats].map((c) => pl.Series(c, columns[c], pl.Float64)),
  ]);
  return withNulls(frame, floats, instants);
}

/**
 * Rows of `scores_backtest_consommation`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoresFrame } from "./backtest_step.ts";
 * assert.equal(scoresFrame([]).height, 0);
 * assert.ok(scoresFrame([]).columns.includes("couverture_p10_p90"));
 * ```
 */
export function scoresFrame(scores: readonly BacktestScore[]): pl.DataFrame {
  const text = ["horizon", "grain", "groupe", "model", "reference"] as const;
  const counts = ["demi_heures", "jours"] as const;
  const floats = [
    "debut",
    "fin",
    "mape",
    "mae",
    "rmse",
    "biais",
    "mape_reference",
    "ecart_mape",
    "ic_bas",
    "ic_haut",
    "couverture_p10_p90",
    "sous_p10",
    "au_dessus_p90",
  ] as const;
  const frame = pl.DataFrame([
    ...text.map((c) => pl.Series(c, scores.map((s) => s[c]), pl.Utf8)),
    ...counts.map((c) => pl.Series(c, scores.map((s) => s[c]), pl.Int32)),
    ...floats.map((c) => pl.Series(c, scores.map((s) => s[c]), pl.Float64)),
  ]);
  return withNulls(frame, floats.filter((c) => c !== "debut" && c !== "fin"), ["debut", "fin"]);
}

/**
 * Runs the backtest on the lakehouse's national series and replaces its two tables. Skipped
 * (both tables replaced by empty ones) without a national series or without any period where
 * RTE's J-1 and J forecasts are published (regional files).
 *
 * @example
 * ```ts ignore
 * const report = await runConsumptionBacktest(openCatalog());
 * if (report.kind === "done") console.log(report.scores.filter((s) => s.grain === "ensemble"));
 * ```
 */
export async function runConsumptionBacktest(
  catalog: LakehouseCatalog,
  options: BacktestStepOptions = {},
): Promise<BacktestReport | Skipped> {
  const profile = options.profile ?? "complet";
  if (!PROFILES[profile]) throw new MlStepError(`unknown profile '${profile}' (complet or rapide)`);
  const writeEmpty = async () => {
    await catalog.table(PREDICTIONS_TABLE).overwrite(backtestFrame([]), { overwriteSchema: true });
    await catalog.table(SCORES_TABLE).overwrite(scoresFrame([]), { overwriteSchema: true });
  };
  const found = await realTimeSeries(catalog);
  if (found.kind === "skipped") {
    await writeEmpty();
    return { ...found, step: ML_STEPS.backtest };
  }
  const reference = await referenceFromLakehouse(catalog, found.silver);
  const history = reference.history?.series ?? null;
  const store = new SelectionStore(options.modelsDir ?? PATHS.models);
  const learners = await Promise.all(
    (["h1", "j1"] as const).map(async (horizon) => ({
      horizon,
      ...(await selectedLearner(store, horizon)),
    })),
  );
  const temperature = reference.temperatures?.daily ?? null;
  const result = await runBacktest(
    {
      history,
      realTime: found.series,
      temperature,
      tempo: reference.tempo?.calendar ?? null,
    },
    {
      profile: PROFILES[profile],
      learners: Object.fromEntries(learners.map((a) => [a.horizon, a.learner])),
      cadence: options.cadence,
      calibrationDays: options.calibrationDays,
      from: options.from,
      to: options.to,
      onFit: options.onFit,
    },
  );
  if (result.forecasts.length === 0) {
    await writeEmpty();
    return skip(
      ML_STEPS.backtest,
      "aucune période où la consommation et les prévisions J-1 et J de RTE sont publiées " +
        "(les fichiers régionaux ne les donnent pas)",
    );
  }
  const scores = backtestScores(result);
  const predictions = await catalog.table(PREDICTIONS_TABLE).overwrite(
    backtestFrame(result.forecasts),
    { overwriteSchema: true },
  );
  const scored = await catalog.table(SCORES_TABLE).overwrite(scoresFrame(scores), {
    overwriteSchema: true,
  });
  return {
    kind: "done",
    profile,
    cadence: result.cadence,
    calibrationDays: result.calibrationDays,
    learners,
    withTemperature: temperature !== null,
    periods: result.periods,
    weeks: result.weeks.length,
    fits: result.fits,
    calibrations: result.calibrations,
    scores,
    predictionsVersion: predictions.version,
    scoresVersion: scored.version,
  };
}
