import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { readEco2mixFile } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { checkQuality, QUALITY_COLUMNS, QualityFailError } from "./check.ts";
import { RULES } from "./rules.ts";

const TR_2025 = "eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls";

function silverOf(paths: string[]) {
  const tables = paths.flatMap((p) => readEco2mixFile(Deno.readFileSync(sharedDataPath(p)), p));
  return toSilver(toBronze(tables, { ingestedAt: new Date("2025-07-26T08:00:00Z") })).silver;
}

function reportRow(report: pl.DataFrame, rule: string) {
  return report.filter(pl.col("regle").eq(pl.lit(rule))).toRecords()[0];
}

Deno.test("TR 2025: the balance identity fails on 211 rows (worst 5,908 MW), checked by hand", () => {
  const silver = silverOf([TR_2025]);
  const { qualite_donnees, quarantaine, valides } = checkQuality(silver);
  assert.deepEqual(qualite_donnees.columns, [...QUALITY_COLUMNS]);
  // Independent: parse the file line by line; Consommation minus the 8 productions, Pompage,
  // Ech. physiques and both battery columns (0-based cells 4, 7-14, 15, 16, 36, 37).
  const text = new TextDecoder("windows-1252").decode(Deno.readFileSync(sharedDataPath(TR_2025)));
  const residuals = text.split("\n").slice(1).map((l) => l.split("\t"))
    // Measured rows, without the four DST filler rows (2025-03-30 02:xx local).
    .filter((c) =>
      c.length === 41 && c[4] !== "" && !(c[2] === "2025-03-30" && c[3].startsWith("02:"))
    )
    .map((c) => {
      const n = (i: number) => Number(c[i]);
      const terms = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 36, 37].reduce((s, i) => s + n(i), 0);
      return Math.abs(n(4) - terms);
    });
  assert.equal(residuals.length, 19_738);
  const failing = residuals.filter((r) => r > 100);
  const row = reportRow(qualite_donnees, "bilan_puissance");
  assert.equal(row.lignes_verifiees, 19_738);
  assert.equal(row.lignes_en_echec, failing.length);
  assert.equal(failing.length, 211);
  assert.equal(row.pire_valeur, Math.max(...failing));
  assert.equal(row.pire_valeur, 5_908);
  assert.equal(row.action, "warn");
  assert.equal((row.periode_debut as unknown as Date).toISOString(), "2024-12-31T23:00:00.000Z");
  // The CO2 factors hold on 2025 data; no quarantine, no duplicate.
  assert.equal(reportRow(qualite_donnees, "taux_co2_recalcule").lignes_en_echec, 0);
  assert.equal(reportRow(qualite_donnees, "instant_unique").lignes_en_echec, 0);
  assert.equal(reportRow(qualite_donnees, "continuite_temporelle").lignes_en_echec, 0);
  assert.equal(quarantaine.height, 0);
  assert.equal(valides.height, silver.height);
});

Deno.test("TR 2016 and ODRÉ 2021-12: balance identity within 100 MW on all but one row", () => {
  const silver = silverOf([
    "eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls",
    "eco2mix/odre/eco2mix-national-tr_2021-12.csv",
  ]);
  const rows = checkQuality(silver).qualite_donnees
    .filter(pl.col("regle").eq(pl.lit("bilan_puissance"))).toRecords();
  assert.deepEqual(
    rows.map((r) => [r.fichier, r.lignes_verifiees, r.lignes_en_echec, r.pire_valeur]),
    [
      ["eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls", 2_344, 1, 103],
      ["eco2mix/odre/eco2mix-national-tr_2021-12.csv", 2_976, 0, null],
    ],
  );
});

Deno.test("regional files: Bretagne 2014 then 2016-17 shows the 2015 hole; rules per file", () => {
  const silver = silverOf([
    "eco2mix/regional/eCO2mix_RTE_Bretagne_Annuel-Definitif_2014.xls",
    "eco2mix/regional/eCO2mix_RTE_Bretagne_En-cours-Consolide_2016-01_2017-08.xls",
  ]);
  const { qualite_donnees } = checkQuality(silver);
  const continuity = qualite_donnees.filter(pl.col("regle").eq(pl.lit("continuite_temporelle")))
    .toRecords();
  assert.deepEqual(continuity.map((r) => [r.fichier, r.lignes_en_echec]), [
    ["eco2mix/regional/eCO2mix_RTE_Bretagne_Annuel-Definitif_2014.xls", 0],
    ["eco2mix/regional/eCO2mix_RTE_Bretagne_En-cours-Consolide_2016-01_2017-08.xls", 1],
  ]);
  // 2014-12-31 23:30 local -> 2016-01-01 00:00 local: all of 2015 (365 days) is missing.
  assert.equal(continuity[1].pire_valeur, 365 * 24 * 60);
  // Sub-sector rules do not apply to regional files (no detail columns).
  assert.equal(qualite_donnees.filter(pl.col("regle").eq(pl.lit("somme_gaz"))).height, 0);
  const balance = reportRow(qualite_donnees, "bilan_puissance");
  assert.equal(balance.lignes_en_echec, 0);
});

const T0 = Date.parse("2025-01-01T00:00:00Z");
const synthetic = (consumption: number[], times = consumption.map((_, i) => T0 + i * 900_000)) =>
  pl.DataFrame({
    jeu_donnees: consumption.map(() => "eco2mix"),
    perimetre: consumption.map(() => "France"),
    timestamp_utc: pl.Series("timestamp_utc", times, pl.Int64).cast(pl.Datetime("ms"))
      .dt.replaceTimeZone("UTC"),
    pas_minutes: consumption.map(() => 15),
    consommation: consumption,
    nucleaire: consumption.map((_, i) => i === 1 ? -500 : 40_000),
    ligne_reconstituee: consumption.map(() => false),
    colonnes_interpolees: pl.Series("colonnes_interpolees", consumption.map(() => null), pl.Utf8),
    source_file: consumption.map(() => "x.xls"),
  });

Deno.test("quarantine rules move failing rows out, one quarantine row per broken rule", () => {
  const silver = synthetic([60_000, 150_000, 61_000]);
  const { qualite_donnees, quarantaine, valides } = checkQuality(silver);
  assert.deepEqual(
    quarantaine.select("consommation", "regle").toRecords(),
    [
      { consommation: 150_000, regle: "consommation_plausible" },
      { consommation: 150_000, regle: "nucleaire_plausible" },
    ],
  );
  assert.deepEqual(valides.getColumn("consommation").toArray(), [60_000, 61_000]);
  assert.deepEqual(valides.columns, silver.columns);
  const plausible = reportRow(qualite_donnees, "consommation_plausible");
  assert.deepEqual(
    [
      plausible.action,
      plausible.lignes_verifiees,
      plausible.lignes_en_echec,
      plausible.pire_valeur,
    ],
    ["quarantine", 3, 1, 150_000],
  );
  assert.equal(reportRow(qualite_donnees, "nucleaire_plausible").pire_valeur, -500);
  // Rules whose columns are absent from a narrow frame check nothing and report nothing.
  assert.equal(qualite_donnees.filter(pl.col("regle").eq(pl.lit("somme_gaz"))).height, 0);
});

Deno.test("a fail rule throws a typed error carrying the report", () => {
  const silver = synthetic([60_000, 61_000, 62_000], [T0, T0 + 900_000, T0 + 900_000]);
  assert.throws(() => checkQuality(silver), (e) => {
    assert.ok(e instanceof QualityFailError);
    assert.match(e.message, /instant_unique: 2 row\(s\) in x\.xls/);
    assert.equal(reportRow(e.report.qualite_donnees, "instant_unique").lignes_en_echec, 2);
    return true;
  });
  const warnOnly = RULES.filter((r) => r.action !== "fail");
  assert.equal(checkQuality(silver, { rules: warnOnly }).valides.height, 2);
});
