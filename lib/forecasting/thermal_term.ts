/**
 * The linear thermal term of the day-ahead forecasters: a least-squares line from the change in
 * heating degrees (the target day against the days the reference level comes from) to the
 * relative target, fitted before the learner, which then learns what the line leaves. Each
 * reference level has its own change in degrees: against the two days the 24-hour mean spans,
 * or the eight the 7-day mean spans (a member of the averaged forecaster, `forecaster_config.ts`).
 *
 * **Why.** A day-ahead model predicts the ratio of consumption to the mean of the 24 hours
 * before its cut-off. When the target day is colder than those days, the ratio rises by about
 * 4 % per degree of heating; trees learn that as steps, and the steps are coarse where cold spells
 * are rare (the largest changes are the rarest). The line carries the proportional part, the
 * trees the rest (hour, weekday, thresholds). Measured on the rolling backtest (39 weeks of 2016,
 * 2021 and 2025, gradient boosting with observed temperature, monthly retraining): MAPE 1.940 % →
 * 1.863 % (RTE's J-1 1.768 %), winter 2.141 % → 2.044 % (J-1 1.873 %). Per-hour slopes, a
 * cooling term or lag ratios in the line did worse. Its cost, in notebook 08's day-ahead fits
 * (the forest, as good as boosting with it, runs every fold of the race), was paid back by the
 * one-hour horizon's taking no temperature (`TAKES_TEMPERATURE`): the README's cold run took
 * 186 s against the pandas + scikit-learn reference's 208 s, 246 s against 225 s before.
 *
 * Only the day-ahead references have a term ({@linkcode THERMAL_TERM_FEATURES}): the one-hour
 * horizon takes no temperature (`TAKES_TEMPERATURE`). A model is not given the term features of
 * another reference ({@linkcode withoutOtherTerms}): each learns against its own days. Rows where
 * a term feature is unknown get no contribution from it.
 *
 * @module
 */

import { type FeatureMatrix, fitRidge, MlInputError } from "../ml/mod.ts";

/**
 * The features of the thermal term of a model relative to each reference level (or their
 * `_prevision` forms in a live model); none for the other references (`lag_1h`).
 */
export const THERMAL_TERM_FEATURES: Readonly<Record<string, readonly string[]>> = {
  moyenne_24h: ["ecart_degres_chauffe_lisses", "ecart_degres_chauffe"],
  moyenne_7j: ["ecart_degres_chauffe_lisses_7j", "ecart_degres_chauffe_7j"],
};

/** A term feature and its `_prevision` form. */
function withForecastForm(names: readonly string[]): string[] {
  return names.flatMap((name) => [name, `${name}_prevision`]);
}

/** Fewer rows with every term feature known than this, and no term is fitted. */
export const MIN_THERMAL_ROWS = 48 * 28;

/** A fitted thermal term: relative target ≈ Σ coefficients × features (plus the learner). */
export interface ThermalTerm {
  /** Feature names, as in the model's input. */
  features: string[];
  coefficients: number[];
}

/**
 * The names of the thermal term's features among the input `features` of a model relative to
 * `reference`: each of its {@linkcode THERMAL_TERM_FEATURES} or its `_prevision` form, whichever
 * the model is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thermalTermFeatures } from "./thermal_term.ts";
 * assert.deepEqual(thermalTermFeatures("moyenne_24h", ["heure", "ecart_degres_chauffe_prevision"]), [
 *   "ecart_degres_chauffe_prevision",
 * ]);
 * assert.deepEqual(thermalTermFeatures("lag_1h", ["ecart_degres_chauffe"]), []);
 * ```
 */
export function thermalTermFeatures(reference: string, features: readonly string[]): string[] {
  return withForecastForm(THERMAL_TERM_FEATURES[reference] ?? [])
    .filter((name) => features.includes(name));
}

/**
 * `features` without the thermal term features of the references other than `reference`: the
 * inputs of a model relative to `reference`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutOtherTerms } from "./thermal_term.ts";
 * const features = ["heure", "ecart_degres_chauffe", "ecart_degres_chauffe_7j"];
 * assert.deepEqual(withoutOtherTerms("moyenne_24h", features), ["heure", "ecart_degres_chauffe"]);
 * assert.deepEqual(withoutOtherTerms("moyenne_7j", features), ["heure", "ecart_degres_chauffe_7j"]);
 * assert.deepEqual(withoutOtherTerms("lag_1h", features), ["heure"]);
 * ```
 */
export function withoutOtherTerms(reference: string, features: readonly string[]): string[] {
  const others = Object.entries(THERMAL_TERM_FEATURES)
    .filter(([level]) => level !== reference)
    .flatMap(([, names]) => withForecastForm(names));
  return features.filter((name) => !others.includes(name));
}

function columnOf(x: FeatureMatrix, name: string): Float64Array {
  const j = x.names.indexOf(name);
  if (j < 0) throw new MlInputError(`thermal term: feature '${name}' is not an input`);
  return x.columns[j];
}

/**
 * Least squares of `target` on the `features` of `x` (with an intercept, left to the learner),
 * on the rows where every one is known; null without features or with fewer than
 * {@linkcode MIN_THERMAL_ROWS} such rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "../ml/mod.ts";
 * import { fitThermalTerm } from "./thermal_term.ts";
 * const n = 2_000;
 * const change = Array.from({ length: n }, (_, i) => (i % 11) - 5);
 * const x = featureMatrix({ ecart_degres_chauffe: change });
 * const target = change.map((c) => 1 + 0.04 * c);
 * const term = fitThermalTerm(x, target, ["ecart_degres_chauffe"])!;
 * assert.ok(Math.abs(term.coefficients[0] - 0.04) < 1e-9);
 * ```
 */
export function fitThermalTerm(
  x: FeatureMatrix,
  target: ArrayLike<number>,
  features: readonly string[],
): ThermalTerm | null {
  if (features.length === 0) return null;
  const columns = features.map((name) => columnOf(x, name));
  const rows: number[] = [];
  for (let i = 0; i < x.nRows; i++) {
    if (columns.every((c) => Number.isFinite(c[i])) && Number.isFinite(target[i])) rows.push(i);
  }
  if (rows.length < MIN_THERMAL_ROWS) return null;
  const design: FeatureMatrix = {
    names: [...features],
    columns: columns.map((c) => Float64Array.from(rows, (i) => c[i])),
    nRows: rows.length,
  };
  const line = fitRidge(design, Float64Array.from(rows, (i) => target[i]), { alpha: 0 });
  return { features: [...features], coefficients: [...line.coefficients] };
}

/**
 * The term's value on every row of `x` (an unknown feature contributes 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "../ml/mod.ts";
 * import { thermalTermValues } from "./thermal_term.ts";
 * const term = { features: ["a", "b"], coefficients: [0.04, 0.01] };
 * const x = featureMatrix({ a: [1, NaN], b: [2, 3] });
 * assert.deepEqual([...thermalTermValues(term, x)], [0.06, 0.03]);
 * ```
 */
export function thermalTermValues(term: ThermalTerm, x: FeatureMatrix): Float64Array {
  const out = new Float64Array(x.nRows);
  term.features.forEach((name, k) => {
    const column = columnOf(x, name);
    const coefficient = term.coefficients[k];
    for (let i = 0; i < x.nRows; i++) {
      if (Number.isFinite(column[i])) out[i] += coefficient * column[i];
    }
  });
  return out;
}
