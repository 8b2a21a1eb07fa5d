/**
 * What every trained model offers: its kind, its feature names (in training order), predictions
 * and an exact JSON form. Models are immutable: a `fit*` function returns a trained model, and
 * there is no "unfitted" state to misuse.
 *
 * @module
 */

import type { FeatureMatrix } from "./dataset.ts";
import { ModelFormatError } from "./errors.ts";
import type { Label } from "./metrics.ts";

/** Marker of the serialised model format. */
export const MODEL_FORMAT = "eco2mix-ml-model";
/**
 * Version of the serialised model format written here; bumped on incompatible changes. 2:
 * forests store their nodes in a fixed depth-first order with leaf flags instead of child
 * indices (half the size, see `_forest.ts`). Version 1 files are still read.
 */
export const MODEL_FORMAT_VERSION = 2;
/** Oldest version still read. */
const OLDEST_READ_VERSION = 1;

/** The learners of this library. */
export type ModelKind =
  | "ridge"
  | "gbdt_regressor"
  | "gbdt_classifier"
  | "random_forest_regressor"
  | "random_forest_classifier"
  | "average_regressor";

/** Envelope shared by every serialised model; the rest depends on the kind. */
export interface ModelJson {
  /** Always {@link MODEL_FORMAT}. */
  format: typeof MODEL_FORMAT;
  /** {@link MODEL_FORMAT_VERSION} of the writer. */
  formatVersion: number;
  /** Which learner produced the model. */
  kind: ModelKind;
  /** Training features, in order. */
  featureNames: string[];
  /** Kind-specific fields (parameters, trees, coefficients). */
  [field: string]: unknown;
}

/** A trained regression model. */
export interface Regressor {
  /** Which learner produced the model. */
  readonly kind: ModelKind;
  /** Features used in training, in order; `predict` selects them by name. */
  readonly featureNames: readonly string[];
  /** One prediction per row of `x`. */
  predict(x: FeatureMatrix): Float64Array;
  /** Exact JSON form: reloading it gives identical predictions. */
  toJSON(): ModelJson;
}

/** A trained classification model. */
export interface Classifier {
  /** Which learner produced the model. */
  readonly kind: ModelKind;
  /** Features used in training, in order; `predict` selects them by name. */
  readonly featureNames: readonly string[];
  /** Class labels, sorted; `predictProba` columns follow this order. */
  readonly classes: readonly Label[];
  /** The most probable class of each row. */
  predict(x: FeatureMatrix): Label[];
  /** One Float64Array of probabilities per class (column-major), each row summing to 1. */
  predictProba(x: FeatureMatrix): Float64Array[];
  /** Exact JSON form: reloading it gives identical predictions. */
  toJSON(): ModelJson;
}

/** Any trained model. */
export type Model = Regressor | Classifier;

/**
 * Checks the envelope of a serialised model of the expected kind; `source` (a file path or a
 * description) prefixes error messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkModelJson, MODEL_FORMAT } from "./model.ts";
 * const json = { format: MODEL_FORMAT, formatVersion: 1, kind: "ridge", featureNames: ["heure"] };
 * assert.ok(checkModelJson(json, "ridge", "inline").featureNames[0] === "heure");
 * ```
 */
export function checkModelJson(json: unknown, kind: ModelKind | null, source: string): ModelJson {
  const j = json as Partial<ModelJson> | null;
  if (!j || typeof j !== "object" || j.format !== MODEL_FORMAT) {
    throw new ModelFormatError(`${source}: not a serialised model (format marker missing)`);
  }
  const version = j.formatVersion;
  if (
    !Number.isInteger(version) || version! < OLDEST_READ_VERSION || version! > MODEL_FORMAT_VERSION
  ) {
    throw new ModelFormatError(
      `${source}: model format version ${version} is not supported ` +
        `(this code reads versions ${OLDEST_READ_VERSION} to ${MODEL_FORMAT_VERSION})`,
    );
  }
  if (kind !== null && j.kind !== kind) {
    throw new ModelFormatError(`${source}: expected a '${kind}' model, found '${j.kind}'`);
  }
  if (!Array.isArray(j.featureNames) || !j.featureNames.every((n) => typeof n === "string")) {
    throw new ModelFormatError(`${source}: featureNames must be an array of strings`);
  }
  return j as ModelJson;
}

/** Common envelope fields for a model of `kind`. */
export function modelEnvelope(
  kind: ModelKind,
  featureNames: readonly string[],
): Pick<ModelJson, "format" | "formatVersion" | "kind" | "featureNames"> {
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    kind,
    featureNames: [...featureNames],
  };
}
