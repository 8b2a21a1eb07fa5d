import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { sharedDataPath } from "../testing/shared_data.ts";
import {
  parseReference,
  readConsumptionHistory,
  readReferenceFiles,
  ReferenceDataError,
} from "../forecasting/mod.ts";
import { openCatalog } from "./catalog.ts";
import { ingestFiles, referenceHistoryInputs } from "./ingest.ts";
import { referenceFromLakehouse, refreshReferenceTables } from "./reference_step.ts";
import { refreshSilver } from "./silver_step.ts";

const TEMPERATURES = sharedDataPath("weather/temperature-quotidienne-regionale.csv");
const TEMPO = sharedDataPath("eco2mix/tempo");
const HISTORY = sharedDataPath("eco2mix/odre/consommation-quotidienne-brute.csv.gz");
const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");

/** A temporary lakehouse and reference folder, removed after `body`. */
async function withFolders(
  body: (root: string, reference: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "reference_step_" });
  const reference = join(root, "reference");
  await Deno.mkdir(join(reference, "tempo"), { recursive: true });
  try {
    await body(root, reference);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function linkTempo(reference: string): Promise<void> {
  for await (const e of Deno.readDir(TEMPO)) {
    await Deno.symlink(join(TEMPO, e.name), join(reference, "tempo", e.name));
  }
}

Deno.test("reference tables: the values parsing the files gives, each row traced to its line", async () => {
  await withFolders(async (root, reference) => {
    await Deno.symlink(TEMPERATURES, join(reference, "temperature-quotidienne-regionale.csv"));
    await linkTempo(reference);
    const catalog = openCatalog(join(root, "lakehouse"));
    const report = await refreshReferenceTables(catalog, { referenceDir: reference });
    assert.deepEqual(report.map((r) => [r.table, r.mode, r.files.length]), [
      ["temperatures_quotidiennes", "complet", 1],
      ["calendrier_tempo", "complet", 12],
    ]);
    const parsed = await parseReference(
      await readReferenceFiles(reference, ["temperatures", "tempo"]),
    );
    const silver = pl.DataFrame({
      jeu_donnees: ["eco2mix"],
      perimetre: ["France"],
      timestamp_utc: [new Date(0)],
    });
    const read = await referenceFromLakehouse(catalog, silver);
    // Bit for bit: the national means are summed in the file's line order.
    assert.deepEqual(read.temperatures, parsed.temperatures);
    assert.deepEqual(read.tempo, parsed.tempo);
    assert.equal(read.history, null);
    assert.equal(read.missing.length, 1);
    // Every data line of the file is a row, and a row's line is that line of the file.
    const lines = (await Deno.readTextFile(TEMPERATURES)).split(/\r?\n/);
    const rows = await catalog.table("temperatures_quotidiennes").read();
    assert.equal(rows.height, lines.filter((l) => l.trim()).length - 1);
    const row = rows.filter(pl.col("_source_line").eq(pl.lit(1000))).toRecords()[0];
    const fields = lines[999].split(";");
    assert.deepEqual(
      [row.code_insee_region, row.temperature_moyenne, row._source_file],
      [fields[2], Number(fields[6]), "temperature-quotidienne-regionale.csv"],
    );
  });
});

Deno.test("reference tables: unchanged files are not read again, a changed one is", async () => {
  await withFolders(async (root, reference) => {
    const file = join(reference, "temperature-quotidienne-regionale.csv");
    const original = await Deno.readTextFile(TEMPERATURES);
    await Deno.writeTextFile(file, original);
    const catalog = openCatalog(join(root, "lakehouse"));
    const table = catalog.table("temperatures_quotidiennes");
    await refreshReferenceTables(catalog, { referenceDir: reference });
    const first = await table.version();
    const again = await refreshReferenceTables(catalog, { referenceDir: reference });
    assert.deepEqual(again.map((r) => r.mode), ["a_jour", "a_jour"]);
    assert.equal(await table.version(), first);
    // One day less, then the original again: each change is written.
    const cut = original.split("\n").slice(0, -20).join("\n") + "\n";
    await Deno.writeTextFile(file, cut);
    const changed = await refreshReferenceTables(catalog, { referenceDir: reference });
    assert.deepEqual(changed.map((r) => r.mode), ["complet", "a_jour"]);
    await Deno.writeTextFile(file, original);
    const back = await refreshReferenceTables(catalog, { referenceDir: reference });
    assert.deepEqual(back.map((r) => r.mode), ["complet", "a_jour"]);
    assert.equal((await table.read()).height, original.split("\n").filter((l) => l).length - 1);
    const still = await refreshReferenceTables(catalog, { referenceDir: reference });
    assert.equal(still[0].mode, "a_jour");
  });
});

Deno.test("reference tables: a bad line names its file and line, and nothing is written", async () => {
  await withFolders(async (root, reference) => {
    const lines = (await Deno.readTextFile(TEMPERATURES)).split("\n");
    lines[41] = lines[41].replace(/;[^;]*$/, ";douze");
    await Deno.writeTextFile(
      join(reference, "temperature-quotidienne-regionale.csv"),
      lines.join("\n"),
    );
    const catalog = openCatalog(join(root, "lakehouse"));
    await assert.rejects(
      refreshReferenceTables(catalog, { referenceDir: reference }),
      (e) =>
        e instanceof ReferenceDataError &&
        /temperature-quotidienne-regionale\.csv: line 42: temperature is not a number/.test(
          e.message,
        ),
    );
    assert.equal(await catalog.table("temperatures_quotidiennes").exists(), false);
    // Two temperature files: which one to trust?
    await Deno.symlink(
      TEMPERATURES,
      join(reference, "tempo", "temperature-quotidienne-regionale.csv"),
    );
    await assert.rejects(
      refreshReferenceTables(catalog, { referenceDir: reference }),
      (e) => e instanceof ReferenceDataError && /2 temperature files found/.test(e.message),
    );
  });
});

Deno.test("reference tables: two calendars giving a day two colours are refused", async () => {
  await withFolders(async (root, reference) => {
    const header = "Date\tType de jour TEMPO\n";
    await Deno.writeTextFile(
      join(reference, "eCO2mix_RTE_tempo_2024-2025.xls"),
      `${header}2025-01-08\tROUGE\n`,
    );
    await Deno.writeTextFile(
      join(reference, "tempo", "eCO2mix_RTE_tempo_2024-2025.xls"),
      `${header}2025-01-08\tBLANC\n`,
    );
    const catalog = openCatalog(join(root, "lakehouse"));
    await assert.rejects(
      refreshReferenceTables(catalog, { referenceDir: reference }),
      (e) => e instanceof ReferenceDataError && /2025-01-08 is BLANC but/.test(e.message),
    );
  });
});

Deno.test("reference tables: without files, empty tables with their columns and what is missing", async () => {
  await withFolders(async (root, reference) => {
    const catalog = openCatalog(join(root, "lakehouse"));
    await refreshReferenceTables(catalog, { referenceDir: reference });
    const t = await catalog.table("temperatures_quotidiennes").read();
    const c = await catalog.table("calendrier_tempo").read();
    assert.deepEqual([t.height, c.height], [0, 0]);
    assert.ok(t.columns.includes("temperature_moyenne") && t.columns.includes("_source_sha256"));
    assert.ok(c.columns.includes("couleur") && c.columns.includes("_source_line"));
    const silver = pl.DataFrame({
      jeu_donnees: ["eco2mix"],
      perimetre: ["France"],
      timestamp_utc: [new Date(0)],
    });
    const read = await referenceFromLakehouse(catalog, silver);
    assert.deepEqual([read.history, read.temperatures, read.tempo], [null, null, null]);
    assert.equal(read.missing.length, 3);
  });
});

Deno.test("the history ingested with the input files: silver's series is the file's, bronze names it", async () => {
  await withFolders(async (root, reference) => {
    await Deno.mkdir(join(reference, "odre"));
    await Deno.symlink(HISTORY, join(reference, "odre", "consommation-quotidienne-brute.csv.gz"));
    const catalog = openCatalog(join(root, "lakehouse"));
    const history = await referenceHistoryInputs(reference);
    const first = await ingestFiles(catalog, [TR_2025, ...history]);
    assert.deepEqual(first.files.map((f) => [f.file, f.status]), [
      ["eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls", "ingere"],
      ["odre/consommation-quotidienne-brute.csv.gz", "ingere"],
    ]);
    // A daily run: the unchanged history is skipped by its content.
    const again = await ingestFiles(catalog, history);
    assert.deepEqual(again.files.map((f) => f.status), ["deja_ingere"]);
    await refreshSilver(catalog);
    const silver = await catalog.table("eco2mix_silver").read();
    const read = await referenceFromLakehouse(catalog, silver);
    assert.deepEqual(read.history?.series, await readConsumptionHistory(HISTORY));
    assert.deepEqual(read.history?.files, [
      { file: "odre/consommation-quotidienne-brute.csv.gz", sha256: first.files[1].sha256 },
    ]);
  });
});
