import assert from "node:assert/strict";
import {
  canonicalName,
  COLUMNS,
  columnSpec,
  normalizeHeader,
  repairMojibake,
  resolveHeader,
} from "./columns.ts";

// Headers copied from SOURCES.md (RTE 40-column national, regional, ODRÉ national TR,
// consommation-quotidienne-brute) with the canonical names expected for each, by hand.
const RTE_40 =
  "Périmètre\tNature\tDate\tHeures\tConsommation\tPrévision J-1\tPrévision J\tFioul\tCharbon\tGaz\tNucléaire\tEolien\tSolaire\tHydraulique\tPompage\tBioénergies\tEch. physiques\tTaux de Co2\tEch. comm. Angleterre\tEch. comm. Espagne\tEch. comm. Italie\tEch. comm. Suisse\tEch. comm. Allemagne-Belgique\tFioul - TAC\tFioul - Cogén.\tFioul - Autres\tGaz - TAC\tGaz - Cogén.\tGaz - CCG\tGaz - Autres\tHydraulique - Fil de l?eau + éclusée\tHydraulique - Lacs\tHydraulique - STEP turbinage\tBioénergies - Déchets\tBioénergies - Biomasse\tBioénergies - Biogaz\t Stockage batterie\tDéstockage batterie\tEolien terrestre\tEolien offshore";
const ODRE =
  "Périmètre;Nature;Date;Heure;Date - Heure;Consommation (MW);Prévision J-1 (MW);Prévision J (MW);Fioul (MW);Charbon (MW);Gaz (MW);Nucléaire (MW);Eolien (MW);Solaire (MW);Hydraulique (MW);Pompage (MW);Bioénergies (MW);Ech. physiques (MW);Taux de CO2 (g/kWh);Ech. comm. Angleterre (MW);Ech. comm. Espagne (MW);Ech. comm. Italie (MW);Ech. comm. Suisse (MW);Ech. comm. Allemagne-Belgique (MW);Fioul - TAC (MW);Fioul - Cogénération (MW);Fioul - Autres (MW);Gaz - TAC (MW);Gaz - Cogénération (MW);Gaz - CCG (MW);Gaz - Autres (MW);Hydraulique - Fil de l'eau + éclusée (MW);Hydraulique - Lacs (MW);Hydraulique - STEP turbinage (MW);Bioénergies - Déchets (MW);Bioénergies - Biomasse (MW);Bioénergies - Biogaz (MW)";
const NATIONAL_40 = [
  "perimetre",
  "nature",
  "date",
  "heure",
  "consommation",
  "prevision_j1",
  "prevision_j",
  "fioul",
  "charbon",
  "gaz",
  "nucleaire",
  "eolien",
  "solaire",
  "hydraulique",
  "pompage",
  "bioenergies",
  "ech_physiques",
  "taux_co2",
  "ech_comm_angleterre",
  "ech_comm_espagne",
  "ech_comm_italie",
  "ech_comm_suisse",
  "ech_comm_allemagne_belgique",
  "fioul_tac",
  "fioul_cogen",
  "fioul_autres",
  "gaz_tac",
  "gaz_cogen",
  "gaz_ccg",
  "gaz_autres",
  "hydraulique_fil_eau_eclusee",
  "hydraulique_lacs",
  "hydraulique_step_turbinage",
  "bioenergies_dechets",
  "bioenergies_biomasse",
  "bioenergies_biogaz",
  "stockage_batterie",
  "destockage_batterie",
  "eolien_terrestre",
  "eolien_offshore",
];

Deno.test("the 40-column RTE header resolves to the canonical names, in order", () => {
  const { columns, duplicates } = resolveHeader(RTE_40.split("\t"));
  assert.deepEqual(columns.map((c) => c.name), NATIONAL_40);
  assert.ok(columns.every((c) => c.known));
  assert.deepEqual(duplicates, []);
});

Deno.test("the ODRÉ header (units, Cogénération, real apostrophe) resolves like the xls", () => {
  const names = resolveHeader(ODRE.split(";")).columns.map((c) => c.name);
  const expected = NATIONAL_40.slice(0, 36);
  expected.splice(4, 0, "date_heure");
  assert.deepEqual(names, expected);
});

Deno.test("the 13-column regional header maps Thermique", () => {
  const header =
    "Périmètre\tNature\tDate\tHeures\tConsommation\tThermique\tNucléaire\tEolien\tSolaire\tHydraulique\tPompage\tBioénergies\tEch. physiques";
  assert.deepEqual(resolveHeader(header.split("\t")).columns.map((c) => c.name), [
    "perimetre",
    "nature",
    "date",
    "heure",
    "consommation",
    "thermique",
    "nucleaire",
    "eolien",
    "solaire",
    "hydraulique",
    "pompage",
    "bioenergies",
    "ech_physiques",
  ]);
});

Deno.test("consommation-quotidienne-brute headers are catalogued", () => {
  const header =
    "Date - Heure;Date;Heure;Consommation brute gaz (MW PCS 0°C) - NaTran;Statut - NaTran;Consommation brute gaz (MW PCS 0°C) - Teréga;Statut - Teréga;Consommation brute gaz totale (MW PCS 0°C);Consommation brute électricité (MW) - RTE;Statut - RTE;Consommation brute totale (MW);flag_ignore";
  assert.deepEqual(resolveHeader(header.split(";")).columns.map((c) => c.name), [
    "date_heure",
    "date",
    "heure",
    "conso_gaz_natran",
    "statut_natran",
    "conso_gaz_terega",
    "statut_terega",
    "conso_gaz_totale",
    "consommation",
    "nature",
    "conso_brute_totale",
    "flag_ignore",
  ]);
});

Deno.test("normalizeHeader ignores accents, case, units, punctuation and the ? apostrophe", () => {
  assert.equal(
    normalizeHeader("Hydraulique - Fil de l?eau + éclusée"),
    "hydraulique fil de l eau eclusee",
  );
  assert.equal(
    normalizeHeader("Hydraulique - Fil de l’eau + éclusée (MW)"),
    "hydraulique fil de l eau eclusee",
  );
  assert.equal(normalizeHeader("Taux de Co2"), normalizeHeader("TAUX DE CO2 (g/kWh)"));
  assert.equal(normalizeHeader(" Stockage batterie"), "stockage batterie");
});

Deno.test("mojibake from a UTF-8 re-save read as Windows-1252 is repaired", () => {
  const mangled = new TextDecoder("windows-1252").decode(
    new TextEncoder().encode("Déstockage batterie"),
  );
  assert.equal(mangled, "DÃ©stockage batterie");
  assert.equal(repairMojibake(mangled), "Déstockage batterie");
  assert.equal(canonicalName(mangled), "destockage_batterie");
  assert.equal(repairMojibake("Ã plain"), "Ã plain"); // not a valid sequence: unchanged
});

Deno.test("ODRÉ API field names resolve to themselves", () => {
  for (
    const name of ["prevision_j1", "hydraulique_fil_eau_eclusee", "ech_comm_allemagne_belgique"]
  ) {
    assert.equal(canonicalName(name), name);
  }
  assert.equal(canonicalName("libelle_region"), "perimetre");
});

Deno.test("unknown headers are kept under unique snake_case names", () => {
  const { columns, duplicates } = resolveHeader([
    "Date",
    "TCO Thermique (%)",
    "tco thermique",
    "",
    "2x",
  ]);
  assert.deepEqual(columns.map((c) => [c.name, c.known]), [
    ["date", true],
    ["tco_thermique", false],
    ["tco_thermique_2", false],
    ["colonne_4", false],
    ["colonne_2x", false],
  ]);
  assert.deepEqual(duplicates, []);
});

Deno.test("two headers for one canonical column are reported as duplicates", () => {
  assert.deepEqual(resolveHeader(["Heure", "Heures", "Date"]).duplicates, ["heure"]);
});

Deno.test("catalogue: unique names, sub-sources point at existing totals", () => {
  const names = COLUMNS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const c of COLUMNS) {
    assert.match(c.name, /^[a-z0-9_]+$/);
    if (c.parent !== undefined) assert.equal(columnSpec(c.parent)?.family, "production");
  }
  assert.equal(columnSpec("pompage")?.family, "storage");
  assert.equal(columnSpec("taux_co2")?.unit, "g/kWh");
});
