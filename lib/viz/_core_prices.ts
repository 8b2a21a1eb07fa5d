/**
 * Portable core, part 7: the daily wholesale price beside the renewable share (same inlining
 * rules as `_core_data.ts`), for notebook 10 and the dashboard.
 *
 * @module
 */

import { COLORS } from "./palette.ts";
import type { Figure } from "./_core_data.ts";
import { baseLayout, emptyFigure, formatValue, periodLabel } from "./_core_format.ts";

/**
 * Daily prices of the national perimeter (`prix_mix_quotidien`), columnar and JSON-able, in
 * date order.
 */
export interface PriceData {
  /** Local dates `YYYY-MM-DD`. */
  readonly days: readonly string[];
  /** Day's wholesale price (EUR/MWh). */
  readonly price: readonly number[];
  /** Renewable share of the day's production (%). */
  readonly renewableSharePct: readonly (number | null)[];
  /** `negatif`, `tres_bas`, `normal` or `tres_eleve`. */
  readonly category: readonly string[];
}

/**
 * The daily price (left axis) and the renewable share of production (right axis) over the
 * local dates [`from`, `to`] (empty bound: open), negative and very high days marked; `null`
 * data: a figure saying the table was not given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { priceSpec } from "./_core_prices.ts";
 * const p = { days: ["2025-05-10", "2025-05-11"], price: [40, -5.2],
 *   renewableSharePct: [30, 41], category: ["normal", "negatif"] };
 * const fig = priceSpec(p, "", "");
 * assert.deepEqual(fig.data[0].y, [40, -5.2]);
 * assert.deepEqual(fig.data[2].x, ["2025-05-11"]); // the negative day
 * assert.equal(priceSpec(p, "2025-06-01", "").data.length, 0);
 * ```
 */
export function priceSpec(p: PriceData | null, from: string, to: string): Figure {
  const title = "Prix de gros de l'électricité et part des renouvelables";
  if (p === null) {
    return emptyFigure(title, "Table prix_mix_quotidien non fournie au tableau de bord");
  }
  const rows: number[] = [];
  for (let i = 0; i < p.days.length; i++) {
    if ((from === "" || p.days[i] >= from) && (to === "" || p.days[i] <= to)) rows.push(i);
  }
  if (rows.length === 0) return emptyFigure(title, "Aucun prix sur la période choisie");
  const x = rows.map((i) => p.days[i]);
  const mean = rows.reduce((t, i) => t + p.price[i], 0) / rows.length;
  const marked = (category: string, name: string, color: string) => {
    const days = rows.filter((i) => p.category[i] === category);
    return {
      type: "scatter",
      mode: "markers",
      name,
      x: days.map((i) => p.days[i]),
      y: days.map((i) => p.price[i]),
      marker: { color, size: 8, symbol: "circle" },
      hovertemplate: "%{y} €/MWh",
    };
  };
  return {
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: "Prix de gros (moyenne du jour)",
        x,
        y: rows.map((i) => p.price[i]),
        line: { color: COLORS.solde, width: 1.6 },
        hovertemplate: "%{y} €/MWh",
      },
      {
        type: "scatter",
        mode: "lines",
        name: "Part des renouvelables",
        x,
        y: rows.map((i) => p.renewableSharePct[i]),
        yaxis: "y2",
        line: { color: COLORS.renouvelables, width: 1.2, dash: "dot" },
        hovertemplate: "%{y} %",
      },
      marked("negatif", "Prix négatif", COLORS.export),
      marked("tres_eleve", "Prix très élevé (5 % des jours les plus chers)", COLORS.prevision_j),
    ],
    layout: baseLayout(
      title,
      periodLabel(x) + " · moyenne " + formatValue(mean, 1) + " €/MWh · marché day-ahead " +
        "(source : Ember, CC BY 4.0)",
      {
        xaxis: { type: "date", gridcolor: "#ECECEC" },
        yaxis: {
          title: { text: "Prix (€/MWh)" },
          gridcolor: "#ECECEC",
          zeroline: true,
          hoverformat: ".2f",
        },
        yaxis2: {
          title: { text: "Part des renouvelables (%)" },
          hoverformat: ".1f",
          overlaying: "y",
          side: "right",
          tickmode: "auto",
          nticks: 6,
          showgrid: false,
        },
        hovermode: "x unified",
        // Room for the right axis and its title.
        margin: { l: 70, r: 80, t: 80, b: 105 },
      },
    ),
  };
}
