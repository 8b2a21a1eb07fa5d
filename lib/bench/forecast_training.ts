/**
 * Where notebook 08's time goes: the consumption models' training as `trainConsumptionModels`
 * does it (rolling-origin cross-validation of every learner on both horizons, refits on the
 * whole training set, permutation importance of the champion), on the real features of a
 * lakehouse built by the pipeline's data notebooks (02, 03, 07), timed piece by piece with the
 * CPU time of the process (worker threads included) beside the wall time.
 *
 * ```sh
 * # once: a lakehouse with `caracteristiques_consommation` (any profile: the features are the same)
 * deno task pipeline --input …/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls \
 *   -p reference_dir=/work/shared/data -p profil=rapide -p lakehouse_dir=/tmp/perf/lh …
 * deno run -A lib/bench/forecast_training.ts --lakehouse /tmp/perf/lh [--profil complet]
 *   [--horizon h1] [--learner gbdt] [--folds 2] [--per-learner] [--whole | --mix] [--json out.json]
 *   [--set '{"forest":{"nEstimators":30}}']   # profile parameters overridden (experiments)
 * ```
 *
 * `--whole` runs `trainConsumptionModels` itself (notebook 08's first cell) on a temporary
 * registry instead, and reports its total and the pieces its report holds; `--mix` runs
 * `trainMixClassifiers` (notebook 09's first cell) the same way. CPU utilisation is
 * CPU seconds over wall seconds: 2.0 is both cores busy.
 *
 * @module
 */

import { parseArgs } from "node:util";
import pl from "nodejs-polars";
import { openCatalog, TABLE } from "../pipeline/catalog.ts";
import { trainConsumptionModels } from "../pipeline/forecast_step.ts";
import { trainMixClassifiers } from "../pipeline/mix_step.ts";
import { featureMatrixFromDataFrame, numericColumn, takeRows } from "../ml/mod.ts";
import {
  type ConsumptionFeatureSet,
  crossValidateLearners,
  featureNames,
  fitForecaster,
  forecasterImportance,
  type HorizonName,
  HORIZONS,
  type LearnerName,
  learnersOf,
  modelFeatures,
  modelLabel,
  type ProfileName,
  PROFILES,
  scoreOnCommonRows,
  type TrainingProfile,
} from "../forecasting/mod.ts";

/** CPU seconds of this process so far (all threads: the workers are threads). */
export function processCpuSeconds(): number {
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One timed piece of work. */
export interface Timing {
  piece: string;
  horizon: HorizonName | "";
  learner: string;
  fold: number | null;
  rows: number;
  wall_s: number;
  cpu_s: number;
  /** Test MAPE of the piece (mean over the folds for a one-learner `cv_total`), else null. */
  mape: number | null;
}

/** Runs `work`, returning its result and wall and CPU seconds. */
export async function timed<T>(work: () => Promise<T> | T) {
  const cpu0 = processCpuSeconds();
  const t0 = performance.now();
  const result = await work();
  return {
    result,
    wall: (performance.now() - t0) / 1000,
    cpu: processCpuSeconds() - cpu0,
  };
}

const DAY_MS = 86_400_000;

/**
 * One horizon's rows of the features table, as `trainConsumptionModels` reads them: the feature
 * set and the row indices of the training and test sets (also used by `leaf_refit.ts`).
 */
export function horizonRows(frame: pl.DataFrame, horizon: HorizonName, temperature: boolean) {
  const rows = frame.filter(pl.col("horizon").eq(pl.lit(horizon))).sort("timestamp_utc");
  const epoch = (name: string) =>
    numericColumn(rows.select(pl.col(name).cast(pl.Datetime("ms", "UTC")).cast(pl.Int64)), name);
  const set: ConsumptionFeatureSet = {
    horizon,
    epochMs: epoch("timestamp_utc"),
    cutoffMs: epoch("cutoff_utc"),
    target: numericColumn(rows, "consommation"),
    source: new Uint8Array(rows.height),
    rteJ1: numericColumn(rows, "prevision_rte_j1"),
    rteJ: numericColumn(rows, "prevision_rte_j"),
    x: featureMatrixFromDataFrame(rows, featureNames(horizon, { temperature })),
  };
  const split = rows.getColumn("jeu").toArray() as string[];
  const of = (name: string) => split.flatMap((s, i) => (s === name ? [i] : []));
  return { set, train: of("entrainement"), test: of("test") };
}

const mapeOf = (y: Float64Array, p: Float64Array) => scoreOnCommonRows(y, { p }).scores[0].mape;

/** Notebook 08's work, piece by piece. */
async function pieces(
  frame: pl.DataFrame,
  profil: ProfileName,
  only: {
    horizon?: string;
    learner?: string;
    folds?: number;
    perLearner?: boolean;
    set?: Partial<TrainingProfile>;
  },
): Promise<Timing[]> {
  const base = PROFILES[profil];
  // Learner parameters overridden from --set (experiments: fewer trees, other rates...).
  const set = only.set ?? {};
  const profile: TrainingProfile = {
    ...base,
    ...set,
    gbdt: { ...base.gbdt, ...set.gbdt },
    forest: { ...base.forest, ...set.forest },
    ridge: { ...base.ridge, ...set.ridge },
    cvFolds: only.folds ?? set.cvFolds ?? base.cvFolds,
  };
  const temperature = frame.columns.includes("temperature");
  const out: Timing[] = [];
  const log = (t: Timing) => {
    out.push(t);
    console.log(
      [
        t.piece.padEnd(10),
        t.horizon.padEnd(2),
        t.learner.padEnd(27),
        String(t.fold ?? "").padEnd(2),
        String(t.rows).padStart(7),
        `${t.wall_s.toFixed(2)} s`.padStart(9),
        Number.isNaN(t.cpu_s) ? "" : `cpu ${(t.cpu_s / t.wall_s).toFixed(2)}`,
        t.mape === null ? "" : `mape ${t.mape.toFixed(3)} %`,
      ].join(" "),
    );
  };
  for (const horizon of Object.keys(HORIZONS) as HorizonName[]) {
    if (only.horizon && horizon !== only.horizon) continue;
    const learners = learnersOf(horizon).filter((l) => !only.learner || l === only.learner);
    const { set, train, test } = horizonRows(frame, horizon, temperature);
    const testStart = set.epochMs[test[0]];
    const earliest = profile.trainDays === null
      ? -Infinity
      : testStart - profile.trainDays * DAY_MS;
    const trainRows = train.filter((i) => set.epochMs[i] >= earliest);
    // As notebook 08: the live models get the temperature forecast known at the cut-off.
    const features = modelFeatures(horizon, { temperature: temperature ? "forecast" : "none" });
    // As trainConsumptionModels: all learners in one cross-validation (fits side by side), or
    // with --per-learner one learner at a time, so that each gets its own CPU time.
    const groups = only.perLearner ? learners.map((l) => [l]) : [learners];
    const means: { learner: LearnerName; mape: number }[] = [];
    for (const group of groups) {
      const cv = await timed(() => crossValidateLearners(set, trainRows, features, profile, group));
      for (const f of cv.result.folds) {
        log({
          piece: "cv_fold",
          horizon,
          learner: f.learner,
          fold: f.fold,
          rows: f.trainingRows,
          wall_s: f.seconds,
          cpu_s: NaN,
          mape: f.mape,
        });
      }
      log({
        piece: "cv_total",
        horizon,
        learner: group.join("+"),
        fold: null,
        rows: trainRows.length,
        wall_s: cv.wall,
        cpu_s: cv.cpu,
        mape: group.length === 1 ? cv.result.means[0].mape : null,
      });
      means.push(...cv.result.means);
    }
    const champion = means.reduce((best, m) => (m.mape < best.mape ? m : best)).learner;
    const xTrain = takeRows(set.x, trainRows);
    const yTrain = Float64Array.from(trainRows, (i) => set.target[i]);
    const xTest = takeRows(set.x, test);
    const yTest = Float64Array.from(test, (i) => set.target[i]);
    const variants = [
      ...learners.map((learner) => ({ learner, features, label: learner })),
      ...(temperature
        ? (["observed", "none"] as const).map((input) => ({
          learner: champion,
          features: modelFeatures(horizon, { temperature: input }),
          label: modelLabel(champion, input, "forecast"),
        }))
        : []),
    ];
    for (const v of variants) {
      const fit = await timed(() =>
        fitForecaster(xTrain, yTrain, {
          horizon,
          learner: v.learner,
          features: v.features,
          profile,
        })
      );
      log({
        piece: "refit",
        horizon,
        learner: v.label,
        fold: null,
        rows: fit.result.rows,
        wall_s: fit.wall,
        cpu_s: fit.cpu,
        mape: mapeOf(yTest, fit.result.forecaster.predict(xTest)),
      });
      if (v.label !== champion) continue;
      const importance = await timed(() =>
        forecasterImportance(fit.result.forecaster, xTest, yTest, profile.permutationRepeats)
      );
      log({
        piece: "importance",
        horizon,
        learner: champion,
        fold: null,
        rows: test.length,
        wall_s: importance.wall,
        cpu_s: importance.cpu,
        mape: null,
      });
    }
  }
  return out;
}

/** Sums of wall and CPU seconds by a key. */
function summary(timings: Timing[], key: (t: Timing) => string) {
  const groups = new Map<string, { wall: number; cpu: number; n: number }>();
  for (const t of timings) {
    const g = groups.get(key(t)) ?? { wall: 0, cpu: 0, n: 0 };
    g.wall += t.wall_s;
    g.cpu += t.cpu_s;
    g.n++;
    groups.set(key(t), g);
  }
  return [...groups.entries()].map(([k, g]) => ({
    piece: k,
    n: g.n,
    wall_s: Math.round(g.wall * 10) / 10,
    cpu_utilisation: Math.round((g.cpu / g.wall) * 100) / 100,
  }));
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      lakehouse: { type: "string" },
      profil: { type: "string", default: "complet" },
      horizon: { type: "string" },
      learner: { type: "string" },
      folds: { type: "string" },
      "per-learner": { type: "boolean", default: false },
      set: { type: "string" },
      whole: { type: "boolean", default: false },
      mix: { type: "boolean", default: false },
      json: { type: "string" },
    },
  });
  if (!values.lakehouse) throw new Error("--lakehouse DIR is required");
  const profil = values.profil as ProfileName;
  if (!PROFILES[profil]) throw new Error(`unknown profile ${profil}`);
  const catalog = openCatalog(values.lakehouse);
  const load = Deno.loadavg();
  console.log(`load average at start: ${load.map((v) => v.toFixed(2)).join(" ")}`);
  if (values.mix) {
    // Notebook 09's first cell: the renewable-share classifiers, every horizon and scheme.
    const modelsDir = await Deno.makeTempDir({ prefix: "bench_registry_" });
    const { result, wall, cpu } = await timed(() =>
      trainMixClassifiers(catalog, { profile: profil, modelsDir, codeVersion: "bench" })
    );
    await Deno.remove(modelsDir, { recursive: true });
    if (result.kind !== "trained") throw new Error(`skipped: ${JSON.stringify(result)}`);
    console.table(result.horizons.map((h) => ({
      horizon_heures: h.horizonHours,
      schema: h.scheme,
      fit_s: Math.round(h.seconds * 100) / 100,
      balanced_accuracy: h.scores.find((s) => s.model === "gbdt")?.metrics.balancedAccuracy,
    })));
    console.log(
      `trainMixClassifiers (${profil}): ${wall.toFixed(1)} s wall, CPU utilisation ` +
        `${(cpu / wall).toFixed(2)}; fits ${
          result.horizons.reduce((t, h) => t + h.seconds, 0).toFixed(1)
        } s`,
    );
    if (values.json) await Deno.writeTextFile(values.json, JSON.stringify({ wall, cpu, load }));
  } else if (values.whole) {
    const modelsDir = await Deno.makeTempDir({ prefix: "bench_registry_" });
    const { result, wall, cpu } = await timed(() =>
      trainConsumptionModels(catalog, { profile: profil, modelsDir, codeVersion: "bench" })
    );
    await Deno.remove(modelsDir, { recursive: true });
    if (result.kind !== "trained") throw new Error(`skipped: ${JSON.stringify(result)}`);
    const rows: Record<string, unknown>[] = [];
    for (const h of result.horizons) {
      const cv = h.crossValidation?.folds ?? [];
      for (const learner of learnersOf(h.horizon)) {
        const mine = cv.filter((f) => f.learner === learner);
        rows.push({
          horizon: h.horizon,
          piece: `cv ${learner}`,
          wall_s: Math.round(mine.reduce((s, f) => s + f.seconds, 0) * 10) / 10,
        });
      }
      for (const e of h.fits) {
        rows.push({ horizon: h.horizon, piece: `refit ${e.model}`, wall_s: e.seconds });
      }
      for (const s of h.scores) {
        rows.push({ horizon: h.horizon, piece: `mape ${s.model}`, mape: s.mape });
      }
    }
    const sum = (prefix: string) =>
      rows.filter((r) => String(r.piece).startsWith(prefix))
        .reduce((s, r) => s + ((r.wall_s as number | undefined) ?? 0), 0);
    console.table(rows);
    // Cross-validation fits run side by side: their seconds add up to more than their wall time.
    console.log(
      `trainConsumptionModels (${profil}): ${wall.toFixed(1)} s wall, CPU utilisation ` +
        `${(cpu / wall).toFixed(2)}; seconds of the cross-validation fits ${
          sum("cv").toFixed(1)
        } (summed over fits that may overlap), of the refits ${sum("refit").toFixed(1)}`,
    );
    if (values.json) {
      await Deno.writeTextFile(values.json, JSON.stringify({ wall, cpu, rows, load }, null, 1));
    }
  } else {
    const frame = await catalog.table(TABLE.caracteristiques_consommation).read();
    const { result, wall, cpu } = await timed(() =>
      pieces(frame, profil, {
        horizon: values.horizon,
        learner: values.learner,
        folds: values.folds ? Number(values.folds) : undefined,
        perLearner: values["per-learner"],
        set: values.set ? JSON.parse(values.set) : undefined,
      })
    );
    // Folds carry no CPU time of their own: their learner's `cv_total` does.
    const totals = result.filter((t) => t.piece !== "cv_fold");
    console.table(summary(totals, (t) => `${t.piece} ${t.horizon} ${t.learner}`));
    console.table(summary(totals, (t) => `${t.piece} ${t.learner.split("_sans")[0]}`));
    console.table(summary(totals, (t) => t.piece));
    console.log(
      `total ${wall.toFixed(1)} s wall, CPU utilisation ${(cpu / wall).toFixed(2)}; load ` +
        `average at end ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")}`,
    );
    if (values.json) {
      await Deno.writeTextFile(
        values.json,
        JSON.stringify({ wall, cpu, load, timings: result }, null, 1),
      );
    }
  }
}
