/**
 * Read every eCO2mix file of a folder.
 *
 * @module
 */

import { join, relative } from "node:path";
import { Eco2mixError, Eco2mixNotDataError } from "./errors.ts";
import { type Eco2mixTable, readEco2mixFile } from "./read.ts";

/** A file of the folder that was deliberately not read, and why. */
export interface SkippedFile {
  /** Path relative to the folder. */
  readonly file: string;
  /** Why it was skipped. */
  readonly reason: string;
}

/** Result of {@linkcode readEco2mixFolder}. */
export interface FolderRead {
  /** Tables read, in file-name order. */
  readonly tables: Eco2mixTable[];
  /** Files not read on purpose (other extensions, Tempo calendars, 7-Zip archives). */
  readonly skipped: SkippedFile[];
  /** Files that failed (only with `onError: "collect"`). */
  readonly errors: Eco2mixError[];
}

/** Options of {@linkcode readEco2mixFolder}. */
export interface FolderOptions {
  /** Descend into sub-folders (default false). */
  readonly recursive?: boolean;
  /** Throw on the first unreadable data file (default), or collect the errors and go on. */
  readonly onError?: "throw" | "collect";
}

const DATA_FILE = /\.(xls|xlsx|csv|txt|tsv|zip|gz)$/i;

/**
 * Read every data file of `folder` (.xls, .xlsx, .csv, .txt, .tsv, .zip, .gz). File names in
 * the tables are relative to the folder. Tempo calendars and other extensions are listed in
 * `skipped`, never silently ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEco2mixFolder } from "./read_folder.ts";
 * import { sharedDataPath } from "../testing/shared_data.ts";
 * const { tables, skipped } = await readEco2mixFolder(sharedDataPath("eco2mix"));
 * assert.equal(tables.length, 2);
 * assert.equal(skipped.length, 0);
 * ```
 */
export async function readEco2mixFolder(
  folder: string,
  options: FolderOptions = {},
): Promise<FolderRead> {
  const paths: string[] = [];
  const skipped: SkippedFile[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) {
        if (options.recursive) await walk(path);
      } else if (DATA_FILE.test(entry.name)) paths.push(path);
      else {
        const reason = /\.7z$/i.test(entry.name)
          ? "7-Zip archive: not readable here, provide the .csv or .csv.gz"
          : "not a data file extension";
        skipped.push({ file: relative(folder, path), reason });
      }
    }
  };
  await walk(folder);
  paths.sort();

  const tables: Eco2mixTable[] = [];
  const errors: Eco2mixError[] = [];
  for (const path of paths) {
    const file = relative(folder, path);
    try {
      tables.push(...readEco2mixFile(await Deno.readFile(path), file));
    } catch (error) {
      if (error instanceof Eco2mixNotDataError) skipped.push({ file, reason: error.message });
      else if (error instanceof Eco2mixError && options.onError === "collect") errors.push(error);
      else throw error;
    }
  }
  skipped.sort((a, b) => a.file.localeCompare(b.file));
  return { tables, skipped, errors };
}
