/**
 * The reference data of the models, which are not RTE eCO2mix power files: ODRÉ's national
 * half-hourly consumption history (`consommation-quotidienne-brute`), ODRÉ's daily regional
 * temperatures (`temperature-quotidienne-regionale`) and RTE's Tempo calendars
 * (`eCO2mix_RTE_tempo_YYYY-YYYY.xls`). Formats: shared/data/SOURCES.md §4, §5, §7.
 *
 * Files are found by name, recursively, under one folder (the notebooks' `reference_dir`), so a
 * user can drop them anywhere in it. A missing kind is not an error: {@linkcode loadReference}
 * says what is missing, and the notebooks say which scores can therefore not be computed.
 *
 * **Why the history is read here rather than from silver.** The pipeline's input is the
 * real-time file; the 2012-2025 history is reference data that most runs do not ingest. It is
 * read with the project's own eCO2mix reader and turned into silver rows by the silver layer's
 * pure function (`jeu_donnees` `consommation_brute`, DST and duplicate rules applied), without
 * being written to the lakehouse. When silver already holds `consommation_brute` rows (the user
 * ingested the history), the pipeline step uses those instead.
 *
 * @module
 */

import { basename, relative } from "node:path";
import { findFilesByName } from "../setup/reference_files.ts";
import { readEco2mix, sha256Hex } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { ReferenceDataError } from "./_reference_error.ts";
import { type HalfHourlySeries, seriesFromSilver, SOURCE_HISTORY } from "./series.ts";
import { mergeTempoCalendars, parseTempoCalendar, type TempoCalendar } from "./tempo.ts";
import { type DailyTemperature, nationalTemperature } from "./weather.ts";

export { ReferenceDataError };

/** File-name patterns of each kind of reference file. */
export const REFERENCE_PATTERNS = {
  historique: /^consommation-quotidienne-brute.*\.csv(\.gz)?$/i,
  temperatures: /^temperature-quotidienne-regionale.*\.csv(\.gz)?$/i,
  tempo: /^eCO2mix_RTE_tempo_\d{4}-\d{4}\.xls$/i,
} as const;

/** The kinds of reference data. */
export type ReferenceKind = keyof typeof REFERENCE_PATTERNS;

/** One reference file found and read. */
export interface ReferenceFile {
  /** Path relative to the reference folder. */
  file: string;
  sha256: string;
}

/** Reference files found under a folder, by kind (paths absolute, sorted). */
export type ReferenceFiles = Record<ReferenceKind, string[]>;

/**
 * Finds the reference files under `dir`, recursively (an absent folder finds nothing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findReferenceFiles } from "./reference.ts";
 * import { sharedDataPath } from "../testing/shared_data.ts";
 * const found = await findReferenceFiles(sharedDataPath());
 * assert.equal(found.tempo.length, 12);
 * assert.equal(found.temperatures.length, 1);
 * ```
 */
export async function findReferenceFiles(dir: string): Promise<ReferenceFiles> {
  // One walk for every kind (symbolic links followed, cycles guarded: see findFilesByName).
  const union = new RegExp(
    Object.values(REFERENCE_PATTERNS).map((p) => `(?:${p.source})`).join("|"),
    "i",
  );
  const files = await findFilesByName(dir, union);
  const found: ReferenceFiles = { historique: [], temperatures: [], tempo: [] };
  for (const path of files) {
    const name = basename(path);
    for (const [kind, pattern] of Object.entries(REFERENCE_PATTERNS)) {
      if (pattern.test(name)) found[kind as ReferenceKind].push(path);
    }
  }
  return found;
}

/** Everything read from the reference folder. */
export interface ReferenceData {
  /** The folder searched. */
  dir: string;
  /** National half-hourly consumption history (source 0), or null. */
  historique: { series: HalfHourlySeries; files: ReferenceFile[] } | null;
  /** National daily temperatures, or null. */
  temperatures: { daily: DailyTemperature; files: ReferenceFile[] } | null;
  /** Tempo colours, or null. */
  tempo: { calendar: TempoCalendar; files: ReferenceFile[] } | null;
  /** What is missing, in French, one sentence each (empty when everything was found). */
  manquants: string[];
}

async function readText(path: string): Promise<{ text: string; bytes: Uint8Array }> {
  const bytes = await Deno.readFile(path);
  if (!path.toLowerCase().endsWith(".gz")) return { text: new TextDecoder().decode(bytes), bytes };
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return { text: await new Response(stream).text(), bytes };
}

/**
 * National consumption history of one ODRÉ `consommation-quotidienne-brute` file, through the
 * eCO2mix reader and the silver layer (DST fillers dropped, contradictory duplicates quarantined
 * and the resulting holes interpolated when short, as for any silver series).
 *
 * @example
 * ```ts ignore
 * const series = await readConsumptionHistory("data/reference/consommation-quotidienne-brute.csv.gz");
 * ```
 */
export async function readConsumptionHistory(path: string): Promise<HalfHourlySeries> {
  const bytes = await Deno.readFile(path);
  const name = path.split("/").at(-1)!;
  const table = readEco2mix(bytes, name);
  if (table.meta.variant !== "odre_consommation_brute") {
    throw new ReferenceDataError(
      `${path}: line 1: not ODRÉ's consommation-quotidienne-brute (read as ${table.meta.variant})`,
    );
  }
  // The ingestion instant only orders overlapping files; one file needs none in particular.
  const { silver } = toSilver(toBronze([table], { ingestedAt: new Date(0) }));
  const series = seriesFromSilver(silver, "consommation_brute", SOURCE_HISTORY);
  if (!series) throw new ReferenceDataError(`${path}: no national consumption row`);
  return series;
}

/**
 * Reads every reference file found under `dir`. Two history files are an error (which one to
 * trust?); several Tempo seasons are merged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadReference } from "./reference.ts";
 * const empty = await loadReference(await Deno.makeTempDir());
 * assert.equal(empty.historique, null);
 * assert.equal(empty.manquants.length, 3);
 * ```
 */
export async function loadReference(dir: string): Promise<ReferenceData> {
  const found = await findReferenceFiles(dir);
  const describe = (path: string, bytes: Uint8Array): ReferenceFile => ({
    file: relative(dir, path),
    sha256: sha256Hex(bytes),
  });
  const manquants: string[] = [];
  let historique: ReferenceData["historique"] = null;
  if (found.historique.length > 1) {
    throw new ReferenceDataError(
      `${dir}: ${found.historique.length} consumption histories found ` +
        `(${found.historique.map((p) => relative(dir, p)).join(", ")}): keep one`,
    );
  }
  if (found.historique.length === 1) {
    const path = found.historique[0];
    historique = {
      series: await readConsumptionHistory(path),
      files: [describe(path, await Deno.readFile(path))],
    };
  } else {
    manquants.push(
      "historique national de consommation (consommation-quotidienne-brute.csv ou .csv.gz, " +
        "ODRÉ) absent : les modèles n'apprennent que sur les données temps réel",
    );
  }
  let temperatures: ReferenceData["temperatures"] = null;
  if (found.temperatures.length > 1) {
    throw new ReferenceDataError(
      `${dir}: ${found.temperatures.length} temperature files found: keep one`,
    );
  }
  if (found.temperatures.length === 1) {
    const path = found.temperatures[0];
    const { text, bytes } = await readText(path);
    temperatures = {
      daily: nationalTemperature(text, relative(dir, path)),
      files: [describe(path, bytes)],
    };
  } else {
    manquants.push(
      "températures quotidiennes régionales (temperature-quotidienne-regionale.csv, ODRÉ) " +
        "absentes : pas de score avec température",
    );
  }
  let tempo: ReferenceData["tempo"] = null;
  if (found.tempo.length > 0) {
    const parts = [];
    const files = [];
    for (const path of found.tempo) {
      const { text, bytes } = await readText(path);
      parts.push({
        file: relative(dir, path),
        days: parseTempoCalendar(text, relative(dir, path)),
      });
      files.push(describe(path, bytes));
    }
    tempo = { calendar: mergeTempoCalendars(parts), files };
  } else {
    manquants.push(
      "calendriers Tempo (eCO2mix_RTE_tempo_AAAA-AAAA.xls) absents : la couleur Tempo est " +
        "inconnue des modèles",
    );
  }
  return { dir, historique, temperatures, tempo, manquants };
}
