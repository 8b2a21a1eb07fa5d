/**
 * Data-quality rules on silver eCO2mix data, each with a declared action (warn, quarantine,
 * fail), and the `qualite_donnees` report.
 *
 * @example
 * ```ts
 * import { checkQuality, RULES } from "./mod.ts";
 * console.assert(RULES.length > 0 && typeof checkQuality === "function");
 * ```
 *
 * @module
 */

export * from "./check.ts";
export * from "./rules.ts";
