/**
 * Gold tables as an Excel workbook (SheetJS) for business users: one sheet per table, a
 * "Lisez-moi" sheet saying what each holds and where it comes from.
 *
 * Why dates are written as Excel dates (not text): users filter and pivot on them; why
 * timestamps are given in Paris time: an Excel cell has no time zone, and people read local
 * time (the sheet's header says so).
 *
 * @module
 */

import pl from "nodejs-polars";
import * as XLSX from "xlsx";
import { deflateStoredEntries } from "./_zip.ts";

/** One table to export. */
export interface WorkbookTable {
  /** Table name (sheet names are cut to Excel's 31 characters, kept unique). */
  name: string;
  description: string;
  frame: pl.DataFrame;
}

/** Excel's limits. */
const MAX_SHEET_NAME = 31;
const MAX_ROWS = 1_048_575;
/**
 * Most cells of one sheet. Measured on the hourly production of a year of the 12 regions and
 * their sum (9 million cells): SheetJS's XML of the sheet exceeds V8's longest string, after
 * 4.8 GB of memory. Two million cells take a few hundred MB.
 */
export const MAX_SHEET_CELLS = 2_000_000;

/** A table too large for one Excel sheet. */
export class WorkbookLimitError extends Error {
  override name = "WorkbookLimitError";
}

function sheetName(name: string, used: Set<string>): string {
  let base = name.slice(0, MAX_SHEET_NAME);
  for (let i = 2; used.has(base); i++) {
    const suffix = `_${i}`;
    base = name.slice(0, MAX_SHEET_NAME - suffix.length) + suffix;
  }
  used.add(base);
  return base;
}

/** Days between Excel's epoch (1899-12-30) and 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25569;

/**
 * Dates and datetimes as Excel serial numbers (datetimes in Paris wall-clock time), with the
 * number format each needs. Serial numbers are computed here rather than left to SheetJS,
 * which converts JavaScript dates with the machine's own time zone.
 */
function excelReady(df: pl.DataFrame): { frame: pl.DataFrame; formats: Map<string, string> } {
  const formats = new Map<string, string>();
  const frame = df.select(...df.columns.map((name) => {
    const type = df.getColumn(name).dtype;
    if (type.equals(pl.Date)) {
      formats.set(name, "yyyy-mm-dd");
      return pl.col(name).cast(pl.Int32).add(EXCEL_EPOCH_DAYS).alias(name);
    }
    if (type.variant === "Datetime") {
      const label = `${name} (heure de Paris)`;
      formats.set(label, "yyyy-mm-dd hh:mm");
      const local = pl.col(name).dt.convertTimeZone("Europe/Paris").dt.strftime("%Y-%m-%d %H:%M:%S")
        .str.strptime(pl.Datetime("ms"), "%Y-%m-%d %H:%M:%S");
      // Whole days plus the fraction of the day: independent of the datetime's time unit.
      const seconds = local.dt.hour().cast(pl.Float64).mul(3600)
        .add(local.dt.minute().cast(pl.Float64).mul(60)).add(local.dt.second().cast(pl.Float64));
      return local.cast(pl.Date).cast(pl.Int32).add(EXCEL_EPOCH_DAYS).add(seconds.div(86_400))
        .alias(label);
    }
    return pl.col(name);
  }));
  return { frame, formats };
}

/** A value of a table that no Excel cell can hold (a list, a structure). */
export class WorkbookValueError extends Error {
  override name = "WorkbookValueError";
}

/**
 * The cell SheetJS's `json_to_sheet` makes of a value: a number, a boolean, a text, or a stub
 * (`z`, not written) for a missing value; 64-bit unsigned integers (`bigint`) as numbers.
 */
function cellOf(value: unknown, table: string, column: string): XLSX.CellObject {
  switch (typeof value) {
    case "number":
      return { t: "n", v: value };
    case "boolean":
      return { t: "b", v: value };
    case "string":
      return { t: "s", v: value };
    case "bigint":
      return { t: "n", v: Number(value) };
  }
  if (value === null || value === undefined) return { t: "z" };
  throw new WorkbookValueError(
    `${table}, column ${column}: ${JSON.stringify(value)} cannot be an Excel cell`,
  );
}

/**
 * The frame as a dense sheet (rows of cells), headers first: the cells `json_to_sheet` makes of
 * `toRecords()`, built column by column, which takes half the time (polars' row records and
 * SheetJS's per-key lookups were a third of a 34 MB workbook's time). Dense because a sparse
 * sheet is one object property per cell, and V8 refuses to enumerate the ~9 million of a year of
 * 12 regions' hourly production.
 */
function denseSheet(frame: pl.DataFrame, table: string): XLSX.WorkSheet {
  const rows: XLSX.CellObject[][] = [frame.columns.map((name) => ({ t: "s", v: name }))];
  // Each property read of a polars frame goes through a Proxy and a native call: read it once.
  const height = frame.height;
  for (let r = 0; r < height; r++) rows.push([]);
  for (const [c, name] of frame.columns.entries()) {
    const values = frame.getColumn(name).toArray();
    for (let r = 0; r < values.length; r++) rows[r + 1][c] = cellOf(values[r], table, name);
  }
  const end = { c: Math.max(0, frame.width - 1), r: height };
  return { "!data": rows, "!ref": XLSX.utils.encode_range({ s: { c: 0, r: 0 }, e: end }) };
}

function applyFormats(sheet: XLSX.WorkSheet, columns: string[], formats: Map<string, string>) {
  const rows = sheet["!data"] ?? [];
  columns.forEach((name, c) => {
    const z = formats.get(name);
    if (!z) return;
    for (let r = 1; r < rows.length; r++) {
      const cell = rows[r]?.[c];
      if (cell && cell.t === "n") cell.z = z;
    }
  });
}

/**
 * Builds the workbook (xlsx bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import * as XLSX from "xlsx";
 * import { goldWorkbook } from "./workbook.ts";
 * const bytes = goldWorkbook([{ name: "mix", description: "Mix quotidien", frame: pl.DataFrame({ part: [68.2] }) }]);
 * const book = XLSX.read(bytes, { type: "array" });
 * assert.deepEqual(book.SheetNames, ["Lisez-moi", "mix"]);
 * ```
 */
export function goldWorkbook(tables: WorkbookTable[], generatedAt: Date = new Date()): Uint8Array {
  const book = XLSX.utils.book_new();
  const used = new Set<string>(["Lisez-moi"]);
  const readme: (string | number)[][] = [
    ["Tables gold du lakehouse eCO2mix", ""],
    ["Générées le (UTC)", generatedAt.toISOString()],
    ["Source", "RTE – éCO2mix (Licence Ouverte / Open Licence v2.0 via ODRÉ)"],
    [],
    ["Feuille", "Table", "Lignes", "Contenu"],
  ];
  const sheets: [string, XLSX.WorkSheet][] = [];
  for (const t of tables) {
    if (t.frame.height > MAX_ROWS || t.frame.height * t.frame.width > MAX_SHEET_CELLS) {
      throw new WorkbookLimitError(
        `${t.name}: ${t.frame.height} rows × ${t.frame.width} columns exceed a sheet ` +
          `(${MAX_ROWS} rows, ${MAX_SHEET_CELLS} cells); filter it first`,
      );
    }
    const name = sheetName(t.name, used);
    const { frame, formats } = excelReady(t.frame);
    const sheet = denseSheet(frame, t.name);
    applyFormats(sheet, frame.columns, formats);
    sheets.push([name, sheet]);
    readme.push([name, t.name, t.frame.height, t.description]);
  }
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(readme), "Lisez-moi");
  for (const [name, sheet] of sheets) XLSX.utils.book_append_sheet(book, sheet, name);
  // A Buffer, not `type: "array"`: SheetJS makes the array from a binary string of the zip, one
  // character per byte, which was a third of the time of a 34 MB workbook (the same bytes).
  // Uncompressed, then deflated by zlib (see _zip.ts).
  const zip = XLSX.write(book, { type: "buffer", bookType: "xlsx", compression: false });
  return deflateStoredEntries(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength));
}
