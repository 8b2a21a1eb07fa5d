/**
 * One horizon of notebook 08's step (`forecast_step.ts`): the learner selected by
 * cross-validation (or the cached selection reused), the models fitted in the fit pool,
 * registered and scored with the baselines on the same test instants, and the horizon's rows of
 * `predictions_consommation`.
 *
 * Just over 600 lines: most of it is {@linkcode trainHorizon}, kept as one function because its
 * steps (selection, fits, registration, scores, intervals, importance) hand each other a dozen
 * intermediate values; split, they would pass them around in a record of their own.
 *
 * @module
 */

import pl from "nodejs-polars";
import {
  type FitPool,
  type ForecastQuantiles,
  forecastQuantiles,
  intervalCoverage,
  mapConcurrent,
  metricsByHour,
  metricsByMonth,
  type ModelRegistry,
  type PermutationImportanceResult,
  type RelativeErrorQuantiles,
  takeRows,
  type TrainingDataRef,
} from "../ml/mod.ts";
import {
  baselineForecasts,
  consumptionFeatures,
  type ConsumptionForecaster,
  consumptionHorizonPlan,
  CORRECTED_BY_RTE_J1,
  crossValidateLearners,
  type CrossValidationReport,
  definedForecasts,
  distinctSingleModels,
  ensembleForecaster,
  fingerprintRows,
  fitForecaster,
  FORECAST_TEMPERATURE_FEATURES,
  forecasterFromModel,
  forecasterImportance,
  type ForecasterParams,
  forecastStream,
  type HorizonName,
  HORIZONS,
  horizonStep,
  type LearnerName,
  learnersOf,
  localDayNumber,
  mapeDifference,
  modelFeatures,
  modelLabel,
  newSelection,
  onlineCorrection,
  planRetraining,
  type ProfileName,
  PROFILES,
  REFERENCE_FEATURE,
  refitForecasterLeaves,
  type RefitMethod,
  residualAnalysis,
  type RetrainingPolicy,
  retrainingRecord,
  RTE_J1_CORRECTION_SUFFIX,
  scoreOnCommonRows,
  type SelectionConfig,
  SelectionStore,
  seriesFromColumns,
  singleModelKey,
  singleModelsOf,
  skip,
  type Skipped,
  TAKES_TEMPERATURE,
  TEMPERATURE_FEATURES,
  TEMPERATURE_SUFFIX,
  type TemperatureInput,
  usableFeatures,
} from "../forecasting/mod.ts";
import { asInstants, DAY_MS, emptyFrame } from "./_ml_step_shared.ts";
// Types only: the step's report types are declared with its API.
import type { HorizonReport, TrainingProgress } from "./forecast_step.ts";

/**
 * A champion's permutation importance and the registered version it was measured on, as kept in
 * the selection file (`FitRecord.details`): its keys are those of the files already written.
 */
interface ChampionImportance {
  version: number;
  parCaracteristique: PermutationImportanceResult;
  parGroupe: PermutationImportanceResult;
}

/** The rows of one horizon as a feature set, and the split of each row. */
export interface HorizonData {
  set: ReturnType<typeof consumptionFeatures>;
  split: string[];
}

function indicesOf(split: string[], name: string, keep: (i: number) => boolean = () => true) {
  const out: number[] = [];
  split.forEach((s, i) => {
    if (s === name && keep(i)) out.push(i);
  });
  return out;
}

/**
 * Registered model name of a horizon's model given `input` temperatures: `consommation_j1` for
 * the live model with the forecast temperature, suffixed as the labels otherwise
 * (`consommation_j1_temperature_observee`, `consommation_j1_sans_temperature`); never suffixed
 * for a horizon that takes no temperature (`TAKES_TEMPERATURE`), whose one model it names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registeredName } from "./forecast_step.ts";
 * assert.equal(registeredName("j1", "forecast"), "consommation_j1");
 * assert.equal(registeredName("j1", "none"), "consommation_j1_sans_temperature");
 * assert.equal(registeredName("h1", "none"), "consommation_h1");
 * ```
 */
export function registeredName(horizon: HorizonName, input: TemperatureInput): string {
  const suffix = input === "forecast" || !TAKES_TEMPERATURE[horizon]
    ? ""
    : TEMPERATURE_SUFFIX[input];
  return `consommation_${horizon}${suffix}`;
}

/** Columns of `predictions_consommation`, before the instants become datetimes. */
const PREDICTION_SCHEMA = {
  timestamp_utc: pl.Float64,
  cutoff_utc: pl.Float64,
  horizon: pl.Utf8,
  model: pl.Utf8,
  model_version: pl.Int32,
  periode: pl.Utf8,
  prediction: pl.Float64,
  actual: pl.Float64,
  error: pl.Float64,
  /** The champion's P10, P50 and P90 (null for the other models). */
  p10: pl.Float64,
  p50: pl.Float64,
  p90: pl.Float64,
};

/** How the registry describes a model's temperature input. */
const TEMPERATURE_DESCRIPTIONS: Readonly<Record<TemperatureInput, string>> = {
  forecast: "température prévue à la coupure (modèle en service)",
  observed: "température observée du jour prévu (borne haute : inconnue à la coupure)",
  none: "sans température",
};

/** What {@linkcode trainHorizon} needs beside the horizon's rows. */
export interface HorizonContext {
  horizon: HorizonName;
  temperature: boolean;
  profileName: ProfileName;
  registry: ModelRegistry;
  codeVersion: string;
  lineage: TrainingDataRef[];
  policy: RetrainingPolicy;
  /** Fingerprints of the features' and learners' code (see `SelectionConfig`). */
  code: Pick<SelectionConfig, "featureCode" | "learnerCode">;
  /** Workers for every fit of the horizon (cross-validation and refits). */
  pool: FitPool;
  onProgress?: (p: TrainingProgress) => void;
}

/** The temperature input of a model's label (`gbdt`, `gbdt_sans_temperature`...). */
function inputOfLabel(label: string, live: TemperatureInput): TemperatureInput {
  const other = (["observed", "none", "forecast"] as const).find((input) =>
    input !== live && label.endsWith(TEMPERATURE_SUFFIX[input])
  );
  return other ?? live;
}

/**
 * Selects (or reuses the cached selection), fits, registers and scores the models of one
 * horizon, and gives its report and its rows of `predictions_consommation`; skipped when the
 * horizon has too little data (see `consumptionHorizonPlan`) or `aucun` finds no model.
 *
 * @example
 * ```ts ignore
 * const trained = await trainHorizon(horizonData(frame, "h1", true), { ...context, horizon: "h1" });
 * if (trained.kind === "trained") console.log(trained.report.champion);
 * ```
 */
export async function trainHorizon(
  data: HorizonData,
  context: HorizonContext,
): Promise<{ kind: "trained"; report: HorizonReport; predictions: pl.DataFrame } | Skipped> {
  const { horizon, profileName, registry, codeVersion } = context;
  const profile = PROFILES[profileName];
  const testRows = indicesOf(data.split, "test");
  const testStart = testRows.length ? data.set.epochMs[testRows[0]] : Infinity;
  const earliest = profile.trainDays === null ? -Infinity : testStart - profile.trainDays * DAY_MS;
  const trainRows = indicesOf(data.split, "entrainement", (i) => data.set.epochMs[i] >= earliest);
  const forecastRows = indicesOf(data.split, "prevision");
  // Rows a model can learn from or forecast: a known reference level (and target).
  const level = data.set.x.columns[data.set.x.names.indexOf(REFERENCE_FEATURE[horizon])];
  const plan = consumptionHorizonPlan({
    horizon,
    trainRows: trainRows.filter((i) => level[i] > 0 && Number.isFinite(data.set.target[i]))
      .length,
    testRows: testRows.filter((i) => level[i] > 0).length,
    profile,
  });
  if (plan.kind === "skipped") return plan;
  const usable = (names: readonly string[]) =>
    usableFeatures(
      data.set.x,
      { train: trainRows, test: testRows },
      names,
      REFERENCE_FEATURE[horizon],
    );
  const { features, dropped } = usable(
    modelFeatures(horizon, { temperature: context.temperature ? "forecast" : "none" }),
  );
  const forecastTemperatures = FORECAST_TEMPERATURE_FEATURES as readonly string[];
  const temperature = features.some((f) => forecastTemperatures.includes(f));
  // The live model's temperatures; the upper bound swaps them for the observed ones.
  const live: TemperatureInput = temperature ? "forecast" : "none";
  const withoutTemperature = features.filter((f) => !forecastTemperatures.includes(f));
  // Only a live model with temperatures has an upper bound: no coverage check for the others.
  const observed = temperature ? usable(TEMPERATURE_FEATURES).features : [];
  const featuresOf = (input: TemperatureInput) =>
    input === live
      ? features
      : input === "observed"
      ? [...withoutTemperature, ...observed]
      : withoutTemperature;
  const selection = plan.selection;
  const modelName = registeredName(horizon, live);
  const config: SelectionConfig = {
    name: modelName,
    profile: profileName,
    learners: { candidats: learnersOf(horizon), parametres: profile },
    validation: selection,
    features,
    ...context.code,
  };
  const trainData = fingerprintRows(
    takeRows(data.set.x, trainRows),
    Float64Array.from(trainRows, (i) => data.set.target[i]),
    Float64Array.from(trainRows, (i) => data.set.epochMs[i]),
  );
  const store = new SelectionStore(registry.root);
  const retraining = planRetraining(context.policy, await store.load(modelName), {
    config,
    data: trainData,
  });
  if (retraining.case === "sans_modele") return skip(horizonStep(horizon), retraining.reason);
  const record = retrainingRecord(retraining);
  const cached = retraining.selection;
  const started = new Date();
  let cv: CrossValidationReport | null = null;
  let champion: LearnerName;
  if (cached) champion = cached.champion as LearnerName;
  else if (selection.kind === "validation_croisee") {
    cv = await crossValidateLearners(
      data.set,
      trainRows,
      features,
      { ...profile, cvFolds: selection.folds, cvFoldDays: selection.foldDays },
      learnersOf(horizon),
      {
        pool: context.pool,
        onFit: (done, total) =>
          context.onProgress?.({ horizon, phase: "cross_validation", done, total }),
      },
    );
    champion = cv.best;
    // The cross-validation fits are training runs too: one record per learner, its folds' scores.
    for (const mean of cv.means) {
      const folds = cv.folds.filter((f) => f.learner === mean.learner);
      await registry.logRun({
        model: modelName,
        params: { learner: mean.learner, profil: profileName, features, plis: folds.length },
        metrics: {
          mape_validation_croisee: mean.mape,
          rmse_validation_croisee: mean.rmse,
          ...Object.fromEntries(folds.map((f) => [`mape_pli_${f.fold}`, f.mape])),
        },
        startedAt: started,
        durationMs: 1000 * folds.reduce((t, f) => t + f.seconds, 0),
        trainingData: context.lineage,
        codeVersion,
        tags: { horizon, learner: mean.learner, profil: profileName, etape: "validation_croisee" },
        retraining: record,
      });
    }
  } else champion = selection.learner;
  const xTrain = takeRows(data.set.x, trainRows);
  const yTrain = Float64Array.from(trainRows, (i) => data.set.target[i]);
  const xTest = takeRows(data.set.x, testRows);
  const yTest = Float64Array.from(testRows, (i) => data.set.target[i]);
  const xNext = takeRows(data.set.x, forecastRows);
  const trainingData: TrainingDataRef[] = [
    {
      ...context.lineage[0],
      rows: trainRows.length,
      from: new Date(data.set.epochMs[trainRows[0]]).toISOString(),
      to: new Date(data.set.epochMs[trainRows.at(-1)!]).toISOString(),
      description: `horizon ${horizon}, jeu entrainement`,
    },
    ...context.lineage.slice(1),
  ];
  const fitted: {
    name: string;
    registered: string;
    forecaster: ConsumptionForecaster;
    version: number;
    predicted: Float64Array;
  }[] = [];
  const fits: HorizonReport["fits"] = [];
  // Every model of the horizon: the learners with the live inputs, then (with temperatures) the
  // champion with the observed ones (the upper bound) and without any.
  const variants: { learner: LearnerName; input: TemperatureInput }[] = [
    ...learnersOf(horizon).map((learner) => ({ learner, input: live })),
    ...(temperature && observed.length ? [{ learner: champion, input: "observed" as const }] : []),
    ...(temperature ? [{ learner: champion, input: "none" as const }] : []),
  ];
  const labels = variants.map(({ learner, input }) => modelLabel(learner, input, live));
  const toFit = retraining.scope === "all"
    ? variants
    : retraining.scope === "champion"
    ? [{ learner: champion, input: live }]
    : [];
  const fittedLabels = new Set(toFit.map(({ learner, input }) => modelLabel(learner, input, live)));
  // The models not fitted in this run make their predictions from the registry.
  const reused = retraining.scope === "all"
    ? []
    : Object.entries(cached!.fit!.versions).filter(([label]) => !fittedLabels.has(label));
  for (const [label, version] of reused) {
    const registered = registeredName(horizon, inputOfLabel(label, live));
    const stored = await registry.load(registered, version);
    const forecaster = forecasterFromModel(stored.model, stored.info.params as ForecasterParams);
    fitted.push({
      name: label,
      registered,
      forecaster,
      version,
      predicted: forecaster.predict(xTest),
    });
  }
  if (retraining.scope === "none") {
    await registry.logRun({
      model: modelName,
      params: { profil: profileName, modeles: cached!.fit!.versions },
      metrics: {},
      trainingData: context.lineage,
      codeVersion,
      tags: { horizon, profil: profileName, etape: "reentrainement" },
      retraining: record,
    });
  }
  // Between the weekly full refits, the champion's registered trees are kept and only their
  // leaves re-estimated on today's rows (see `planRetraining`).
  const leafRefit = retraining.method === "feuilles_reestimees";
  // The models fitted alone, side by side in the pool: an ensemble's members once, shared with
  // the learners compared alone that they also are (`singleModelsOf`).
  const singles = leafRefit
    ? []
    : [...new Set(toFit.map((v) => v.input))].flatMap((input) =>
      distinctSingleModels(toFit.filter((v) => v.input === input).map((v) => v.learner), horizon)
        .map((spec) => ({ spec, input }))
    );
  const startedAt = new Date();
  let refitsDone = 0;
  const singleFits = new Map(
    await mapConcurrent(singles, context.pool.size, async ({ spec, input }) => {
      const t0 = performance.now();
      const fit = await fitForecaster(xTrain, yTrain, {
        horizon,
        ...spec,
        features: featuresOf(input),
        profile,
      }, { pool: context.pool });
      context.onProgress?.({ horizon, phase: "refit", done: ++refitsDone, total: singles.length });
      const key = `${input}/${singleModelKey(spec)}`;
      return [key, { ...fit, seconds: (performance.now() - t0) / 1000 }] as const;
    }),
  );
  const refits = await Promise.all(toFit.map(async ({ learner, input }) => {
    const method: RefitMethod = leafRefit ? "feuilles_reestimees" : "complet";
    if (leafRefit) {
      const t0 = performance.now();
      const version = cached!.fit!.versions[modelLabel(learner, input, live)];
      const stored = await registry.load(registeredName(horizon, input), version);
      const previous = forecasterFromModel(stored.model, stored.info.params as ForecasterParams);
      const fit = refitForecasterLeaves(previous, xTrain, yTrain);
      context.onProgress?.({ horizon, phase: "refit", done: 1, total: 1 });
      return { ...fit, method, startedAt, seconds: (performance.now() - t0) / 1000 };
    }
    const parts = singleModelsOf(learner, horizon).map((spec) =>
      singleFits.get(`${input}/${singleModelKey(spec)}`)!
    );
    return {
      forecaster: parts.length === 1
        ? parts[0].forecaster
        : ensembleForecaster(parts.map((p) => p.forecaster)),
      rows: parts[0].rows,
      method,
      startedAt,
      seconds: parts.reduce((t, p) => t + p.seconds, 0),
    };
  }));
  for (
    const [k, { forecaster, rows, method, startedAt: fitStarted, seconds }] of refits.entries()
  ) {
    const { learner, input } = toFit[k];
    const name = registeredName(horizon, input);
    const label = modelLabel(learner, input, live);
    const predicted = forecaster.predict(xTest);
    const { scores } = scoreOnCommonRows(yTest, { [label]: predicted });
    const cvMape = input === live ? cv?.means.find((m) => m.learner === learner)?.mape : undefined;
    const metrics = {
      mape_test: scores[0].mape,
      rmse_test: scores[0].rmse,
      mae_test: scores[0].mae,
      biais_test: scores[0].bias,
      ...(cvMape === undefined ? {} : { mape_validation_croisee: cvMape }),
    };
    const info = await registry.register(name, forecaster.model, {
      params: forecaster.params,
      metrics,
      trainingData,
      codeVersion,
      description: `${learner}, horizon ${horizon} (${HORIZONS[horizon].label}), ` +
        TEMPERATURE_DESCRIPTIONS[input],
      tags: { horizon, learner, profil: profileName, temperature: input, methode: method },
      retraining: record,
    });
    await registry.logRun({
      model: name,
      params: { ...forecaster.params, profil: profileName },
      metrics: { ...metrics, lignes_entrainement: rows, secondes: seconds },
      artifacts: [`${name}/versions/${String(info.version).padStart(6, "0")}/model.json`],
      startedAt: fitStarted,
      durationMs: seconds * 1000,
      trainingData,
      codeVersion,
      version: info.version,
      tags: { horizon, learner, profil: profileName, methode: method },
      retraining: record,
    });
    if (learner === champion) await registry.setAlias(name, "champion", info.version);
    fitted.push({ name: label, registered: name, forecaster, version: info.version, predicted });
    fits.push({ model: label, rows, seconds, method });
  }
  // In the order of `variants` whether fitted or reused (models no longer compared last).
  const rank = (name: string) => (labels.indexOf(name) + labels.length + 1) % (labels.length + 1);
  fitted.sort((a, b) => rank(a.name) - rank(b.name));
  const versions = Object.fromEntries(fitted.map((f) => [f.name, f.version]));
  // The champion's intervals: its errors on the folds, kept with the selection for the runs
  // that reuse it.
  const intervals: RelativeErrorQuantiles | null = cv
    ? cv.relativeErrors.find((e) => e.learner === champion)!
    : (cached?.details as { erreursRelatives?: RelativeErrorQuantiles | null } | null)
      ?.erreursRelatives ?? null;
  const championForecaster = fitted.find((f) => f.name === champion)!.forecaster;
  // The champion's permutation importance costs more than its daily refit: measured when every
  // model is fitted (a selection, or weekly with the comparisons) and reused with the daily
  // refits in between, saying on which version it was measured.
  const previousImportance =
    (cached?.fit?.details as { importance?: ChampionImportance } | undefined)
      ?.importance;
  let importance = retraining.scope !== "all" ? previousImportance : undefined;
  if (!importance) {
    const measured = forecasterImportance(
      championForecaster,
      xTest,
      yTest,
      profile.permutationRepeats,
    );
    importance = {
      version: versions[champion],
      parCaracteristique: measured.byFeature,
      parGroupe: measured.byGroup,
    };
  }
  if (retraining.scope !== "none") {
    if (!cached) {
      await store.save(newSelection({
        config,
        data: trainData,
        champion,
        params: fitted.find((f) => f.name === champion)!.forecaster.params,
        scores: (cv?.means ?? []).map((m) => ({
          learner: m.learner,
          score: m.mape,
          others: { rmse: m.rmse },
        })),
        details: { erreursRelatives: intervals },
        selectedAt: started,
      }));
    }
    await store.recordFit(modelName, {
      data: trainData,
      versions,
      // Comparisons reused: their training data stays that of their last fit.
      comparisonData: retraining.scope === "champion"
        ? cached!.fit!.comparisonData ?? cached!.fit!.data
        : trainData,
      details: { importance },
    });
  }
  const forecasts: Record<string, Float64Array> = {};
  for (const f of fitted) forecasts[f.name] = f.predicted;
  const baselines = definedForecasts(baselineForecasts({
    ...data.set,
    x: xTest,
    rteJ1: pick(data.set.rteJ1, testRows),
    rteJ: pick(data.set.rteJ, testRows),
  }));
  // The live forecast one hour ahead: the champion's, corrected by RTE's J-1 as in the backtest
  // (not for files without it: regional files publish no RTE forecast).
  const championNext = championForecaster.predict(xNext);
  const corrected = CORRECTED_BY_RTE_J1[horizon] && "rte_j1" in baselines.defined
    ? correctedByRteJ1(data, testRows, forecastRows, forecasts[champion], championNext)
    : null;
  const correctedLabel = `${champion}${RTE_J1_CORRECTION_SUFFIX}`;
  const all: Record<string, Float64Array> = {
    ...forecasts,
    ...(corrected && { [correctedLabel]: corrected.test.prediction }),
    ...baselines.defined,
  };
  const { scores, rows } = scoreOnCommonRows(yTest, all);
  const common = (values: Float64Array) => Float64Array.from(rows, (k) => values[k]);
  const yCommon = common(yTest);
  const tCommon = Float64Array.from(rows, (k) => data.set.epochMs[testRows[k]]);
  const grouped = (by: typeof metricsByHour) =>
    [champion, "rte_j1"].filter((model) => model in all).flatMap((model) =>
      by(yCommon, common(all[model]), tCommon).map((g) => ({ model, ...g }))
    );
  // The registry round trip: the champion as stored predicts what was scored.
  const stored = await context.registry.load(modelName, versions[champion]);
  const reloaded = forecasterFromModel(stored.model, stored.info.params as ForecasterParams);
  const again = reloaded.predict(xTest);
  const reloadIdentical = again.every((v, k) => Object.is(v, forecasts[champion][k]));
  const upperBound = modelLabel(champion, "observed", live);
  const quantiles = intervals && {
    test: forecastQuantiles(forecasts[champion], intervals),
    next: forecastQuantiles(championNext, intervals),
  };
  const report: HorizonReport = {
    kind: "trained",
    horizon,
    label: HORIZONS[horizon].label,
    withTemperature: temperature,
    selection,
    retraining: { policy: retraining.policy, case: retraining.case, reason: retraining.reason },
    crossValidation: cv,
    champion,
    versions,
    features,
    droppedFeatures: dropped,
    missingBaselines: baselines.absent,
    registrations: fitted.map((f) => ({
      model: f.name,
      registeredName: f.registered,
      version: f.version,
      champion: f.name === champion || f.name === `${champion}_sans_temperature`,
    })),
    fits,
    scores,
    testStart: tCommon[0],
    testEnd: tCommon[tCommon.length - 1],
    byHour: grouped(metricsByHour),
    byMonth: grouped(metricsByMonth),
    residuals: residualAnalysis(yCommon, common(forecasts[champion]), tCommon),
    rteGaps: [champion, correctedLabel, upperBound].filter((model) => model in all).flatMap((
      model,
    ) =>
      ["rte_j1", "rte_j"].filter((reference) => reference in all).map((reference) => ({
        model,
        reference,
        ...mapeDifference(
          yCommon,
          common(all[model]),
          common(all[reference]),
          tCommon.map(localDayNumber),
        ),
      }))
    ),
    intervals,
    testCoverage: quantiles && intervalCoverage(yTest, quantiles.test.p10, quantiles.test.p90),
    rteCorrection: corrected && {
      model: correctedLabel,
      testCoverage: intervalCoverage(yTest, corrected.test.p10, corrected.test.p90),
    },
    importance: {
      byFeature: importance.parCaracteristique,
      byGroup: importance.parGroupe,
    },
    importanceMeasuredOnVersion: importance.version,
    reloadIdentical,
  };
  // Beyond the data, the observed temperature of the day forecast is not known: no upper bound.
  const predictions = predictionRows(data, testRows, forecastRows, all, {
    next: {
      [champion]: championNext,
      ...Object.fromEntries(
        fitted.filter((f) => f.name.endsWith(TEMPERATURE_SUFFIX.none))
          .map((f) => [f.name, f.forecaster.predict(xNext)]),
      ),
      ...(corrected && { [correctedLabel]: corrected.next.prediction }),
    },
    rteNext: pick(data.set.rteJ1, forecastRows),
    // The corrected forecasts are the champion version's.
    versions: { ...report.versions, [correctedLabel]: versions[champion] },
    intervals: {
      ...(quantiles && { [champion]: quantiles }),
      ...(corrected && { [correctedLabel]: corrected }),
    },
  });
  return { kind: "trained", report, predictions };
}

function pick(values: Float64Array, rows: number[]): Float64Array {
  return Float64Array.from(rows, (i) => values[i]);
}

/** A model's forecasts with their P10, P50 and P90. */
type ForecastsWithQuantiles = ForecastQuantiles & { prediction: Float64Array };

/**
 * The champion's forecasts of the test and forecast rows corrected by RTE's J-1, with their
 * P10, P50 and P90: `onlineCorrection` over both in time order, each row corrected and calibrated
 * from the rows measured at its cut-off. The champion was fitted on rows before the test period,
 * so every forecast in the stream is out of sample, as in the backtest.
 */
function correctedByRteJ1(
  data: HorizonData,
  testRows: number[],
  forecastRows: number[],
  testPredicted: Float64Array,
  nextPredicted: Float64Array,
): { test: ForecastsWithQuantiles; next: ForecastsWithQuantiles } {
  const { set } = data;
  const predicted = new Map<number, number>();
  testRows.forEach((i, k) => predicted.set(i, testPredicted[k]));
  forecastRows.forEach((i, k) => predicted.set(i, nextPredicted[k]));
  // Rows are in time order; a hole in the data (a `prevision` row) may sit among the test rows.
  const rows = [...predicted.keys()].sort((a, b) => a - b);
  const series = seriesFromColumns(set.epochMs, {
    consommation: set.target,
    prevision_j1: set.rteJ1,
  });
  const out = onlineCorrection(
    forecastStream(series, set, rows, rows.map((i) => predicted.get(i)!)),
  );
  const position = new Map(rows.map((i, k) => [i, k]));
  const of = (wanted: number[]): ForecastsWithQuantiles => {
    const at = (values: Float64Array) => Float64Array.from(wanted, (i) => values[position.get(i)!]);
    return { prediction: at(out.prediction), p10: at(out.p10), p50: at(out.p50), p90: at(out.p90) };
  };
  return { test: of(testRows), next: of(forecastRows) };
}

/** Rows of `predictions_consommation` for one horizon. */
function predictionRows(
  data: HorizonData,
  testRows: number[],
  forecastRows: number[],
  test: Record<string, Float64Array>,
  next: {
    next: Record<string, Float64Array>;
    rteNext: Float64Array;
    versions: Record<string, number>;
    /** The P10, P50 and P90 of the models that have them, on the test and forecast rows. */
    intervals: Record<string, { test: ForecastQuantiles; next: ForecastQuantiles }>;
  },
): pl.DataFrame {
  const parts: pl.DataFrame[] = [];
  const add = (
    periode: string,
    rows: number[],
    model: string,
    values: Float64Array,
    q?: ForecastQuantiles,
  ) => {
    const keep = rows.map((_, k) => k).filter((k) => Number.isFinite(values[k]));
    if (keep.length === 0) return;
    const actual = keep.map((k) => data.set.target[rows[k]]);
    const prediction = keep.map((k) => values[k]);
    const quantile = (name: keyof ForecastQuantiles) =>
      keep.map((k) => (q && Number.isFinite(q[name][k]) ? q[name][k] : null));
    parts.push(pl.DataFrame({
      timestamp_utc: keep.map((k) => data.set.epochMs[rows[k]]),
      cutoff_utc: keep.map((k) => data.set.cutoffMs[rows[k]]),
      horizon: keep.map(() => data.set.horizon),
      model: keep.map(() => model),
      model_version: keep.map(() => next.versions[model] ?? null),
      periode: keep.map(() => periode),
      prediction,
      actual: actual.map((v) => (Number.isNaN(v) ? null : v)),
      error: prediction.map((p, k) => (Number.isNaN(actual[k]) ? null : p - actual[k])),
      p10: quantile("p10"),
      p50: quantile("p50"),
      p90: quantile("p90"),
    }, { schema: PREDICTION_SCHEMA }));
  };
  const intervalsOf = (model: string, periode: "test" | "next") => next.intervals[model]?.[periode];
  for (const [model, values] of Object.entries(test)) {
    add("test", testRows, model, values, intervalsOf(model, "test"));
  }
  for (const [model, values] of Object.entries(next.next)) {
    add("prevision", forecastRows, model, values, intervalsOf(model, "next"));
  }
  add("prevision", forecastRows, "rte_j1", next.rteNext);
  return asInstants(
    parts.length ? pl.concat(parts, { how: "vertical" }) : emptyFrame(PREDICTION_SCHEMA),
    ["timestamp_utc", "cutoff_utc"],
  );
}

/**
 * `predictions_consommation` with its columns and no row (a skipped step).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyPredictions } from "./_forecast_horizon.ts";
 * const frame = emptyPredictions();
 * assert.equal(frame.height, 0);
 * assert.deepEqual(frame.columns.slice(0, 4), ["timestamp_utc", "cutoff_utc", "horizon", "model"]);
 * ```
 */
export function emptyPredictions(): pl.DataFrame {
  return asInstants(emptyFrame(PREDICTION_SCHEMA), ["timestamp_utc", "cutoff_utc"]);
}
