/**
 * Energy-mix classification: the class of the renewable share of national production one to
 * six hours ahead, from what is known at the cut-off (`t - h`).
 *
 * **Classes.** The brief's four classes of `part_renouvelables` (silver: wind + solar + hydro +
 * bioenergy over the eight production columns, %), lower bound included:
 * {@linkcode BRIEF_CLASSES} `<30 %` [0, 30), `30-50 %` [30, 50), `50-70 %` [50, 70),
 * `>70 %` [70, 100]. France's mix is mostly nuclear, so the upper classes are rare or absent
 * (2025: never above 70 %, 0.3 % of quarter-hours above 50 %): the variant
 * {@linkcode quantileClasses} cuts the training shares into terciles, classes that do occur.
 *
 * **Data.** The eCO2mix national series of silver at its own step (15 minutes for real-time
 * files), on a regular grid; no history is needed (ODRÉ's history has consumption only).
 *
 * **Features** (all read through one accessor that refuses slots after the cut-off; the
 * calendar of the target is known in advance): the share at the cut-off, 1 h and 3 h before it
 * and 24 h before the target (the same time yesterday, known for every horizon up to 24 h); wind,
 * solar, hydro, nuclear, consumption and physical exchanges at the cut-off; the change of wind,
 * solar and share over the hour and the three hours before the cut-off; solar 24 h before the
 * target; the target's local hour, weekday, month, day of year, holiday and summer time.
 *
 * @module
 */

import pl from "nodejs-polars";
import { CALENDAR_FEATURES, calendarFeatures } from "./calendar.ts";
import {
  type ClassificationMetrics,
  classificationMetrics,
  type FeatureMatrix,
  fitGbdtClassifier,
  type FitPool,
  type GbdtClassifier,
  type GbdtClassifierParams,
  type Label,
  MlInputError,
  permutationImportance,
  type PermutationImportanceResult,
  takeRows,
} from "../ml/mod.ts";

/** A class scheme: labels and the lower bound (%) of every class but the first. */
export interface ClassScheme {
  readonly name: string;
  readonly labels: readonly string[];
  /** `bounds[k]` is the lower bound of `labels[k + 1]` (inclusive). */
  readonly bounds: readonly number[];
}

/** The brief's classes of the renewable share. */
export const BRIEF_CLASSES: ClassScheme = {
  name: "brief",
  labels: ["<30 %", "30-50 %", "50-70 %", ">70 %"],
  bounds: [30, 50, 70],
};

/**
 * Class label of each share (NaN share: null).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BRIEF_CLASSES, classOf } from "./classification.ts";
 * assert.deepEqual(classOf([12, 30, 49.9, 70, NaN], BRIEF_CLASSES), ["<30 %", "30-50 %", "30-50 %", ">70 %", null]);
 * ```
 */
export function classOf(shares: ArrayLike<number>, scheme: ClassScheme): (string | null)[] {
  return Array.from(shares, (s) => {
    if (Number.isNaN(s)) return null;
    let k = 0;
    while (k < scheme.bounds.length && s >= scheme.bounds[k]) k++;
    return scheme.labels[k];
  });
}

/**
 * Terciles of the shares given (the training rows): three classes of equal frequency, named by
 * their range, e.g. `bas (<24,1 %)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantileClasses } from "./classification.ts";
 * const scheme = quantileClasses(Array.from({ length: 300 }, (_, i) => i / 10));
 * assert.deepEqual(scheme.bounds, [10, 20]);
 * assert.equal(scheme.labels[0], "bas (<10,0 %)");
 * ```
 */
export function quantileClasses(shares: ArrayLike<number>): ClassScheme {
  const sorted = Float64Array.from(shares).filter((s) => !Number.isNaN(s)).sort();
  if (sorted.length < 3) throw new MlInputError("quantileClasses: fewer than 3 shares");
  const q = (p: number) => sorted[Math.floor(p * sorted.length)];
  const bounds = [q(1 / 3), q(2 / 3)];
  const pct = (v: number) =>
    v.toLocaleString("fr-FR", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  return {
    name: "terciles",
    labels: [
      `bas (<${pct(bounds[0])} %)`,
      `moyen (${pct(bounds[0])}-${pct(bounds[1])} %)`,
      `haut (>=${pct(bounds[1])} %)`,
    ],
    bounds,
  };
}

/** Columns of the mix series, as in silver. */
export const MIX_COLUMNS = [
  "part_renouvelables",
  "eolien",
  "solaire",
  "hydraulique",
  "nucleaire",
  "consommation",
  "ech_physiques",
] as const;

/** The national mix on a regular grid at its own step. */
export interface MixSeries {
  readonly startMs: number;
  readonly stepMs: number;
  readonly columns: Readonly<Record<(typeof MIX_COLUMNS)[number], Float64Array>>;
}

/**
 * The eCO2mix rows of one perimeter of silver (`jeu_donnees` eco2mix, `perimetre` France by
 * default, or e.g. gold's national view of the regions) on a regular grid whose step is the
 * smallest `pas_minutes` of those rows; rows off the grid are left out. Returns null when there
 * is no such row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { mixSeriesFromSilver } from "./classification.ts";
 * const t0 = Date.UTC(2025, 0, 1);
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix"], perimetre: ["France", "France"],
 *   timestamp_utc: [t0, t0 + 1_800_000], pas_minutes: [15, 15], part_renouvelables: [31, 33],
 * }).withColumns(pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"));
 * const mix = mixSeriesFromSilver(silver)!;
 * assert.equal(mix.stepMs, 900_000);
 * assert.ok(Number.isNaN(mix.columns.part_renouvelables[1])); // 00:15 missing
 * ```
 */
export function mixSeriesFromSilver(silver: pl.DataFrame, perimetre = "France"): MixSeries | null {
  const rows = silver.filter(
    pl.col("jeu_donnees").eq(pl.lit("eco2mix")).and(pl.col("perimetre").eq(pl.lit(perimetre))),
  ).sort("timestamp_utc");
  if (rows.height === 0) return null;
  const step = Number(rows.getColumn("pas_minutes").min()) * 60_000;
  const epochMs = rows.select(pl.col("timestamp_utc").cast(pl.Datetime("ms", "UTC")).cast(pl.Int64))
    .getColumn("timestamp_utc").toArray().map(Number);
  const start = epochMs[0];
  const n = Math.floor((epochMs[epochMs.length - 1] - start) / step) + 1;
  const columns = Object.fromEntries(MIX_COLUMNS.map((name) => {
    const out = new Float64Array(n).fill(NaN);
    if (!rows.columns.includes(name)) return [name, out];
    const values = rows.getColumn(name).cast(pl.Float64).toArray() as (number | null)[];
    epochMs.forEach((t, i) => {
      if ((t - start) % step === 0 && values[i] !== null) out[(t - start) / step] = values[i]!;
    });
    return [name, out];
  })) as Record<(typeof MIX_COLUMNS)[number], Float64Array>;
  return { startMs: start, stepMs: step, columns };
}

/** Features of the mix classifiers, in order. */
export const MIX_FEATURES: readonly string[] = [
  ...CALENDAR_FEATURES,
  "part_connue",
  "part_1h_avant",
  "part_3h_avant",
  "part_veille",
  "variation_part_1h",
  "variation_part_3h",
  "eolien",
  "solaire",
  "hydraulique",
  "nucleaire",
  "consommation",
  "ech_physiques",
  "variation_eolien_1h",
  "variation_eolien_3h",
  "variation_solaire_1h",
  "solaire_veille",
];

/** The features and actual shares of the rows of one horizon. */
export interface MixFeatureSet {
  /** Hours between cut-off and target. */
  readonly horizonHours: number;
  readonly epochMs: Float64Array;
  readonly cutoffMs: Float64Array;
  /** Renewable share at the target (%; NaN when not measured). */
  readonly share: Float64Array;
  /** Share at the cut-off: the persistence forecast. */
  readonly persistence: Float64Array;
  readonly x: FeatureMatrix;
}

const HOUR_MS = 3_600_000;

/**
 * Features of the targets given (slots of `mix`) for a horizon of `hours` hours (cut-off
 * `t - hours`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixFeatures, type MixSeries } from "./classification.ts";
 * const n = 200;
 * const col = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
 * const mix: MixSeries = {
 *   startMs: Date.UTC(2025, 0, 1), stepMs: 900_000,
 *   columns: {
 *     part_renouvelables: col((i) => i), eolien: col(() => 1), solaire: col(() => 2),
 *     hydraulique: col(() => 3), nucleaire: col(() => 4), consommation: col(() => 5),
 *     ech_physiques: col(() => 6),
 *   },
 * };
 * const set = mixFeatures(mix, 2, [Date.UTC(2025, 0, 1) + 150 * 900_000]);
 * assert.equal(set.persistence[0], 142); // 8 quarter-hours before
 * assert.equal(set.share[0], 150);
 * ```
 */
export function mixFeatures(
  mix: MixSeries,
  hours: number,
  targets: ArrayLike<number>,
): MixFeatureSet {
  if (!(Number.isInteger(hours) && hours >= 1 && hours <= 24)) {
    throw new MlInputError(`horizon must be a whole number of hours in 1..24, got ${hours}`);
  }
  const { stepMs, startMs } = mix;
  const c = mix.columns;
  const n = targets.length;
  const length = c.part_renouvelables.length;
  const perHour = HOUR_MS / stepMs;
  const epochMs = Float64Array.from(targets);
  const cutoffMs = epochMs.map((t) => t - hours * HOUR_MS);
  const slot = (t: number) => (t - startMs) / stepMs;
  const columns: Record<string, Float64Array> = {};
  Object.assign(columns, calendarFeatures(epochMs));
  for (const name of MIX_FEATURES.slice(CALENDAR_FEATURES.length)) {
    columns[name] = new Float64Array(n);
  }
  const share = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = slot(epochMs[i]);
    if (!Number.isInteger(k)) {
      throw new MlInputError(
        `target row ${i} (${new Date(epochMs[i]).toISOString()}) is off the grid`,
      );
    }
    const cut = k - hours * perHour;
    // The single door to measurements: NaN outside the series or after the cut-off.
    const known = (values: Float64Array, s: number) =>
      s >= 0 && s < length && s <= cut ? values[s] : NaN;
    share[i] = k >= 0 && k < length ? c.part_renouvelables[k] : NaN;
    const part = (s: number) => known(c.part_renouvelables, s);
    columns.part_connue[i] = part(cut);
    columns.part_1h_avant[i] = part(cut - perHour);
    columns.part_3h_avant[i] = part(cut - 3 * perHour);
    columns.part_veille[i] = part(k - 24 * perHour);
    columns.variation_part_1h[i] = part(cut) - part(cut - perHour);
    columns.variation_part_3h[i] = part(cut) - part(cut - 3 * perHour);
    for (
      const name of [
        "eolien",
        "solaire",
        "hydraulique",
        "nucleaire",
        "consommation",
        "ech_physiques",
      ] as const
    ) {
      columns[name][i] = known(c[name], cut);
    }
    columns.variation_eolien_1h[i] = known(c.eolien, cut) - known(c.eolien, cut - perHour);
    columns.variation_eolien_3h[i] = known(c.eolien, cut) - known(c.eolien, cut - 3 * perHour);
    columns.variation_solaire_1h[i] = known(c.solaire, cut) - known(c.solaire, cut - perHour);
    columns.solaire_veille[i] = known(c.solaire, k - 24 * perHour);
  }
  return {
    horizonHours: hours,
    epochMs,
    cutoffMs,
    share,
    persistence: columns.part_connue.slice(),
    x: { names: [...MIX_FEATURES], columns: MIX_FEATURES.map((name) => columns[name]), nRows: n },
  };
}

/**
 * The grid instants of `mix` with a measured share, from `fromMs` on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measuredMixInstants } from "./classification.ts";
 * const mix = { startMs: 0, stepMs: 10, columns: { part_renouvelables: Float64Array.of(1, NaN, 3) } };
 * assert.deepEqual([...measuredMixInstants(mix as never)], [0, 20]);
 * ```
 */
export function measuredMixInstants(mix: MixSeries, fromMs = -Infinity): Float64Array {
  const out: number[] = [];
  mix.columns.part_renouvelables.forEach((v, k) => {
    const t = mix.startMs + k * mix.stepMs;
    if (!Number.isNaN(v) && t >= fromMs) out.push(t);
  });
  return Float64Array.from(out);
}

/** Gradient-boosting parameters of the mix classifiers, per profile. */
export const MIX_PROFILES: Readonly<Record<"complet" | "rapide", GbdtClassifierParams>> = {
  complet: { maxIter: 300, learningRate: 0.1, maxLeafNodes: 31, classWeight: "balanced" },
  rapide: { maxIter: 60, learningRate: 0.2, maxLeafNodes: 15, classWeight: "balanced" },
};

/** Share of each class among the shares given (every class listed, absent ones with 0 rows). */
export interface ClassShare {
  label: string;
  rows: number;
  sharePct: number;
}

/**
 * How often each class of `scheme` occurs among `shares` (NaN ignored).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BRIEF_CLASSES, classDistribution } from "./classification.ts";
 * const d = classDistribution([10, 20, 35, NaN], BRIEF_CLASSES);
 * assert.deepEqual(d.map((c) => c.rows), [2, 1, 0, 0]);
 * assert.ok(Math.abs(d[0].sharePct - 200 / 3) < 1e-12);
 * ```
 */
export function classDistribution(shares: ArrayLike<number>, scheme: ClassScheme): ClassShare[] {
  const labels = classOf(shares, scheme).filter((l): l is string => l !== null);
  return scheme.labels.map((label) => {
    const rows = labels.filter((l) => l === label).length;
    return { label, rows, sharePct: labels.length ? (100 * rows) / labels.length : NaN };
  });
}

/** Scores of one forecaster of classes. */
export interface MixScore {
  model: string;
  metrics: ClassificationMetrics;
}

/**
 * Classification metrics of every forecast on the rows where the actual class and all
 * forecasts are known (the same rows for each).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BRIEF_CLASSES, scoreClasses } from "./classification.ts";
 * const { scores, rows } = scoreClasses(["<30 %", "30-50 %", "<30 %"], {
 *   a: ["<30 %", "<30 %", null], b: ["<30 %", "30-50 %", "<30 %"],
 * }, BRIEF_CLASSES);
 * assert.deepEqual(rows, [0, 1]);
 * assert.equal(scores[0].metrics.balancedAccuracy, 0.5);
 * assert.equal(scores[1].metrics.accuracy, 1);
 * ```
 */
export function scoreClasses(
  actual: readonly (string | null)[],
  forecasts: Record<string, readonly (string | null)[]>,
  scheme: ClassScheme,
): { scores: MixScore[]; rows: number[] } {
  const entries = Object.entries(forecasts);
  const rows = actual.flatMap((a, i) =>
    a !== null && entries.every(([, f]) => f[i] !== null) ? [i] : []
  );
  if (rows.length === 0) throw new MlInputError("no row where every class forecast is known");
  const truth = rows.map((i) => actual[i]!);
  return {
    scores: entries.map(([model, f]) => ({
      model,
      metrics: classificationMetrics(truth, rows.map((i) => f[i]!), scheme.labels),
    })),
    rows,
  };
}

/** One horizon's classifier and its evaluation. */
export interface MixHorizonResult {
  horizonHours: number;
  scheme: ClassScheme;
  model: GbdtClassifier;
  /** Training and test rows (indices of the feature set). */
  trainRows: number[];
  testRows: number[];
  /** GBDT, persistence (class at the cut-off) and daily persistence (24 h before the target). */
  scores: MixScore[];
  /** Forecast classes of every test row, per model (null where unknown). */
  forecasts: Record<string, (string | null)[]>;
  actual: (string | null)[];
  /** Permutation importance (loss of balanced accuracy) on the test rows (null: not asked). */
  importance: PermutationImportanceResult | null;
  seconds: number;
}

/** Options of {@linkcode trainMixHorizon}. */
export interface MixHorizonOptions {
  /**
   * Shuffles per feature in permutation importance (default 3; 0: no importance, which costs
   * more than the fit: every shuffle predicts the test rows again).
   */
  importanceRepeats?: number;
  /**
   * Workers to fit in (the classifiers of several horizons then fit side by side); default
   * this thread. The model is the same either way.
   */
  pool?: FitPool;
  /**
   * A classifier fitted earlier on targets before `testStart`, with its class scheme: scored as
   * a new one would be, not fitted (`seconds` is 0; see mix_refit.ts).
   */
  fitted?: { model: GbdtClassifier; scheme: ClassScheme };
}

/**
 * Trains the classifier of one horizon on the targets before `testStart` (those whose target is
 * not after the first test cut-off) and scores it on the targets from `testStart` on.
 * `schemeOf` builds the class scheme from the training shares (fixed for the brief's classes,
 * terciles for the variant).
 *
 * @example
 * ```ts ignore
 * const r = await trainMixHorizon(mix, 3, targets, testStart, () => BRIEF_CLASSES, MIX_PROFILES.rapide);
 * console.log(r.scores.map((s) => [s.model, s.metrics.balancedAccuracy]));
 * ```
 */
export async function trainMixHorizon(
  mix: MixSeries,
  hours: number,
  targets: ArrayLike<number>,
  testStart: number,
  schemeOf: (trainShares: number[]) => ClassScheme,
  params: GbdtClassifierParams,
  options: MixHorizonOptions = {},
): Promise<MixHorizonResult> {
  const set = mixFeatures(mix, hours, targets);
  const firstCutoff = testStart - hours * HOUR_MS;
  const trainRows: number[] = [];
  const testRows: number[] = [];
  set.epochMs.forEach((t, i) => {
    if (Number.isNaN(set.share[i])) return;
    if (t >= testStart) testRows.push(i);
    else if (t <= firstCutoff) trainRows.push(i);
  });
  if (trainRows.length === 0 || testRows.length === 0) {
    throw new MlInputError(`horizon ${hours} h: no training or no test row`);
  }
  const scheme = options.fitted?.scheme ?? schemeOf(trainRows.map((i) => set.share[i]));
  const labels = classOf(set.share, scheme);
  const started = performance.now();
  const fit = async () => {
    const xTrain = takeRows(set.x, trainRows);
    const yTrain = trainRows.map((i) => labels[i]!);
    return options.pool
      ? await options.pool.fit(
        { learner: "gbdt_classifier", params },
        xTrain,
        yTrain,
      ) as GbdtClassifier
      : fitGbdtClassifier(xTrain, yTrain, params);
  };
  const model = options.fitted?.model ?? await fit();
  const seconds = options.fitted ? 0 : (performance.now() - started) / 1000;
  const xTest = takeRows(set.x, testRows);
  const predicted = model.predict(xTest).map(String);
  const pick = (values: Float64Array) => classOf(testRows.map((i) => values[i]), scheme);
  // A persistence unknown on every test row (a gap before the test period) is left out.
  const forecasts = Object.fromEntries(
    Object.entries({
      gbdt: predicted,
      persistance: pick(set.persistence),
      persistance_veille: pick(set.x.columns[set.x.names.indexOf("part_veille")]),
    }).filter(([, classes]) => classes.some((c) => c !== null)),
  );
  const actual = testRows.map((i) => labels[i]);
  const { scores } = scoreClasses(actual, forecasts, scheme);
  const truth = actual.map((a) => a ?? "");
  const repeats = options.importanceRepeats ?? 3;
  const importance = repeats === 0 ? null : permutationImportance(model, xTest, truth, {
    score: (t: ArrayLike<string>, p: ArrayLike<Label>) =>
      classificationMetrics(t, p, scheme.labels).balancedAccuracy,
    greaterIsBetter: true,
    nRepeats: repeats,
  });
  return {
    horizonHours: hours,
    scheme,
    model,
    trainRows,
    testRows,
    scores,
    forecasts,
    actual,
    importance,
    seconds,
  };
}
