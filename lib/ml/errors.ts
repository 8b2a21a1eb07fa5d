/**
 * Typed errors of the machine-learning engines.
 *
 * @module
 */

/**
 * Invalid input to a learner, a metric or a split: mismatched lengths, a missing (NaN) target,
 * an unknown feature... The message names the feature and the row at fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MlInputError } from "./errors.ts";
 * const error = new MlInputError("target row 12 is NaN");
 * assert.ok(error.name === "MlInputError");
 * ```
 */
export class MlInputError extends Error {
  /** Error name. */
  override name = "MlInputError";
}

/**
 * A serialised model that cannot be read back: wrong format marker, unknown kind, truncated
 * arrays. The message names the file when the model came from one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelFormatError } from "./errors.ts";
 * const error = new ModelFormatError("models/a/1/model.json: unknown model kind 'svm'");
 * assert.ok(error.name === "ModelFormatError");
 * ```
 */
export class ModelFormatError extends Error {
  /** Error name. */
  override name = "ModelFormatError";
}

/**
 * A model registry operation that cannot be carried out: unknown model, version or alias,
 * corrupt metadata (the message names the file and line).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryError } from "./errors.ts";
 * const error = new RegistryError("model 'conso_h1' has no alias 'champion'");
 * assert.ok(error.name === "RegistryError");
 * ```
 */
export class RegistryError extends Error {
  /** Error name. */
  override name = "RegistryError";
}
