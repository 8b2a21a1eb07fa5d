/**
 * Reading and writing any model of this library as JSON. Tree thresholds, leaf values and
 * coefficients are stored bit for bit (typed arrays as base64), so a reloaded model gives
 * exactly the predictions of the saved one.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { averageFromJSON } from "./average.ts";
import { gbdtFromJSON } from "./gbdt.ts";
import { ridgeFromJSON } from "./linear.ts";
import { checkModelJson, type Model } from "./model.ts";
import { randomForestFromJSON } from "./random_forest.ts";
import { ModelFormatError } from "./errors.ts";

/**
 * Rebuilds a model of any kind from its JSON form; `source` names it in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge } from "./linear.ts";
 * import { modelFromJSON } from "./model_io.ts";
 * const model = fitRidge(featureMatrix({ t: [0, 1, 2] }), [1, 2, 4]);
 * const copy = modelFromJSON(JSON.parse(JSON.stringify(model)));
 * assert.ok(copy.kind === "ridge");
 * ```
 */
export function modelFromJSON(json: unknown, source = "model"): Model {
  const { kind } = checkModelJson(json, null, source);
  switch (kind) {
    case "ridge":
      return ridgeFromJSON(json, source);
    case "gbdt_regressor":
    case "gbdt_classifier":
      return gbdtFromJSON(json, source);
    case "random_forest_regressor":
    case "random_forest_classifier":
      return randomForestFromJSON(json, source);
    case "average_regressor":
      return averageFromJSON(json, modelFromJSON, source);
    default:
      throw new ModelFormatError(`${source}: unknown model kind '${kind}'`);
  }
}

/**
 * Writes a model to `path` as JSON, atomically (a temporary file renamed into place), so that a
 * reader never sees a half-written model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge } from "./linear.ts";
 * import { loadModel, saveModel } from "./model_io.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await saveModel(path, fitRidge(featureMatrix({ t: [0, 1, 2] }), [1, 2, 4]));
 * assert.ok((await loadModel(path)).kind === "ridge");
 * await Deno.remove(path);
 * ```
 */
export async function saveModel(path: string, model: Model): Promise<void> {
  await writeFileAtomic(path, modelToJSONText(model, path));
}

/**
 * The JSON text of a model. A JavaScript string holds at most 2^29 - 24 (~537 M) characters
 * under V8: at about 7 characters per node for a regression forest (more for a classifier, one
 * value per class in each leaf), a forest of more than ~75 million nodes (e.g. 100 trees grown to
 * purity on a million rows) cannot be written as one JSON document, and the error says how to
 * shrink it.
 */
export function modelToJSONText(model: Model, source = "model"): string {
  try {
    return JSON.stringify(model);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ModelFormatError(
      `${source}: the ${model.kind} model is too large to serialise as JSON ` +
        `(${error.message}); use fewer trees or smaller ones (minSamplesLeaf, maxDepth)`,
    );
  }
}

/** Reads a model written by {@link saveModel}; errors name the file. */
export async function loadModel(path: string): Promise<Model> {
  return modelFromJSON(await readJsonFile(path), path);
}

/** Writes text to `path` through a temporary file in the same folder and a rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Parses a JSON file; a syntax error becomes a ModelFormatError naming the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await Deno.readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${path}: invalid JSON (${(error as Error).message})`);
  }
}
