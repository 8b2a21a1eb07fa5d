import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { Eco2mixValueError, readEco2mix, readEco2mixFile } from "../eco2mix/mod.ts";
import { MAINLAND_REGIONS, sharedDataPath } from "../testing/shared_data.ts";
import { bronzeDelta, toBronze } from "./bronze.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { SILVER_COLUMNS, type SilverResult, toSilver } from "./silver.ts";

const TR_2016 = "eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls";
const TR_2025 = "eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls";
const AT = new Date("2025-07-26T08:00:00Z");
const regionalPath = (region: string, year = 2014) =>
  `eco2mix/regional/eCO2mix_RTE_${region}_Annuel-Definitif_${year}.xls`;

const bytesOf = (path: string) => Deno.readFileSync(sharedDataPath(path));
const latin1Text = (bytes: Uint8Array) => new TextDecoder("windows-1252").decode(bytes);
const latin1Bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const count = (frame: pl.DataFrame, expr: pl.Expr) => frame.filter(expr).height;
const iso = (v: unknown) => (v as Date).toISOString();

function silverOf(files: { path?: string; bytes?: Uint8Array; name: string; at?: Date }[]) {
  const bronzes = files.map((f) =>
    toBronze(readEco2mixFile(f.bytes ?? bytesOf(f.path!), f.name), { ingestedAt: f.at ?? AT })
  );
  const bronze = pl.concat(bronzes, { how: "vertical" });
  return { bronze, ...toSilver(bronze) };
}

/** Every bronze line is accounted for, per file. */
function assertBilan(result: SilverResult & { bronze: pl.DataFrame }) {
  const rows = result.bilan.toRecords() as Record<string, number>[];
  for (const r of rows) {
    const parts = Object.entries(r).filter(([k]) =>
      k.startsWith("lignes_") && k !== "lignes_bronze"
    )
      .reduce((n, [, v]) => n + Number(v), 0);
    assert.equal(parts, Number(r.lignes_bronze), String(r.source_file));
  }
  assert.equal(rows.reduce((n, r) => n + Number(r.lignes_bronze), 0), result.bronze.height);
}

function assertUniqueInstants(silver: pl.DataFrame) {
  const keys = silver.select("jeu_donnees", "perimetre", "timestamp_utc");
  assert.equal(keys.unique().height, silver.height, "duplicate UTC instants");
}

// Hand computation for the first row of the 2025 file (values from the file, sums by hand):
// fioul 107, charbon 0, gaz 2273, nucleaire 49129, eolien 10887, solaire 0, hydraulique 5387,
// bioenergies 911, STEP 380 -> renewables 17185, production 68694.
Deno.test("TR 2025: 19,738 measured rows, DST filler and future rows out, exact derived values", () => {
  const result = silverOf([{ path: TR_2025, name: "tr2025.xls" }]);
  const { silver, bilan } = result;
  assert.deepEqual(silver.columns, SILVER_COLUMNS);
  assert.equal(silver.height, 19_968 - 4 - 226);
  assertUniqueInstants(silver);
  assertBilan(result);
  assert.deepEqual(bilan.select("lignes_remplissage_dst", "lignes_future").toRecords(), [
    { lignes_remplissage_dst: 4, lignes_future: 226 },
  ]);
  const first = silver.head(1).toRecords()[0];
  assert.equal(iso(first.timestamp_utc), "2024-12-31T23:00:00.000Z");
  assert.equal(first.heure_locale, "00:00");
  assert.equal(first.decalage_utc_minutes, 60);
  assert.equal(first.annee_mois, "2025-01");
  assert.equal(first.pas_minutes, 15);
  assert.equal(first.nature, "temps_reel");
  assert.equal(first.thermique, 107 + 0 + 2273);
  assert.equal(first.renouvelables_total, 10887 + 0 + 5387 + 911);
  assert.equal(first.renouvelables_hors_step, 17185 - 380);
  assert.equal(first.production_totale, 68694);
  assert.equal(first.bas_carbone_total, 49129 + 17185);
  assert.equal(first.part_renouvelables, 100 * 17185 / 68694);
  assert.equal(first.ecart_prevision_j1, 63949 - 64000);
  assert.equal(first.ecart_prevision_j, 63949 - 64200);
  assert.equal(first.solde_echanges, 2514 - 2341 - 3111 - 3200 + 6662);
  assert.equal(first.taux_co2_recalcule, 1000 * (0.777 * 107 + 0.429 * 2273 + 0.494 * 911) / 68694);
  assert.equal(first.energie_consommation_mwh, 63949 * 0.25);
  assert.equal(first.energie_production_totale_mwh, 68694 * 0.25);
  assert.equal(first.colonnes_absentes, null);
  assert.equal(first.source_line, 2);

  // Spring forward: 2025-03-30 keeps 92 quarter-hours, jumping from 01:45 CET to 03:00 CEST.
  const day = silver.filter(pl.col("date_locale").eq(pl.lit(new Date("2025-03-30T00:00:00Z"))));
  assert.equal(day.height, 92);
  const hours = day.getColumn("heure_locale").toArray();
  assert.deepEqual(hours.slice(6, 9), ["01:30", "01:45", "03:00"]);
  const utc = day.getColumn("timestamp_utc").toArray().map(iso);
  assert.deepEqual(utc.slice(7, 9), ["2025-03-30T00:45:00.000Z", "2025-03-30T01:00:00.000Z"]);
  assert.deepEqual(day.getColumn("decalage_utc_minutes").toArray().slice(7, 9), [60, 120]);

  // RTE's CO2 intensity is reproduced by the factors (FACTS.md: ~0.24 g/kWh MAE).
  const mae = silver.select(pl.col("taux_co2").minus(pl.col("taux_co2_recalcule")).abs().mean())
    .toRecords()[0];
  assert.ok(Number(Object.values(mae)[0]) < 0.3, `MAE ${Object.values(mae)[0]}`);
  assert.equal(count(silver, pl.col("ligne_reconstituee")), 0);
  assert.equal(result.lacunes.height, 0);
});

Deno.test("TR 2025: tomorrow's forecasts are in previsions, not in silver", () => {
  const { previsions } = silverOf([{ path: TR_2025, name: "tr2025.xls" }]);
  // Prévision J-1 numeric from 2025-07-25 15:30 to 2025-07-27 00:00 (34 + 96 + 1 quarter-hours).
  assert.equal(previsions.height, 131);
  const rows = previsions.toRecords();
  assert.equal(iso(rows[0].timestamp_utc), "2025-07-25T13:30:00.000Z");
  assert.equal(rows[0].prevision_j1, 45800);
  assert.equal(rows[0].prevision_j, 46300);
  assert.equal(rows[0].ech_comm_angleterre, -4028);
  assert.equal(iso(rows[130].timestamp_utc), "2025-07-26T22:00:00.000Z");
  assert.equal(rows[130].prevision_j, null); // Prévision J stops at 2025-07-25 23:45
  assert.equal(count(previsions, pl.col("prevision_j").isNotNull()), 34);
});

Deno.test("TR 2016: half-hourly commercial schedules carried to :15/:45, 152 future rows", () => {
  const result = silverOf([{ path: TR_2016, name: "tr2016.xls" }]);
  const { silver, previsions, bilan } = result;
  assertBilan(result);
  assert.equal(silver.height, 2_344);
  assert.equal(bilan.getColumn("lignes_future").toArray()[0], 152);
  const rows = silver.head(2).toRecords();
  assert.equal(rows[1].heure_locale, "00:15");
  assert.equal(rows[1].ech_comm_angleterre, rows[0].ech_comm_angleterre);
  assert.notEqual(rows[1].ech_comm_angleterre, null);
  assert.equal(count(silver, pl.col("solde_echanges").isNull()), 0);
  // Battery columns did not exist in 2016: 0, flagged.
  assert.equal(rows[0].stockage_batterie, 0);
  assert.equal(rows[0].colonnes_absentes, "stockage_batterie,destockage_batterie");
  assert.equal(rows[0].eolien_offshore, null); // not published, not zero
  // Prévision J-1 numeric until 2016-06-26 00:00 (from 2016-06-25 09:45's successor).
  assert.equal(iso(previsions.getColumn("timestamp_utc").toArray()[0]), "2016-06-25T08:00:00.000Z");
  assert.equal(previsions.height, 57);
});

Deno.test("ODRÉ TR export: unordered rows sorted, UTC from Date - Heure, 2,976 rows", () => {
  const result = silverOf([{
    path: "eco2mix/odre/eco2mix-national-tr_2021-12.csv",
    name: "odre.csv",
  }]);
  const { silver } = result;
  assertBilan(result);
  assert.equal(silver.height, 2_976);
  assertUniqueInstants(silver);
  const t = silver.getColumn("timestamp_utc").toArray().map((d) =>
    (d as unknown as Date).getTime()
  );
  assert.ok(t.every((v, i) => i === 0 || v - t[i - 1] === 15 * 60_000));
  assert.equal(new Date(t[0]).toISOString(), "2021-11-30T23:00:00.000Z");
  const at = Date.parse("2021-12-11T09:00:00Z");
  const row = silver.filter(pl.col("timestamp_utc").cast(pl.Int64).eq(pl.lit(at))).toRecords()[0];
  assert.equal(row.consommation, 70139);
  assert.equal(row.heure_locale, "10:00");
  assert.equal(row.source_line, 2);
});

Deno.test("12 regional 2014 files: national consumption 462.35 TWh, checked line by line", () => {
  const files = MAINLAND_REGIONS.map((r) => ({ path: regionalPath(r), name: `${r}.xls` }));
  const result = silverOf(files);
  const { silver, lacunes } = result;
  assertBilan(result);
  assertUniqueInstants(silver);
  // 17,520 half-hours per region: 2 DST fillers out, the 2 missing autumn half-hours rebuilt.
  assert.equal(silver.height, 12 * 17_520);
  assert.equal(count(silver, pl.col("pas_minutes").eq(30)), silver.height);
  const twh = Number(
    silver.select(pl.col("energie_consommation_mwh").sum()).toRecords()[0]
      .energie_consommation_mwh,
  ) / 1e6;

  // Independent computation: every numeric Consommation cell of every file x 0.5 h.
  let independent = 0;
  for (const r of MAINLAND_REGIONS) {
    for (const line of latin1Text(bytesOf(regionalPath(r))).split("\n").slice(1)) {
      const cell = line.split("\t")[4];
      if (cell !== undefined && /^-?\d+$/.test(cell)) independent += Number(cell) * 0.5;
    }
  }
  independent /= 1e6;
  assert.ok(Math.abs(independent - 462.349) < 0.001, `independent ${independent}`);
  assert.ok(Math.abs(twh - 462.35) < 0.05, `silver ${twh}`);
  // Silver differs from the raw sum only by the DST rows (fillers out, autumn hour in).
  assert.ok(Math.abs(twh - independent) < 0.01, `silver ${twh} vs ${independent}`);

  // Autumn 2014-10-26: UTC 00:00 and 00:30 (the first 02:00-02:59 local) are rebuilt.
  const rebuilt = silver.filter(pl.col("ligne_reconstituee"));
  assert.equal(rebuilt.height, 24);
  assert.deepEqual(
    [...new Set(rebuilt.getColumn("timestamp_utc").toArray().map(iso))],
    ["2014-10-26T00:00:00.000Z", "2014-10-26T00:30:00.000Z"],
  );
  const holes = lacunes.filter(pl.col("colonne").isNull());
  assert.equal(holes.height, 12);
  assert.deepEqual(
    holes.select("duree_minutes", "traitement", "cause").unique().toRecords(),
    [{ duree_minutes: 60, traitement: "interpole", cause: "changement_heure" }],
  );
  // Spring 2014-03-30: local 02:00 and 02:30 do not exist; 01:30 CET is followed by 03:00 CEST.
  const spring = silver.filter(
    pl.col("perimetre").eq(pl.lit("Bretagne"))
      .and(pl.col("date_locale").eq(pl.lit(new Date("2014-03-30T00:00:00Z")))),
  );
  assert.equal(spring.height, 46);
  assert.deepEqual(spring.getColumn("heure_locale").toArray().slice(3, 5), ["01:30", "03:00"]);

  // Regions without nuclear: 0, flagged; regional fuel split not published: null.
  const bretagne = silver.filter(pl.col("perimetre").eq(pl.lit("Bretagne"))).head(1).toRecords()[0];
  assert.equal(bretagne.nucleaire, 0);
  assert.equal(bretagne.colonnes_absentes, "nucleaire,stockage_batterie,destockage_batterie");
  assert.equal(bretagne.fioul, null);
  assert.equal(bretagne.taux_co2_recalcule, null);
  assert.equal(bretagne.production_totale, 74 + 0 + 346 + 0 + 218 + 24); // thermique replaces fuels
  assert.equal(bretagne.fossiles_total, 74);
});

Deno.test("Bretagne 2013: the all-ND first row stays null and is reported", () => {
  const { silver, lacunes } = silverOf([{
    path: regionalPath("Bretagne", 2013),
    name: "b2013.xls",
  }]);
  const first = silver.head(1).toRecords()[0];
  assert.equal(iso(first.timestamp_utc), "2012-12-31T23:00:00.000Z");
  assert.equal(first.consommation, null);
  const gaps = lacunes.filter(pl.col("colonne").eq(pl.lit("consommation"))).toRecords();
  // The leading gap cannot be interpolated; the other one is the rebuilt autumn hour.
  assert.deepEqual(gaps.map((g) => [g.traitement, g.cause]), [
    ["non_comble", "donnees_absentes"],
    ["interpole", "changement_heure"],
  ]);
  assert.equal(iso(gaps[0].debut_utc), "2012-12-31T23:00:00.000Z");
});

Deno.test("consommation brute history: own dataset, DST and duplicate anomalies handled", () => {
  const result = silverOf([{
    path: "eco2mix/odre/consommation-quotidienne-brute.csv.gz",
    name: "cqb.csv.gz",
  }]);
  const { silver, rejets } = result;
  assertBilan(result);
  assertUniqueInstants(silver);
  assert.deepEqual(silver.getColumn("jeu_donnees").unique().toArray(), ["consommation_brute"]);
  // 2020-12-05, 2022-12-04, 2023-12-04 00:00 appear twice with different values: quarantined.
  assert.equal(rejets.height, 6);
  assert.deepEqual(rejets.getColumn("motif").unique().toArray(), ["doublon_incoherent"]);
  const yearly = silver.withColumn(pl.col("annee_mois").str.slice(0, 4).cast(pl.Int32).alias("y"))
    .groupBy("y").agg(pl.col("energie_consommation_mwh").sum().alias("mwh")).sort("y").toRecords();
  const published: Record<number, number> = {
    2012: 486.60,
    2013: 492.19,
    2014: 462.35,
    2015: 473.15,
    2016: 480.32,
    2017: 479.04,
    2018: 475.52,
    2019: 470.48,
    2020: 445.62,
    2021: 467.20,
    2022: 450.34,
    2023: 435.67,
    2024: 441.55,
  };
  for (const { y, mwh } of yearly) {
    if (published[Number(y)] === undefined) continue;
    assert.ok(
      Math.abs(Number(mwh) / 1e6 - published[Number(y)]) < 0.05,
      `${y}: ${Number(mwh) / 1e6}`,
    );
  }
  assert.equal(count(silver, pl.col("pas_minutes").eq(30)), silver.height);
  assert.equal(count(silver, pl.col("nature").eq(pl.lit("definitif"))) > 0, true);
});

// ---- Synthetic cases built from the real 2016 file ----

const TR_2016_LINES = () => linesOf(TR_2016);
/** Apply `edit` to the data lines (0-based index among data lines) and re-encode. */
function editTr2016(edit: (cells: string[], index: number) => string[] | null): Uint8Array {
  return editFile(TR_2016, edit);
}

const fileLines = new Map<string, string[]>();
/** Lines of a file under the shared data folder, read and decoded once per test run. */
function linesOf(path: string): string[] {
  if (!fileLines.has(path)) fileLines.set(path, latin1Text(bytesOf(path)).split("\n"));
  return fileLines.get(path)!;
}

/** {@linkcode editTr2016} for any real-time file under the shared data folder. */
function editFile(
  path: string,
  edit: (cells: string[], index: number) => string[] | null,
): Uint8Array {
  const lines = linesOf(path);
  const end = lines.findIndex((l) => l.startsWith("RTE ne pourra"));
  const out = [lines[0]];
  for (let i = 1; i < end; i++) {
    const cells = edit(lines[i].split("\t"), i - 1);
    if (cells !== null) out.push(cells.join("\t"));
  }
  return latin1Bytes([...out, ...lines.slice(end)].join("\n"));
}

Deno.test("overlap: consolidated beats real-time per half-hour, whatever the ingestion order", () => {
  // A consolidated file for 2016-06-01 only: values on :00/:30 (+1000 MW), empty :15/:45.
  const consolidated = editTr2016((cells, i) => {
    if (i >= 96) return null;
    const out = [...cells];
    out[1] = "Données consolidées";
    if (out[3].endsWith(":15") || out[3].endsWith(":45")) return out.map((v, c) => c < 4 ? v : "");
    out[4] = String(Number(out[4]) + 1000);
    return out;
  });
  const result = silverOf([
    { path: TR_2016, name: "tr.xls", at: new Date("2016-06-25T10:00:00Z") },
    { bytes: consolidated, name: "cons.xls", at: new Date("2016-06-02T10:00:00Z") },
  ]);
  const { silver, bilan } = result;
  assertBilan(result);
  assertUniqueInstants(silver);
  const day1 = silver.filter(pl.col("date_locale").eq(pl.lit(new Date("2016-06-01T00:00:00Z"))));
  assert.equal(day1.height, 48);
  assert.deepEqual(day1.getColumn("nature").unique().toArray(), ["consolide"]);
  assert.deepEqual(day1.getColumn("pas_minutes").unique().toArray(), [30]);
  const tr = readEco2mix(bytesOf(TR_2016), "x").frame.head(96);
  const expected = (tr.getColumn("consommation").toArray() as string[])
    .filter((_, i) => i % 2 === 0).reduce((n, v) => n + (Number(v) + 1000) * 0.5, 0);
  const energy = Number(
    day1.select(pl.col("energie_consommation_mwh").sum()).toRecords()[0]
      .energie_consommation_mwh,
  );
  assert.equal(energy, expected);
  const perFile = Object.fromEntries(
    bilan.toRecords().map((r) => [r.source_file, r.lignes_remplacee]),
  );
  assert.deepEqual(perFile, { "cons.xls": 0, "tr.xls": 96 });
  // Day 2 still comes from the real-time file, at 15 minutes.
  assert.equal(count(silver, pl.col("nature").eq(pl.lit("temps_reel"))), 2_344 - 96);
});

Deno.test("overlap: same nature, the latest ingestion wins", () => {
  const revised = editTr2016((cells) => {
    const out = [...cells];
    if (out[4] !== "") out[4] = String(Number(out[4]) + 1);
    return out;
  });
  const { silver } = silverOf([
    { path: TR_2016, name: "old.xls", at: new Date("2016-06-25T10:00:00Z") },
    { bytes: revised, name: "new.xls", at: new Date("2016-06-25T11:00:00Z") },
  ]);
  assert.equal(silver.height, 2_344);
  assert.deepEqual(silver.getColumn("source_file").unique().toArray(), ["new.xls"]);
});

Deno.test("overlap: two downloads under RTE's one file name, the later one wins", () => {
  const revised = editTr2016((cells) => {
    const out = [...cells];
    if (out[4] !== "") out[4] = String(Number(out[4]) + 7);
    return out;
  });
  const name = "eCO2mix_RTE_En-cours-TR.xls";
  const result = silverOf([
    { path: TR_2016, name, at: new Date("2016-06-25T10:00:00Z") },
    { bytes: revised, name, at: new Date("2016-06-25T11:00:00Z") },
  ]);
  assertBilan(result);
  assert.equal(result.rejets.height, 0);
  assert.equal(result.silver.height, 2_344);
  const first = result.silver.head(1).toRecords()[0];
  assert.equal(first.consommation, Number(TR_2016_LINES()[1].split("\t")[4]) + 7);
  // Same name: versions of one file; the later one revises every instant of the earlier one.
  assert.deepEqual(
    result.bilan.select("ingested_at", "lignes_silver", "lignes_remplacee", "lignes_revisee")
      .toRecords().map((r) => [
        iso(r.ingested_at),
        r.lignes_silver,
        r.lignes_remplacee,
        r.lignes_revisee,
      ]),
    [["2016-06-25T10:00:00.000Z", 0, 0, 2_496], ["2016-06-25T11:00:00.000Z", 2_344, 0, 0]],
  );
});

Deno.test("versions of a file ingested one by one give the silver of the last version alone", () => {
  const name = "eCO2mix_RTE_En-cours-TR.xls";
  const download = bytesOf(TR_2025);
  const bronzeOf = (days: number, day: number) =>
    toBronze(readEco2mixFile(growingFileVersion(download, { days }), name), {
      ingestedAt: new Date(Date.UTC(2025, 0, day)),
    });
  let bronze = bronzeOf(100, 101);
  for (const [days, day] of [[150, 151], [208, 209]]) {
    bronze = pl.concat([bronze, bronzeDelta(bronzeOf(days, day), bronze).rows]);
  }
  assert.ok(bronze.height < 19_968 + 500, "bronze holds the rows and their revisions");
  const incremental = toSilver(bronze);
  const whole = toSilver(bronzeOf(208, 209));
  assert.ok(incremental.silver.frameEqual(whole.silver));
  assert.ok(incremental.lacunes.frameEqual(whole.lacunes));
  assert.ok(incremental.rejets.frameEqual(whole.rejets));
  // Forecasts equal too; their lineage says which version brought each.
  assert.ok(
    incremental.previsions.drop("ingested_at").frameEqual(whole.previsions.drop("ingested_at")),
  );
  assertBilan({ ...incremental, bronze });
  const revisee = incremental.bilan.getColumn("lignes_revisee").toArray().map(Number);
  assert.deepEqual(revisee, [8 + 2 * 96, 8 + 2 * 96, 0]);
});

Deno.test("batteries: a file that predates them reads 0, whatever the other files hold", () => {
  const alone = silverOf([{ path: TR_2016, name: "tr2016.xls" }]).silver;
  const mixed = silverOf([
    { path: TR_2016, name: "tr2016.xls" },
    { path: TR_2025, name: "tr2025.xls" },
  ]).silver.filter(pl.col("source_file").eq(pl.lit("tr2016.xls")));
  assert.ok(mixed.frameEqual(alone));
  assert.deepEqual(mixed.getColumn("stockage_batterie").unique().toArray(), [0]);
});

Deno.test("garbage number: typed error naming file, line and cell; or quarantine", () => {
  const bytes = editTr2016((cells, i) =>
    i === 10 ? [...cells.slice(0, 7), "12a4", ...cells.slice(8)] : cells
  );
  const bronze = toBronze(readEco2mixFile(bytes, "bad.xls"), { ingestedAt: AT });
  assert.throws(() => toSilver(bronze), (e) => {
    assert.ok(e instanceof Eco2mixValueError);
    assert.equal(e.file, "bad.xls");
    assert.equal(e.line, 12);
    assert.match(e.message, /fioul="12a4"/);
    return true;
  });
  const { silver, rejets, bilan } = toSilver(bronze, { invalidValues: "quarantine" });
  assert.deepEqual(rejets.toRecords(), [
    {
      source_file: "bad.xls",
      source_line: 12,
      motif: "valeur_non_numerique",
      detail: 'fioul="12a4"',
    },
  ]);
  assert.equal(bilan.getColumn("lignes_rejet").toArray()[0], 1);
  // The quarantined quarter-hour is a 15-minute hole: rebuilt by interpolation, flagged.
  const rebuilt = silver.filter(pl.col("ligne_reconstituee")).toRecords();
  assert.equal(rebuilt.length, 1);
  assert.equal(rebuilt[0].heure_locale, "02:30");
});

Deno.test("duplicated instants: identical copies kept once, conflicting copies quarantined", () => {
  const lines = TR_2016_LINES();
  const end = lines.findIndex((l) => l.startsWith("RTE ne pourra"));
  const conflicting = lines[21].split("\t");
  conflicting[4] = String(Number(conflicting[4]) + 500);
  const patched = [
    ...lines.slice(0, 11),
    lines[10],
    ...lines.slice(11, 22),
    conflicting.join("\t"),
    ...lines.slice(22, end),
    ...lines.slice(end),
  ];
  const result = silverOf([{ bytes: latin1Bytes(patched.join("\n")), name: "dup.xls" }]);
  assertBilan(result);
  assertUniqueInstants(result.silver);
  assert.equal(result.bilan.getColumn("lignes_doublon").toArray()[0], 1);
  assert.deepEqual(result.rejets.select("source_line", "motif").toRecords(), [
    { source_line: 23, motif: "doublon_incoherent" },
    { source_line: 24, motif: "doublon_incoherent" },
  ]);
  // 2,344 measured instants: the conflicting one is rebuilt from its neighbours.
  assert.equal(result.silver.height, 2_344);
  const rebuilt = result.silver.filter(pl.col("ligne_reconstituee")).toRecords();
  assert.equal(rebuilt.length, 1);
  const cells = (i: number) => lines[i].split("\t");
  assert.equal(rebuilt[0].consommation, (Number(cells(20)[4]) + Number(cells(22)[4])) / 2);
});

Deno.test("short gaps are interpolated and flagged, long gaps left null and reported", () => {
  // Nucléaire missing (ND) for 2 quarter-hours, then for 8 (2 hours).
  const bytes = editTr2016((cells, i) => {
    if ((i >= 100 && i < 102) || (i >= 200 && i < 208)) {
      const out = [...cells];
      out[10] = "ND";
      return out;
    }
    return cells;
  });
  const { silver, lacunes } = silverOf([{ bytes, name: "gaps.xls" }]);
  const cells = (i: number) => Number(TR_2016_LINES()[i + 1].split("\t")[10]);
  const rows = silver.slice(99, 4).toRecords();
  const step = (cells(102) - cells(99)) / 3;
  assert.equal(rows[1].nucleaire, cells(99) + step);
  assert.equal(rows[2].nucleaire, cells(99) + 2 * step);
  assert.equal(rows[1].colonnes_interpolees, "nucleaire");
  assert.equal(rows[0].colonnes_interpolees, null);
  assert.equal(count(silver.slice(200, 8), pl.col("nucleaire").isNull()), 8);
  assert.equal(count(silver.slice(200, 8), pl.col("production_totale").isNull()), 8);
  assert.deepEqual(
    lacunes.select("colonne", "duree_minutes", "traitement").toRecords(),
    [
      { colonne: "nucleaire", duree_minutes: 30, traitement: "interpole" },
      { colonne: "nucleaire", duree_minutes: 120, traitement: "non_comble" },
    ],
  );
});

Deno.test("a sporadic '-' in a published column is a missing value, not an absent source", () => {
  const bytes = editTr2016((cells, i) => {
    if (i !== 300) return cells;
    const out = [...cells];
    out[12] = "-"; // Solaire
    return out;
  });
  const { silver } = silverOf([{ bytes, name: "dash.xls" }]);
  const row = silver.slice(300, 1).toRecords()[0];
  assert.equal(row.colonnes_absentes, "stockage_batterie,destockage_batterie");
  assert.equal(row.colonnes_interpolees, "solaire");
});

Deno.test("national consolidated layout: :15/:45 rows with forecasts only are not data", () => {
  // As RTE's national consolidated files: values on :00/:30; :15/:45 keep forecasts and
  // commercial schedules, other cells empty.
  const keep = new Set([0, 1, 2, 3, 5, 6, 18, 19, 20, 21, 22]);
  const bytes = editTr2016((cells, i) => {
    if (i >= 192) return null; // two days
    const out = [...cells];
    out[1] = "Données consolidées";
    if (out[3].endsWith(":15") || out[3].endsWith(":45")) {
      return out.map((v, c) => keep.has(c) || c === out.length - 1 ? v : "");
    }
    return out;
  });
  const result = silverOf([{ bytes, name: "cons_nat.xls" }]);
  assertBilan(result);
  assert.equal(result.silver.height, 96);
  assert.deepEqual(result.silver.getColumn("pas_minutes").unique().toArray(), [30]);
  assert.equal(result.bilan.getColumn("lignes_infra_horaire_vide").toArray()[0], 96);
  assert.equal(result.previsions.height, 0);
  const first = result.silver.head(1).toRecords()[0];
  const cells = TR_2016_LINES()[1].split("\t");
  assert.equal(first.energie_consommation_mwh, Number(cells[4]) * 0.5);
});

// ---- Overlapping files on the 2025 file: every half-hour slot in integer arithmetic ----
// Slots used to be computed in floating point (03:00 UTC -> 964469.999... -> previous slot):
// each case below is run with its file boundaries moved by one quarter-hour at a time, so that
// the boundary falls on instants of both kinds.

const TR_2025_DATA = () => {
  const lines = linesOf(TR_2025);
  return lines.slice(1, lines.findIndex((l) => l.startsWith("RTE ne pourra")))
    .map((l) => l.split("\t"));
};
/** The 2025 file's data lines [from, to) only, edited by `edit`. */
function tr2025Slice(
  from: number,
  to: number,
  edit: (cells: string[]) => string[] = (cells) => cells,
): Uint8Array {
  return editFile(TR_2025, (cells, i) => (i >= from && i < to ? edit(cells) : null));
}
const utcMs = (v: unknown) => (v as Date).getTime();
const QUARTER_MS = 15 * 60_000;

/** Silver rows cover [first, end) exactly once: no overlap, no hole. */
function assertTiling(silver: pl.DataFrame, end: number, label: string) {
  const t = silver.getColumn("timestamp_utc").toArray().map(utcMs);
  const step = silver.getColumn("pas_minutes").toArray() as number[];
  for (let i = 0; i + 1 < t.length; i++) {
    assert.equal(
      t[i + 1] - t[i],
      step[i] * 60_000,
      `${label}: row ${i} at ${new Date(t[i]).toISOString()}`,
    );
  }
  const minutes = step.reduce((n, s) => n + s, 0);
  assert.equal(minutes, (end - t[0]) / 60_000, `${label}: covered minutes`);
}

Deno.test("overlap 2025: a consolidated file and a real-time file overlapping on 400 rows", () => {
  const data = TR_2025_DATA();
  const instant = (i: number) => Date.parse(`${data[i][2]}T${data[i][3]}:00+01:00`); // January: CET
  for (let shift = 0; shift < 8; shift++) {
    const label = `shift ${shift}`;
    // Consolidated: 800 quarter-hour lines, values on :00/:30 (+1000 MW), :15/:45 empty.
    const consFrom = 800 + shift;
    const consTo = consFrom + 800;
    const consolidated = tr2025Slice(consFrom, consTo, (cells) => {
      const out = [...cells];
      out[1] = "Données consolidées";
      if (out[3].endsWith(":15") || out[3].endsWith(":45")) {
        return out.map((v, c) => (c < 4 ? v : ""));
      }
      out[4] = String(Number(out[4]) + 1000);
      return out;
    });
    // Real time: 800 lines, the first 400 inside the consolidated period.
    const rtFrom = consFrom + 400;
    const rtTo = rtFrom + 800;
    const result = silverOf([
      { bytes: consolidated, name: "cons.xls", at: new Date("2025-02-20T10:00:00Z") },
      { bytes: tr2025Slice(rtFrom, rtTo), name: "tr.xls", at: new Date("2025-07-26T08:00:00Z") },
    ]);
    const { silver } = result;
    assertBilan(result);
    assertUniqueInstants(silver);
    assert.equal(result.lacunes.height, 0, label);
    assert.equal(count(silver, pl.col("ligne_reconstituee")), 0, label);
    assertTiling(silver, instant(rtTo - 1) + QUARTER_MS, label);

    // Energy: every consolidated half-hour once, then the real-time quarter-hours after it.
    const consRows = data.slice(consFrom, consTo).map((c, k) => ({ c, i: consFrom + k }))
      .filter(({ c }) => c[3].endsWith(":00") || c[3].endsWith(":30"));
    const consEnd = instant(consRows[consRows.length - 1].i) + 2 * QUARTER_MS;
    let expected = consRows.reduce((n, { c }) => n + (Number(c[4]) + 1000) * 0.5, 0);
    for (let i = rtFrom; i < rtTo; i++) {
      if (instant(i) >= consEnd) expected += Number(data[i][4]) * 0.25;
    }
    const energy = Number(
      silver.select(pl.col("energie_consommation_mwh").sum()).toRecords()[0]
        .energie_consommation_mwh,
    );
    assert.equal(energy, expected, label);
    assert.equal(count(silver, pl.col("nature").eq(pl.lit("consolide"))), consRows.length, label);
  }
});

Deno.test("overlap 2025: two real-time files keep their real measurements, no interpolation", () => {
  const data = TR_2025_DATA();
  // RTE's real-time files start on a half-hour (local midnight): shifts of 30 minutes.
  for (let shift = 0; shift < 8; shift += 2) {
    const label = `shift ${shift}`;
    const oldFrom = 800 + shift;
    const newFrom = oldFrom + 400;
    const newTo = newFrom + 800;
    const revised = tr2025Slice(newFrom, newTo, (cells) => {
      const out = [...cells];
      out[4] = String(Number(out[4]) + 1);
      return out;
    });
    const result = silverOf([
      {
        bytes: tr2025Slice(oldFrom, oldFrom + 800),
        name: "old.xls",
        at: new Date("2025-02-01T10:00:00Z"),
      },
      { bytes: revised, name: "new.xls", at: new Date("2025-02-02T10:00:00Z") },
    ]);
    const { silver } = result;
    assertBilan(result);
    assert.equal(silver.height, newTo - oldFrom, label);
    assert.equal(count(silver, pl.col("ligne_reconstituee")), 0, label);
    assert.equal(count(silver, pl.col("colonnes_interpolees").isNotNull()), 0, label);
    assert.deepEqual(
      silver.getColumn("consommation").toArray(),
      data.slice(oldFrom, newTo).map((c, k) => Number(c[4]) + (k >= 400 ? 1 : 0)),
      label,
    );
  }
});
