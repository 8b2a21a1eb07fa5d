/**
 * Portable core, part 2: French number, date and energy formatting, and the layout defaults
 * shared by every figure (same inlining rules as `_core_data.ts`).
 *
 * Numbers and dates go through `lib/notebook/format.ts`'s `formatNumber` and `formatDate`, the
 * formatters of the tables and the prose (re-exported here so that the page declares them too:
 * they are self-contained), so that a figure and the report print a value alike: decimal comma,
 * narrow no-break space (U+202F) between thousands, minus sign (U+2212), dates `jj/mm/aaaa`.
 *
 * @module
 */

import type { Figure } from "./_core_data.ts";
import { formatDate, formatNumber } from "../notebook/format.ts";

// The page declares lib's own formatters too: figures and prose print numbers and dates alike.
export { formatDate, formatNumber };

/**
 * A value in French with exactly `decimals` decimals, as the report's prose writes it (lib's
 * {@linkcode formatNumber}: decimal comma, thousands spaced from 10 000 on, minus sign U+2212,
 * never "−0"); `–` for a missing value (null, NaN, infinite).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./_core_format.ts";
 * assert.equal(formatValue(-12345.67, 1), "\u221212\u202f345,7");
 * assert.equal(formatValue(2.5, 2), "2,50");
 * assert.equal(formatValue(-0.04, 1), "0,0");
 * assert.equal(formatValue(null, 0), "–");
 * ```
 */
export function formatValue(value: number | null, decimals: number): string {
  if (value === null || !isFinite(value)) return "–";
  return formatNumber(value, decimals, { fixed: true });
}

/**
 * A Paris local date `YYYY-MM-DD`, or date and time `YYYY-MM-DD HH:MM`, as the report and the
 * notebooks write dates: `jj/mm/aaaa` (lib's {@linkcode formatDate}), `jj/mm/aaaa hh:mm` (as
 * `formatParisDateTime` writes an instant).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLocal } from "./_core_format.ts";
 * assert.equal(formatLocal("2025-07-25"), "25/07/2025");
 * assert.equal(formatLocal("2025-05-01 08:15"), "01/05/2025 08:15");
 * ```
 */
export function formatLocal(local: string): string {
  // A date-only ISO text parses as midnight UTC, where formatDate reads a calendar date.
  const date = formatDate(Date.parse(local.slice(0, 10)));
  return local.length > 10 ? date + " " + local.slice(11, 16) : date;
}

/**
 * The period covered by sorted dates, in French: `du 01/01/2025 au 25/07/2025 (206 jours)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { periodLabel } from "./_core_format.ts";
 * assert.equal(periodLabel(["2025-01-01"]), "le 01/01/2025");
 * assert.equal(
 *   periodLabel(["2025-01-01", "2025-01-02"]),
 *   "du 01/01/2025 au 02/01/2025 (2 jours)",
 * );
 * ```
 */
export function periodLabel(jours: readonly string[]): string {
  if (jours.length === 0) return "aucune date";
  if (jours.length === 1) return "le " + formatLocal(jours[0]);
  return "du " + formatLocal(jours[0]) + " au " + formatLocal(jours[jours.length - 1]) +
    " (" + jours.length + " jours)";
}

/**
 * The unit that keeps an energy (MWh) readable: TWh from 1 TWh, GWh from 1 GWh, else MWh,
 * with the factor that converts MWh into it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { energyUnit } from "./_core_format.ts";
 * assert.equal(energyUnit(2_500_000).unit, "TWh");
 * assert.equal(energyUnit(2_500_000).factor, 1e-6);
 * assert.equal(energyUnit(999).unit, "MWh");
 * ```
 */
export function energyUnit(mwh: number): { unit: string; factor: number } {
  const a = Math.abs(mwh);
  if (a >= 1e6) return { unit: "TWh", factor: 1e-6 };
  if (a >= 1e3) return { unit: "GWh", factor: 1e-3 };
  return { unit: "MWh", factor: 1 };
}

/**
 * An energy (MWh) in its readable unit with 1 decimal: `250,3 TWh`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEnergy } from "./_core_format.ts";
 * assert.equal(formatEnergy(250_340_000), "250,3 TWh");
 * ```
 */
export function formatEnergy(mwh: number): string {
  const { unit, factor } = energyUnit(mwh);
  return formatValue(mwh * factor, 1) + " " + unit;
}

/**
 * The resolution note of a time chart, in French.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolutionNote } from "./_core_format.ts";
 * assert.equal(resolutionNote("jour", 1), "moyennes journalières");
 * assert.equal(resolutionNote("heure", 3), "moyennes par pas de 3 h (heure locale)");
 * ```
 */
export function resolutionNote(resolution: "heure" | "jour", pasHeures: number): string {
  if (resolution === "jour") return "moyennes journalières";
  return (pasHeures === 1 ? "moyennes horaires" : "moyennes par pas de " + pasHeures + " h") +
    " (heure locale)";
}

/**
 * The layout every figure starts from: French title with a subtitle (the period, the
 * resolution, the source), French number separators, readable fonts and margins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { baseLayout } from "./_core_format.ts";
 * const layout = baseLayout("Consommation", "moyennes horaires", { yaxis: { title: { text: "MW" } } });
 * assert.equal((layout.title as { text: string }).text, "Consommation");
 * assert.equal(layout.separators, ",\u202f");
 * ```
 */
export function baseLayout(
  title: string,
  subtitle: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    title: {
      text: title,
      subtitle: { text: subtitle, font: { size: 12, color: "#5C677D" } },
      x: 0.01,
      xanchor: "left",
      font: { size: 17 },
    },
    font: { family: "Inter, 'Segoe UI', Roboto, Arial, sans-serif", size: 13, color: "#22223B" },
    separators: ",\u202f",
    paper_bgcolor: "#FFFFFF",
    plot_bgcolor: "#FFFFFF",
    // The legend sits at the bottom of the whole figure, under the axis title, whatever the
    // number of its rows: the bottom margin leaves room for both.
    margin: { l: 70, r: 30, t: 80, b: 105 },
    legend: {
      orientation: "h",
      xref: "container",
      yref: "container",
      x: 0.01,
      y: 0.01,
      yanchor: "bottom",
    },
    hoverlabel: { namelength: -1 },
    ...extra,
  };
}

/**
 * A figure that says why there is nothing to draw (no data on the chosen period, a column the
 * table does not have).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyFigure } from "./_core_format.ts";
 * const fig = emptyFigure("Consommation", "Aucune donnée sur la période choisie");
 * assert.equal(fig.data.length, 0);
 * ```
 */
export function emptyFigure(title: string, message: string): Figure {
  return {
    data: [],
    layout: baseLayout(title, "", {
      xaxis: { visible: false },
      yaxis: { visible: false },
      annotations: [{
        text: message,
        showarrow: false,
        xref: "paper",
        yref: "paper",
        x: 0.5,
        y: 0.5,
        font: { size: 15, color: "#5C677D" },
      }],
    }),
  };
}

/**
 * A date x axis (local French time, as every subtitle says) and a y axis with its title, whose
 * `hoverformat` (d3, default: to the unit) formats the `%{y}` of the hover labels.
 *
 * Why hover numbers go through the axis: plotly writes the numbers of an axis (ticks and
 * `hoverformat`) with the minus sign U+2212, but a number formatted in a hovertemplate
 * (`%{y:,.0f}`) with a hyphen-minus, and its locale has no setting for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeAxes } from "./_core_format.ts";
 * const axes = timeAxes("Puissance (MW)");
 * const yaxis = axes.yaxis as { title: { text: string }; hoverformat: string };
 * assert.equal(yaxis.title.text, "Puissance (MW)");
 * assert.equal(yaxis.hoverformat, ",.0f");
 * ```
 */
export function timeAxes(yTitle: string, hoverformat = ",.0f"): Record<string, unknown> {
  return {
    xaxis: { type: "date", gridcolor: "#ECECEC" },
    yaxis: { title: { text: yTitle }, gridcolor: "#ECECEC", zeroline: false, hoverformat },
    hovermode: "x unified",
  };
}

/**
 * A CSS colour with transparency: `#RRGGBB` and alpha -> `rgba(r,g,b,a)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withAlpha } from "./_core_format.ts";
 * assert.equal(withAlpha("#FF8000", 0.5), "rgba(255,128,0,0.5)");
 * ```
 */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha +
    ")";
}
