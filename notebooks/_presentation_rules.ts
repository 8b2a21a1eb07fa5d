/**
 * Rules an executed notebook's outputs must follow for a French reader who presents them (issue
 * 13): tables shown through `table()` (never a raw polars print, which cuts at 50 rows without
 * saying so), no decimal number with more digits than any unit of the project needs, no instant
 * in UTC ISO notation where a Paris local time is meant, no decimal point in prose.
 *
 * @module
 */

import type { Notebook } from "../lib/runner/ipynb.ts";

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

/** The text a reader sees of an output: Markdown, else HTML without tags, else plain text. */
function visibleText(output: Record<string, unknown>): string {
  const data = (output.data ?? {}) as Record<string, string | string[]>;
  const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : v ?? "");
  if (data["text/markdown"]) return join(data["text/markdown"]);
  if (data["text/html"]) return join(data["text/html"]).replace(/<[^>]+>/g, " ");
  if (data["text/plain"]) return join(data["text/plain"]);
  return join(output.text as string | string[] | undefined);
}

/**
 * Every break of the rules in the display outputs of `nb` (streams such as `console.log` of
 * paths are not prose and are left out; figures are checked by their own tests).
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
    for (const output of (cell.outputs ?? []) as Record<string, unknown>[]) {
      if (output.output_type !== "display_data" && output.output_type !== "execute_result") {
        continue;
      }
      const data = (output.data ?? {}) as Record<string, unknown>;
      // Figures carry their data (dates, floats) in their own MIME types.
      if (Object.keys(data).some((k) => k.includes("plotly") || k.startsWith("image/"))) continue;
      const text = visibleText(output);
      for (const { rule, pattern } of RULES) {
        const m = pattern.exec(text);
        if (m) {
          out.push({
            cell: index,
            rule,
            text: text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40),
          });
        }
      }
    }
  });
  return out;
}
