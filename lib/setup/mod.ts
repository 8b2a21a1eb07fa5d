/**
 * Environment set-up used by notebook 01 and the CLI: runtime checks, the input files of a run
 * and the refresh of RTE's current file.
 *
 * @example
 * ```ts ignore
 * import { checkRuntime, resolveInputs } from "./mod.ts";
 * ```
 *
 * @module
 */

export * from "./runtime.ts";
export * from "./inputs.ts";
export * from "./rte_current.ts";
