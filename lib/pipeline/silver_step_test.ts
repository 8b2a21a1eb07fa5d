import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EmptyBronzeError, EmptySilverError, refreshSilver } from "./silver_step.ts";
import { ingestFiles } from "./ingest.ts";
import { openCatalog } from "./catalog.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");

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

  const again = await refreshSilver(catalog);
  assert.equal(again.version, 1);
  const rebuilt = await catalog.table("eco2mix_silver").read();
  assert.ok(rebuilt.sort("timestamp_utc").frameEqual(silver.sort("timestamp_utc")));
  assert.equal((await catalog.table("eco2mix_silver").read({ version: 0 })).height, expected);
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
