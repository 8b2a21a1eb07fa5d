/**
 * Rules an executed notebook's outputs must follow for a French reader who presents them (issue
 * 13): tables shown through `table()` (never a raw polars print, which cuts at 50 rows without
 * saying so), no decimal number with more digits than any unit of the project needs, no instant
 * in UTC ISO notation where a Paris local time is meant, no decimal point in prose, no English
 * sentence or table header.
 *
 * @module
 */

import { joinSource, type Notebook } from "../lib/runner/ipynb.ts";

/** One broken rule: where, which rule, and the offending text. */
export interface RuleBreak {
  cell: number;
  rule: string;
  text: string;
}

const RULES: readonly { rule: string; pattern: RegExp }[] = [
  { rule: "raw polars table", pattern: /shape: \(\d+, \d+\)/ },
  // Four decimals or more: no unit of the project needs them (MAPE has three).
  { rule: "too many decimals", pattern: /(?<![\w.\/-])\d+[.,]\d{4,}(?![\w.\/-])/ },
  {
    rule: "UTC ISO instant",
    pattern: /\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?/,
  },
  // A French number has a decimal comma: "1.62 %" or "24.3 g" in prose is English notation.
  { rule: "decimal point", pattern: /(?<![\w.\/-])\d+\.\d+ ?(%|MW|MWh|GW|TWh|g|°C|h\b)/ },
];

/**
 * Whole words that English sentences and labels are full of and French never uses ("rows",
 * "skipped", "failed" for the short messages). Left out because French has them too, or a French
 * text may: "a", "an", "on", "or", "as", "file", "table", "type", "total", "version", "run",
 * "test", "ok", "plus"; "to" ("To", téraoctet) and "in" ("in situ").
 */
// deno-fmt-ignore
const ENGLISH_WORDS = [
  "the", "and", "of", "with", "is", "are", "was", "were", "has", "have", "not", "this", "that",
  "these", "which", "from", "for", "by", "into", "its", "their", "when", "than", "should", "will",
  "cannot", "each", "every", "per", "row", "rows", "column", "columns", "skipped", "failed",
  "missing", "found", "loaded", "written", "error", "errors", "warning",
];

/** A word of {@linkcode ENGLISH_WORDS}, lower case or capitalised, between non-letters. */
const ENGLISH = new RegExp(
  `(?<![\\p{L}\\p{N}])(${
    ENGLISH_WORDS.flatMap((w) => [w, w[0].toUpperCase() + w.slice(1)]).join("|")
  })(?![\\p{L}\\p{N}])`,
  "u",
);

/**
 * What the English check reads of a text: without code (Markdown spans, HTML `<code>`), URLs,
 * paths and identifiers (a word with an underscore, such as the lineage column `_row_hash` a
 * description names). No proper noun or title of the shared data holds one of {@linkcode
 * ENGLISH_WORDS}; one that does would be removed here by an allow-list naming its source.
 */
function proseOf(text: string): string {
  return text.replace(/`[^`]*`/g, " ").replace(/https?:\/\/\S+/g, " ")
    .replace(/\S*[\/\\]\S*/g, " ").replace(/[\p{L}\p{N}.-]*_[\p{L}\p{N}_.-]*/gu, " ");
}

/**
 * The header cells of an output's HTML tables, underscores read as spaces: a header is a column
 * name, and `rows_skipped` is English.
 */
function headersOf(output: Record<string, unknown>): string {
  const html = (output.data as Record<string, string | string[]> | undefined)?.["text/html"];
  const text = Array.isArray(html) ? html.join("") : html ?? "";
  return [...text.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1].replaceAll("_", " ")).join(" | ");
}

/**
 * The text a reader sees of an output: Markdown, else HTML without tags (code elements as
 * Markdown code spans), else plain text.
 */
function visibleText(output: Record<string, unknown>): string {
  const data = (output.data ?? {}) as Record<string, string | string[]>;
  const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : v ?? "");
  if (data["text/markdown"]) return join(data["text/markdown"]);
  if (data["text/html"]) {
    return join(data["text/html"]).replace(/<code>([^<]*)<\/code>/g, "`$1`")
      .replace(/<[^>]+>/g, " ");
  }
  if (data["text/plain"]) return join(data["text/plain"]);
  return join(output.text as string | string[] | undefined);
}

/** The match `m` in `text` with 40 characters either side. */
function excerpt(m: RegExpExecArray, text: string): string {
  return text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40);
}

/** Every break of one output a reader sees: its text, and its tables' headers. */
function outputBreaks(cell: number, output: Record<string, unknown>): RuleBreak[] {
  const text = visibleText(output);
  const out: RuleBreak[] = [];
  for (const { rule, pattern } of RULES) {
    const m = pattern.exec(text);
    if (m) out.push({ cell, rule, text: excerpt(m, text) });
  }
  const english = englishBreaks(cell, text);
  return [...out, ...(english.length ? english : englishBreaks(cell, headersOf(output)))];
}

/** The first English word of a text a reader sees, if any. */
function englishBreaks(cell: number, text: string): RuleBreak[] {
  const prose = proseOf(text);
  const m = ENGLISH.exec(prose);
  return m ? [{ cell, rule: "English", text: excerpt(m, prose) }] : [];
}

/**
 * Every break of the rules in the Markdown cells and the display outputs of `nb` (code cells'
 * source, and streams such as `console.log` of paths, are not prose and are left out; figures are
 * checked by their own tests).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { presentationBreaks } from "./_presentation_rules.ts";
 * const nb = {
 *   nbformat: 4, nbformat_minor: 5, metadata: {},
 *   cells: [{
 *     cell_type: "code", source: "", metadata: {}, execution_count: 1,
 *     outputs: [{ output_type: "display_data", metadata: {}, data: { "text/markdown": "MAPE 1.62 %" } }],
 *   }],
 * };
 * assert.deepEqual(presentationBreaks(nb as never).map((b) => b.rule), ["decimal point"]);
 * ```
 */
export function presentationBreaks(nb: Notebook): RuleBreak[] {
  const out: RuleBreak[] = [];
  nb.cells.forEach((cell, index) => {
    // Authored prose is checked for English only: its numbers are constants (1,4826), not data.
    if (cell.cell_type === "markdown") {
      out.push(...englishBreaks(index, joinSource(cell.source)));
    }
    for (const output of (cell.outputs ?? []) as Record<string, unknown>[]) {
      if (output.output_type !== "display_data" && output.output_type !== "execute_result") {
        continue;
      }
      const data = (output.data ?? {}) as Record<string, unknown>;
      // Figures carry their data (dates, floats) in their own MIME types.
      if (Object.keys(data).some((k) => k.includes("plotly") || k.startsWith("image/"))) continue;
      out.push(...outputBreaks(index, output));
    }
  });
  return out;
}
