/**
 * Real spreadsheets (.xlsx, or a genuine BIFF .xls re-saved by Excel) -> raw string frame,
 * through SheetJS. Cells are turned back into the strings RTE writes: numbers without
 * thousands separators, Excel dates as `YYYY-MM-DD`, Excel times as `HH:MM`.
 *
 * @module
 */

import pl from "nodejs-polars";
import * as XLSX from "xlsx";
import {
  checkCellLengths,
  Eco2mixEmptyError,
  Eco2mixFormatError,
  Eco2mixRowError,
} from "./errors.ts";

/** A sheet read as strings, with the sheet row number of each data row. */
export interface SheetTable {
  /** Header cells (first non-empty row). */
  readonly header: string[];
  /** Cells as strings (null when empty), columns `c0`..`c{n-1}`. */
  readonly frame: pl.DataFrame;
  /** 1-based sheet row of each frame row. */
  readonly lines: Int32Array;
  /** The closing disclaimer row (one cell of text), if any. */
  readonly trailer: string | null;
}

const DAY_MS = 86_400_000;
// Excel's day 0 (1899-12-30, absorbing the 1900 leap-year bug for dates after March 1900).
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** Excel serial day -> YYYY-MM-DD, computed in UTC so that no machine time zone leaks in. */
function serialToDate(serial: number): string {
  return new Date(EXCEL_EPOCH_MS + Math.round(serial) * DAY_MS).toISOString().slice(0, 10);
}

/** Excel day fraction -> HH:MM (rounded to the minute). */
function fractionToTime(fraction: number): string {
  const minutes = Math.round((fraction - Math.floor(fraction)) * 1440) % 1440;
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${
    String(minutes % 60).padStart(2, "0")
  }`;
}

function cellText(
  cell: XLSX.CellObject | undefined,
  kind: "date" | "time" | "other",
): string | null {
  if (cell === undefined || cell.v === undefined || cell.v === null || cell.v === "") return null;
  if (cell.t === "n" && typeof cell.v === "number") {
    if (kind === "date") return serialToDate(cell.v);
    if (kind === "time") return fractionToTime(cell.v);
    return String(cell.v);
  }
  if (cell.t === "d" && cell.v instanceof Date) return cell.v.toISOString().slice(0, 10);
  if (cell.t === "b") return cell.v ? "TRUE" : "FALSE";
  return String(cell.v);
}

/**
 * Read the first sheet of a workbook. `kindOf(header)` tells which columns hold dates or times
 * (so that Excel serial numbers can be converted back); it is called once with the header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as XLSX from "xlsx";
 * import { parseSheetTable } from "./_xlsx_table.ts";
 * const book = XLSX.utils.book_new();
 * XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([["Date", "Consommation"], [45658, 63949]]), "s");
 * const bytes = new Uint8Array(XLSX.write(book, { type: "array", bookType: "xlsx" }));
 * const sheet = parseSheetTable(bytes, "a.xlsx", (h) => h === "Date" ? "date" : "other");
 * assert.equal(sheet.frame.getColumn("c0").toArray()[0], "2025-01-01");
 * ```
 */
export function parseSheetTable(
  bytes: Uint8Array,
  file: string,
  kindOf: (header: string) => "date" | "time" | "other",
): SheetTable {
  let workbook: XLSX.WorkBook;
  try {
    workbook = XLSX.read(bytes, { type: "array", dense: true, cellDates: false, cellText: false });
  } catch (cause) {
    throw new Eco2mixFormatError("unreadable spreadsheet", file, undefined, { cause });
  }
  const sheetName = workbook.SheetNames[0];
  const sheet = sheetName === undefined ? undefined : workbook.Sheets[sheetName];
  const ref = sheet?.["!ref"];
  if (sheet === undefined || ref === undefined) throw new Eco2mixEmptyError("empty workbook", file);
  const range = XLSX.utils.decode_range(ref);
  // Dense mode (SheetJS 0.20): rows are sheet["!data"][row][col].
  const data = sheet["!data"] ?? [];
  const rowCells = (r: number) => data[r] ?? [];

  let headerRow = range.s.r;
  while (headerRow <= range.e.r && rowCells(headerRow).every((c) => c?.v == null || c.v === "")) {
    headerRow++;
  }
  if (headerRow > range.e.r) throw new Eco2mixEmptyError("empty sheet", file);
  const headerCells = rowCells(headerRow);
  let width = range.e.c + 1;
  while (width > 0 && cellText(headerCells[width - 1], "other") === null) width--;
  const header = Array.from({ length: width }, (_, c) => cellText(headerCells[c], "other") ?? "");
  checkCellLengths(header, header, file, headerRow + 1);
  const kinds = header.map(kindOf);

  // Last non-empty row, and whether it is a one-cell trailer (the disclaimer).
  let lastRow = range.e.r;
  const nonEmpty = (r: number) => rowCells(r).filter((c) => cellText(c, "other") !== null).length;
  while (lastRow > headerRow && nonEmpty(lastRow) === 0) lastRow--;
  let trailer: string | null = null;
  const lastCells = rowCells(lastRow);
  if (lastRow > headerRow && nonEmpty(lastRow) === 1 && typeof lastCells[0]?.v === "string") {
    const text = lastCells[0].v;
    if (/^\S+( \S+){3}/.test(text)) {
      trailer = text;
      lastRow--;
    }
  }
  const count = lastRow - headerRow;
  if (count <= 0) throw new Eco2mixEmptyError("no data row after the header", file, headerRow + 2);

  const columns: (string | null)[][] = header.map(() => new Array(count));
  const lines = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const r = headerRow + 1 + i;
    const cells = rowCells(r);
    let filled = 0;
    for (let c = 0; c < cells.length; c++) {
      const text = cellText(cells[c], c < width ? kinds[c] : "other");
      if (text === null) continue;
      if (c >= width) {
        throw new Eco2mixRowError(
          `value "${text}" in column ${c + 1}, beyond the ${width} header columns`,
          file,
          r + 1,
        );
      }
      columns[c][i] = text;
      filled++;
    }
    if (filled === 0) throw new Eco2mixRowError("empty row inside the data", file, r + 1);
    checkCellLengths(columns.map((col) => col[i] ?? null), header, file, r + 1);
    for (let c = 0; c < width; c++) columns[c][i] ??= null;
    lines[i] = r + 1;
  }
  const frame = pl.DataFrame(
    Object.fromEntries(columns.map((values, c) => [`c${c}`, pl.Series(`c${c}`, values, pl.Utf8)])),
  );
  return { header, frame, lines, trailer };
}
