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
 * import { VizInputError } from "./errors.ts";
 * const error = new VizInputError("silver: missing column(s) consommation");
 * console.assert(error.name === "VizInputError");
 * ```
 */
export class VizInputError extends Error {
  override name = "VizInputError";
}

/**
 * Headless Chromium is missing or failed (launch, page error, rendering timeout). The message
 * says how to install it (`apt-get install -y chromium`).
 *
 * @example
 * ```ts
 * import { ChromiumError } from "./errors.ts";
 * const error = new ChromiumError("chromium not found at /usr/bin/chromium");
 * console.assert(error.name === "ChromiumError");
 * ```
 */
export class ChromiumError extends Error {
  override name = "ChromiumError";
}
