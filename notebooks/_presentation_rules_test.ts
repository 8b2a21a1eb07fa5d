import assert from "node:assert/strict";
import type { Notebook } from "../lib/runner/ipynb.ts";
import { presentationBreaks } from "./_presentation_rules.ts";

/** A notebook of one cell displaying each of `bundles`. */
function notebookOf(...bundles: Record<string, string>[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{
      cell_type: "code",
      id: "c0",
      source: "",
      metadata: {},
      execution_count: 1,
      outputs: bundles.map((data) => ({ output_type: "display_data", metadata: {}, data })),
    }],
  } as unknown as Notebook;
}

Deno.test("each rule catches what a French reader should not see", () => {
  const breaks = presentationBreaks(notebookOf(
    { "text/plain": "shape: (76, 3)\n┌──" },
    { "text/html": "<td>257435,73750000002</td>" },
    { "text/markdown": "le 2025-07-25T13:15:00Z" },
    { "text/markdown": "MAPE 1.62 % contre 1,60 %" },
  ));
  assert.deepEqual(breaks.map((b) => b.rule), [
    "raw polars table",
    "too many decimals",
    "UTC ISO instant",
    "decimal point",
  ]);
});

Deno.test("French numbers, versions, hashes, paths, stream output and figures pass", () => {
  const nb = notebookOf(
    { "text/markdown": "MAPE 1,62 % ; 45\u202f123 MW ; nodejs-polars 0.25.2 ; `a1b2.3456x`" },
    { "text/html": "<td>25/07/2025 15:15</td><td>/tmp/run.1234/a.xls</td>" },
    { "application/vnd.plotly.v1+json": "2025-07-25T13:15:00Z 0.123456" },
  );
  nb.cells[0].outputs!.push({ output_type: "stream", name: "stdout", text: "2025-07-25T13:15Z" });
  assert.deepEqual(presentationBreaks(nb), []);
});
