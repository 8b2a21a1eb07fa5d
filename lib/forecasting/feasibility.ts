/**
 * What the machine-learning steps can do with the data they were given, decided before anything
 * is fitted. Every function here is pure and returns either a plan or a {@linkcode Skipped}
 * record (French step name and reason) that the notebooks show with `skipped()`
 * (`lib/notebook/display.ts`), which also records it in the run manifest. A valid input never
 * makes a step throw: what cannot run is skipped, and says why.
 *
 * The rules and their thresholds:
 *
 * - **National series** ({@linkcode chooseNationalSeries}): the consumption models and the mix
 *   classifiers forecast the national series. RTE's national files (`perimetre` France) come
 *   first; without them, the sum of the regions (gold's national view, "France (somme des
 *   régions)") stands in, provided all {@linkcode MAINLAND_REGION_COUNT} mainland regions are
 *   there (a partial sum is not France). Otherwise the step is skipped.
 * - **Reference inputs** ({@linkcode referenceInputDecision}): temperatures and Tempo colours
 *   are used only when they are known on at least {@linkcode MIN_INPUT_COVERAGE} of the test
 *   half-hours and of the training half-hours of the {@linkcode INPUT_TRAIN_WINDOW_DAYS} days
 *   before the test period (where the cross-validation folds lie); otherwise their features are
 *   left out of that run (a model fitted on a feature its test period lacks forecasts nothing
 *   there). Older training rows without the input only cost ridge, which needs every feature,
 *   those rows.
 * - **Consumption horizons** ({@linkcode consumptionHorizonPlan}): a horizon needs one usable
 *   test half-hour and {@linkcode FIT_MIN_DAYS} days of usable training half-hours. The learner
 *   is selected by rolling-origin cross-validation with the profile's folds when the training
 *   rows hold them (behind a first training window of {@linkcode CV_MIN_TRAIN_DAYS} days);
 *   otherwise the folds are first shortened (down to {@linkcode CV_MIN_FOLD_DAYS} day), then
 *   fewer (down to {@linkcode CV_MIN_FOLDS}); below that, selection is skipped and the
 *   {@linkcode DEFAULT_LEARNER} is fitted.
 * - **Mix classification** ({@linkcode mixDataPlan}, {@linkcode mixClassesPlan}): training
 *   needs {@linkcode MIX_MIN_TRAIN_HOURS} hours of instants and the test period one instant; a
 *   class scheme needs at least two classes among the training instants (a classifier of one
 *   class forecasts nothing).
 *
 * @module
 */

import { NATIONAL_VIEW } from "../layers/gold.ts";
import type { FeatureMatrix } from "../ml/mod.ts";
import { type HorizonName, HORIZONS } from "./features.ts";
import type { LearnerName, TrainingProfile } from "./forecaster_config.ts";
import { CV_GAP_ROWS } from "./forecasting.ts";
import { REGION_WEIGHTS } from "./weather.ts";

/** A step, or a part of one, that could not run on the data it was given. */
export interface Skipped {
  readonly kind: "skipped";
  /** Short French name of the step. */
  readonly step: string;
  /** Why, in French, for the reader of the notebook and of the report. */
  readonly reason: string;
}

/**
 * A {@linkcode Skipped} record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skip } from "./feasibility.ts";
 * assert.deepEqual(skip("classification du mix énergétique", "une seule classe"), {
 *   kind: "skipped", step: "classification du mix énergétique", reason: "une seule classe",
 * });
 * ```
 */
export function skip(step: string, reason: string): Skipped {
  return { kind: "skipped", step, reason };
}

/** French names of the machine-learning steps, as the notebooks and the report show them. */
export const ML_STEPS = {
  preparation: "préparation des données de prévision de la consommation",
  consommation: "prévision de la consommation",
  mix: "classification du mix énergétique",
  backtest: "backtest de la prévision de la consommation",
} as const;

/**
 * French name of one horizon of the consumption forecasts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { horizonStep } from "./feasibility.ts";
 * assert.equal(horizonStep("j1"), "prévision de la consommation la veille à 12:00 (j1)");
 * ```
 */
export function horizonStep(horizon: HorizonName): string {
  return `${ML_STEPS.consommation} ${HORIZONS[horizon].label} (${horizon})`;
}

/** Number of mainland regions whose sum is RTE's national perimeter (Corsica is outside it). */
export const MAINLAND_REGION_COUNT = Object.keys(REGION_WEIGHTS).length;

/** The national series a step works on, or why there is none. */
export type NationalSeriesChoice =
  | { readonly kind: "france"; readonly perimeter: "France" }
  | { readonly kind: "somme_regions"; readonly perimeter: string; readonly regions: number }
  | Skipped;

/**
 * Which national series the step `step` can use, from the `perimetre` values of the eCO2mix
 * rows of silver and the number of instants of the national view (where every region of the
 * data is present; the caller computes it only when there is no `France` row).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseNationalSeries } from "./feasibility.ts";
 * assert.equal(chooseNationalSeries("x", ["France", "Bretagne"], 0).kind, "france");
 * const partial = chooseNationalSeries("x", ["Bretagne", "Normandie"], 17_520);
 * assert.ok(partial.kind === "skipped" && partial.reason.includes("2 régions sur 12"));
 * ```
 */
export function chooseNationalSeries(
  step: string,
  perimetres: readonly string[],
  nationalViewInstants: number,
): NationalSeriesChoice {
  if (perimetres.includes("France")) return { kind: "france", perimeter: "France" };
  const regions = [...new Set(perimetres)].filter((p) => p !== NATIONAL_VIEW).sort();
  if (regions.length === 0) {
    return skip(step, "aucune donnée eCO2mix dans `eco2mix_silver` (fichiers d'entrée vides ?)");
  }
  if (regions.length < MAINLAND_REGION_COUNT) {
    return skip(
      step,
      `ni série nationale (fichier France) ni les ${MAINLAND_REGION_COUNT} régions ` +
        `métropolitaines dans les données : ${regions.length} régions sur ` +
        `${MAINLAND_REGION_COUNT} (${regions.join(", ")}), dont la somme n'est pas la France`,
    );
  }
  if (nationalViewInstants === 0) {
    return skip(
      step,
      `les ${regions.length} régions ne sont jamais toutes présentes au même instant : ` +
        "pas de somme nationale",
    );
  }
  return { kind: "somme_regions", perimeter: NATIONAL_VIEW, regions: regions.length };
}

/** Share of the rows a reference input must cover, in training and in test. */
export const MIN_INPUT_COVERAGE = 0.9;
/** Days of training rows before the test period a reference input is judged on. */
export const INPUT_TRAIN_WINDOW_DAYS = 365;

/** The reference inputs whose features can be left out of a run. */
export type ReferenceInput = "temperatures" | "tempo";

const INPUT_LABELS: Readonly<Record<ReferenceInput, { step: string; subject: string }>> = {
  temperatures: {
    step: "variables de température (prévision de la consommation)",
    subject: "les températures de référence",
  },
  tempo: {
    step: "variable Tempo (prévision de la consommation)",
    subject: "les calendriers Tempo",
  },
};

function knownShare(values: ArrayLike<number>): number {
  let known = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) known++;
  return values.length ? known / values.length : 1;
}

const pct = (share: number) => `${Math.floor(100 * share)} %`;

/**
 * Whether the features of a reference input are used in this run: `train` and `test` are the
 * input's values (NaN = unknown) on the training half-hours of the
 * {@linkcode INPUT_TRAIN_WINDOW_DAYS} days before the test period and on the test half-hours.
 * A set without rows does not count against the input (with no training row at all, the
 * training step finds too few rows whatever the input).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceInputDecision } from "./feasibility.ts";
 * assert.equal(referenceInputDecision("tempo", { train: [1, 2], test: [3] }).kind, "used");
 * const d = referenceInputDecision("temperatures", { train: [10, 11], test: [NaN, NaN] });
 * assert.ok(d.kind === "skipped" && d.reason.includes("0 % des demi-heures de test"));
 * ```
 */
export function referenceInputDecision(
  input: ReferenceInput,
  values: { train: ArrayLike<number>; test: ArrayLike<number> },
): { readonly kind: "used" } | Skipped {
  const train = knownShare(values.train);
  const test = knownShare(values.test);
  if (train >= MIN_INPUT_COVERAGE && test >= MIN_INPUT_COVERAGE) return { kind: "used" };
  const { step, subject } = INPUT_LABELS[input];
  const short = [
    ...(test < MIN_INPUT_COVERAGE ? [`${pct(test)} des demi-heures de test`] : []),
    ...(train < MIN_INPUT_COVERAGE
      ? [`${pct(train)} des demi-heures d'apprentissage de l'année qui la précède`]
      : []),
  ];
  return skip(
    step,
    `${subject} ne couvrent que ${short.join(" et ")} (il en faut ` +
      `${pct(MIN_INPUT_COVERAGE)}) : leurs variables sont retirées des modèles pour ce run`,
  );
}

function hasValue(values: Float64Array, rows: readonly number[]): boolean {
  return rows.some((i) => Number.isFinite(values[i]));
}

/**
 * The model features with a value on at least one training row and one test row of `x`, and
 * those without (an input absent from this run, e.g. no Tempo calendar: a learner cannot use a
 * feature it never saw, and ridge would forecast nothing where it is missing). `always` (the
 * reference level) is never dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { usableFeatures } from "./feasibility.ts";
 * const x = {
 *   names: ["lag_1h", "tempo"], nRows: 2,
 *   columns: [Float64Array.of(1, 2), Float64Array.of(NaN, NaN)],
 * };
 * const u = usableFeatures(x, { train: [0], test: [1] }, ["lag_1h", "tempo"], "lag_1h");
 * assert.deepEqual(u, { features: ["lag_1h"], dropped: ["tempo"] });
 * ```
 */
export function usableFeatures(
  x: FeatureMatrix,
  rows: { train: readonly number[]; test: readonly number[] },
  features: readonly string[],
  always: string,
): { features: string[]; dropped: string[] } {
  const usable = (name: string) => {
    const column = x.columns[x.names.indexOf(name)];
    return name === always ||
      (column !== undefined && hasValue(column, rows.train) && hasValue(column, rows.test));
  };
  return { features: features.filter(usable), dropped: features.filter((f) => !usable(f)) };
}

/**
 * The forecasts with at least one finite value, and the names of the others (e.g. RTE's
 * forecasts, which regional files do not publish): only the former can be compared.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definedForecasts } from "./feasibility.ts";
 * const d = definedForecasts({ a: Float64Array.of(1, NaN), rte_j1: Float64Array.of(NaN, NaN) });
 * assert.deepEqual([Object.keys(d.defined), d.absent], [["a"], ["rte_j1"]]);
 * ```
 */
export function definedForecasts(
  forecasts: Readonly<Record<string, Float64Array>>,
): { defined: Record<string, Float64Array>; absent: string[] } {
  const defined: Record<string, Float64Array> = {};
  const absent: string[] = [];
  for (const [name, values] of Object.entries(forecasts)) {
    if (values.some(Number.isFinite)) defined[name] = values;
    else absent.push(name);
  }
  return { defined, absent };
}

/** Half-hours in a day, the unit of the consumption rows. */
const ROWS_PER_DAY = 48;
/** Fewest folds of an adapted cross-validation. */
export const CV_MIN_FOLDS = 2;
/** Shortest fold (days) of an adapted cross-validation. */
export const CV_MIN_FOLD_DAYS = 1;
/** Days of training rows before the first fold's test rows (a whole weekly cycle). */
export const CV_MIN_TRAIN_DAYS = 7;
/** Fewest days of training half-hours a horizon is fitted on. */
export const FIT_MIN_DAYS = 2;
/**
 * Learner fitted when the rows cannot hold a cross-validation: gradient boosting, selected on
 * both horizons in every measured run (`forecasting.ts`), and which takes missing values.
 */
export const DEFAULT_LEARNER: LearnerName = "gbdt";

/** How the learner of a horizon is chosen. */
export type LearnerSelection =
  | {
    readonly kind: "validation_croisee";
    readonly folds: number;
    readonly foldDays: number;
    /** Why the profile's folds were changed (French), or null when they were kept. */
    readonly adaptation: string | null;
  }
  | {
    readonly kind: "defaut";
    readonly learner: LearnerName;
    /** The skipped selection, for the notebook and the manifest. */
    readonly skipped: Skipped;
  };

/** What one horizon of the consumption forecasts will do. */
export type HorizonPlan = { readonly kind: "run"; readonly selection: LearnerSelection } | Skipped;

/**
 * The plan of one consumption horizon from its usable rows (finite target and reference level):
 * `trainRows` training half-hours, `testRows` test half-hours.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consumptionHorizonPlan } from "./feasibility.ts";
 * const profile = { cvFolds: 5, cvFoldDays: 7 };
 * const full = consumptionHorizonPlan({ horizon: "h1", trainRows: 20_000, testRows: 2_000, profile });
 * assert.deepEqual(full, {
 *   kind: "run",
 *   selection: { kind: "validation_croisee", folds: 5, foldDays: 7, adaptation: null },
 * });
 * // 1,191 rows: five folds of 3 days instead of 7.
 * const short = consumptionHorizonPlan({ horizon: "h1", trainRows: 1_191, testRows: 200, profile });
 * assert.ok(short.kind === "run" && short.selection.kind === "validation_croisee");
 * assert.equal(short.selection.foldDays, 3);
 * assert.equal(consumptionHorizonPlan({ horizon: "j1", trainRows: 0, testRows: 0, profile }).kind, "skipped");
 * ```
 */
export function consumptionHorizonPlan(input: {
  horizon: HorizonName;
  trainRows: number;
  testRows: number;
  profile: Pick<TrainingProfile, "cvFolds" | "cvFoldDays">;
}): HorizonPlan {
  const { horizon, trainRows, testRows, profile } = input;
  const minFit = FIT_MIN_DAYS * ROWS_PER_DAY;
  if (testRows === 0 || trainRows < minFit) {
    return skip(
      horizonStep(horizon),
      `trop peu de données : ${trainRows} demi-heure(s) d'apprentissage et ${testRows} de test ` +
        `utilisables ; il en faut au moins ${minFit} (${FIT_MIN_DAYS} jours) et une de test ` +
        "(chaque ligne demande aussi une semaine de mesures avant elle)",
    );
  }
  const room = trainRows - CV_GAP_ROWS[horizon] - CV_MIN_TRAIN_DAYS * ROWS_PER_DAY;
  const asked = `${profile.cvFolds} plis de ${profile.cvFoldDays} jours`;
  for (let folds = profile.cvFolds; folds >= CV_MIN_FOLDS; folds--) {
    const foldDays = Math.min(profile.cvFoldDays, Math.floor(room / (folds * ROWS_PER_DAY)));
    if (foldDays < CV_MIN_FOLD_DAYS) continue;
    const adapted = folds !== profile.cvFolds || foldDays !== profile.cvFoldDays;
    return {
      kind: "run",
      selection: {
        kind: "validation_croisee",
        folds,
        foldDays,
        adaptation: adapted
          ? `${trainRows} demi-heures d'apprentissage ne contiennent pas ${asked} après ` +
            `${CV_MIN_TRAIN_DAYS} jours d'apprentissage : ${folds} plis de ${foldDays} jour(s)`
          : null,
      },
    };
  }
  return {
    kind: "run",
    selection: {
      kind: "defaut",
      learner: DEFAULT_LEARNER,
      skipped: skip(
        `sélection du modèle par validation croisée (${horizon})`,
        `${trainRows} demi-heures d'apprentissage ne contiennent pas ${CV_MIN_FOLDS} plis d'au ` +
          `moins ${CV_MIN_FOLD_DAYS} jour après ${CV_MIN_TRAIN_DAYS} jours d'apprentissage : ` +
          `le modèle par défaut (${DEFAULT_LEARNER}) est entraîné sans sélection`,
      ),
    },
  };
}

/** Hours of training instants the mix classifiers need. */
export const MIX_MIN_TRAIN_HOURS = 24;

/**
 * Whether the mix classifiers have enough instants: `trainInstants` the training targets of the
 * longest horizon (the fewest), `testInstants` the measured instants of the test period.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixDataPlan } from "./feasibility.ts";
 * assert.equal(mixDataPlan({ trainInstants: 96, testInstants: 10, stepMinutes: 15 }).kind, "run");
 * assert.equal(mixDataPlan({ trainInstants: 95, testInstants: 10, stepMinutes: 15 }).kind, "skipped");
 * ```
 */
export function mixDataPlan(input: {
  trainInstants: number;
  testInstants: number;
  stepMinutes: number;
}): { readonly kind: "run" } | Skipped {
  const needed = Math.ceil((MIX_MIN_TRAIN_HOURS * 60) / input.stepMinutes);
  if (input.trainInstants >= needed && input.testInstants > 0) return { kind: "run" };
  return skip(
    ML_STEPS.mix,
    `trop peu de données : ${input.trainInstants} instant(s) d'apprentissage et ` +
      `${input.testInstants} de test au pas de ${input.stepMinutes} minutes ; il en faut au ` +
      `moins ${needed} (${MIX_MIN_TRAIN_HOURS} h, après un jour d'historique) et un de test`,
  );
}

/** French label of each class scheme of the mix classifiers. */
export const MIX_SCHEME_LABELS: Readonly<Record<string, string>> = {
  brief: "classes du cahier des charges",
  terciles: "terciles",
};

/**
 * Whether the classifier of one class scheme can be trained: `labels` are the classes of the
 * training instants (null where the share is unknown).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixClassesPlan } from "./feasibility.ts";
 * assert.equal(mixClassesPlan("terciles", ["bas", "haut", null]).kind, "run");
 * const one = mixClassesPlan("brief", ["<30 %", "<30 %"]);
 * assert.ok(one.kind === "skipped" && one.reason.includes("une seule classe"));
 * ```
 */
export function mixClassesPlan(
  schema: string,
  labels: readonly (string | null)[],
): { readonly kind: "run" } | Skipped {
  const classes = [...new Set(labels.filter((l): l is string => l !== null))];
  if (classes.length >= 2) return { kind: "run" };
  return skip(
    `${ML_STEPS.mix} (${MIX_SCHEME_LABELS[schema] ?? schema})`,
    classes.length === 0
      ? "aucune part renouvelable connue avant la période de test"
      : `une seule classe observée avant la période de test (${classes[0]}) : un classifieur ` +
        "a besoin d'au moins deux classes",
  );
}

/**
 * One record for a step whose parts were all skipped: the parts' reasons, each prefixed with
 * what the part is after `step` in its name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skip, skippedWhole } from "./feasibility.ts";
 * const whole = skippedWhole("mix", [skip("mix (a)", "r1"), skip("mix (b)", "r2")]);
 * assert.deepEqual(whole, skip("mix", "(a) : r1 ; (b) : r2"));
 * ```
 */
export function skippedWhole(step: string, parts: readonly Skipped[]): Skipped {
  const reasons = parts.map((p) => {
    const what = p.step.startsWith(step) ? p.step.slice(step.length).trim() : p.step;
    return what ? `${what} : ${p.reason}` : p.reason;
  });
  return skip(step, [...new Set(reasons)].join(" ; "));
}
