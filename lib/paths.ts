/**
 * The project's folders, resolved from this file's location so that they do not depend on
 * the working directory (kernels run in `notebooks/`, tasks in the project root).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PATHS } from "./paths.ts";
 * assert.ok(PATHS.lakehouse.endsWith("/lakehouse"));
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** Absolute paths of the project's top-level folders. */
export const PATHS: Readonly<{
  root: string;
  data: string;
  reference: string;
  lakehouse: string;
  models: string;
  notebooks: string;
  runs: string;
}> = Object.freeze({
  root,
  /** Input files (RTE downloads); every file in it is read. */
  data: join(root, "data"),
  /** Reference data of the models (consumption history, temperatures, Tempo). */
  reference: join(root, "data", "reference"),
  /** Default storage location of the Delta tables. */
  lakehouse: join(root, "lakehouse"),
  /** Model registry. */
  models: join(root, "models"),
  notebooks: join(root, "notebooks"),
  /** Executed notebooks and run manifests (ignored by git). */
  runs: join(root, "runs"),
});
