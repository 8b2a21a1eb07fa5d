/**
 * French formatting of the values users read in notebooks and reports: decimal comma, narrow
 * no-break spaces between thousands, Paris local time, digits by unit.
 *
 * Why one module: a number or an instant must read the same in every notebook, and the lakehouse
 * stores instants in UTC while the French reader thinks in Paris time.
 *
 * @module
 */

/**
 * `x` in French: decimal comma, thousands separated from 10 000 on (a year or a 4-digit count
 * reads without a space), at most `digits` decimals (trailing zeros dropped unless `fixed`), the
 * minus sign "−" (U+2212) before a negative number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNumber } from "./format.ts";
 * assert.equal(formatNumber(257435.73750000002, 0), "257\u202f436");
 * assert.equal(formatNumber(0.7661, 3), "0,766");
 * assert.equal(formatNumber(2025, 0), "2025");
 * assert.equal(formatNumber(1.5, 2, { fixed: true }), "1,50");
 * assert.equal(formatNumber(-15000.4, 0), "\u221215\u202f000");
 * assert.equal(formatNumber(-0.47, 2), "\u22120,47");
 * assert.equal(formatNumber(-0.001, 2, { fixed: true }), "0,00");
 * ```
 */
export function formatNumber(x: number, digits: number, options: { fixed?: boolean } = {}): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "" : x > 0 ? "+∞" : "−∞";
  // fr-FR writes a hyphen-minus; French typography has the minus sign (U+2212). A negative value
  // that rounds to zero is shown as 0, not "-0".
  return x.toLocaleString("fr-FR", {
    maximumFractionDigits: digits,
    minimumFractionDigits: options.fixed ? digits : 0,
    useGrouping: Math.abs(x) >= 10_000,
    signDisplay: "negative",
  }).replace("-", "−");
}

const PARIS_DATE_TIME = new Intl.DateTimeFormat("fr-FR", {
  timeZone: "Europe/Paris",
  dateStyle: "short",
  timeStyle: "short",
});
const PARIS_DATE = new Intl.DateTimeFormat("fr-FR", {
  timeZone: "Europe/Paris",
  dateStyle: "short",
});

/**
 * An instant as Paris local date and time (`jj/mm/aaaa hh:mm`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatParisDateTime } from "./format.ts";
 * assert.equal(formatParisDateTime(Date.UTC(2025, 6, 25, 13, 15)), "25/07/2025 15:15");
 * assert.equal(formatParisDateTime(new Date(Date.UTC(2025, 0, 1, 23, 0))), "02/01/2025 00:00");
 * ```
 */
export function formatParisDateTime(t: number | Date): string {
  return PARIS_DATE_TIME.format(t).replace(",", "");
}

/**
 * A calendar date (stored as midnight UTC) as `jj/mm/aaaa`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDate } from "./format.ts";
 * assert.equal(formatDate(new Date(Date.UTC(2025, 4, 1))), "01/05/2025");
 * ```
 */
export function formatDate(d: number | Date): string {
  // A date has no time zone: read it in UTC, where it is stored at midnight.
  return new Intl.DateTimeFormat("fr-FR", { timeZone: "UTC", dateStyle: "short" }).format(d);
}

/**
 * Paris local date of an instant (`jj/mm/aaaa`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatParisDate } from "./format.ts";
 * assert.equal(formatParisDate(Date.UTC(2025, 6, 25, 22, 30)), "26/07/2025");
 * ```
 */
export function formatParisDate(t: number | Date): string {
  return PARIS_DATE.format(t);
}

/**
 * The decimals a value of column `name` needs, from the unit its name ends with: none for MW,
 * MWh and tonnes, one for g/kWh, two for percentages, euros (€/MWh) and degrees, three for error
 * rates (MAPE, accuracy) and anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digitsFor } from "./format.ts";
 * assert.equal(digitsFor("consommation_mw"), 0);
 * assert.equal(digitsFor("part_pct"), 2);
 * assert.equal(digitsFor("mape_pct"), 3);
 * assert.equal(digitsFor("intensite_g_kwh"), 1);
 * assert.equal(digitsFor("exactitude"), 3);
 * assert.equal(digitsFor("prix_eur_mwh"), 2);
 * assert.equal(digitsFor("valeur"), 3);
 * ```
 */
export function digitsFor(name: string): number {
  const n = name.toLowerCase();
  if (/(^|_)mape/.test(n)) return 3;
  // A unit is a whole word of the name ("valeur" ends with "eur" but is no price), and a price
  // per MWh is in euros, not in MWh.
  if (/(^|_)(pct|eur|eur_mwh|degres|celsius|temperature)$/.test(n)) return 2;
  if (/(^|_)(mw|mwh|gw|gwh|tonnes|t|tco2|w)$/.test(n)) return 0;
  if (/g_?kwh|gco2/.test(n)) return 1;
  return 3;
}
