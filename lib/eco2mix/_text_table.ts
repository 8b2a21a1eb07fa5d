/**
 * Delimited text (RTE tab-separated ".xls", ODRÉ ";" CSV) -> raw string frame.
 *
 * One pass in JavaScript checks the structure line by line (field counts, trailer, truncation)
 * so that errors name the exact line; polars then parses the validated body natively.
 *
 * @module
 */

import pl from "nodejs-polars";
import { Buffer } from "node:buffer";
import {
  checkCellLengths,
  Eco2mixEmptyError,
  Eco2mixRowError,
  Eco2mixTruncatedError,
  MAX_CELL_CHARS,
} from "./errors.ts";

/** What the structural pass found. */
export interface TextTable {
  /** Header cells, as written. */
  readonly header: string[];
  /** Field separator. */
  readonly separator: "\t" | ";" | ",";
  /** Cells as strings (null when empty), columns `c0`..`c{n-1}` in header order. */
  readonly frame: pl.DataFrame;
  /** 1-based source line of each frame row. */
  readonly lines: Int32Array;
  /** The closing line without separator (RTE's disclaimer), if any. */
  readonly trailer: string | null;
  /** Whether data rows carry one empty field more than the header (RTE's trailing tab). */
  readonly trailingSeparator: boolean;
}

/** Options of {@linkcode parseTextTable}. */
export interface TextTableOptions {
  /** Fail with a truncation error when the file lacks a closing line without separator. */
  readonly requireTrailer: boolean;
}

const ENCODER = new TextEncoder();
const SEPARATORS = ["\t", ";", ","] as const;

/**
 * Detect the separator of a header line: the first of tab, `;`, `,` that occurs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectSeparator } from "./_text_table.ts";
 * assert.equal(detectSeparator("Périmètre\tNature"), "\t");
 * assert.equal(detectSeparator("Date;Heure"), ";");
 * ```
 */
export function detectSeparator(headerLine: string): "\t" | ";" | "," | undefined {
  return SEPARATORS.find((s) => headerLine.includes(s));
}

/** End of the content of the line ending at `end` (exclusive), without a trailing CR. */
function contentEnd(text: string, start: number, end: number): number {
  return end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

/** Number of fields of text[start, end), honouring double quotes only when `quoted`. */
function countFields(text: string, start: number, end: number, sep: string, quoted: boolean) {
  let fields = 1;
  if (!quoted) {
    for (let i = text.indexOf(sep, start); i >= 0 && i < end; i = text.indexOf(sep, i + 1)) {
      fields++;
    }
    return fields;
  }
  const sepCode = sep.charCodeAt(0);
  let inQuotes = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (c === sepCode && !inQuotes) fields++;
  }
  return fields;
}

/**
 * Split and validate delimited text, then parse it with polars (all cells as strings).
 *
 * Rules: line 1 is the header; every data line has as many fields as the header, or one more
 * whose content is empty (RTE's trailing tab), the same for the whole file; trailing empty lines
 * are ignored; a last non-empty line without any separator is the trailer (RTE's disclaimer).
 * A short last line, or a missing trailer when `requireTrailer`, is a truncation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTextTable } from "./_text_table.ts";
 * const text = "Date\tConsommation\n2025-01-01\t63949\t\nRTE ne pourra être tenu responsable.\n\n";
 * const table = parseTextTable(text, "a.xls", { requireTrailer: true });
 * assert.ok(table.trailingSeparator);
 * assert.equal(table.lines[0], 2);
 * assert.equal(table.frame.getColumn("c1").toArray()[0], "63949");
 * ```
 */
export function parseTextTable(text: string, file: string, options: TextTableOptions): TextTable {
  const firstNewline = text.indexOf("\n");
  const headerEnd = firstNewline < 0 ? text.length : firstNewline;
  const headerLine = text.slice(0, contentEnd(text, 0, headerEnd));
  if (headerLine.trim() === "") throw new Eco2mixEmptyError("empty file", file, 1);
  const separator = detectSeparator(headerLine) ?? "\t";
  const quoted = text.includes('"');
  const header = splitLine(headerLine, separator, quoted);
  checkCellLengths(header, header, file, 1);

  // Last non-empty line, and whether it is a trailer.
  let end = text.length;
  let lastStart = end;
  while (end > headerEnd) {
    lastStart = text.lastIndexOf("\n", end - 1) + 1;
    if (text.slice(lastStart, end).trim() !== "") break;
    end = lastStart - 1;
  }
  const bodyStart = Math.min(headerEnd + 1, text.length);
  let bodyEnd = Math.max(end, bodyStart);
  let trailer: string | null = null;
  if (end > headerEnd && !text.slice(lastStart, end).includes(separator)) {
    trailer = text.slice(lastStart, contentEnd(text, lastStart, end));
    bodyEnd = Math.max(lastStart - 1, bodyStart);
  }

  const lineCount = countLines(text, bodyStart, bodyEnd);
  if (lineCount === 0) {
    throw new Eco2mixEmptyError("no data line after the header", file, 2);
  }

  // Structural pass: field count of every line.
  const lines = new Int32Array(lineCount);
  const expected = header.length;
  let trailingSeparator = false;
  let pos = bodyStart;
  for (let i = 0; i < lineCount; i++) {
    const lineNo = i + 2;
    const nl = text.indexOf("\n", pos);
    const stop = nl < 0 || nl > bodyEnd ? bodyEnd : nl;
    const stopContent = contentEnd(text, pos, stop);
    const fields = countFields(text, pos, stopContent, separator, quoted);
    // Only a line longer than one cell may hold an overlong cell: the common case costs nothing.
    if (stopContent - pos > MAX_CELL_CHARS) {
      checkCellLengths(
        splitLine(text.slice(pos, stopContent), separator, quoted),
        header,
        file,
        lineNo,
      );
    }
    if (i === 0) trailingSeparator = fields === expected + 1 && text[stopContent - 1] === separator;
    const want = trailingSeparator ? expected + 1 : expected;
    const last = i === lineCount - 1;
    if (fields !== want || (trailingSeparator && text[stopContent - 1] !== separator)) {
      if (last && fields < want && trailer === null) {
        throw new Eco2mixTruncatedError(
          `partial last line: ${fields} fields instead of ${want}`,
          file,
          lineNo,
        );
      }
      if (stopContent === pos) {
        throw new Eco2mixRowError("empty line inside the data", file, lineNo);
      }
      throw new Eco2mixRowError(
        `${fields} fields instead of ${want} (header has ${expected} columns${
          trailingSeparator ? " + RTE's trailing tab" : ""
        })`,
        file,
        lineNo,
      );
    }
    lines[i] = lineNo;
    pos = stop + 1;
  }

  if (options.requireTrailer && (trailer === null || !/^\S+( \S+){3}/.test(trailer))) {
    throw new Eco2mixTruncatedError(
      trailer === null
        ? "file ends without RTE's closing disclaimer line: truncated download?"
        : `last line "${trailer.slice(0, 40)}" is not RTE's closing disclaimer: truncated?`,
      file,
      trailer === null ? lineCount + 1 : lineCount + 2,
    );
  }

  const width = trailingSeparator ? expected + 1 : expected;
  const names = Array.from({ length: width }, (_, i) => `c${i}`);
  const body = names.join(separator) + "\n" + text.slice(bodyStart, bodyEnd);
  // polars parses UTF-8 bytes about twice as fast as a JavaScript string.
  let frame = pl.readCSV(Buffer.from(ENCODER.encode(body)), {
    sep: separator,
    hasHeader: true,
    inferSchemaLength: 0,
    quoteChar: quoted ? '"' : undefined,
  });
  if (trailingSeparator) frame = frame.drop(`c${expected}`);
  if (frame.height !== lineCount) {
    // The structural pass and polars must agree; a mismatch would silently shift line numbers.
    throw new Eco2mixRowError(
      `parser found ${frame.height} rows where ${lineCount} lines were validated`,
      file,
    );
  }
  return { header, separator, frame, lines, trailer, trailingSeparator };
}

function countLines(text: string, start: number, end: number): number {
  if (end <= start) return 0;
  let count = 1;
  for (let i = text.indexOf("\n", start); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) {
    count++;
  }
  return count;
}

function splitLine(line: string, separator: string, quoted: boolean): string[] {
  const cells = line.split(separator);
  if (!quoted || !line.includes('"')) return cells;
  // Header cells are rarely quoted; join pieces that were split inside quotes, then unquote.
  const out: string[] = [];
  for (const cell of cells) {
    const open = out.length > 0 && (out[out.length - 1].split('"').length - 1) % 2 === 1;
    if (open) out[out.length - 1] += separator + cell;
    else out.push(cell);
  }
  return out.map((c) =>
    c.startsWith('"') && c.endsWith('"') ? c.slice(1, -1).replaceAll('""', '"') : c
  );
}
