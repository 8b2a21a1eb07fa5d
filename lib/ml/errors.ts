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
 * import { MlInputError } from "./errors.ts";
 * const error = new MlInputError("target row 12 is NaN");
 * console.assert(error.name === "MlInputError");
 * ```
 */
export class MlInputError extends Error {
  override name = "MlInputError";
}

/**
 * A serialised model that cannot be read back: wrong format marker, unknown kind, truncated
 * arrays. The message names the file when the model came from one.
 *
 * @example
 * ```ts
 * import { ModelFormatError } from "./errors.ts";
 * const error = new ModelFormatError("models/a/1/model.json: unknown model kind 'svm'");
 * console.assert(error.name === "ModelFormatError");
 * ```
 */
export class ModelFormatError extends Error {
  override name = "ModelFormatError";
}

/**
 * A model registry operation that cannot be carried out: unknown model, version or alias,
 * corrupt metadata (the message names the file and line).
 *
 * @example
 * ```ts
 * import { RegistryError } from "./errors.ts";
 * const error = new RegistryError("model 'conso_h1' has no alias 'champion'");
 * console.assert(error.name === "RegistryError");
 * ```
 */
export class RegistryError extends Error {
  override name = "RegistryError";
}
