import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EmptyBronzeError, EmptySilverError, refreshSilver } from "./silver_step.ts";
import { ingestFiles } from "./ingest.ts";
import { openCatalog } from "./catalog.ts";
import type { Catalog } from "../lakehouse/mod.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { join } from "node:path";

const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
const BRETAGNE_2014 = sharedDataPath(
  "eco2mix/regional/eCO2mix_RTE_Bretagne_Annuel-Definitif_2014.xls",
);

/** Independent count: data lines with a consumption value, minus spring-forward fillers. */
function measuredRows(path: string): number {
  const lines = new TextDecoder("windows-1252").decode(Deno.readFileSync(path)).split("\n");
  const header = lines[0].split("\t");
  const cons = header.indexOf("Consommation");
  const date = header.indexOf("Date");
  const hour = header.indexOf("Heures");
  return lines.slice(1).filter((l) => {
    const f = l.split("\t");
    if (f.length < header.length || f[cons] === "") return false;
    const filler = ["2025-03-30", "2016-03-27"].includes(f[date]) && f[hour].startsWith("02:");
    return !filler;
  }).length;
}

Deno.test("silver tables are built from all of bronze, one commit each, and rebuilt identically", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await ingestFiles(catalog, [TR_2016, TR_2025]);
  const report = await refreshSilver(catalog);
  const expected = measuredRows(TR_2016) + measuredRows(TR_2025);
  assert.equal(expected, 2344 + 19738);
  assert.equal(report.rows.eco2mix_silver, expected);
  const silver = await catalog.table("eco2mix_silver").read();
  assert.equal(silver.height, expected);
  const months = new Set(silver.getColumn("annee_mois").toArray());
  assert.deepEqual([...months].sort(), [
    "2016-06",
    "2025-01",
    "2025-02",
    "2025-03",
    "2025-04",
    "2025-05",
    "2025-06",
    "2025-07",
  ]);
  assert.equal(report.version, 0);
  // One partition per local year: no tiny files.
  const files = await catalog.table("eco2mix_silver").files();
  assert.deepEqual(files.map((f) => f.partitionValues.annee).sort(), ["2016", "2025"]);

  // Quality results are stored: FACTS.md measured 211 rows of the 2025 file off the power
  // balance by more than 100 MW, the worst by 5,908 MW (a warning, never a correction).
  const quality = await catalog.table("qualite_donnees").read();
  const balance = quality.filter(
    pl.col("regle").eq(pl.lit("bilan_puissance")).and(pl.col("fichier").str.contains("2025")),
  ).toRecords()[0];
  assert.equal(balance.action, "warn");
  assert.equal(balance.lignes_verifiees, measuredRows(TR_2025));
  assert.equal(balance.lignes_en_echec, 211);
  assert.equal(balance.pire_valeur, 5908);

  // Nothing new in bronze: nothing to do. A full rebuild on demand gives the same rows.
  const same = await refreshSilver(catalog);
  assert.deepEqual([same.mode, same.version, same.rows.eco2mix_silver], ["a_jour", 0, expected]);
  const again = await refreshSilver(catalog, { full: true });
  assert.deepEqual([again.mode, again.version], ["complet", 1]);
  const rebuilt = await catalog.table("eco2mix_silver").read();
  assert.ok(rebuilt.sort("timestamp_utc").frameEqual(silver.sort("timestamp_utc")));
  assert.equal((await catalog.table("eco2mix_silver").read({ version: 0 })).height, expected);
});

/** Every silver table, sorted on all its columns (lineage of ingestion times left out). */
async function silverTables(catalog: Catalog): Promise<Record<string, pl.DataFrame>> {
  const out: Record<string, pl.DataFrame> = {};
  for (const name of SILVER_TABLES) {
    const df = await catalog.table(name).read();
    const columns = df.columns.filter((c) => c !== "ingested_at");
    out[name] = df.select(...columns).sort(columns);
  }
  return out;
}

const SILVER_TABLES = [
  "eco2mix_silver",
  "previsions_rte",
  "lacunes",
  "rejets_bronze",
  "qualite_donnees",
  "quarantaine",
];

Deno.test("a new version of a file rebuilds its series only, by MERGE, equal to a full rebuild", async () => {
  const root = await Deno.makeTempDir();
  const catalog = openCatalog(root);
  const dir = await Deno.makeTempDir();
  const current = join(dir, "eCO2mix_RTE_En-cours-TR.xls");
  const download = await Deno.readFile(TR_2025);
  await Deno.writeFile(current, growingFileVersion(download, { days: 60 }));
  await ingestFiles(catalog, [current, BRETAGNE_2014]);
  const first = await refreshSilver(catalog, { invalidValues: "quarantine" });
  assert.equal(first.mode, "complet");
  const silver = catalog.table("eco2mix_silver");
  const before = (await silver.files()).map((f) => f.path);

  await Deno.writeFile(current, growingFileVersion(download, { days: 90 }));
  await ingestFiles(catalog, [current]);
  const next = await refreshSilver(catalog, { invalidValues: "quarantine" });
  assert.equal(next.mode, "incremental");
  assert.deepEqual(next.series.toRecords(), [{ jeu_donnees: "eco2mix", perimetre: "France" }]);
  const merged = next.changes.find((c) => c.table === "eco2mix_silver")!;
  // 30 new days of 96 rows (but the 4 DST filler rows of 30 March), 8 provisional rows revised.
  assert.deepEqual([merged.inserees, merged.modifiees, merged.supprimees], [30 * 96 - 4, 8, 0]);
  // The 2014 partition (Bretagne) was not rewritten; only the rebuilt file is in the bilan.
  const after = (await silver.files()).map((f) => f.path);
  assert.ok(before.filter((p) => p.startsWith("annee=2014")).every((p) => after.includes(p)));
  assert.deepEqual(next.fileBalance.getColumn("source_file").unique().toArray(), [
    "eCO2mix_RTE_En-cours-TR.xls",
  ]);
  const history = await silver.history(1);
  assert.equal(history[0].operation, "MERGE");

  // The same tables as a rebuild from all of bronze.
  const incremental = await silverTables(catalog);
  const full = await refreshSilver(catalog, { invalidValues: "quarantine", full: true });
  assert.equal(full.mode, "complet");
  const rebuilt = await silverTables(catalog);
  for (const name of SILVER_TABLES) {
    assert.ok(incremental[name].frameEqual(rebuilt[name]), name);
  }
  // Other parameters: the state does not match, everything is rebuilt.
  assert.equal((await refreshSilver(catalog, { invalidValues: "quarantine" })).mode, "a_jour");
  assert.equal(
    (await refreshSilver(catalog, { invalidValues: "quarantine", maxGapMinutes: 30 })).mode,
    "complet",
  );
});

Deno.test("bronze versions vacuumed away: the next run rebuilds from all of bronze", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const dir = await Deno.makeTempDir();
  const current = join(dir, "eCO2mix_RTE_En-cours-TR.xls");
  const download = await Deno.readFile(TR_2025);
  await Deno.writeFile(current, growingFileVersion(download, { days: 10 }));
  await ingestFiles(catalog, [current]);
  await refreshSilver(catalog);
  await Deno.writeFile(current, growingFileVersion(download, { days: 12 }));
  await ingestFiles(catalog, [current]);
  const bronze = catalog.table("eco2mix_bronze");
  await bronze.optimize();
  await bronze.vacuum({ retentionHours: 0, force: true });
  const report = await refreshSilver(catalog);
  assert.equal(report.mode, "complet");
  assert.match(report.reason, /n'est plus lisible/);
  assert.equal(report.rows.eco2mix_silver, 12 * 96);
});

Deno.test("a rebuilt series whose every row is quarantined leaves the other series in silver", async () => {
  const dir = await Deno.makeTempDir();
  const catalog = openCatalog(dir);
  const current = join(dir, "eCO2mix_RTE_En-cours-TR.xls");
  await Deno.writeFile(current, growingFileVersion(await Deno.readFile(TR_2025), { days: 3 }));
  await ingestFiles(catalog, [current]);
  await refreshSilver(catalog);
  const file = `${dir}/glitch.xls`;
  const rows = ["00:00", "00:30"].map((h) =>
    `Bretagne\tDonnées consolidées\t2025-01-01\t${h}\t999999\t`
  );
  const text = [
    "Périmètre\tNature\tDate\tHeures\tConsommation",
    ...rows,
    "RTE ne pourra être tenu responsable de rien.",
    "",
  ].join("\n");
  await Deno.writeFile(file, Uint8Array.from([...text].map((ch) => ch.charCodeAt(0))));
  await ingestFiles(catalog, [file]);
  const report = await refreshSilver(catalog);
  assert.equal(report.mode, "incremental");
  assert.deepEqual(report.series.getColumn("perimetre").toArray(), ["Bretagne"]);
  assert.equal(report.rows.eco2mix_silver, 3 * 96);
  assert.equal(report.rows.quarantaine, 2);
});

Deno.test("silver without bronze is a clear error", async () => {
  await assert.rejects(
    refreshSilver(openCatalog(await Deno.makeTempDir())),
    EmptyBronzeError,
  );
});

Deno.test("a row failing a quarantine rule goes to quarantaine, not to silver", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/glitch.xls`;
  const header = "Périmètre\tNature\tDate\tHeures\tConsommation\tPrévision J-1";
  const rows = ["00:00\t63949", "00:15\t999999", "00:30\t63100"].map((r) =>
    `France\tDonnées temps réel\t2025-01-01\t${r}\t64000\t`
  );
  const text = [header, ...rows, "RTE ne pourra être tenu responsable de rien.", ""].join("\n");
  await Deno.writeFile(file, Uint8Array.from([...text].map((ch) => ch.charCodeAt(0))));
  const catalog = openCatalog(dir);
  await ingestFiles(catalog, [file]);
  const report = await refreshSilver(catalog);
  assert.equal(report.rows.eco2mix_silver, 2);
  const silver = await catalog.table("eco2mix_silver").read();
  assert.deepEqual(silver.getColumn("consommation").toArray(), [63949, 63100]);
  const quarantine = await catalog.table("quarantaine").read();
  assert.deepEqual(
    quarantine.select("regle", "consommation", "source_line").toRecords(),
    [{ regle: "consommation_plausible", consommation: 999999, source_line: 3 }],
  );
});

Deno.test("when every row is quarantined, the step says so in French and silver is not emptied", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/glitch.xls`;
  const header = "Périmètre\tNature\tDate\tHeures\tConsommation\tPrévision J-1";
  const rows = ["00:00", "00:15"].map((h) =>
    `France\tDonnées temps réel\t2025-01-01\t${h}\t999999\t64000\t`
  );
  const text = [header, ...rows, "RTE ne pourra être tenu responsable de rien.", ""].join("\n");
  await Deno.writeFile(file, Uint8Array.from([...text].map((ch) => ch.charCodeAt(0))));
  const catalog = openCatalog(dir);
  await ingestFiles(catalog, [file]);
  await assert.rejects(
    refreshSilver(catalog),
    (e: Error) =>
      e instanceof EmptySilverError &&
      /0 lignes rejetées \(table rejets_bronze\), 2 en quarantaine/.test(e.message),
  );
  assert.equal((await catalog.table("quarantaine").read()).height, 2);
  assert.equal(await catalog.table("eco2mix_silver").exists(), false);
});
