/**
 * Typed errors of the figure builders and the headless browser.
 *
 * @module
 */

/**
 * A table cannot give the figure asked for: missing columns, several perimeters without a
 * choice, a column of the wrong type. The message names the table and the columns at fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VizInputError } from "./errors.ts";
 * const error = new VizInputError("silver: missing column(s) consommation");
 * assert.equal(error.name, "VizInputError");
 * ```
 */
export class VizInputError extends Error {
  override name = "VizInputError";
}

/**
 * A tool the figures need is missing from the machine: the plotly.js bundle (`deno install`)
 * or headless Chromium. The message says how to install it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VizEnvironmentError } from "./errors.ts";
 * const error = new VizEnvironmentError("plotly.js-dist-min is not installed");
 * assert.equal(error.name, "VizEnvironmentError");
 * ```
 */
export class VizEnvironmentError extends Error {
  override name = "VizEnvironmentError";
}

/**
 * Headless Chromium is missing or failed (launch, page error, rendering timeout). A missing
 * browser's message says how to install it (`apt-get install -y chromium`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChromiumError, VizEnvironmentError } from "./errors.ts";
 * const error = new ChromiumError("chromium not found at /usr/bin/chromium");
 * assert.equal(error.name, "ChromiumError");
 * assert.ok(error instanceof VizEnvironmentError);
 * ```
 */
export class ChromiumError extends VizEnvironmentError {
  override name = "ChromiumError";
}
