/**
 * One colour and one French label per energy source, border and series, shared by every figure,
 * the dashboard and the exported images, so that nuclear is the same yellow everywhere.
 *
 * Source colours follow RTE's eCO2mix site, which French energy readers know by heart. Countries
 * get a qualitative palette distinct from the sources (a border is not a fuel).
 *
 * The constants are plain JSON data: the dashboard re-declares them under the same names in
 * the page, where the figure builders read them.
 *
 * @module
 */

/** Family of a production source, used for shares (nuclear, renewable, fossil). */
export type SourceFamily = "nucleaire" | "renouvelable" | "fossile";

/** A production source: silver column, French label, colour, family. */
export interface SourceStyle {
  /** Silver column (MW), e.g. `eolien`. */
  readonly key: string;
  /** French label shown in legends. */
  readonly label: string;
  /** CSS colour (hex). */
  readonly color: string;
  /** Family for the nuclear / renewable / fossil shares. */
  readonly family: SourceFamily;
}

/**
 * Production sources, bottom to top of stacked charts: baseload first, then renewables, then
 * the fossil peakers. `thermique` is the fossil total that regional files publish instead of
 * gas, coal and oil; figures use it only when the three fuels are absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SOURCES } from "./palette.ts";
 * const nuclear = SOURCES.find((s) => s.key === "nucleaire");
 * assert.equal(nuclear?.label, "Nucléaire");
 * assert.equal(nuclear.color, "#E4A701");
 * ```
 */
export const SOURCES: readonly SourceStyle[] = [
  { key: "nucleaire", label: "Nucléaire", color: "#E4A701", family: "nucleaire" },
  { key: "hydraulique", label: "Hydraulique", color: "#2672B0", family: "renouvelable" },
  { key: "eolien", label: "Éolien", color: "#72CBB7", family: "renouvelable" },
  { key: "solaire", label: "Solaire", color: "#F27406", family: "renouvelable" },
  { key: "bioenergies", label: "Bioénergies", color: "#156956", family: "renouvelable" },
  { key: "gaz", label: "Gaz", color: "#F30A0A", family: "fossile" },
  { key: "charbon", label: "Charbon", color: "#AC8C35", family: "fossile" },
  { key: "fioul", label: "Fioul", color: "#8356A2", family: "fossile" },
  { key: "thermique", label: "Thermique fossile", color: "#C0392B", family: "fossile" },
];

/** A commercial border: silver column, the gold table's `pays` value, colour. */
export interface CountryStyle {
  /** Silver column (MW, > 0 import), e.g. `ech_comm_espagne`. */
  readonly key: string;
  /** The `pays` value of the gold table `echanges_internationaux`. */
  readonly country: string;
  /** French label shown on axes. */
  readonly label: string;
  /** CSS colour (hex). */
  readonly color: string;
}

/**
 * The five commercial borders of eCO2mix, in RTE's column order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COUNTRIES } from "./palette.ts";
 * assert.deepEqual(COUNTRIES.map((c) => c.country), ["UK", "Espagne", "Italie", "Suisse", "DE-BE"]);
 * ```
 */
export const COUNTRIES: readonly CountryStyle[] = [
  { key: "ech_comm_angleterre", country: "UK", label: "Royaume-Uni", color: "#3B5BA5" },
  { key: "ech_comm_espagne", country: "Espagne", label: "Espagne", color: "#E8A33D" },
  { key: "ech_comm_italie", country: "Italie", label: "Italie", color: "#2E9E6A" },
  { key: "ech_comm_suisse", country: "Suisse", label: "Suisse", color: "#C8443C" },
  {
    key: "ech_comm_allemagne_belgique",
    country: "DE-BE",
    label: "Allemagne-Belgique",
    color: "#6C6C6C",
  },
];

/**
 * Colours of the other series (consumption, forecasts, flows, storage, CO2, ML models).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COLORS } from "./palette.ts";
 * assert.equal(COLORS.consommation, "#22223B");
 * ```
 */
export const COLORS: {
  readonly consommation: string;
  readonly prevision_j1: string;
  readonly prevision_j: string;
  readonly eolien_terrestre: string;
  readonly eolien_offshore: string;
  readonly import: string;
  readonly export: string;
  readonly solde: string;
  readonly pompage: string;
  readonly batterie: string;
  readonly reseau: string;
  readonly ecart: string;
  readonly co2: string;
  readonly renouvelables: string;
  readonly jours_ouvres: string;
  readonly week_end: string;
  readonly models: readonly string[];
} = {
  consommation: "#22223B",
  prevision_j1: "#8D99AE",
  prevision_j: "#EF8354",
  eolien_terrestre: "#72CBB7",
  eolien_offshore: "#1F7A6B",
  import: "#4C78A8",
  export: "#E45756",
  solde: "#22223B",
  pompage: "#0E4269",
  batterie: "#9C27B0",
  reseau: "#5C677D",
  ecart: "#B0B0B0",
  co2: "#5D4037",
  renouvelables: "#2E9E6A",
  jours_ouvres: "#3B5BA5",
  week_end: "#E8A33D",
  models: ["#7B2CBF", "#0096C7", "#D00000", "#588157", "#F4A261", "#6D6875"],
};

/**
 * The colour of a source column, or `undefined` for a column that is not a production source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceColor } from "./palette.ts";
 * assert.equal(sourceColor("solaire"), "#F27406");
 * assert.equal(sourceColor("consommation"), undefined);
 * ```
 */
export function sourceColor(key: string): string | undefined {
  return SOURCES.find((s) => s.key === key)?.color;
}
