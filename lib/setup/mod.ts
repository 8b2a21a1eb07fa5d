/**
 * Environment set-up used by notebook 01: runtime checks, the lakehouse layout and the
 * location of input files.
 *
 * @example
 * ```ts ignore
 * import { checkRuntime, createLakehouseLayout, locateInputs } from "./mod.ts";
 * ```
 *
 * @module
 */

export * from "./runtime.ts";
export * from "./inputs.ts";
export * from "./layout.ts";
