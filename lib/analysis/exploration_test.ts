import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  completeness,
  consumptionExtremes,
  describeColumns,
  energyBySource,
  keyFindings,
} from "./exploration.ts";
import { readEco2mix } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;
const records = (df: pl.DataFrame) => df.toRecords() as Row[];

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");

function silver2025(): pl.DataFrame {
  const table = readEco2mix(Deno.readFileSync(TR_2025), "tr2025.xls");
  return toSilver(toBronze([table], { ingestedAt: new Date(0) })).silver;
}

/** Raw rows of the real-time file with a consumption, spring-forward fillers excluded. */
function rawRows(): Record<string, number>[] {
  const lines = new TextDecoder("windows-1252").decode(Deno.readFileSync(TR_2025)).split("\n");
  const header = lines[0].split("\t");
  return lines.slice(1).map((l) => l.split("\t"))
    .filter((f) => f.length > header.length - 1 && f[4] !== "")
    .filter((f) => !(f[2] === "2025-03-30" && f[3].startsWith("02:")))
    .map((f) => Object.fromEntries(header.map((h, i) => [h, Number(f[i])])));
}

Deno.test("describeColumns gives exact statistics and the catalogue's unit", () => {
  const s = pl.DataFrame({
    perimetre: ["F", "F", "F", "F"],
    consommation: [10, 20, 30, null],
    taux_co2: [5, 5, 5, 5],
  });
  const rows = records(describeColumns(s));
  assert.deepEqual(rows.map((r) => [r.colonne, r.unite, r.valeurs, r.manquantes]), [
    ["consommation", "MW", 3, 1],
    ["taux_co2", "g/kWh", 4, 0],
  ]);
  assert.equal(rows[0].moyenne, 20);
  assert.equal(rows[0].ecart_type, 10);
  assert.equal(rows[0].mediane, 20);
  assert.deepEqual([rows[0].min, rows[0].max], [10, 30]);
});

Deno.test("consumptionExtremes returns the highest and lowest instants per perimeter", () => {
  const s = pl.DataFrame({
    perimetre: ["A", "A", "A", "B", "B"],
    timestamp_utc: [1, 2, 3, 1, 2],
    date_locale: ["d1", "d2", "d3", "d1", "d2"],
    heure_locale: ["01:00", "02:00", "03:00", "01:00", "02:00"],
    consommation: [5, 9, 7, 100, 50],
  });
  const x = records(consumptionExtremes(s, 2).select("perimetre", "extreme", "consommation"));
  assert.deepEqual(x, [
    { perimetre: "A", extreme: "pic", consommation: 9 },
    { perimetre: "A", extreme: "pic", consommation: 7 },
    { perimetre: "A", extreme: "creux", consommation: 5 },
    { perimetre: "A", extreme: "creux", consommation: 7 },
    { perimetre: "B", extreme: "pic", consommation: 100 },
    { perimetre: "B", extreme: "pic", consommation: 50 },
    { perimetre: "B", extreme: "creux", consommation: 50 },
    { perimetre: "B", extreme: "creux", consommation: 100 },
  ]);
});

Deno.test("energy by source on the 2025 file matches a direct sum of the raw file", () => {
  const rows = rawRows();
  const sources = [
    "Nucléaire",
    "Eolien",
    "Solaire",
    "Hydraulique",
    "Bioénergies",
    "Gaz",
    "Charbon",
    "Fioul",
  ];
  const mwh = (col: string) => rows.reduce((t, r) => t + r[col] * 0.25, 0);
  const total = sources.reduce((t, c) => t + mwh(c), 0);
  const result = records(energyBySource(silver2025()));
  assert.equal(result.length, 8);
  const nuclear = result.find((r) => r.source === "nucleaire")!;
  assert.ok(Math.abs(nuclear.energie_twh - mwh("Nucléaire") / 1e6) < 1e-9);
  assert.ok(Math.abs(nuclear.part_pct - 100 * mwh("Nucléaire") / total) < 1e-9);
  assert.equal(result[0].source, "nucleaire"); // largest first
  const sum = result.reduce((t, r) => t + r.part_pct, 0);
  assert.ok(Math.abs(sum - 100) < 1e-9);
});

Deno.test("completeness counts the real steps of each month, DST months included", () => {
  const c = records(completeness(silver2025()));
  const month = (m: string) => c.find((r) => r.annee_mois === m)!;
  assert.equal(month("2025-02").instants_attendus, 28 * 96);
  assert.equal(month("2025-03").instants_attendus, 31 * 96 - 4);
  assert.equal(month("2025-02").instants_mesures, 28 * 96);
  assert.equal(month("2025-03").completude_pct, 100);
  // The file stops on 25 July at 15:15: 24 days and 62 quarter-hours of July are measured.
  assert.equal(month("2025-07").instants_mesures, 24 * 96 + 62);
  // A partial month in percent, not truncated to an integer (0 %).
  assert.ok(Math.abs(month("2025-07").completude_pct - 100 * (24 * 96 + 62) / (31 * 96)) < 1e-9);
  const s = pl.DataFrame({
    perimetre: ["R"],
    annee_mois: ["2014-10"],
    pas_minutes: [30],
    consommation: [1],
    ligne_reconstituee: [false],
  });
  assert.equal(records(completeness(s))[0].instants_attendus, 31 * 48 + 2);
});

Deno.test("completeness of an empty silver is an empty table, not a join error", () => {
  const empty = silver2025().head(0);
  const c = completeness(empty);
  assert.equal(c.height, 0);
  assert.ok(c.columns.includes("completude_pct"));
});

Deno.test("key findings quote numbers computed from the data", () => {
  const rows = rawRows();
  const peak = Math.max(...rows.map((r) => r.Consommation));
  const twh = rows.reduce((t, r) => t + r.Consommation * 0.25, 0) / 1e6;
  const text = keyFindings(silver2025()).join("\n");
  const fr = (x: number, d = 0) =>
    x.toLocaleString("fr-FR", { maximumFractionDigits: d, minimumFractionDigits: d });
  assert.ok(text.includes(`pic de ${fr(peak)} MW`), text);
  assert.ok(text.includes(`consommation de ${fr(twh, 2)} TWh`), text);
  assert.match(text, /première source : le nucléaire \(.*\), puis l'hydraulique/);
  assert.doesNotMatch(text, /nucleaire|eolien/); // no raw identifier in prose
  assert.match(text, /prévision J-1 de RTE .*\(MAPE 1,78 %\)/); // FACTS.md: 1.78 %
});

Deno.test("two data sets of one perimeter are never mixed", () => {
  const s = pl.DataFrame({
    jeu_donnees: ["eco2mix", "eco2mix", "consommation_brute"],
    perimetre: ["France", "France", "France"],
    timestamp_utc: [1, 2, 1],
    date_locale: ["d", "d", "d"],
    heure_locale: ["00:00", "00:15", "00:00"],
    consommation: [50_000, 52_000, 60_000],
  });
  assert.deepEqual(
    records(describeColumns(s)).map((r) => [r.jeu_donnees, r.moyenne]),
    [["consommation_brute", 60_000], ["eco2mix", 51_000]],
  );
  const peaks = records(consumptionExtremes(s, 1).filter(pl.col("extreme").eq(pl.lit("pic"))));
  assert.deepEqual(peaks.map((r) => [r.jeu_donnees, r.consommation]), [
    ["consommation_brute", 60_000],
    ["eco2mix", 52_000],
  ]);
});
