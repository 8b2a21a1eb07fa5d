/**
 * Read any eCO2mix file as RTE or ODRÉ serve it, from its bytes and its name, into a raw table:
 * every data line kept, every cell a string (null when empty; `ND` and `-` kept verbatim),
 * columns under their canonical names ({@linkcode COLUMNS}), plus `_source_line`, the 1-based
 * line (sheet row for spreadsheets) each row comes from.
 *
 * Variants recognised from the content, not from the file name:
 * - RTE ".xls" downloads (tab-separated ISO-8859-1 text with trailing tab and closing
 *   disclaimer): national 36 or 40 columns, regional 13 columns, any nature; also their UTF-8
 *   or `;` re-saves;
 * - the `.zip` files RTE serves (one .xls inside), gzip-compressed files (`.csv.gz`);
 * - ODRÉ CSV exports (`eco2mix-national-tr`, `eco2mix-regional-*`: units in headers,
 *   `Date - Heure` with offset, rows in export order; `consommation-quotidienne-brute`);
 * - real spreadsheets (.xlsx or BIFF .xls re-saved by Excel) through SheetJS.
 *
 * Rows are never dropped, reordered or interpreted here: that is silver's job.
 *
 * @module
 */

import pl from "nodejs-polars";
import { unzipSync } from "fflate";
import { gunzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { type ResolvedColumn, resolveHeader } from "./columns.ts";
import { decodeText, type TextEncoding } from "./encoding.ts";
import {
  Eco2mixColumnError,
  Eco2mixEmptyError,
  Eco2mixFormatError,
  Eco2mixNotDataError,
  Eco2mixTruncatedError,
} from "./errors.ts";
import { parseNature } from "./nature.ts";
import { detectSeparator, parseTextTable } from "./_text_table.ts";
import { parseSheetTable } from "./_xlsx_table.ts";

/**
 * Which publication a file belongs to:
 * - `rte_national` / `rte_regional`: RTE eCO2mix download files (.xls text, or re-saves);
 * - `odre_national` / `odre_regional`: ODRÉ eCO2mix CSV exports (headers with units);
 * - `odre_consommation_brute`: ODRÉ `consommation-quotidienne-brute` (national half-hourly
 *   consumption history, RTE electricity + gas networks).
 */
export type Eco2mixVariant =
  | "rte_national"
  | "rte_regional"
  | "odre_national"
  | "odre_regional"
  | "odre_consommation_brute";

/** Everything known about a file once read. */
export interface Eco2mixMetadata {
  /** File name (`archive.zip!/entry.xls` for an archive entry). */
  readonly file: string;
  /** SHA-256 (hex) of the bytes given to the reader: the stored file, archive included. */
  readonly sha256: string;
  /** Publication variant. */
  readonly variant: Eco2mixVariant;
  /** Delimited text or spreadsheet. */
  readonly fileType: "text" | "spreadsheet";
  /** Compression container the data came out of. */
  readonly container: "none" | "zip" | "gzip";
  /** Text encoding detected (`spreadsheet` for .xlsx/BIFF). */
  readonly encoding: TextEncoding | "spreadsheet";
  /** Field separator of text files. */
  readonly separator: "\t" | ";" | "," | null;
  /** Every header column, resolved. */
  readonly columns: readonly ResolvedColumn[];
  /** Header columns the catalogue does not know (kept in the frame under `name`). */
  readonly unknownColumns: readonly ResolvedColumn[];
  /** Number of data lines (= frame rows). */
  readonly dataLines: number;
  /** Distinct revision stages found (canonical), sorted. */
  readonly natures: readonly string[];
  /** Distinct perimeters found (as written), sorted; `France` for consommation-brute. */
  readonly perimeters: readonly string[];
  /** RTE's closing disclaimer line, when present. */
  readonly disclaimer: string | null;
}

/** A file read as strings: the frame and its metadata. */
export interface Eco2mixTable {
  /** Canonical (and unknown) columns as Utf8, plus `_source_line` (Int32). */
  readonly frame: pl.DataFrame;
  /** What was found about the file. */
  readonly meta: Eco2mixMetadata;
}

/**
 * SHA-256 of bytes, lower-case hex.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "./read.ts";
 * assert.ok(sha256Hex(new Uint8Array()).startsWith("e3b0c442"));
 * ```
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const DATA_ENTRY = /\.(xls|xlsx|csv|txt|tsv)$/i;

function isZip(b: Uint8Array) {
  return b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}
function isGzip(b: Uint8Array) {
  return b[0] === 0x1f && b[1] === 0x8b;
}
function isOle2(b: Uint8Array) {
  return b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;
}
/** Control bytes other than tab/CR/LF in the first KiB: not a text file. */
function looksBinary(b: Uint8Array) {
  const n = Math.min(b.length, 1024);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x0b || c === 0x0c) return true;
  }
  return false;
}

/**
 * Read one file (or every data entry of an archive). Throws a typed {@linkcode Eco2mixError}
 * naming the file and line for any input it cannot read exactly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEco2mixFile } from "./read.ts";
 * const text = "Périmètre\tNature\tDate\tHeures\tConsommation\n" +
 *   "France\tDonnées temps réel\t2025-01-01\t00:00\t63949\t\n" +
 *   "RTE ne pourra être tenu responsable de l'usage des données.\n\n";
 * const [table] = readEco2mixFile(new TextEncoder().encode(text), "mini.xls");
 * assert.equal(table.meta.variant, "rte_national");
 * assert.equal(table.frame.getColumn("consommation").toArray()[0], "63949");
 * ```
 */
export function readEco2mixFile(bytes: Uint8Array, file: string): Eco2mixTable[] {
  return readBytes(bytes, file, sha256Hex(bytes), "none");
}

/**
 * Read a file holding exactly one table (the usual case, also for RTE's one-entry zips).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEco2mix } from "./read.ts";
 * const csv = "Date - Heure;Date;Heure;Consommation brute électricité (MW) - RTE;Statut - RTE\r\n" +
 *   "2025-10-31T22:30:00+00:00;31/10/2025;23:30;47776;Consolidé\r\n";
 * const table = readEco2mix(new TextEncoder().encode(csv), "conso.csv");
 * assert.equal(table.meta.variant, "odre_consommation_brute");
 * ```
 */
export function readEco2mix(bytes: Uint8Array, file: string): Eco2mixTable {
  const tables = readEco2mixFile(bytes, file);
  if (tables.length !== 1) {
    throw new Eco2mixFormatError(
      `archive holds ${tables.length} data files; use readEco2mixFile to read them all`,
      file,
    );
  }
  return tables[0];
}

function readBytes(
  bytes: Uint8Array,
  file: string,
  sha256: string,
  container: Eco2mixMetadata["container"],
): Eco2mixTable[] {
  if (bytes.length === 0) throw new Eco2mixEmptyError("empty file", file);
  if (isZip(bytes)) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes);
    } catch (cause) {
      throw new Eco2mixFormatError("corrupt zip archive", file, undefined, { cause });
    }
    const names = Object.keys(entries);
    if (names.includes("[Content_Types].xml") && names.some((n) => n.startsWith("xl/"))) {
      return [readSpreadsheet(bytes, file, sha256, container)];
    }
    const data = names.filter((n) => DATA_ENTRY.test(n) && !n.startsWith("__MACOSX/")).sort();
    if (data.length === 0) {
      throw new Eco2mixEmptyError(
        `zip archive without data file (entries: ${names.join(", ") || "none"})`,
        file,
      );
    }
    return data.flatMap((n) => readBytes(entries[n], `${file}!/${n}`, sha256, "zip"));
  }
  if (isGzip(bytes)) {
    let inner: Uint8Array;
    try {
      // node:zlib is native: twice as fast as fflate on the 22 MB consumption history.
      const out = gunzipSync(bytes);
      inner = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (cause) {
      if (/unexpected end of file/i.test(String(cause))) {
        throw new Eco2mixTruncatedError(
          "gzip stream ends early: truncated download?",
          file,
          undefined,
          {
            cause,
          },
        );
      }
      throw new Eco2mixFormatError("corrupt gzip file", file, undefined, { cause });
    }
    return readBytes(inner, file, sha256, "gzip");
  }
  if (isOle2(bytes)) return [readSpreadsheet(bytes, file, sha256, container)];
  if (looksBinary(bytes)) {
    throw new Eco2mixFormatError("binary content: not an eCO2mix text, zip or spreadsheet", file);
  }
  return [readText(bytes, file, sha256, container)];
}

function readText(
  bytes: Uint8Array,
  file: string,
  sha256: string,
  container: Eco2mixMetadata["container"],
): Eco2mixTable {
  const { text, encoding } = decodeText(bytes);
  const newline = text.indexOf("\n");
  const firstLine = (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, "");
  const separator = detectSeparator(firstLine) ?? "\t";
  const { columns } = resolveChecked(firstLine.split(separator), file, true);
  // RTE's own downloads always close with the disclaimer: its absence means truncation.
  const requireTrailer = sourceOf(columns) === "rte" && separator === "\t";
  const table = parseTextTable(text, file, { requireTrailer });
  const resolved = resolveChecked(table.header, file, false).columns;
  return finish(table.frame, table.lines, resolved, {
    file,
    sha256,
    fileType: "text",
    container,
    encoding,
    separator: table.separator,
    disclaimer: table.trailer,
  });
}

function readSpreadsheet(
  bytes: Uint8Array,
  file: string,
  sha256: string,
  container: Eco2mixMetadata["container"],
): Eco2mixTable {
  const kindOf = (header: string) => {
    const name = resolveHeader([header]).columns[0].name;
    return name === "date" ? "date" : name === "heure" ? "time" : "other";
  };
  const sheet = parseSheetTable(bytes, file, kindOf);
  const resolved = resolveChecked(sheet.header, file, false).columns;
  return finish(sheet.frame, sheet.lines, resolved, {
    file,
    sha256,
    fileType: "spreadsheet",
    container,
    encoding: "spreadsheet",
    separator: null,
    disclaimer: sheet.trailer,
  });
}

/** Resolve a header and enforce the required columns; `probe` only checks it is eCO2mix. */
function resolveChecked(header: readonly string[], file: string, probe: boolean) {
  const { columns, duplicates } = resolveHeader(header);
  const names = new Set(columns.map((c) => c.name));
  if (names.has("type_de_jour_tempo")) {
    throw new Eco2mixNotDataError("RTE Tempo calendar, not an eCO2mix data file", file, 1);
  }
  const missing = [
    ...(names.has("date_heure") || (names.has("date") && names.has("heure"))
      ? []
      : ["date + heure (or date_heure)"]),
    ...(names.has("consommation") ? [] : ["consommation"]),
  ];
  if (missing.length > 0) {
    const known = columns.filter((c) => c.known).length;
    const detail = `missing required column(s) ${missing.join(", ")}; header: ${
      header.slice(0, 8).map((h) => JSON.stringify(h)).join(", ")
    }${header.length > 8 ? ", ..." : ""}`;
    // A header with almost nothing known is another kind of file altogether.
    if (known < 2) throw new Eco2mixFormatError(`not an eCO2mix file: ${detail}`, file, 1);
    throw new Eco2mixColumnError(detail, file, 1);
  }
  if (!probe && duplicates.length > 0) {
    throw new Eco2mixColumnError(`column(s) appearing twice: ${duplicates.join(", ")}`, file, 1);
  }
  return { columns };
}

function sourceOf(columns: readonly ResolvedColumn[]): "rte" | "odre" {
  const odre = columns.some((c) => c.name === "date_heure" || /\(MW\)|\(g\/kWh\)/i.test(c.header));
  return odre ? "odre" : "rte";
}

function variantOf(columns: readonly ResolvedColumn[]): Eco2mixVariant {
  const names = new Set(columns.map((c) => c.name));
  const source = sourceOf(columns);
  if (!names.has("perimetre")) return "odre_consommation_brute";
  const regional = names.has("thermique") || names.has("code_insee_region");
  return `${source}_${regional ? "regional" : "national"}`;
}

function distinct(frame: pl.DataFrame, column: string): string[] {
  if (!frame.columns.includes(column)) return [];
  return (frame.getColumn(column).unique().toArray() as (string | null)[])
    .filter((v): v is string => v !== null)
    .sort();
}

function finish(
  raw: pl.DataFrame,
  lines: Int32Array,
  columns: ResolvedColumn[],
  info: Omit<
    Eco2mixMetadata,
    "variant" | "columns" | "unknownColumns" | "dataLines" | "natures" | "perimeters"
  >,
): Eco2mixTable {
  const frame = raw
    .rename(Object.fromEntries(columns.map((c) => [`c${c.position}`, c.name])))
    .withColumn(pl.Series("_source_line", lines, pl.Int32));
  const variant = variantOf(columns);
  const natures = [
    ...new Set(distinct(frame, "nature").map((n) => parseNature(n) ?? n)),
  ].sort();
  return {
    frame,
    meta: {
      ...info,
      variant,
      columns,
      unknownColumns: columns.filter((c) => !c.known),
      dataLines: frame.height,
      natures,
      perimeters: variant === "odre_consommation_brute" ? ["France"] : distinct(frame, "perimetre"),
    },
  };
}
