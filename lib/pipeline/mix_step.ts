/**
 * Notebook 09's step: {@linkcode trainMixClassifiers} reads `eco2mix_silver`, trains the
 * renewable-share classifiers 1 to 6 hours ahead (the brief's classes and terciles), registers
 * them under `models/`, and writes `predictions_mix` (the test period, and the classes forecast
 * for the 1-6 hours after the last measurement).
 *
 * The national series, skipped steps and errors: see `_ml_step_shared.ts`.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import { PATHS } from "../paths.ts";
import {
  BRIEF_CLASSES,
  classDistribution,
  classOf,
  type ClassShare,
  measuredMixInstants,
  MIX_COLUMNS,
  MIX_FEATURES,
  MIX_PROFILES,
  mixClassesPlan,
  mixDataPlan,
  mixFeatures,
  type MixFitParams,
  type MixHorizonResult,
  type MixScore,
  type MixSeries,
  mixSeriesFromSilver,
  ML_STEPS,
  planMixRefit,
  type ProfileName,
  PROFILES,
  quantileClasses,
  type RetrainingPolicy,
  type Skipped,
  skippedWhole,
  trainMixHorizon,
} from "../forecasting/mod.ts";
import {
  FitPool,
  type GbdtClassifier,
  mapConcurrent,
  ModelRegistry,
  type PermutationImportanceResult,
  RegistryError,
  sourceFingerprint,
  type TrainingDataRef,
} from "../ml/mod.ts";
import {
  asInstants,
  codeVersionOf,
  DAY_MS,
  emptyFrame,
  HOUR_MS,
  MlStepError,
  nationalSilver,
  writeEmpty,
} from "./_ml_step_shared.ts";

export { MlStepError } from "./_ml_step_shared.ts";

const MIX_PREDICTIONS_TABLE = "predictions_mix";

/** Options of {@linkcode trainMixClassifiers}. */
export interface MixTrainingOptions {
  /** Training configuration (default `complet`). */
  profile?: ProfileName;
  /** Horizons in hours (default 1 to 6). */
  horizons?: number[];
  /** Registry root (default the project's `models/`). */
  modelsDir?: string;
  /** Code version recorded with each model (default: the git commit). */
  codeVersion?: string;
  /** Share of the measured instants in the test period (default 0.2). */
  testFraction?: number;
  /**
   * Horizons whose permutation importance is computed (default all): it costs more than the
   * fits, so a caller showing a few asks for those.
   */
  importanceHorizons?: number[];
  /**
   * `auto` (default): a registered classifier serves until its data is a week behind or what
   * shaped it changed (see lib/forecasting/mix_refit.ts); `complet`: every classifier is fitted;
   * `aucun`: the registered classifiers serve.
   */
  retraining?: RetrainingPolicy;
}

/** One horizon and class scheme of {@linkcode MixTrainingReport}. */
export interface MixHorizonReport {
  horizonHours: number;
  scheme: string;
  classes: string[];
  /** Registry name and version of the classifier. */
  registeredName: string;
  version: number;
  /** Whether it was fitted in this run or reused from the registry, and why. */
  retraining: { refitted: boolean; reason: string };
  trainingRows: number;
  testRows: number;
  seconds: number;
  scores: MixScore[];
  /** Null for a horizon not in `importanceHorizons`. */
  importance: PermutationImportanceResult | null;
  /**
   * The forecast beyond the data: the class `horizon_heures` after the last measured instant
   * (`instant`), from what is known at that instant.
   */
  forecast: { instant: number; label: string };
}

/** What {@linkcode trainMixClassifiers} did. */
export interface MixTrainingReport {
  kind: "trained";
  silverVersion: number;
  /** `perimetre` of the series: `France`, or the national view of the regions. */
  perimeter: string;
  /** Step of the series (minutes). */
  stepMinutes: number;
  testStart: number;
  testEnd: number;
  /** The brief's classes over every measured instant, and over the test period. */
  distribution: ClassShare[];
  testDistribution: ClassShare[];
  /** Brief classes that never occur in the data. */
  neverObserved: string[];
  /** The class schemes trained, per horizon (a scheme of a single class is in `skipped`). */
  horizons: MixHorizonReport[];
  /** Class schemes skipped. */
  skipped: Skipped[];
  predictionsVersion: number;
}

/** Columns of `predictions_mix`, before the instants become datetimes. */
const MIX_PREDICTION_SCHEMA = {
  timestamp_utc: pl.Float64,
  horizon_heures: pl.Int32,
  /** `test` (scored against the actual class) or `prevision` (after the last measurement). */
  periode: pl.Utf8,
  schema: pl.Utf8,
  model: pl.Utf8,
  model_version: pl.Int32,
  classe_predite: pl.Utf8,
  classe_reelle: pl.Utf8,
  part_reelle: pl.Float64,
};

/**
 * Trains, registers and scores the renewable-share classifiers (the brief's classes and the
 * tercile variant) for each horizon from `eco2mix_silver`, and replaces `predictions_mix`. A
 * class scheme with a single class among the training instants is skipped; without a national
 * series or enough instants (see `mixDataPlan`), or when both schemes are skipped, the whole step
 * is, and `predictions_mix` is replaced by an empty table.
 *
 * @example
 * ```ts ignore
 * const report = await trainMixClassifiers(openCatalog(), { profile: "rapide" });
 * if (report.kind === "trained") console.log(report.horizons.map((h) => h.scores));
 * ```
 */
export async function trainMixClassifiers(
  catalog: Catalog,
  options: MixTrainingOptions = {},
): Promise<MixTrainingReport | Skipped> {
  const profile = options.profile ?? "complet";
  const params = MIX_PROFILES[profile];
  if (!params) throw new MlStepError(`unknown profile '${profile}' (complet or rapide)`);
  const skipAll = async (skipped: Skipped) => {
    await writeEmpty(
      catalog,
      MIX_PREDICTIONS_TABLE,
      asInstants(emptyFrame(MIX_PREDICTION_SCHEMA), ["timestamp_utc"]),
    );
    return skipped;
  };
  // The national view recomputes the share from the summed totals.
  const found = await nationalSilver(
    catalog,
    [...MIX_COLUMNS, "renouvelables_total", "production_totale"],
    ML_STEPS.mix,
  );
  if (found.kind === "skipped") return await skipAll(found);
  const { silverVersion } = found;
  const perimeter = found.choice.perimeter;
  const mix = mixSeriesFromSilver(found.national, perimeter)!;
  const horizonHours = options.horizons ?? [1, 2, 3, 4, 5, 6];
  // The test period: the last 20 % of the measured instants, as for consumption.
  const measured = measuredMixInstants(mix);
  const nTest = Math.max(1, Math.round(measured.length * (options.testFraction ?? 0.2)));
  const testStart = measured.length ? measured[measured.length - nTest] : Infinity;
  // A day of history before the first target (the share 24 h before is a feature).
  const targets = measured.filter((t) => t >= mix.startMs + DAY_MS);
  const shares = mix.columns.part_renouvelables;
  const shareAt = (t: number) => shares[(t - mix.startMs) / mix.stepMs];
  // The training targets of the longest horizon: the fewest, included in every other horizon's.
  const longest = Math.max(...horizonHours);
  const fewest = Array.from(targets.filter((t) => t <= testStart - longest * HOUR_MS), shareAt);
  const data = mixDataPlan({
    trainInstants: fewest.length,
    testInstants: measured.length ? nTest : 0,
    stepMinutes: mix.stepMs / 60_000,
  });
  if (data.kind === "skipped") return await skipAll(data);
  const registry = new ModelRegistry(options.modelsDir ?? PATHS.models);
  const codeVersion = options.codeVersion ?? await codeVersionOf();
  const testShares = Array.from(measured.filter((t) => t >= testStart), shareAt);
  // One tercile scheme for every horizon, from the shares before the test period.
  const terciles = quantileClasses(Array.from(measured.filter((t) => t < testStart), shareAt));
  const distribution = classDistribution(shares, BRIEF_CLASSES);
  const schemes = [["brief", BRIEF_CLASSES], ["terciles", terciles]] as const;
  const skippedSchemes: Skipped[] = [];
  const trained = schemes.filter(([schema, scheme]) => {
    const plan = mixClassesPlan(schema, classOf(fewest, scheme));
    if (plan.kind === "skipped") skippedSchemes.push(plan);
    return plan.kind === "run";
  });
  if (trained.length === 0) return await skipAll(skippedWhole(ML_STEPS.mix, skippedSchemes));
  const horizons: MixHorizonReport[] = [];
  const frames: pl.DataFrame[] = [];
  const trainingData: TrainingDataRef[] = [{ table: "eco2mix_silver", version: silverVersion }];
  const lastMeasured = measured[measured.length - 1];
  const jobs = horizonHours.flatMap((hours) =>
    trained.map(([schema, scheme]) => ({ hours, schema, scheme }))
  );
  const classificationCode = await sourceFingerprint([
    new URL("../forecasting/classification.ts", import.meta.url),
  ]);
  // The last training target of a horizon: its first test cut-off or before.
  const trainingEndOf = (hours: number) =>
    targets.findLast((t) => t <= testStart - hours * HOUR_MS) ?? -Infinity;
  const nameOf = (schema: string, hours: number) =>
    `mix_renouvelable${schema === "brief" ? "" : "_terciles"}_h${hours}`;
  const plans = await Promise.all(jobs.map(async ({ hours, schema }) =>
    planMixRefit(
      options.retraining ?? "auto",
      await registry.getVersion(nameOf(schema, hours), "champion").catch((e) => {
        if (e instanceof RegistryError) return null;
        throw e;
      }),
      {
        gbdt: params,
        profile,
        features: MIX_FEATURES,
        code: classificationCode,
        fixedScheme: schema === "brief" ? BRIEF_CLASSES : null,
        trainingEnd: trainingEndOf(hours),
      },
    )
  ));
  // The classifiers are independent: fitted side by side on every core, registered in order.
  const pool = new FitPool(PROFILES[profile].workers);
  let results: { r: MixHorizonResult; started: Date }[];
  try {
    results = await mapConcurrent(jobs.map((_, k) => k), pool.size, async (k) => {
      const { hours, schema, scheme } = jobs[k];
      const plan = plans[k];
      const started = new Date();
      const fitted = plan.refit ? undefined : {
        model: (await registry.load(nameOf(schema, hours), plan.version)).model as GbdtClassifier,
        scheme: plan.scheme,
      };
      // A reused classifier's importance is the one measured at its fit, when there was one:
      // the permutations cost more than the fit itself.
      const wanted = options.importanceHorizons?.includes(hours) ?? true;
      const stored = wanted && !plan.refit
        ? await registry.attachment(nameOf(schema, hours), plan.version, "importance")
        : null;
      const r = await trainMixHorizon(mix, hours, targets, testStart, () => scheme, params, {
        pool,
        importanceRepeats: wanted && stored === null ? 3 : 0,
        fitted,
      });
      if (stored !== null) r.importance = stored as PermutationImportanceResult;
      return { r, started };
    });
  } finally {
    pool.close();
  }
  for (const [k, { hours, schema }] of jobs.entries()) {
    const { r, started } = results[k];
    const plan = plans[k];
    const name = nameOf(schema, hours);
    const gbdt = r.scores.find((s) => s.model === "gbdt")!.metrics;
    const metrics = {
      exactitude_test: gbdt.accuracy,
      exactitude_equilibree_test: gbdt.balancedAccuracy,
      f1_macro_test: gbdt.macroF1,
    };
    const report = {
      horizonHours: hours,
      scheme: schema,
      classes: [...r.scheme.labels],
      registeredName: name,
      retraining: { refitted: plan.refit, reason: plan.reason },
      testRows: r.testRows.length,
      seconds: r.seconds,
      scores: r.scores,
      importance: r.importance,
    };
    // Beyond the data: the features of lastMeasured + hours are all known at lastMeasured.
    const next = mixFeatures(mix, hours, [lastMeasured + hours * HOUR_MS]);
    const forecast = {
      instant: next.epochMs[0],
      label: String(r.model.predict(next.x)[0]),
    };
    if (!plan.refit) {
      horizons.push({
        ...report,
        version: plan.version,
        trainingRows: plan.rows,
        forecast,
      });
      frames.push(mixPredictionRows(r, mix, targets, schema, plan.version, forecast));
      continue;
    }
    const fitParams: MixFitParams = {
      horizon_heures: hours,
      schema: r.scheme,
      features: [...MIX_FEATURES],
      gbdt: params,
      profil: profile,
      empreinte_code: classificationCode,
      fin_entrainement: new Date(trainingEndOf(hours)).toISOString(),
    };
    const info = await registry.register(name, r.model, {
      params: fitParams,
      metrics,
      trainingData: [{ ...trainingData[0], rows: r.trainRows.length }],
      codeVersion,
      description: `classe de la part renouvelable dans ${hours} h (${schema})`,
      tags: { horizon_heures: String(hours), schema, profil: profile },
      attachments: r.importance ? { importance: r.importance } : undefined,
    });
    await registry.setAlias(name, "champion", info.version);
    await registry.logRun({
      model: name,
      params: { horizon_heures: hours, schema: r.scheme.name, gbdt: params, profil: profile },
      metrics: { ...metrics, lignes_entrainement: r.trainRows.length, secondes: r.seconds },
      artifacts: [`${name}/versions/${String(info.version).padStart(6, "0")}/model.json`],
      startedAt: started,
      durationMs: r.seconds * 1000,
      trainingData,
      codeVersion,
      version: info.version,
      tags: { horizon_heures: String(hours), schema },
    });
    horizons.push({
      ...report,
      version: info.version,
      trainingRows: r.trainRows.length,
      forecast,
    });
    frames.push(mixPredictionRows(r, mix, targets, schema, info.version, forecast));
  }
  const commit = await catalog.table(MIX_PREDICTIONS_TABLE).overwrite(
    pl.concat(frames, { how: "vertical" }),
    { overwriteSchema: true },
  );
  return {
    kind: "trained",
    silverVersion,
    perimeter,
    stepMinutes: mix.stepMs / 60_000,
    testStart,
    testEnd: measured[measured.length - 1],
    distribution,
    testDistribution: classDistribution(testShares, BRIEF_CLASSES),
    neverObserved: distribution.filter((c) => c.rows === 0).map((c) => c.label),
    horizons,
    skipped: skippedSchemes,
    predictionsVersion: commit.version,
  };
}

/** Rows of `predictions_mix` for one horizon and scheme. */
function mixPredictionRows(
  r: MixHorizonResult,
  mix: MixSeries,
  targets: Float64Array,
  schema: string,
  version: number,
  forecast: MixHorizonReport["forecast"],
): pl.DataFrame {
  const parts = Object.entries(r.forecasts).map(([model, classes]) => {
    const rows = r.testRows.map((_, k) => k).filter((k) => classes[k] !== null);
    return pl.DataFrame({
      timestamp_utc: rows.map((k) => targets[r.testRows[k]]),
      horizon_heures: rows.map(() => r.horizonHours),
      periode: rows.map(() => "test"),
      schema: rows.map(() => schema),
      model: rows.map(() => model),
      model_version: rows.map(() => (model === "gbdt" ? version : null)),
      classe_predite: rows.map((k) => classes[k]),
      classe_reelle: rows.map((k) => r.actual[k]),
      part_reelle: rows.map((k) =>
        mix.columns.part_renouvelables[(targets[r.testRows[k]] - mix.startMs) / mix.stepMs]
      ),
    }, { schema: MIX_PREDICTION_SCHEMA });
  });
  const next = pl.DataFrame({
    timestamp_utc: [forecast.instant],
    horizon_heures: [r.horizonHours],
    periode: ["prevision"],
    schema: [schema],
    model: ["gbdt"],
    model_version: [version],
    classe_predite: [forecast.label],
    classe_reelle: [null],
    part_reelle: [null],
  }, { schema: MIX_PREDICTION_SCHEMA });
  return asInstants(pl.concat([...parts, next], { how: "vertical" }), ["timestamp_utc"]);
}
