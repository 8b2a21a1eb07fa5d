/**
 * The eCO2mix column catalogue: every header spelling RTE and ODRÉ use, mapped to one
 * snake_case column with its unit and family.
 *
 * Headers are matched by name, never by position, after {@linkcode normalizeHeader}: accents,
 * case, units in parentheses, punctuation and the `?` that RTE's ISO-8859-1 files carry instead
 * of an apostrophe are all ignored, and UTF-8 text that was decoded twice ("PÃ©rimÃ¨tre") is
 * repaired first. So `Hydraulique - Fil de l?eau + éclusée` (RTE .xls),
 * `Hydraulique - Fil de l'eau + éclusée (MW)` (ODRÉ CSV) and the ODRÉ API field name
 * `hydraulique_fil_eau_eclusee` all resolve to `hydraulique_fil_eau_eclusee`.
 *
 * Sign conventions are RTE's: `pompage` and `stockage_batterie` are <= 0 (energy taken from the
 * grid), `ech_physiques` and `ech_comm_*` are > 0 for a net import.
 *
 * @module
 */

/** What a column holds; drives zero-filling, gap filling and derived totals in silver. */
export type ColumnFamily =
  | "key"
  | "consumption"
  | "forecast"
  | "production"
  | "production_detail"
  | "storage"
  | "exchange"
  | "co2"
  | "status"
  | "gas";

/** One canonical column of the catalogue. */
export interface ColumnSpec {
  /** Canonical snake_case name, without accents (also the ODRÉ API field name when one exists). */
  readonly name: string;
  /** Unit of the values, or null for keys and labels. */
  readonly unit: "MW" | "g/kWh" | "MW PCS 0°C" | null;
  /** Family of the column. */
  readonly family: ColumnFamily;
  /** For a sub-source, the total it is part of (e.g. `gaz` for `gaz_ccg`). */
  readonly parent?: string;
  /** The header spellings seen in real files (before normalisation). */
  readonly headers: readonly string[];
  /** One line of meaning. */
  readonly description: string;
}

const spec = (
  name: string,
  unit: ColumnSpec["unit"],
  family: ColumnFamily,
  headers: readonly string[],
  description: string,
  parent?: string,
): ColumnSpec => (parent === undefined
  ? { name, unit, family, headers, description }
  : { name, unit, family, headers, description, parent });

/**
 * Every known eCO2mix column, in the order bronze and silver lay them out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COLUMNS } from "./columns.ts";
 * const units = new Map(COLUMNS.map((c) => [c.name, c.unit]));
 * assert.equal(units.get("taux_co2"), "g/kWh");
 * ```
 */
export const COLUMNS: readonly ColumnSpec[] = [
  spec(
    "perimetre",
    null,
    "key",
    ["Périmètre", "Région", "libelle_region"],
    "Perimeter: France or region",
  ),
  spec(
    "code_insee_region",
    null,
    "key",
    ["Code INSEE région"],
    "INSEE region code (ODRÉ regional)",
  ),
  spec(
    "nature",
    null,
    "status",
    ["Nature", "Statut - RTE"],
    "Revision stage: real-time, consolidated, definitive",
  ),
  spec("date", null, "key", ["Date"], "Local (Europe/Paris) date, YYYY-MM-DD or DD/MM/YYYY"),
  spec("heure", null, "key", ["Heures", "Heure"], "Local (Europe/Paris) time HH:MM"),
  spec("date_heure", null, "key", ["Date - Heure"], "ISO 8601 instant with its UTC offset (ODRÉ)"),
  spec("consommation", "MW", "consumption", [
    "Consommation",
    "Consommation (MW)",
    "Consommation brute électricité (MW) - RTE",
  ], "Electricity consumption (mainland, without Corsica for France)"),
  spec(
    "prevision_j1",
    "MW",
    "forecast",
    ["Prévision J-1", "Prévision J-1 (MW)"],
    "RTE day-ahead consumption forecast",
  ),
  spec(
    "prevision_j",
    "MW",
    "forecast",
    ["Prévision J", "Prévision J (MW)"],
    "RTE intraday consumption forecast",
  ),
  spec("fioul", "MW", "production", ["Fioul", "Fioul (MW)"], "Oil-fired production"),
  spec("charbon", "MW", "production", ["Charbon", "Charbon (MW)"], "Coal-fired production"),
  spec("gaz", "MW", "production", ["Gaz", "Gaz (MW)"], "Gas-fired production"),
  spec(
    "thermique",
    "MW",
    "production",
    ["Thermique", "Thermique (MW)"],
    "Fossil thermal production (regional files)",
  ),
  spec("nucleaire", "MW", "production", ["Nucléaire", "Nucléaire (MW)"], "Nuclear production"),
  spec("eolien", "MW", "production", ["Eolien", "Eolien (MW)"], "Wind production"),
  spec("solaire", "MW", "production", ["Solaire", "Solaire (MW)"], "Solar production"),
  spec(
    "hydraulique",
    "MW",
    "production",
    ["Hydraulique", "Hydraulique (MW)"],
    "Hydro production (incl. pumped-storage turbining)",
  ),
  spec("pompage", "MW", "storage", ["Pompage", "Pompage (MW)"], "Pumped-storage pumping (<= 0)"),
  spec(
    "bioenergies",
    "MW",
    "production",
    ["Bioénergies", "Bioénergies (MW)"],
    "Bioenergy production",
  ),
  spec(
    "ech_physiques",
    "MW",
    "exchange",
    ["Ech. physiques", "Ech. physiques (MW)"],
    "Physical exchange balance (> 0 import)",
  ),
  spec(
    "taux_co2",
    "g/kWh",
    "co2",
    ["Taux de Co2", "Taux de CO2 (g/kWh)"],
    "RTE carbon intensity of production",
  ),
  spec("ech_comm_angleterre", "MW", "exchange", [
    "Ech. comm. Angleterre",
    "Ech. comm. Angleterre (MW)",
  ], "Commercial exchange schedule, Great Britain (> 0 import)"),
  spec(
    "ech_comm_espagne",
    "MW",
    "exchange",
    ["Ech. comm. Espagne", "Ech. comm. Espagne (MW)"],
    "Commercial exchange schedule, Spain (> 0 import)",
  ),
  spec(
    "ech_comm_italie",
    "MW",
    "exchange",
    ["Ech. comm. Italie", "Ech. comm. Italie (MW)"],
    "Commercial exchange schedule, Italy (> 0 import)",
  ),
  spec(
    "ech_comm_suisse",
    "MW",
    "exchange",
    ["Ech. comm. Suisse", "Ech. comm. Suisse (MW)"],
    "Commercial exchange schedule, Switzerland (> 0 import)",
  ),
  spec("ech_comm_allemagne_belgique", "MW", "exchange", [
    "Ech. comm. Allemagne-Belgique",
    "Ech. comm. Allemagne-Belgique (MW)",
  ], "Commercial exchange schedule, Germany + Belgium (> 0 import)"),
  spec(
    "fioul_tac",
    "MW",
    "production_detail",
    ["Fioul - TAC", "Fioul - TAC (MW)"],
    "Oil, combustion turbines",
    "fioul",
  ),
  spec(
    "fioul_cogen",
    "MW",
    "production_detail",
    ["Fioul - Cogén.", "Fioul - Cogénération (MW)"],
    "Oil, cogeneration",
    "fioul",
  ),
  spec(
    "fioul_autres",
    "MW",
    "production_detail",
    ["Fioul - Autres", "Fioul - Autres (MW)"],
    "Oil, other",
    "fioul",
  ),
  spec(
    "gaz_tac",
    "MW",
    "production_detail",
    ["Gaz - TAC", "Gaz - TAC (MW)"],
    "Gas, combustion turbines",
    "gaz",
  ),
  spec(
    "gaz_cogen",
    "MW",
    "production_detail",
    ["Gaz - Cogén.", "Gaz - Cogénération (MW)"],
    "Gas, cogeneration",
    "gaz",
  ),
  spec(
    "gaz_ccg",
    "MW",
    "production_detail",
    ["Gaz - CCG", "Gaz - CCG (MW)"],
    "Gas, combined cycle",
    "gaz",
  ),
  spec(
    "gaz_autres",
    "MW",
    "production_detail",
    ["Gaz - Autres", "Gaz - Autres (MW)"],
    "Gas, other",
    "gaz",
  ),
  spec(
    "hydraulique_fil_eau_eclusee",
    "MW",
    "production_detail",
    [
      "Hydraulique - Fil de l?eau + éclusée",
      "Hydraulique - Fil de l'eau + éclusée (MW)",
    ],
    "Hydro, run-of-river and pondage",
    "hydraulique",
  ),
  spec(
    "hydraulique_lacs",
    "MW",
    "production_detail",
    ["Hydraulique - Lacs", "Hydraulique - Lacs (MW)"],
    "Hydro, lakes",
    "hydraulique",
  ),
  spec(
    "hydraulique_step_turbinage",
    "MW",
    "production_detail",
    [
      "Hydraulique - STEP turbinage",
      "Hydraulique - STEP turbinage (MW)",
    ],
    "Hydro, pumped-storage turbining",
    "hydraulique",
  ),
  spec(
    "bioenergies_dechets",
    "MW",
    "production_detail",
    ["Bioénergies - Déchets", "Bioénergies - Déchets (MW)"],
    "Bioenergy, waste",
    "bioenergies",
  ),
  spec(
    "bioenergies_biomasse",
    "MW",
    "production_detail",
    ["Bioénergies - Biomasse", "Bioénergies - Biomasse (MW)"],
    "Bioenergy, biomass",
    "bioenergies",
  ),
  spec(
    "bioenergies_biogaz",
    "MW",
    "production_detail",
    ["Bioénergies - Biogaz", "Bioénergies - Biogaz (MW)"],
    "Bioenergy, biogas",
    "bioenergies",
  ),
  spec(
    "stockage_batterie",
    "MW",
    "storage",
    [" Stockage batterie", "Stockage batterie (MW)"],
    "Battery charging (<= 0)",
  ),
  spec(
    "destockage_batterie",
    "MW",
    "storage",
    ["Déstockage batterie", "Déstockage batterie (MW)"],
    "Battery discharging (>= 0)",
  ),
  spec(
    "eolien_terrestre",
    "MW",
    "production_detail",
    ["Eolien terrestre", "Eolien terrestre (MW)"],
    "Wind, onshore",
    "eolien",
  ),
  spec(
    "eolien_offshore",
    "MW",
    "production_detail",
    ["Eolien offshore", "Eolien offshore (MW)"],
    "Wind, offshore",
    "eolien",
  ),
  spec("conso_gaz_natran", "MW PCS 0°C", "gas", [
    "Consommation brute gaz (MW PCS 0°C) - NaTran",
    "Consommation brute gaz (MW PCS 0°C) - GRTgaz",
  ], "Gas consumption, NaTran (ex-GRTgaz) network"),
  spec(
    "statut_natran",
    null,
    "status",
    ["Statut - NaTran", "Statut - GRTgaz"],
    "Revision stage of the NaTran value",
  ),
  spec(
    "conso_gaz_terega",
    "MW PCS 0°C",
    "gas",
    ["Consommation brute gaz (MW PCS 0°C) - Teréga"],
    "Gas consumption, Teréga network",
  ),
  spec("statut_terega", null, "status", ["Statut - Teréga"], "Revision stage of the Teréga value"),
  spec(
    "conso_gaz_totale",
    "MW PCS 0°C",
    "gas",
    ["Consommation brute gaz totale (MW PCS 0°C)"],
    "Gas consumption, both networks",
  ),
  spec(
    "conso_brute_totale",
    "MW",
    "gas",
    ["Consommation brute totale (MW)"],
    "Electricity + gas consumption",
  ),
  spec("flag_ignore", null, "status", ["flag_ignore"], "ODRÉ technical flag"),
];

/**
 * Canonical names of the production sources, in RTE's order (national files).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRODUCTION_SOURCES } from "./columns.ts";
 * assert.equal(PRODUCTION_SOURCES.length, 8);
 * ```
 */
export const PRODUCTION_SOURCES = [
  "fioul",
  "charbon",
  "gaz",
  "nucleaire",
  "eolien",
  "solaire",
  "hydraulique",
  "bioenergies",
] as const;

/**
 * Canonical names of the five commercial-exchange borders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMMERCIAL_EXCHANGES } from "./columns.ts";
 * assert.ok(COMMERCIAL_EXCHANGES.includes("ech_comm_espagne"));
 * ```
 */
export const COMMERCIAL_EXCHANGES = [
  "ech_comm_angleterre",
  "ech_comm_espagne",
  "ech_comm_italie",
  "ech_comm_suisse",
  "ech_comm_allemagne_belgique",
] as const;

const BY_NAME = new Map(COLUMNS.map((c) => [c.name, c]));

/**
 * The catalogue entry of a canonical column name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { columnSpec } from "./columns.ts";
 * assert.equal(columnSpec("gaz_ccg")?.parent, "gaz");
 * ```
 */
export function columnSpec(name: string): ColumnSpec | undefined {
  return BY_NAME.get(name);
}

// "PÃ©rimÃ¨tre": UTF-8 bytes decoded as Windows-1252, a common spreadsheet re-save accident.
const MOJIBAKE =
  /[ÃÂ][\u0080-\u00BF\u2018-\u201E\u2020-\u203A\u20AC\u0152\u0153\u0160\u0161\u017D\u017E\u0178\u02C6\u02DC\u2122\u0192]/;
const CP1252_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";

/**
 * Undo one round of UTF-8-read-as-Windows-1252 ("DonnÃ©es" -> "Données"); other text is
 * returned unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repairMojibake } from "./columns.ts";
 * assert.equal(repairMojibake("PÃ©rimÃ¨tre"), "Périmètre");
 * assert.equal(repairMojibake("Périmètre"), "Périmètre");
 * ```
 */
export function repairMojibake(text: string): string {
  if (!MOJIBAKE.test(text)) return text;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0xff) bytes[i] = code;
    else {
      const high = CP1252_HIGH.indexOf(text[i]);
      if (high < 0) return text;
      bytes[i] = 0x80 + high;
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return text;
  }
}

/**
 * The matching key of a header: mojibake repaired, accents removed, lower case, units in
 * parentheses dropped, punctuation (including `?` and apostrophes) turned into single spaces.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeHeader } from "./columns.ts";
 * assert.equal(
 *   normalizeHeader("Hydraulique - Fil de l?eau + éclusée"),
 *   normalizeHeader("Hydraulique - Fil de l'eau + éclusée (MW)"),
 * );
 * assert.equal(normalizeHeader(" Stockage batterie"), "stockage batterie");
 * ```
 */
export function normalizeHeader(header: string): string {
  return repairMojibake(header)
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\([^)]*\)/g, " ")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** Header key -> canonical name, from every listed spelling and from the canonical name itself. */
const BY_KEY: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const column of COLUMNS) {
    for (const header of [...column.headers, column.name]) {
      const key = normalizeHeader(header);
      const previous = map.get(key);
      if (previous !== undefined && previous !== column.name) {
        throw new Error(`Column catalogue: "${header}" maps to ${previous} and ${column.name}`);
      }
      map.set(key, column.name);
    }
  }
  return map;
})();

/** A header cell of a file, resolved against the catalogue. */
export interface ResolvedColumn {
  /** The header exactly as found in the file. */
  readonly header: string;
  /** The column name used in the tables (canonical, or derived from the header if unknown). */
  readonly name: string;
  /** Whether the header matched the catalogue. */
  readonly known: boolean;
  /** 0-based position of the column in the file. */
  readonly position: number;
}

/**
 * The canonical name of one header, or undefined when the catalogue does not know it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalName } from "./columns.ts";
 * assert.equal(canonicalName("Fioul - Cogén."), "fioul_cogen");
 * assert.equal(canonicalName("Fioul - Cogénération (MW)"), "fioul_cogen");
 * assert.equal(canonicalName("Taux de CO2 (g/kWh)"), "taux_co2");
 * ```
 */
export function canonicalName(header: string): string | undefined {
  return BY_KEY.get(normalizeHeader(header));
}

/**
 * Resolve a whole header line. Unknown headers get a snake_case name built from their key
 * (prefixed `colonne_` when empty or starting with a digit) so that they can be kept in bronze.
 * Returns `duplicates` for canonical names claimed by more than one header (the caller decides
 * how to fail, with file and line at hand).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveHeader } from "./columns.ts";
 * const { columns } = resolveHeader(["Périmètre", "Heures", "Nouveau (MW)"]);
 * assert.deepEqual(columns.map((c) => c.name), ["perimetre", "heure", "nouveau"]);
 * assert.equal(columns[2].known, false);
 * ```
 */
export function resolveHeader(
  headers: readonly string[],
): { columns: ResolvedColumn[]; duplicates: string[] } {
  const taken = new Set<string>();
  const duplicates: string[] = [];
  const known = headers.map((h) => canonicalName(h));
  for (const name of known) {
    if (name === undefined) continue;
    if (taken.has(name)) duplicates.push(name);
    taken.add(name);
  }
  const columns = headers.map((header, position): ResolvedColumn => {
    const name = known[position];
    if (name !== undefined) return { header, name, known: true, position };
    let base = normalizeHeader(header).replaceAll(" ", "_");
    if (base === "" || /^[0-9]/.test(base)) base = `colonne_${base || position + 1}`;
    let unique = base;
    for (let i = 2; taken.has(unique); i++) unique = `${base}_${i}`;
    taken.add(unique);
    return { header, name: unique, known: false, position };
  });
  return { columns, duplicates };
}
