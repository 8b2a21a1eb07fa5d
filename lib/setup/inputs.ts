/**
 * Decides which files a run reads. One function, {@linkcode resolveInputs}, takes the notebook
 * parameters that say it (`input_path`, `data_dir`, `allow_download`) and is used by the CLI,
 * notebooks 01, 02 and 11 and the live mode, so that every step of a run reads the same files:
 *
 * 1. a file or folder given by the user (`--input`, `input_path`);
 * 2. otherwise, when `allow_download` is true, RTE's current real-time file is refreshed in the
 *    data folder if the machine is online (one conditional request, see `rte_current.ts`); then
 *    every input file at the top of the data folder is read (the sample folder and `reference/`
 *    below it are not);
 * 3. when the data folder holds no input file, the sample shipped with the project
 *    ({@linkcode SAMPLE_FILE}), with a message saying it is a sample and where real files go.
 *
 * The result's `inputPath` is the file or folder to hand on to later steps as `input_path`:
 * resolving it again gives the same files, without a second download.
 *
 * @module
 */

import { dirname, extname, join, resolve } from "node:path";
import { PATHS } from "../paths.ts";
import {
  currentFilePath,
  currentFileState,
  describeCopy,
  refreshCurrentFile,
  type RefreshResult,
  RTE_CURRENT_FILE_URL,
} from "./rte_current.ts";

/** Folder of the sample shipped with the project (tracked by git, never read as data/ input). */
export const SAMPLE_DIR: string = join(PATHS.data, "echantillon");

/**
 * The shipped sample: July 2025 of RTE's national real-time file, cut line by line from RTE's
 * download (header, data lines, closing disclaimer) and zipped as RTE serves it.
 */
export const SAMPLE_FILE: string = join(SAMPLE_DIR, "eCO2mix_RTE_En-cours-TR_2025-07.zip");

/** Extensions of the files the readers understand. */
export const INPUT_EXTENSIONS: readonly string[] = [".xls", ".xlsx", ".zip", ".csv", ".gz"];

/** No input could be found. The message says what to put where. */
export class InputNotFoundError extends Error {
  override name = "InputNotFoundError";
}

/**
 * The notebook parameters that decide a run's input files, as notebooks declare them; others
 * are ignored, so a notebook's or a run's whole parameter set may be given.
 */
export interface InputParameters {
  /** A file or folder given by the user (a string); empty or absent: not given. */
  readonly input_path?: unknown;
  /** The data folder (a string); empty or absent: the project's `data/`. */
  readonly data_dir?: unknown;
  /**
   * Whether RTE's current file may be refreshed in the data folder when no input is given (a
   * boolean); absent: no (a notebook without the parameter never downloads).
   */
  readonly allow_download?: unknown;
}

/** A parameter of {@linkcode InputParameters} has the wrong type. */
export class InputParameterError extends Error {
  override name = "InputParameterError";
}

/** Settings of {@linkcode resolveInputs} beside the parameters (tests change them). */
export interface ResolveSettings {
  /** Address of RTE's current file (default {@linkcode RTE_CURRENT_FILE_URL}). */
  url?: string;
  /** Maximum wait for RTE's answer, in milliseconds (default 5,000): the "online" test. */
  headersTimeoutMs?: number;
  /** The sample used when nothing else is found (default {@linkcode SAMPLE_FILE}). */
  sampleFile?: string;
  /** Clock, for the ages shown in messages (default `new Date()`). */
  now?: () => Date;
}

/** An entry of an input folder that is not read. */
export interface IgnoredEntry {
  path: string;
  /** Why, in French: "format non reconnu", "sous-dossier, non lu", "lien cassé"… */
  reason: string;
}

/** The files a run reads, where they come from, and what to tell the user. */
export interface ResolvedInputs {
  /** `parameter`: given by the user; `data_dir`: the data folder; `sample`: the shipped sample. */
  source: "parameter" | "data_dir" | "sample";
  /** File or folder to pass on as `input_path`: resolving it again gives the same files. */
  inputPath: string;
  /** Input files, sorted. */
  files: string[];
  /** Entries of a folder that are not read, and why. */
  ignored: IgnoredEntry[];
  /** Result of this call's refresh of RTE's current file, or null when none was tried. */
  refresh: RefreshResult | null;
  /** Sentences in French for the user: refresh outcome, age of RTE's file, sample notice. */
  messages: string[];
}

function isInput(name: string): boolean {
  return INPUT_EXTENSIONS.includes(extname(name).toLowerCase());
}

/**
 * Input files at the top of `dir`. A link to a file is read like the file (once: the link is
 * not followed further); sub-folders, links to folders (a loop such as `up -> ..` included),
 * broken links and files of other types are not read, and are listed in `ignored` with the
 * reason (in French). Hidden files and READMEs are left out silently.
 */
async function filesOf(dir: string): Promise<{ files: string[]; ignored: IgnoredEntry[] }> {
  const files: string[] = [];
  const ignored: IgnoredEntry[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(".") || e.name === "README.md") continue;
    const path = join(dir, e.name);
    const target = e.isSymlink ? await Deno.stat(path).catch(() => null) : e;
    const reason = !target
      ? "lien cassé"
      : target.isDirectory
      ? (e.isSymlink ? "lien vers un dossier, non suivi" : "sous-dossier, non lu")
      : !isInput(e.name)
      ? "format non reconnu"
      : null;
    if (reason) ignored.push({ path, reason });
    else files.push(path);
  }
  return { files: files.sort(), ignored: ignored.sort((a, b) => a.path < b.path ? -1 : 1) };
}

function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

function sampleNotice(sampleFile: string, dataDir: string): string {
  return `Aucun fichier d'entrée dans ${dataDir} : le pipeline tourne sur l'ÉCHANTILLON livré ` +
    `avec le projet (${sampleFile} : juillet 2025 du fichier temps réel national de RTE), pas ` +
    `sur vos données. Pour analyser vos fichiers, déposez les téléchargements eCO2mix (.xls, ` +
    `.zip, exports ODRÉ .csv, .xlsx) dans ${dataDir}, ou passez --input <fichier ou dossier>.`;
}

/** How current the local copy of RTE's current file is, when it is among `files`. */
async function currentFileNotice(
  files: string[],
  dataDir: string,
  url: string,
  now: Date,
): Promise<string[]> {
  const copy = currentFilePath(dataDir, url);
  const state = await currentFileState(dataDir, url);
  if (!state || !files.includes(copy)) return [];
  return [`Fichier courant de RTE : ${describeCopy(copy, new Date(state.checkedAt), now)}.`];
}

/** The checks of the parameters' types. */
const IS = {
  string: (v: unknown): v is string => typeof v === "string",
  boolean: (v: unknown): v is boolean => typeof v === "boolean",
};

/** The value of parameter `name`, checked to be of `type` (absent: undefined). */
function parameter<T extends keyof typeof IS>(
  parameters: InputParameters,
  name: keyof InputParameters,
  type: T,
): (T extends "string" ? string : boolean) | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (!IS[type](value)) {
    throw new InputParameterError(`${name} must be a ${type}, got ${JSON.stringify(value)}`);
  }
  return value as T extends "string" ? string : boolean;
}

/**
 * Resolves the input files of a run from its parameters (see the module documentation for the
 * order). Throws {@linkcode InputNotFoundError} for a given path that does not exist or holds no
 * input file, and when neither the data folder nor the sample has any;
 * {@linkcode InputParameterError} for a parameter of the wrong type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveInputs, SAMPLE_FILE } from "./inputs.ts";
 * // Nothing in the data folder and no download: the shipped sample, with a notice.
 * const inputs = await resolveInputs({ data_dir: await Deno.makeTempDir() });
 * assert.equal(inputs.source, "sample");
 * assert.deepEqual(inputs.files, [SAMPLE_FILE]);
 * assert.match(inputs.messages[0], /ÉCHANTILLON/);
 * ```
 */
export async function resolveInputs(
  parameters: InputParameters,
  settings: ResolveSettings = {},
): Promise<ResolvedInputs> {
  const given = parameter(parameters, "input_path", "string");
  const dataDir = resolve(parameter(parameters, "data_dir", "string") || PATHS.data);
  const download = parameter(parameters, "allow_download", "boolean") ?? false;
  const url = settings.url ?? RTE_CURRENT_FILE_URL;
  const sampleFile = resolve(settings.sampleFile ?? SAMPLE_FILE);
  const now = settings.now ?? (() => new Date());

  if (given) {
    const inputPath = resolve(given);
    const info = await Deno.stat(inputPath).catch(() => null);
    if (!info) throw new InputNotFoundError(`input_path does not exist: ${given}`);
    const found = info.isFile ? { files: [inputPath], ignored: [] } : await filesOf(inputPath);
    if (found.files.length === 0) {
      throw new InputNotFoundError(
        `input_path ${given} holds no input file (${INPUT_EXTENSIONS.join(", ")})`,
      );
    }
    // Classified by place, so that a step handed the path by an earlier one says the same.
    const source = isWithin(inputPath, dirname(sampleFile))
      ? "sample"
      : inputPath === dataDir
      ? "data_dir"
      : "parameter";
    const messages = source === "sample"
      ? [sampleNotice(sampleFile, dataDir)]
      : await currentFileNotice(found.files, dataDir, url, now());
    return { source, inputPath, ...found, refresh: null, messages };
  }

  const refresh = !download ? null : await refreshCurrentFile({
    dir: dataDir,
    url,
    headersTimeoutMs: settings.headersTimeoutMs,
    now,
  });
  const messages = refresh ? [refresh.message] : [];
  const local = await filesOf(dataDir).catch(() => ({ files: [], ignored: [] }));
  if (local.files.length) {
    if (!refresh) messages.push(...await currentFileNotice(local.files, dataDir, url, now()));
    return { source: "data_dir", inputPath: dataDir, ...local, refresh, messages };
  }
  if (!(await Deno.stat(sampleFile).then((i) => i.isFile, () => false))) {
    throw new InputNotFoundError(
      `No input file in ${dataDir} and the sample ${sampleFile} is missing. Put eCO2mix ` +
        `files (.xls as downloaded from RTE, .zip, ODRÉ .csv exports or .xlsx) into ${dataDir}, ` +
        `or pass a file or folder: deno task pipeline --input <path>.`,
    );
  }
  return {
    source: "sample",
    inputPath: sampleFile,
    files: [sampleFile],
    ignored: local.ignored,
    refresh,
    messages: [...messages, sampleNotice(sampleFile, dataDir)],
  };
}
