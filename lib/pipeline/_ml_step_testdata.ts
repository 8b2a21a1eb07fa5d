/**
 * Lakehouses for the tests of the machine-learning steps (`features_step_test.ts`,
 * `forecast_step_test.ts`, `mix_step_test.ts`): real eCO2mix files ingested into bronze and
 * silver in a temporary folder, with a reference folder linking the shared data.
 *
 * @module
 */

import { join } from "node:path";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import { type LakehouseCatalog, openCatalog } from "./catalog.ts";
import { prepareConsumptionFeatures, type PrepareOptions } from "./features_step.ts";
import { ingestFiles, referenceHistoryInputs } from "./ingest.ts";
import { refreshReferenceTables } from "./reference_step.ts";
import { refreshSilver } from "./silver_step.ts";

export const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
export const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
export const TEMPERATURES = sharedDataPath("weather/temperature-quotidienne-regionale.csv");
const HISTORY = sharedDataPath("eco2mix/odre/consommation-quotidienne-brute.csv.gz");
const TEMPO = sharedDataPath("eco2mix/tempo");

/** A temporary lakehouse with its reference folder (empty) and models folder. */
export interface TestLakehouse {
  root: string;
  catalog: LakehouseCatalog;
  reference: string;
  models: string;
}

/**
 * A temporary lakehouse holding `files` in bronze and silver.
 *
 * @example
 * ```ts ignore
 * const { root, catalog } = await lakehouseOf([TR_2025]);
 * ```
 */
export async function lakehouseOf(files: string[]): Promise<TestLakehouse> {
  const root = await Deno.makeTempDir({ prefix: "ml_step_" });
  const catalog = openCatalog(join(root, "lakehouse"));
  await ingestFiles(catalog, files);
  await refreshSilver(catalog);
  const reference = join(root, "reference");
  await Deno.mkdir(reference);
  return { root, catalog, reference, models: join(root, "models") };
}

/**
 * A lakehouse with the 12 regional definitive files of 2014 in silver (no national file), and a
 * reference folder with the temperatures and every Tempo calendar (neither covers 2014).
 *
 * @example
 * ```ts ignore
 * const { root, catalog, reference, models } = await regional2014();
 * ```
 */
export async function regional2014(): Promise<TestLakehouse> {
  const lakehouse = await lakehouseOf(REGIONAL_2014.map((f) => sharedDataPath(f)));
  const { reference } = lakehouse;
  await Deno.symlink(TEMPERATURES, join(reference, "temperature-quotidienne-regionale.csv"));
  await linkReference(reference);
  return lakehouse;
}

/**
 * Links the Tempo calendars, and optionally the ODRÉ history, into a reference folder.
 *
 * @example
 * ```ts ignore
 * await linkReference(reference, { history: true });
 * ```
 */
export async function linkReference(
  dir: string,
  options: { history?: boolean } = {},
): Promise<void> {
  for await (const e of Deno.readDir(TEMPO)) {
    await Deno.symlink(join(TEMPO, e.name), join(dir, e.name));
  }
  if (options.history) {
    await Deno.symlink(HISTORY, join(dir, "consommation-quotidienne-brute.csv.gz"));
  }
}

/** The first `rows` data lines of the 2025 file, with its header and closing disclaimer. */
async function cutOf2025(rows: number, dir: string): Promise<string> {
  const lines = new TextDecoder("windows-1252").decode(await Deno.readFile(TR_2025)).split("\n");
  const disclaimer = lines.findLast((l) => l.startsWith("RTE ne pourra"))!;
  const text = [...lines.slice(0, rows + 1), disclaimer, "", ""].join("\n");
  const path = join(dir, `eCO2mix_RTE_En-cours-TR_2025-01_${rows}-lignes.xls`);
  // The file is ISO-8859-1, one byte per character.
  await Deno.writeFile(path, Uint8Array.from(text, (c) => c.charCodeAt(0)));
  return path;
}

/**
 * Runs `body` on a lakehouse holding the first `rows` data lines of the 2025 file (a few days),
 * for each of `cuts` in turn, and removes it.
 *
 * @example
 * ```ts ignore
 * await withCutsOf2025([4 * 96, 400], async ({ catalog, reference }) => {});
 * ```
 */
export async function withCutsOf2025(
  cuts: number[],
  body: (lakehouse: TestLakehouse) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ml_cut_" });
  try {
    for (const rows of cuts) {
      const lakehouse = await lakehouseOf([await cutOf2025(rows, dir)]);
      try {
        await body(lakehouse);
      } finally {
        await Deno.remove(lakehouse.root, { recursive: true });
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Fills a reference folder with temperatures that stop before June 2025 (the 2025 file's test
 * period starts on 14 June), the Tempo calendars and the ODRÉ history.
 *
 * @example
 * ```ts ignore
 * await referenceWithTemperaturesUntilMay2025(reference);
 * ```
 */
export async function referenceWithTemperaturesUntilMay2025(dir: string): Promise<void> {
  const text = await Deno.readTextFile(TEMPERATURES);
  const lines = text.split("\n").filter((l, i) => i === 0 || (l && l.slice(0, 10) < "2025-06-01"));
  await Deno.writeTextFile(
    join(dir, "temperature-quotidienne-regionale.csv"),
    lines.join("\n") + "\n",
  );
  await linkReference(dir, { history: true });
}

/**
 * The rows and columns of a table (an empty table keeps its columns).
 *
 * @example
 * ```ts ignore
 * assert.equal((await tableOf(catalog, "predictions_mix")).rows, 0);
 * ```
 */
export async function tableOf(
  catalog: LakehouseCatalog,
  name: string,
): Promise<{ rows: number; columns: string[] }> {
  const frame = await catalog.table(name).read();
  return { rows: frame.height, columns: frame.columns };
}

/**
 * A lakehouse with the 2025 file in silver, and a reference folder with the temperatures and the
 * two Tempo seasons of 2025, without the history.
 *
 * @example
 * ```ts ignore
 * const { root, catalog, reference, models } = await setup2025();
 * ```
 */
export async function setup2025(): Promise<TestLakehouse> {
  const lakehouse = await lakehouseOf([TR_2025]);
  const { reference } = lakehouse;
  await Deno.symlink(TEMPERATURES, join(reference, "temperature-quotidienne-regionale.csv"));
  for (const season of ["2024-2025", "2025-2026"]) {
    const name = `eCO2mix_RTE_tempo_${season}.xls`;
    await Deno.symlink(sharedDataPath(`eco2mix/tempo/${name}`), join(reference, name));
  }
  return lakehouse;
}

/**
 * Notebooks 02, 03 and 07 on a test lakehouse: the history of the reference folder `reference`
 * ingested, silver and the reference tables brought up to date, then the features prepared.
 *
 * @example
 * ```ts ignore
 * const prep = await prepareWithReference(catalog, reference);
 * ```
 */
export async function prepareWithReference(
  catalog: LakehouseCatalog,
  reference: string,
  options: PrepareOptions = {},
): ReturnType<typeof prepareConsumptionFeatures> {
  await ingestFiles(catalog, await referenceHistoryInputs(reference));
  await refreshSilver(catalog);
  await refreshReferenceTables(catalog, { referenceDir: reference });
  return await prepareConsumptionFeatures(catalog, options);
}
