/**
 * Portable core, part 3: one figure spec per chart of the brief, from {@linkcode HourlyData}
 * (same inlining rules as `_core_data.ts`). A spec never throws on thin data: an empty period
 * or a column the data lacks gives a figure that says so, because the dashboard redraws every
 * chart for whatever period the reader picks. The public builders (`figures.ts`) check columns
 * before and throw typed errors.
 *
 * Why one module of this size: a flat catalogue of thirteen independent `HourlyData` → `Figure`
 * specs over five private helpers, which the page re-declares from {@linkcode FIGURE_HELPERS};
 * splitting it would give `dashboard.ts` one more module and helper list to inline per part,
 * and no part would hide anything from another.
 *
 * @module
 */

import { COLORS } from "./palette.ts";
import {
  dailyShare,
  dailyStats,
  energyOf,
  type Figure,
  type HourlyData,
  hourProfile,
  isoWeekday,
  linearFit,
  presentCountries,
  presentSources,
  rollingMean,
  rowLabels,
  rowSum,
  timeSeries,
  valuesOf,
} from "./_core_data.ts";
import {
  baseLayout,
  emptyFigure,
  energyUnit,
  formatEnergy,
  formatLocal,
  formatValue,
  periodLabel,
  resolutionNote,
  timeAxes,
  withAlpha,
} from "./_core_format.ts";

/** Options shared by the time-series specs. */
export interface TimeOptions {
  /** Longest period (days) still drawn hour by hour; longer ones are daily means. */
  readonly maxHourlyDays?: number;
}

/**
 * The reason a spec cannot draw `h`, or null: no row on the period, or a column missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { missingReason } from "./_core_figures.ts";
 * const h = { days: ["2025-01-01"], series: { consommation: [1] } };
 * assert.equal(missingReason(h as never, ["consommation"]), null);
 * assert.equal(missingReason(h as never, ["taux_co2"]), "Données indisponibles : taux_co2");
 * ```
 */
export function missingReason(h: HourlyData, keys: readonly string[]): string | null {
  if (h.days.length === 0) return "Aucune donnée sur la période choisie";
  const missing = keys.filter((k) => valuesOf(h, k) === undefined);
  return missing.length > 0 ? "Données indisponibles : " + missing.join(", ") : null;
}

/**
 * A filled band between two series (min/max, percentiles): two traces, no legend clutter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { band } from "./_core_figures.ts";
 * const traces = band(["a", "b"], [1, 2], [3, 4], "P10-P90", "#336699");
 * assert.deepEqual(traces.map((t) => t.fill), [undefined, "tonexty"]);
 * ```
 */
export function band(
  x: readonly unknown[],
  lower: readonly (number | null)[],
  upper: readonly (number | null)[],
  name: string,
  color: string,
): Record<string, unknown>[] {
  return [
    {
      type: "scatter",
      mode: "lines",
      x,
      y: lower,
      line: { width: 0 },
      hoverinfo: "skip",
      showlegend: false,
      legendgroup: name,
    },
    {
      type: "scatter",
      mode: "lines",
      x,
      y: upper,
      fill: "tonexty",
      fillcolor: withAlpha(color, 0.18),
      line: { width: 0 },
      name,
      hoverinfo: "skip",
      legendgroup: name,
    },
  ];
}

/** Subtitle parts joined with a middle dot. */
function subtitle(...parts: string[]): string {
  return parts.filter((p) => p !== "").join(" · ");
}

/** Row-wise share (%) of two groups of columns; null without denominator. */
function rowShare(
  h: HourlyData,
  numerator: readonly string[],
  denominator: readonly string[],
): (number | null)[] {
  const num = rowSum(h, numerator);
  return rowSum(h, denominator).map((
    d,
    i,
  ) => (d !== null && d > 0 ? (100 * (num[i] ?? 0)) / d : null));
}

/** Columns of the production sources of a family. */
function familyKeys(h: HourlyData, family: string): string[] {
  return presentSources(h).filter((s) => s.family === family).map((s) => s.key);
}

/**
 * Consumption over the period: hourly when short, else daily means with the daily range of
 * hourly means; RTE's forecasts (J-1, J) as dashed lines when present.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consumptionSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0, 1],
 *   day: [0, 0], hour: [0, 1], duration: [1, 1], series: { consommation: [60000, 58000] } };
 * const fig = consumptionSpec(h);
 * assert.equal(fig.data.length, 1);
 * assert.equal((fig.data[0].y as number[])[1], 58000);
 * ```
 */
export function consumptionSpec(h: HourlyData, options: TimeOptions = {}): Figure {
  const title = "Consommation électrique – " + h.perimeter;
  const reason = missingReason(h, ["consommation"]);
  if (reason) return emptyFigure(title, reason);
  const columns: Record<string, readonly (number | null)[]> = {
    consommation: h.series.consommation,
  };
  for (const k of ["prevision_j1", "prevision_j"]) {
    const v = valuesOf(h, k);
    if (v) columns[k] = v;
  }
  const s = timeSeries(h, columns, options.maxHourlyDays ?? 92);
  const data: Record<string, unknown>[] = s.resolution === "jour"
    ? band(
      s.x,
      s.min.consommation,
      s.max.consommation,
      "Plage des moyennes horaires",
      COLORS.consommation,
    )
    : [];
  data.push({
    type: "scatter",
    mode: "lines",
    name: "Consommation",
    x: s.x,
    y: s.y.consommation,
    line: { color: COLORS.consommation, width: 1.6 },
    hovertemplate: "%{y} MW",
  });
  const labels: Record<string, string> = {
    prevision_j1: "Prévision J-1 (RTE)",
    prevision_j: "Prévision J (RTE)",
  };
  for (const k of ["prevision_j1", "prevision_j"]) {
    if (!columns[k]) continue;
    data.push({
      type: "scatter",
      mode: "lines",
      name: labels[k],
      x: s.x,
      y: s.y[k],
      line: {
        color: k === "prevision_j1" ? COLORS.prevision_j1 : COLORS.prevision_j,
        width: 1,
        dash: "dot",
      },
      hovertemplate: "%{y} MW",
      visible: k === "prevision_j" ? "legendonly" : true,
    });
  }
  let peak = -Infinity;
  let at = -1;
  h.series.consommation.forEach((v, i) => {
    if (v !== null && v > peak) {
      peak = v;
      at = i;
    }
  });
  const peakText = "pic horaire : " + formatValue(peak, 0) + " MW le " +
    formatLocal(h.days[h.day[at]]) + " à " + h.hour[at] + " h";
  return {
    data,
    layout: baseLayout(
      title,
      subtitle(periodLabel(h.days), resolutionNote(s.resolution, h.stepHours), peakText),
      timeAxes("Puissance (MW)"),
    ),
  };
}

/**
 * Energy mix of the period: a donut of each source's energy (TWh, GWh or MWh), palette
 * colours, the total in the centre.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixPieSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0],
 *   day: [0], hour: [0], duration: [1], series: { nucleaire: [3000], solaire: [1000] } };
 * const fig = mixPieSpec(h);
 * assert.deepEqual(fig.data[0].values, [3, 1]); // GWh
 * ```
 */
export function mixPieSpec(h: HourlyData): Figure {
  const title = "Mix de production électrique – " + h.perimeter;
  const sources = presentSources(h);
  if (h.days.length === 0 || sources.length === 0) {
    return emptyFigure(title, missingReason(h, ["nucleaire"]) ?? "Aucune production");
  }
  const energies = sources.map((s) => Math.max(0, energyOf(h, s.key)));
  const total = energies.reduce((a, b) => a + b, 0);
  const { unit, factor } = energyUnit(total);
  return {
    data: [{
      type: "pie",
      hole: 0.45,
      sort: false,
      direction: "clockwise",
      labels: sources.map((s) => s.label),
      values: energies.map((e) => e * factor),
      marker: { colors: sources.map((s) => s.color), line: { color: "#FFFFFF", width: 1 } },
      // Slices under 3 % would pile their labels up: the legend and the hover name them.
      texttemplate: "%{label}<br>%{percent:.1%}",
      textposition: energies.map((e) => (total > 0 && e / total >= 0.03 ? "inside" : "none")),
      insidetextorientation: "horizontal",
      hovertemplate: "%{label} : %{value:,.2f} " + unit + " (%{percent:.1%})<extra></extra>",
    }],
    layout: baseLayout(title, subtitle(periodLabel(h.days), "énergie produite, hors stockage"), {
      showlegend: true,
      legend: { orientation: "v", x: 1, xanchor: "left", y: 0.5, yanchor: "middle" },
      margin: { l: 30, r: 150, t: 90, b: 30 },
      annotations: [{
        text: formatEnergy(total),
        showarrow: false,
        x: 0.5,
        y: 0.5,
        xref: "paper",
        yref: "paper",
        font: { size: 16 },
      }],
    }),
  };
}

/**
 * Production by source as stacked areas (palette order, baseload at the bottom), consumption
 * as a line on top: hourly when short, else daily means.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { productionStackSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0],
 *   day: [0], hour: [0], duration: [1], series: { nucleaire: [40000], eolien: [5000] } };
 * const fig = productionStackSpec(h);
 * assert.deepEqual(fig.data.map((t) => t.name), ["Nucléaire", "Éolien"]);
 * ```
 */
export function productionStackSpec(h: HourlyData, options: TimeOptions = {}): Figure {
  const title = "Production par source – " + h.perimeter;
  const sources = presentSources(h);
  if (h.days.length === 0 || sources.length === 0) {
    return emptyFigure(title, missingReason(h, ["nucleaire"]) ?? "Aucune production");
  }
  const columns: Record<string, readonly (number | null)[]> = {};
  for (const s of sources) columns[s.key] = h.series[s.key];
  const consumption = valuesOf(h, "consommation");
  if (consumption) columns.consommation = consumption;
  const s = timeSeries(h, columns, options.maxHourlyDays ?? 31);
  const data: Record<string, unknown>[] = sources.map((src) => ({
    type: "scatter",
    mode: "lines",
    stackgroup: "production",
    name: src.label,
    x: s.x,
    y: s.y[src.key],
    line: { color: src.color, width: 0.5 },
    fillcolor: withAlpha(src.color, 0.85),
    hovertemplate: "%{y} MW",
  }));
  if (consumption) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: "Consommation",
      x: s.x,
      y: s.y.consommation,
      line: { color: COLORS.consommation, width: 1.4, dash: "dot" },
      hovertemplate: "%{y} MW",
    });
  }
  return {
    data,
    layout: baseLayout(
      title,
      subtitle(periodLabel(h.days), resolutionNote(s.resolution, h.stepHours), "empilé"),
      timeAxes("Puissance moyenne (MW)"),
    ),
  };
}

/** Hour-of-day x axis (0-23 h). */
function hourAxis(): Record<string, unknown> {
  return {
    title: { text: "Heure locale (Europe/Paris)" },
    tickmode: "array",
    tickvals: [0, 3, 6, 9, 12, 15, 18, 21],
    ticktext: ["0 h", "3 h", "6 h", "9 h", "12 h", "15 h", "18 h", "21 h"],
    range: [-0.5, 23.5],
    gridcolor: "#ECECEC",
  };
}

/**
 * Mean daily load profile: mean consumption per local hour with the band of the 10th-90th
 * percentiles of that hour across the days.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadProfileSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01", "2025-01-02"],
 *   t: [0, 24], day: [0, 1], hour: [0, 0], duration: [1, 1], series: { consommation: [50, 70] } };
 * const fig = loadProfileSpec(h);
 * assert.equal((fig.data[2].y as number[])[0], 60);
 * ```
 */
export function loadProfileSpec(h: HourlyData): Figure {
  const title = "Profil journalier moyen de la consommation – " + h.perimeter;
  const reason = missingReason(h, ["consommation"]);
  if (reason) return emptyFigure(title, reason);
  const p = hourProfile(h, h.series.consommation);
  return {
    data: [
      ...band(p.hours, p.q10, p.q90, "10e–90e centiles", COLORS.consommation),
      {
        type: "scatter",
        mode: "lines+markers",
        name: "Moyenne",
        x: p.hours,
        y: p.mean,
        line: { color: COLORS.consommation, width: 2 },
        marker: { size: 5 },
        hovertemplate: "%{x} h : %{y} MW<extra></extra>",
      },
    ],
    layout: baseLayout(title, subtitle(periodLabel(h.days), "moyenne de chaque heure locale"), {
      xaxis: hourAxis(),
      yaxis: { title: { text: "Puissance (MW)" }, gridcolor: "#ECECEC", hoverformat: ",.0f" },
    }),
  };
}

/**
 * Consumption heatmap, day x local hour (duration-weighted mean when the autumn DST day has
 * two rows for 2 h).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatmapSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01", "2025-01-02"],
 *   t: [0, 1, 24], day: [0, 0, 1], hour: [0, 1, 0], duration: [1, 1, 1],
 *   series: { consommation: [5, 6, 7] } };
 * const z = heatmapSpec(h).data[0].z as (number | null)[][];
 * assert.equal(z.length, 24);
 * assert.deepEqual(z.slice(0, 2), [[5, 7], [6, null]]);
 * ```
 */
export function heatmapSpec(h: HourlyData): Figure {
  const title = "Consommation par jour et par heure – " + h.perimeter;
  const reason = missingReason(h, ["consommation"]);
  if (reason) return emptyFigure(title, reason);
  const hours: number[] = [];
  for (let hour = 0; hour < 24; hour += h.stepHours) hours.push(hour);
  const sum = hours.map(() => new Array(h.days.length).fill(0));
  const weight = hours.map(() => new Array(h.days.length).fill(0));
  h.series.consommation.forEach((v, i) => {
    if (v === null) return;
    const row = Math.floor(h.hour[i] / h.stepHours);
    sum[row][h.day[i]] += v * h.duration[i];
    weight[row][h.day[i]] += h.duration[i];
  });
  const z = sum.map((r, hi) => r.map((s, d) => (weight[hi][d] > 0 ? s / weight[hi][d] : null)));
  return {
    data: [{
      type: "heatmap",
      x: h.days,
      y: hours,
      z,
      colorscale: "YlOrRd",
      colorbar: { title: { text: "MW" } },
      hovertemplate: "%{x|%d/%m/%Y}, %{y} h : %{z:,.0f} MW<extra></extra>",
      xgap: 0,
      ygap: 0,
    }],
    layout: baseLayout(
      title,
      subtitle(periodLabel(h.days), resolutionNote("heure", h.stepHours)),
      {
        xaxis: { type: "date", title: { text: "Date" } },
        yaxis: {
          title: { text: "Heure locale" },
          tickvals: [0, 6, 12, 18, 23],
          ticktext: ["0 h", "6 h", "12 h", "18 h", "23 h"],
          autorange: "reversed",
        },
      },
    ),
  };
}

/**
 * Weekday (Monday-Friday) vs weekend (Saturday-Sunday) mean profiles, with the weekend effect
 * (mean weekend consumption vs mean weekday consumption, %) in the subtitle. Public holidays
 * count as the weekday they fall on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { weekdayWeekendSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-03", "2025-01-04"],
 *   t: [0, 24], day: [0, 1], hour: [12, 12], duration: [1, 1], series: { consommation: [100, 90] } };
 * const fig = weekdayWeekendSpec(h); // Friday 100 MW, Saturday 90 MW
 * assert.ok(
 *   String(fig.layout.title && (fig.layout.title as any).subtitle.text).includes("\u221210,0 %"),
 * );
 * ```
 */
export function weekdayWeekendSpec(h: HourlyData): Figure {
  const title = "Jours ouvrés et week-end – " + h.perimeter;
  const reason = missingReason(h, ["consommation"]);
  if (reason) return emptyFigure(title, reason);
  const weekend = h.days.map((d) => isoWeekday(d) >= 6);
  const groups = [
    { name: "Jours ouvrés (lun.–ven.)", color: COLORS.jours_ouvres, keep: false },
    { name: "Week-end (sam.–dim.)", color: COLORS.week_end, keep: true },
  ];
  const means: (number | null)[] = [];
  const data: Record<string, unknown>[] = [];
  for (const g of groups) {
    const keep = (i: number) => weekend[h.day[i]] === g.keep;
    const p = hourProfile(h, h.series.consommation, keep);
    let s = 0;
    let w = 0;
    h.series.consommation.forEach((v, i) => {
      if (v !== null && keep(i)) {
        s += v * h.duration[i];
        w += h.duration[i];
      }
    });
    means.push(w > 0 ? s / w : null);
    if (p.hours.length === 0) continue;
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: g.name,
      x: p.hours,
      y: p.mean,
      line: { color: g.color, width: 2 },
      marker: { size: 5 },
      hovertemplate: "%{x} h : %{y} MW",
    });
  }
  const [weekday, weekendMean] = means;
  const effect = weekday !== null && weekendMean !== null
    ? "week-end : " + (weekendMean >= weekday ? "+" : "") +
      formatValue((100 * (weekendMean - weekday)) / weekday, 1) +
      " % de consommation moyenne par rapport aux jours ouvrés"
    : "";
  return {
    data,
    layout: baseLayout(title, subtitle(periodLabel(h.days), effect), {
      xaxis: hourAxis(),
      yaxis: {
        title: { text: "Puissance moyenne (MW)" },
        gridcolor: "#ECECEC",
        hoverformat: ",.0f",
      },
      hovermode: "x unified",
    }),
  };
}

/**
 * Wind production, onshore and offshore stacked (files since 2023 split them); the total
 * `eolien` alone for older files. Hourly when short, else daily means.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0],
 *   day: [0], hour: [0], duration: [1], series: { eolien_terrestre: [9000], eolien_offshore: [1000] } };
 * const fig = windSpec(h);
 * assert.deepEqual(fig.data.map((t) => t.name), ["Éolien terrestre", "Éolien en mer"]);
 * ```
 */
export function windSpec(h: HourlyData, options: TimeOptions = {}): Figure {
  const title = "Production éolienne – " + h.perimeter;
  const split = valuesOf(h, "eolien_terrestre") !== undefined ||
    valuesOf(h, "eolien_offshore") !== undefined;
  const parts = split
    ? [
      { key: "eolien_terrestre", label: "Éolien terrestre", color: COLORS.eolien_terrestre },
      { key: "eolien_offshore", label: "Éolien en mer", color: COLORS.eolien_offshore },
    ].filter((p) => valuesOf(h, p.key) !== undefined)
    : [{ key: "eolien", label: "Éolien", color: COLORS.eolien_terrestre }];
  const reason = missingReason(h, parts.map((p) => p.key));
  if (reason) return emptyFigure(title, reason);
  const columns: Record<string, readonly (number | null)[]> = {};
  for (const p of parts) columns[p.key] = h.series[p.key];
  const s = timeSeries(h, columns, options.maxHourlyDays ?? 31);
  const energies = parts.map((p) => energyOf(h, p.key));
  const total = energies.reduce((a, b) => a + b, 0);
  const offshore = split && total > 0
    ? "part en mer : " + formatValue((100 * energyOf(h, "eolien_offshore")) / total, 1) + " %"
    : "";
  return {
    data: parts.map((p) => ({
      type: "scatter",
      mode: "lines",
      stackgroup: "eolien",
      name: p.label,
      x: s.x,
      y: s.y[p.key],
      line: { color: p.color, width: 0.5 },
      fillcolor: withAlpha(p.color, 0.85),
      hovertemplate: "%{y} MW",
    })),
    layout: baseLayout(
      title,
      subtitle(
        periodLabel(h.days),
        resolutionNote(s.resolution, h.stepHours),
        "énergie : " + formatEnergy(total),
        offshore,
      ),
      timeAxes("Puissance moyenne (MW)"),
    ),
  };
}

/**
 * Solar production by hour of day, one line per month (up to 12 months of the period; longer
 * periods pool each calendar month across years), one colour per calendar month.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solarProfileSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-06-01"], t: [0, 1],
 *   day: [0, 0], hour: [12, 13], duration: [1, 1], series: { solaire: [9000, 8000] } };
 * const fig = solarProfileSpec(h);
 * assert.equal(fig.data[0].name, "juin 2025");
 * assert.deepEqual(fig.data[0].y, [9000, 8000]);
 * ```
 */
export function solarProfileSpec(h: HourlyData): Figure {
  const title = "Production solaire selon l'heure – " + h.perimeter;
  const reason = missingReason(h, ["solaire"]);
  if (reason) return emptyFigure(title, reason);
  const names = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
  ];
  // One colour per calendar month, winter blues to summer oranges.
  const monthColors = [
    "#1F4E9C",
    "#3A6FB5",
    "#5E93C8",
    "#7FB08E",
    "#C2C65A",
    "#F2B33D",
    "#E8701A",
    "#C8501A",
    "#D9A441",
    "#9DAF6B",
    "#5C8FB8",
    "#2F5FA8",
  ];
  const yearMonths = Array.from(new Set(h.days.map((d) => d.slice(0, 7))));
  const pooled = yearMonths.length > 12;
  const keys = pooled ? Array.from(new Set(yearMonths.map((m) => m.slice(5)))).sort() : yearMonths;
  const keyOfDay = h.days.map((d) => (pooled ? d.slice(5, 7) : d.slice(0, 7)));
  const data = keys.map((key) => {
    const p = hourProfile(h, h.series.solaire, (i) => keyOfDay[h.day[i]] === key);
    const month = Number(key.slice(-2));
    const label = names[month - 1] + (pooled ? "" : " " + key.slice(0, 4));
    return {
      type: "scatter",
      mode: "lines",
      name: label,
      x: p.hours,
      y: p.mean,
      line: { color: monthColors[month - 1], width: 2 },
      hovertemplate: label + ", %{x} h : %{y} MW<extra></extra>",
    };
  });
  return {
    data,
    layout: baseLayout(
      title,
      subtitle(
        periodLabel(h.days),
        pooled ? "moyenne par mois calendaire, toutes années" : "moyenne par mois",
      ),
      {
        xaxis: hourAxis(),
        yaxis: {
          title: { text: "Puissance moyenne (MW)" },
          gridcolor: "#ECECEC",
          rangemode: "tozero",
          hoverformat: ",.0f",
        },
      },
    ),
  };
}

/**
 * Share of renewables in production (%): hourly when short, else daily energy shares with their
 * 7-day rolling mean; the share over the whole period in the subtitle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renewableShareSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0],
 *   day: [0], hour: [0], duration: [1], series: { nucleaire: [75], eolien: [25] } };
 * const fig = renewableShareSpec(h);
 * assert.equal((fig.data[0].y as number[])[0], 25);
 * ```
 */
export function renewableShareSpec(h: HourlyData, options: TimeOptions = {}): Figure {
  const title = "Part des renouvelables dans la production – " + h.perimeter;
  const renewables = familyKeys(h, "renouvelable");
  const all = presentSources(h).map((s) => s.key);
  if (h.days.length === 0 || renewables.length === 0) {
    return emptyFigure(title, missingReason(h, ["eolien", "solaire", "hydraulique"]) ?? "");
  }
  const total = all.reduce((a, k) => a + energyOf(h, k), 0);
  const overall = total > 0
    ? "sur la période : " +
      formatValue((100 * renewables.reduce((a, k) => a + energyOf(h, k), 0)) / total, 1) + " %"
    : "";
  const maxHourlyDays = options.maxHourlyDays ?? 31;
  const data: Record<string, unknown>[] = [];
  let resolution: "heure" | "jour" = "jour";
  if (h.days.length <= maxHourlyDays && h.stepHours < 24) {
    resolution = "heure";
    const s = timeSeries(h, { part: rowShare(h, renewables, all) }, maxHourlyDays);
    data.push({
      type: "scatter",
      mode: "lines",
      name: "Part renouvelable",
      x: s.x,
      y: s.y.part,
      line: { color: COLORS.renouvelables, width: 1.6 },
      hovertemplate: "%{y}",
    });
  } else {
    const share = dailyShare(h, renewables, all);
    data.push(
      {
        type: "scatter",
        mode: "lines",
        name: "Part journalière",
        x: h.days,
        y: share,
        line: { color: withAlpha(COLORS.renouvelables, 0.5), width: 1 },
        hovertemplate: "%{y}",
      },
      {
        type: "scatter",
        mode: "lines",
        name: "Moyenne glissante 7 jours",
        x: h.days,
        y: rollingMean(share, 7),
        line: { color: COLORS.renouvelables, width: 2.2 },
        hovertemplate: "%{y}",
      },
    );
  }
  return {
    data,
    layout: baseLayout(
      title,
      subtitle(
        periodLabel(h.days),
        resolution === "jour"
          ? "parts journalières en énergie"
          : resolutionNote("heure", h.stepHours),
        overall,
      ),
      {
        ...timeAxes("Part de la production (%)"),
        yaxis: {
          title: { text: "Part de la production (%)" },
          rangemode: "tozero",
          gridcolor: "#ECECEC",
          ticksuffix: " %",
          hoverformat: ".1f",
        },
      },
    ),
  };
}

/** Energy exchanged with one border over a period (MWh; import >= 0, export <= 0). */
export interface BorderTotal {
  /** Gold `pays` value: UK, Espagne, Italie, Suisse, DE-BE. */
  readonly country: string;
  /** French label. */
  readonly label: string;
  /** CSS colour. */
  readonly color: string;
  /** Imported energy (MWh, >= 0). */
  readonly importMwh: number;
  /** Exported energy (MWh, <= 0, RTE's sign). */
  readonly exportMwh: number;
}

/**
 * Per border: the import and export energies of {@linkcode HourlyData}'s split exchange columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { borderTotals } from "./_core_figures.ts";
 * const h = { duration: [1, 1], series: { ech_comm_espagne_imp: [100, 0], ech_comm_espagne_exp: [0, -300] } };
 * const [es] = borderTotals(h as never);
 * assert.equal(es.country, "Espagne");
 * assert.equal(es.importMwh, 100);
 * assert.equal(es.exportMwh, -300);
 * ```
 */
export function borderTotals(h: HourlyData): BorderTotal[] {
  return presentCountries(h).map((c) => ({
    country: c.country,
    label: c.label,
    color: c.color,
    importMwh: energyOf(h, c.key + "_imp"),
    exportMwh: energyOf(h, c.key + "_exp"),
  }));
}

/**
 * The physical net balance (MWh, > 0 net import) of `ech_physiques` over all rows, or null when
 * the data lack it. It differs from the commercial balance (schedules vs flows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { physicalBalance } from "./_core_figures.ts";
 * const h = { duration: [1, 1], series: { ech_physiques_imp: [100, 0], ech_physiques_exp: [0, -300] } };
 * assert.equal(physicalBalance(h as never), -200);
 * assert.equal(physicalBalance({ duration: [], series: {} } as never), null);
 * ```
 */
export function physicalBalance(h: HourlyData): number | null {
  if (
    valuesOf(h, "ech_physiques_imp") === undefined && valuesOf(h, "ech_physiques_exp") === undefined
  ) {
    return null;
  }
  return energyOf(h, "ech_physiques_imp") + energyOf(h, "ech_physiques_exp");
}

/**
 * Commercial exchanges per border: imports up, exports down (RTE's sign), the net balance as a
 * marker; energies in the unit that suits the largest flow; the physical balance, when given,
 * in the subtitle beside the commercial one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exchangesSpec } from "./_core_figures.ts";
 * const fig = exchangesSpec([{ country: "Espagne", label: "Espagne", color: "#E8A33D",
 *   importMwh: 2000, exportMwh: -5000 }], "France", "janvier 2025");
 * assert.equal((fig.data[2].y as number[])[0], -3); // GWh
 * ```
 */
export function exchangesSpec(
  borders: readonly BorderTotal[],
  perimetre: string,
  period: string,
  physicalNetMwh: number | null = null,
): Figure {
  const title = "Échanges commerciaux aux frontières – " + perimetre;
  if (borders.length === 0) {
    return emptyFigure(title, "Données indisponibles : échanges commerciaux");
  }
  const largest = Math.max(...borders.map((b) => Math.max(b.importMwh, -b.exportMwh)));
  const { unit, factor } = energyUnit(largest);
  const x = borders.map((b) => b.label);
  const net = borders.reduce((a, b) => a + b.importMwh + b.exportMwh, 0);
  const netText = "solde commercial : " +
    (net <= 0 ? "exportateur net de " : "importateur net de ") + formatEnergy(Math.abs(net)) +
    (physicalNetMwh === null ? "" : " (physique : " + formatEnergy(physicalNetMwh) + ")");
  return {
    data: [
      {
        type: "bar",
        name: "Importations",
        x,
        y: borders.map((b) => b.importMwh * factor),
        marker: { color: COLORS.import },
        hovertemplate: "%{x} : %{y} " + unit + "<extra>Importations</extra>",
      },
      {
        type: "bar",
        name: "Exportations",
        x,
        y: borders.map((b) => b.exportMwh * factor),
        marker: { color: COLORS.export },
        hovertemplate: "%{x} : %{y} " + unit + "<extra>Exportations</extra>",
      },
      {
        type: "scatter",
        mode: "markers",
        name: "Solde net",
        x,
        y: borders.map((b) => (b.importMwh + b.exportMwh) * factor),
        marker: {
          color: COLORS.solde,
          symbol: "diamond",
          size: 12,
          line: { color: "#FFFFFF", width: 1 },
        },
        hovertemplate: "%{x} : %{y} " + unit + "<extra>Solde net</extra>",
      },
    ],
    layout: baseLayout(title, subtitle(period, netText), {
      barmode: "relative",
      xaxis: { title: { text: "Frontière" } },
      yaxis: {
        title: { text: "Énergie (" + unit + ") : > 0 import, < 0 export" },
        gridcolor: "#ECECEC",
        zerolinecolor: "#22223B",
        hoverformat: ",.2f",
      },
    }),
  };
}

/**
 * Energy flows of the period as a Sankey: sources, imports and battery discharge into the grid;
 * consumption, exports (physical), pumping and battery charge out of it. A residual of the
 * balance identity (RTE's real-time glitches) is drawn as its own node, never hidden.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sankeySpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0],
 *   day: [0], hour: [0], duration: [1], series: { nucleaire: [1000], consommation: [800],
 *   ech_physiques_imp: [0], ech_physiques_exp: [-200] } };
 * const link = sankeySpec(h).data[0].link as { value: number[] };
 * assert.deepEqual(link.value, [1, 0.8, 0.2]); // GWh
 * ```
 */
export function sankeySpec(h: HourlyData): Figure {
  const title = "Flux d'énergie : des sources aux usages – " + h.perimeter;
  const reason = missingReason(h, ["consommation"]);
  const sources = presentSources(h);
  if (reason || sources.length === 0) return emptyFigure(title, reason ?? "Aucune production");
  const inflows = [
    ...sources.map((s) => ({ label: s.label, color: s.color, mwh: energyOf(h, s.key) })),
    { label: "Importations", color: COLORS.import, mwh: energyOf(h, "ech_physiques_imp") },
    {
      label: "Déstockage batteries",
      color: COLORS.batterie,
      mwh: energyOf(h, "destockage_batterie"),
    },
  ];
  const outflows = [
    { label: "Consommation", color: COLORS.consommation, mwh: energyOf(h, "consommation") },
    { label: "Exportations", color: COLORS.export, mwh: -energyOf(h, "ech_physiques_exp") },
    { label: "Pompage (STEP)", color: COLORS.pompage, mwh: -energyOf(h, "pompage") },
    { label: "Stockage batteries", color: COLORS.batterie, mwh: -energyOf(h, "stockage_batterie") },
  ];
  const totalIn = inflows.reduce((a, f) => a + f.mwh, 0);
  const residual = totalIn - outflows.reduce((a, f) => a + f.mwh, 0);
  const gap = { label: "Écart de bilan", color: COLORS.ecart, mwh: Math.abs(residual) };
  if (residual > 0) outflows.push(gap);
  if (residual < 0) inflows.push(gap);
  const ins = inflows.filter((f) => f.mwh > 0);
  const outs = outflows.filter((f) => f.mwh > 0);
  const { unit, factor } = energyUnit(totalIn);
  const grid = ins.length;
  const labels = [...ins.map((f) => f.label), "Réseau", ...outs.map((f) => f.label)];
  const colors = [...ins.map((f) => f.color), COLORS.reseau, ...outs.map((f) => f.color)];
  return {
    data: [{
      type: "sankey",
      arrangement: "snap",
      valueformat: ",.2f",
      valuesuffix: " " + unit,
      node: {
        label: labels,
        color: colors,
        pad: 14,
        thickness: 18,
        line: { color: "#FFFFFF", width: 0.5 },
      },
      link: {
        source: [...ins.map((_, i) => i), ...outs.map(() => grid)],
        target: [...ins.map(() => grid), ...outs.map((_, i) => grid + 1 + i)],
        value: [...ins.map((f) => f.mwh * factor), ...outs.map((f) => f.mwh * factor)],
        color: [
          ...ins.map((f) => withAlpha(f.color, 0.45)),
          ...outs.map((f) => withAlpha(f.color, 0.45)),
        ],
      },
    }],
    layout: baseLayout(
      title,
      subtitle(
        periodLabel(h.days),
        "énergie en " + unit,
        "écart de bilan : " +
          formatValue(totalIn > 0 ? (100 * Math.abs(residual)) / totalIn : 0, 2) +
          " %",
      ),
      { margin: { l: 20, r: 20, t: 80, b: 20 } },
    ),
  };
}

/** The CO2 intensity column of `h`: RTE's `taux_co2`, else silver's recomputed one. */
function co2Key(h: HourlyData): string {
  return valuesOf(h, "taux_co2") === undefined && valuesOf(h, "taux_co2_recalcule") !== undefined
    ? "taux_co2_recalcule"
    : "taux_co2";
}

/**
 * CO2 intensity of production over time (gCO2/kWh): hourly when short, else daily means
 * weighted by production (the intensity of the day's energy, not the mean of the hours) with
 * the daily range of hourly values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { co2Spec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01", "2025-01-02"],
 *   t: [0, 1, 24], day: [0, 0, 1], hour: [0, 1, 0], duration: [1, 1, 1],
 *   series: { taux_co2: [10, 40, 20], nucleaire: [300, 100, 50] } };
 * const fig = co2Spec(h, { maxHourlyDays: 0 });
 * assert.equal((fig.data[2].y as number[])[0], (10 * 300 + 40 * 100) / 400);
 * ```
 */
export function co2Spec(h: HourlyData, options: TimeOptions = {}): Figure {
  const title = "Intensité carbone de la production – " + h.perimeter;
  const key = co2Key(h);
  const reason = missingReason(h, [key]);
  if (reason) return emptyFigure(title, reason);
  const taux = h.series[key];
  const production = rowSum(h, presentSources(h).map((s) => s.key));
  const weighted = taux.map((v, i) => {
    const p = production[i];
    return v !== null && p !== null ? v * p : null;
  });
  const weight = taux.map((v, i) => (v !== null ? production[i] : null));
  const s = timeSeries(h, { taux, weighted, weight }, options.maxHourlyDays ?? 31);
  const y = s.resolution === "heure" ? s.y.taux : s.y.weighted.map((v, i) => {
    const w = s.y.weight[i];
    return v !== null && w !== null && w > 0 ? v / w : s.y.taux[i];
  });
  const totalWeighted = weighted.reduce<number>((a, v, i) => a + (v ?? 0) * h.duration[i], 0);
  const totalWeight = weight.reduce<number>((a, v, i) => a + (v ?? 0) * h.duration[i], 0);
  const mean = totalWeight > 0
    ? "moyenne pondérée par la production : " + formatValue(totalWeighted / totalWeight, 1) +
      " gCO₂/kWh"
    : "";
  const data: Record<string, unknown>[] = s.resolution === "jour"
    ? band(s.x, s.min.taux, s.max.taux, "Plage des valeurs horaires", COLORS.co2)
    : [];
  data.push({
    type: "scatter",
    mode: "lines",
    name: key === "taux_co2" ? "Taux de CO₂ (RTE)" : "Taux de CO₂ recalculé",
    x: s.x,
    y,
    line: { color: COLORS.co2, width: 1.6 },
    hovertemplate: "%{y} gCO₂/kWh",
  });
  return {
    data,
    layout: baseLayout(
      title,
      subtitle(periodLabel(h.days), resolutionNote(s.resolution, h.stepHours), mean),
      {
        ...timeAxes("Intensité carbone (gCO₂/kWh)"),
        yaxis: {
          title: { text: "Intensité carbone (gCO₂/kWh)" },
          rangemode: "tozero",
          gridcolor: "#ECECEC",
          hoverformat: ".1f",
        },
      },
    ),
  };
}

/**
 * Mix vs CO2: one point per hour (per day for periods longer than `maxHourlyDays`), fossil
 * share of production on x, CO2 intensity on y, coloured by the renewable share; the
 * least-squares line, and Pearson's r of the fossil, nuclear and renewable shares in the
 * subtitle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixCo2ScatterSpec } from "./_core_figures.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0, 1, 2],
 *   day: [0, 0, 0], hour: [0, 1, 2], duration: [1, 1, 1],
 *   series: { gaz: [10, 20, 30], nucleaire: [90, 80, 70], taux_co2: [40, 80, 120] } };
 * const fig = mixCo2ScatterSpec(h);
 * assert.deepEqual(fig.data[0].x, [10, 20, 30]);
 * ```
 */
export function mixCo2ScatterSpec(h: HourlyData, options: TimeOptions = {}): Figure {
  const title = "Mix de production et intensité carbone – " + h.perimeter;
  const key = co2Key(h);
  const reason = missingReason(h, [key]);
  const all = presentSources(h).map((s) => s.key);
  if (reason || all.length === 0) return emptyFigure(title, reason ?? "Aucune production");
  const hourly = h.days.length <= (options.maxHourlyDays ?? 92);
  const share = (family: string) =>
    hourly ? rowShare(h, familyKeys(h, family), all) : dailyShare(h, familyKeys(h, family), all);
  const fossil = share("fossile");
  const renewable = share("renouvelable");
  const nuclear = share("nucleaire");
  const co2 = hourly ? h.series[key] : dailyStats(h, h.series[key]).mean;
  const labels = hourly ? rowLabels(h) : h.days;
  const fit = linearFit(fossil, co2);
  const r = (xs: (number | null)[], name: string) => {
    const f = linearFit(xs, co2);
    return f ? "r(" + name + ") = " + formatValue(f.r, 2) : "";
  };
  const data: Record<string, unknown>[] = [{
    type: "scatter",
    mode: "markers",
    name: hourly ? "Heures" : "Jours",
    x: fossil,
    y: co2,
    text: labels,
    marker: {
      color: renewable,
      colorscale: [[0, "#F1EEF6"], [0.5, "#74C476"], [1, "#00441B"]],
      size: hourly ? 4 : 6,
      opacity: 0.7,
      colorbar: { title: { text: "Part renouvelable (%)" } },
    },
    hovertemplate: "%{text}<br>fossile %{x} · %{y} gCO₂/kWh<extra></extra>",
  }];
  if (fit) {
    const xs = fossil.filter((v): v is number => v !== null);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    data.push({
      type: "scatter",
      mode: "lines",
      name: "Droite des moindres carrés : " + formatValue(fit.slope, 1) +
        " gCO₂/kWh par point de part fossile",
      x: [lo, hi],
      y: [fit.intercept + fit.slope * lo, fit.intercept + fit.slope * hi],
      line: { color: COLORS.co2, width: 2, dash: "dash" },
      hoverinfo: "skip",
    });
  }
  return {
    data,
    layout: baseLayout(
      title,
      subtitle(
        periodLabel(h.days),
        hourly ? "un point par heure" : "un point par jour",
        [r(fossil, "fossile"), r(nuclear, "nucléaire"), r(renewable, "renouvelable")]
          .filter((t) => t !== "").join(", "),
      ),
      {
        xaxis: {
          title: { text: "Part des fossiles dans la production (%)" },
          gridcolor: "#ECECEC",
          ticksuffix: " %",
          hoverformat: ".1f",
        },
        yaxis: {
          title: { text: "Intensité carbone (gCO₂/kWh)" },
          gridcolor: "#ECECEC",
          hoverformat: ".0f",
        },
        hovermode: "closest",
      },
    ),
  };
}

/**
 * The module's private helpers, which the dashboard page declares beside the exported specs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FIGURE_HELPERS } from "./_core_figures.ts";
 * assert.ok(FIGURE_HELPERS.every((f) => typeof f === "function"));
 * ```
 */
export const FIGURE_HELPERS: readonly ((...args: never[]) => unknown)[] = [
  subtitle,
  rowShare,
  familyKeys,
  hourAxis,
  co2Key,
];
