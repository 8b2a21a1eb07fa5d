/**
 * Data-quality rules on the silver frame, each with a declared action, in the spirit of
 * Databricks expectations:
 * - `warn`: reported in `qualite_donnees`, rows kept;
 * - `quarantine`: reported, and failing rows move to the quarantine frame;
 * - `fail`: reported, then `checkQuality` throws `QualityFailError`.
 *
 * Every rule is a row-level boolean expression (`passes`), evaluated where `applies` holds
 * (its inputs are present), with a `measure` whose worst value is reported. Tolerances were
 * set on the real files (see each rule) so that rounding never fires and real anomalies do.
 * Rules never change data.
 *
 * @module
 */

import pl from "nodejs-polars";
import { epochMs, intDiv, MINUTE_MS } from "../layers/time_keys.ts";

/** What happens to rows that fail a rule. */
export type QualityAction = "warn" | "quarantine" | "fail";

/** A row-level expectation on silver. */
export interface QualityRule {
  /** snake_case name, reported in `regle`. */
  readonly name: string;
  /** What failing rows trigger. */
  readonly action: QualityAction;
  /** What is checked, with its tolerance and why. */
  readonly description: string;
  /** True on rows the rule can check (inputs present). */
  readonly applies: pl.Expr;
  /** True on rows that pass (evaluated where `applies`). */
  readonly passes: pl.Expr;
  /** Value whose worst case is reported as `pire_valeur`. */
  readonly measure: pl.Expr;
  /** Whether the worst value is the largest or the smallest measure. */
  readonly worst: "max" | "min";
}

const c = (name: string) => pl.col(name);
const allPresent = (names: readonly string[]) =>
  names.slice(1).reduce((acc, n) => acc.and(c(n).isNotNull()), c(names[0]).isNotNull());
const sum = (names: readonly string[]) =>
  names.slice(1).reduce((acc, n) => acc.plus(c(n)), c(names[0]));
const SERIES = ["jeu_donnees", "perimetre"] as const;

/**
 * Balance tolerance (MW): FACTS.md, ~1 % of real-time rows exceed it; regions stay < 10 MW.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BALANCE_TOLERANCE_MW } from "./rules.ts";
 * assert.equal(BALANCE_TOLERANCE_MW, 100);
 * ```
 */
export const BALANCE_TOLERANCE_MW = 100;
/**
 * Sub-sector tolerance (MW): 2025 TR gas details differ by up to 21 MW from the total.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SUBSECTOR_TOLERANCE_MW } from "./rules.ts";
 * assert.equal(SUBSECTOR_TOLERANCE_MW, 25);
 * ```
 */
export const SUBSECTOR_TOLERANCE_MW = 25;
/**
 * CO2 tolerance (g/kWh): the factors reproduce RTE within 0.9 g/kWh on 2025 files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CO2_TOLERANCE } from "./rules.ts";
 * assert.equal(CO2_TOLERANCE, 5);
 * ```
 */
export const CO2_TOLERANCE = 5;
/**
 * Most negative plausible nuclear output (MW): auxiliaries of idle units (-65 MW seen).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NUCLEAR_FLOOR_MW } from "./rules.ts";
 * assert.ok(NUCLEAR_FLOOR_MW < 0);
 * ```
 */
export const NUCLEAR_FLOOR_MW = -100;
/**
 * Plausible consumption bounds (MW): France (record 102,098 MW, Feb 2012) and regions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONSUMPTION_BOUNDS } from "./rules.ts";
 * assert.equal(CONSUMPTION_BOUNDS.France[1], 110_000);
 * ```
 */
export const CONSUMPTION_BOUNDS = {
  France: [20_000, 110_000],
  region: [200, 25_000],
} as const;

const BALANCE_TERMS = ["production_totale", "pompage", "ech_physiques"];
const balanceResidual = c("consommation")
  .minus(
    sum(BALANCE_TERMS).plus(c("stockage_batterie").fillNull(0))
      .plus(c("destockage_batterie").fillNull(0)),
  )
  .abs();

function subsector(total: string, parts: readonly string[]): QualityRule {
  const gap = c(total).minus(sum(parts)).abs();
  return {
    name: `somme_${total}`,
    action: "warn",
    description: `${total} = ${parts.join(" + ")} within ${SUBSECTOR_TOLERANCE_MW} MW`,
    applies: allPresent([total, ...parts]),
    passes: gap.ltEq(SUBSECTOR_TOLERANCE_MW),
    measure: gap,
    worst: "max",
  };
}

const PRODUCTION = [
  "fioul",
  "charbon",
  "gaz",
  "thermique",
  "nucleaire",
  "eolien",
  "solaire",
  "hydraulique",
  "bioenergies",
];
const lowestProduction = pl.minHorizontal(PRODUCTION.map((p) => c(p)));
const consumptionLow = pl.when(c("perimetre").eq(pl.lit("France")))
  .then(pl.lit(CONSUMPTION_BOUNDS.France[0])).otherwise(pl.lit(CONSUMPTION_BOUNDS.region[0]));
const consumptionHigh = pl.when(c("perimetre").eq(pl.lit("France")))
  .then(pl.lit(CONSUMPTION_BOUNDS.France[1])).otherwise(pl.lit(CONSUMPTION_BOUNDS.region[1]));
// Integer minutes whatever the stored unit (silver read back from Delta is in microseconds).
const stepMs = epochMs(c("timestamp_utc")).diff(1, "ignore").over(...SERIES);
const holeMinutes = intDiv(stepMs, MINUTE_MS).minus(c("pas_minutes").shift(1).over(...SERIES));

/**
 * The default rules, in report order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RULES } from "./rules.ts";
 * assert.equal(RULES.find((r) => r.name === "instant_unique")?.action, "fail");
 * ```
 */
export const RULES: readonly QualityRule[] = [
  {
    name: "bilan_puissance",
    action: "warn",
    description: `consommation = production_totale + pompage + ech_physiques + batteries within ` +
      `${BALANCE_TOLERANCE_MW} MW (real-time glitches are reported, never fixed)`,
    applies: allPresent(["consommation", ...BALANCE_TERMS]),
    passes: balanceResidual.ltEq(BALANCE_TOLERANCE_MW),
    measure: balanceResidual,
    worst: "max",
  },
  subsector("hydraulique", [
    "hydraulique_fil_eau_eclusee",
    "hydraulique_lacs",
    "hydraulique_step_turbinage",
  ]),
  subsector("gaz", ["gaz_tac", "gaz_cogen", "gaz_ccg", "gaz_autres"]),
  subsector("fioul", ["fioul_tac", "fioul_cogen", "fioul_autres"]),
  subsector("bioenergies", ["bioenergies_dechets", "bioenergies_biomasse", "bioenergies_biogaz"]),
  subsector("eolien", ["eolien_terrestre", "eolien_offshore"]),
  {
    name: "taux_co2_recalcule",
    action: "warn",
    description: `|taux_co2 - taux_co2_recalcule| <= ${CO2_TOLERANCE} g/kWh (RTE's factors; ` +
      "files before 2017 deviate more)",
    applies: allPresent(["taux_co2", "taux_co2_recalcule"]),
    passes: c("taux_co2").minus(c("taux_co2_recalcule")).abs().ltEq(CO2_TOLERANCE),
    measure: c("taux_co2").minus(c("taux_co2_recalcule")).abs(),
    worst: "max",
  },
  {
    name: "production_positive",
    action: "warn",
    description: "every production column >= 0 (small negatives are plant auxiliaries)",
    applies: lowestProduction.isNotNull(),
    passes: lowestProduction.gtEq(0),
    measure: lowestProduction,
    worst: "min",
  },
  {
    name: "nucleaire_plausible",
    action: "quarantine",
    description: `nucleaire >= ${NUCLEAR_FLOOR_MW} MW: below, not physical`,
    applies: c("nucleaire").isNotNull(),
    passes: c("nucleaire").gtEq(NUCLEAR_FLOOR_MW),
    measure: c("nucleaire"),
    worst: "min",
  },
  {
    name: "consommation_plausible",
    action: "quarantine",
    description: `consommation within [${CONSUMPTION_BOUNDS.France.join(", ")}] MW for France, ` +
      `[${CONSUMPTION_BOUNDS.region.join(", ")}] MW for a region`,
    applies: c("consommation").isNotNull(),
    passes: c("consommation").gtEq(consumptionLow).and(c("consommation").ltEq(consumptionHigh)),
    measure: c("consommation"),
    worst: "max",
  },
  {
    name: "signes_stockage",
    action: "warn",
    description: "pompage <= 0, stockage_batterie <= 0, destockage_batterie >= 0 (RTE signs)",
    applies: c("pompage").isNotNull().or(c("stockage_batterie").isNotNull()),
    passes: c("pompage").fillNull(0).ltEq(0).and(c("stockage_batterie").fillNull(0).ltEq(0))
      .and(c("destockage_batterie").fillNull(0).gtEq(0)),
    measure: pl.maxHorizontal([
      c("pompage").fillNull(0),
      c("stockage_batterie").fillNull(0),
      c("destockage_batterie").fillNull(0).mul(-1),
    ]),
    worst: "max",
  },
  {
    name: "consommation_presente",
    action: "warn",
    description: "consommation not null (long gaps are kept as nulls, see silver lacunes)",
    applies: pl.lit(true),
    passes: c("consommation").isNotNull(),
    measure: c("consommation").isNull().cast(pl.Float64),
    worst: "max",
  },
  {
    name: "valeurs_reconstituees",
    action: "warn",
    description: "rows rebuilt or cells interpolated by silver (gaps <= 1 h)",
    applies: pl.lit(true),
    passes: c("ligne_reconstituee").not().and(c("colonnes_interpolees").isNull()),
    measure: c("ligne_reconstituee").cast(pl.Float64),
    worst: "max",
  },
  {
    name: "continuite_temporelle",
    action: "warn",
    description: "each instant follows the previous one of its series by its step; the " +
      "measure is the missing time (minutes) before the row",
    applies: holeMinutes.isNotNull(),
    passes: holeMinutes.eq(0),
    measure: holeMinutes,
    worst: "max",
  },
  {
    name: "instant_unique",
    action: "fail",
    description: "one row per (jeu_donnees, perimetre, timestamp_utc)",
    applies: pl.lit(true),
    passes: c("timestamp_utc").count().over(...SERIES, "timestamp_utc").eq(1),
    measure: c("timestamp_utc").count().over(...SERIES, "timestamp_utc").cast(pl.Float64),
    worst: "max",
  },
];
