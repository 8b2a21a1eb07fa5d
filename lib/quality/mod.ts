/**
 * Data-quality rules on silver eCO2mix data, each with a declared action (warn, quarantine,
 * fail), and the `qualite_donnees` report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkQuality, RULES } from "./mod.ts";
 * assert.ok(RULES.length > 0);
 * assert.equal(typeof checkQuality, "function");
 * ```
 *
 * @module
 */

export * from "./check.ts";
export * from "./rules.ts";
