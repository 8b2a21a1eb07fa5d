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
 * **Where the pipeline reads them.** Through the lakehouse, like any input: notebook 02 ingests
 * the history into `eco2mix_bronze` (`jeu_donnees` `consommation_brute` in silver), notebook 03
 * writes the temperatures and the Tempo calendars to their silver tables
 * (`lib/pipeline/reference_step.ts`), and notebook 07 reads them there. This module finds and
 * decodes the files for those steps, and parses them whole ({@linkcode loadReference}) for what
 * runs without a lakehouse (the forecasting bench).
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
  history: /^consommation-quotidienne-brute.*\.csv(\.gz)?$/i,
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
  const found: ReferenceFiles = { history: [], temperatures: [], tempo: [] };
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
  history: { series: HalfHourlySeries; files: ReferenceFile[] } | null;
  /** National daily temperatures, or null. */
  temperatures: { daily: DailyTemperature; files: ReferenceFile[] } | null;
  /** Tempo colours, or null. */
  tempo: { calendar: TempoCalendar; files: ReferenceFile[] } | null;
  /** What is missing, in French, one sentence each (empty when everything was found). */
  missing: string[];
}

/** What a run without each kind of reference file lacks, in French. */
export const MISSING_REFERENCE: Readonly<Record<ReferenceKind, string>> = {
  history: "historique national de consommation (consommation-quotidienne-brute.csv ou .csv.gz, " +
    "ODRÉ) absent : les modèles n'apprennent que sur les données temps réel",
  temperatures: "températures quotidiennes régionales (temperature-quotidienne-regionale.csv, " +
    "ODRÉ) absentes : pas de score avec température",
  tempo: "calendriers Tempo (eCO2mix_RTE_tempo_AAAA-AAAA.xls) absents : la couleur Tempo est " +
    "inconnue des modèles",
};

/**
 * Text of a reference file (gzip-decompressed when its name ends with `.gz`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceText } from "./reference.ts";
 * assert.equal(await referenceText("t.csv", new TextEncoder().encode("a;b")), "a;b");
 * ```
 */
export async function referenceText(path: string, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  if (!path.toLowerCase().endsWith(".gz")) return new TextDecoder().decode(bytes);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
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
  return consumptionHistoryOf(path, await Deno.readFile(path));
}

function consumptionHistoryOf(path: string, bytes: Uint8Array): HalfHourlySeries {
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

/** The reference files found under a folder, each read once, with their SHA-256. */
export interface ReferenceContents {
  /** The folder searched. */
  dir: string;
  /** Per kind, the files (absolute paths, sorted) with their bytes and description. */
  files: Record<
    ReferenceKind,
    { path: string; bytes: Uint8Array<ArrayBuffer>; file: ReferenceFile }[]
  >;
}

/**
 * Finds and reads the reference files of `kinds` (default all) under `dir` (see
 * {@linkcode findReferenceFiles}); the other kinds are left empty. Two histories or two
 * temperature files are an error (which one to trust?).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readReferenceFiles } from "./reference.ts";
 * import { sharedDataPath } from "../testing/shared_data.ts";
 * const input = await readReferenceFiles(sharedDataPath());
 * assert.equal(input.files.tempo.length, 12);
 * assert.match(input.files.temperatures[0].file.sha256, /^[0-9a-f]{64}$/);
 * const tempo = await readReferenceFiles(sharedDataPath(), ["tempo"]);
 * assert.deepEqual([tempo.files.tempo.length, tempo.files.history.length], [12, 0]);
 * ```
 */
export async function readReferenceFiles(
  dir: string,
  kinds: readonly ReferenceKind[] = ["history", "temperatures", "tempo"],
): Promise<ReferenceContents> {
  const all = await findReferenceFiles(dir);
  const found: ReferenceFiles = { history: [], temperatures: [], tempo: [] };
  for (const kind of kinds) found[kind] = all[kind];
  if (found.history.length > 1) {
    throw new ReferenceDataError(
      `${dir}: ${found.history.length} consumption histories found ` +
        `(${found.history.map((p) => relative(dir, p)).join(", ")}): keep one`,
    );
  }
  if (found.temperatures.length > 1) {
    throw new ReferenceDataError(
      `${dir}: ${found.temperatures.length} temperature files found: keep one`,
    );
  }
  const read = (paths: string[]) =>
    Promise.all(paths.map(async (path) => {
      const bytes = await Deno.readFile(path);
      return { path, bytes, file: { file: relative(dir, path), sha256: sha256Hex(bytes) } };
    }));
  return {
    dir,
    files: {
      history: await read(found.history),
      temperatures: await read(found.temperatures),
      tempo: await read(found.tempo),
    },
  };
}

/**
 * Parses the reference files read by {@linkcode readReferenceFiles}; several Tempo seasons are
 * merged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseReference, readReferenceFiles } from "./reference.ts";
 * const empty = await parseReference(await readReferenceFiles(await Deno.makeTempDir()));
 * assert.equal(empty.tempo, null);
 * ```
 */
export async function parseReference(input: ReferenceContents): Promise<ReferenceData> {
  const { dir, files } = input;
  const missing: string[] = [];
  let history: ReferenceData["history"] = null;
  if (files.history.length === 1) {
    const { path, bytes, file } = files.history[0];
    history = { series: consumptionHistoryOf(path, bytes), files: [file] };
  } else {
    missing.push(MISSING_REFERENCE.history);
  }
  let temperatures: ReferenceData["temperatures"] = null;
  if (files.temperatures.length === 1) {
    const { path, bytes, file } = files.temperatures[0];
    temperatures = {
      daily: nationalTemperature(await referenceText(path, bytes), file.file),
      files: [file],
    };
  } else {
    missing.push(MISSING_REFERENCE.temperatures);
  }
  let tempo: ReferenceData["tempo"] = null;
  if (files.tempo.length > 0) {
    const parts = [];
    for (const { path, bytes, file } of files.tempo) {
      parts.push({
        file: file.file,
        days: parseTempoCalendar(await referenceText(path, bytes), file.file),
      });
    }
    tempo = { calendar: mergeTempoCalendars(parts), files: files.tempo.map((f) => f.file) };
  } else {
    missing.push(MISSING_REFERENCE.tempo);
  }
  return { dir, history, temperatures, tempo, missing };
}

/**
 * Reads every reference file found under `dir` ({@linkcode readReferenceFiles} then
 * {@linkcode parseReference}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadReference } from "./reference.ts";
 * const empty = await loadReference(await Deno.makeTempDir());
 * assert.equal(empty.history, null);
 * assert.equal(empty.missing.length, 3);
 * ```
 */
export async function loadReference(dir: string): Promise<ReferenceData> {
  return await parseReference(await readReferenceFiles(dir));
}
