/**
 * Finds the pipeline's input files: the `input_path` parameter first, then the `data/` folder,
 * then (when online) RTE's current real-time file, downloaded into `data/`.
 *
 * @module
 */

import { basename, extname, join } from "node:path";

/** RTE's current real-time national file ("En-cours TR"), as served by eCO2mix. */
export const RTE_CURRENT_FILE_URL =
  "https://eco2mix.rte-france.com/download/eco2mix/eCO2mix_RTE_En-cours-TR.zip";

/** Extensions of the files the readers understand. */
export const INPUT_EXTENSIONS: readonly string[] = [".xls", ".xlsx", ".zip", ".csv", ".gz"];

/** No input could be found or fetched. The message says what to put where. */
export class InputNotFoundError extends Error {
  override name = "InputNotFoundError";
}

/** Where the inputs came from, and which files they are. */
export interface LocatedInputs {
  source: "parameter" | "data_dir" | "download";
  files: string[];
  /** Files of a folder skipped because their type is not an input format. */
  ignored: string[];
}

/** Options for {@linkcode locateInputs}. */
export interface LocateOptions {
  /** A file or folder given by the user; empty for "not given". */
  inputPath: string;
  /** The project's data folder. */
  dataDir: string;
  /** Whether a download may be tried when nothing is found (default true). */
  download?: boolean;
  /** Address of the file to download (default {@linkcode RTE_CURRENT_FILE_URL}). */
  url?: string;
  /** Download timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
}

function isInput(name: string): boolean {
  return INPUT_EXTENSIONS.includes(extname(name).toLowerCase());
}

async function filesOf(dir: string): Promise<{ files: string[]; ignored: string[] }> {
  const files: string[] = [];
  const ignored: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || e.name.startsWith(".") || e.name === "README.md") continue;
    (isInput(e.name) ? files : ignored).push(join(dir, e.name));
  }
  return { files: files.sort(), ignored: ignored.sort() };
}

function offlineMessage(dataDir: string, reason: string): string {
  return [
    `No input file found, and RTE's current file could not be downloaded (${reason}).`,
    `Put eCO2mix files (.xls as downloaded from RTE, .zip, ODRÉ .csv exports or .xlsx) into`,
    `  ${dataDir}`,
    `or pass a file or folder: deno task pipeline --input <path>`,
    `(download address: ${RTE_CURRENT_FILE_URL}).`,
  ].join("\n");
}

async function download(url: string, dataDir: string, timeoutMs: number): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // RTE serves a zip; an HTML error page with status 200 must not become an input file.
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new Error(`${url} did not return a zip file (${bytes.length} bytes)`);
  }
  await Deno.mkdir(dataDir, { recursive: true });
  const target = join(dataDir, basename(new URL(url).pathname) || "eCO2mix_RTE_En-cours-TR.zip");
  const tmp = `${target}.part`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, target);
  return target;
}

/**
 * Locates the input files, in order: `inputPath` (a file, or every input file of a folder),
 * the files of `dataDir`, a download of RTE's current file into `dataDir`. Throws
 * {@linkcode InputNotFoundError} naming the folder to fill when all three fail.
 *
 * @example
 * ```ts ignore
 * const inputs = await locateInputs({ inputPath: "", dataDir: "data" });
 * console.log(inputs.source, inputs.files);
 * ```
 */
export async function locateInputs(options: LocateOptions): Promise<LocatedInputs> {
  if (options.inputPath) {
    const info = await Deno.stat(options.inputPath).catch(() => null);
    if (!info) throw new InputNotFoundError(`input_path does not exist: ${options.inputPath}`);
    if (info.isFile) return { source: "parameter", files: [options.inputPath], ignored: [] };
    const found = await filesOf(options.inputPath);
    if (found.files.length === 0) {
      throw new InputNotFoundError(
        `input_path ${options.inputPath} holds no input file (${INPUT_EXTENSIONS.join(", ")})`,
      );
    }
    return { source: "parameter", ...found };
  }
  const local = await filesOf(options.dataDir).catch(() => ({ files: [], ignored: [] }));
  if (local.files.length) return { source: "data_dir", ...local };
  if (options.download === false) {
    throw new InputNotFoundError(offlineMessage(options.dataDir, "download disabled"));
  }
  const url = options.url ?? RTE_CURRENT_FILE_URL;
  try {
    const file = await download(url, options.dataDir, options.timeoutMs ?? 30_000);
    return { source: "download", files: [file], ignored: local.ignored };
  } catch (e) {
    throw new InputNotFoundError(offlineMessage(options.dataDir, (e as Error).message));
  }
}
