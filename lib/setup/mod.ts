/**
 * Environment set-up used by notebook 01: runtime checks and the
 * location of input files.
 *
 * @example
 * ```ts ignore
 * import { checkRuntime, locateInputs } from "./mod.ts";
 * ```
 *
 * @module
 */

export * from "./runtime.ts";
export * from "./inputs.ts";
