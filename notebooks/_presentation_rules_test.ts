import assert from "node:assert/strict";
import type { Notebook } from "../lib/runner/ipynb.ts";
import { presentationBreaks } from "./_presentation_rules.ts";

/** A notebook of one code cell (`source`) displaying each of `bundles`. */
function notebookOf(...bundles: Record<string, string>[]): Notebook {
  return codeCellOf("", ...bundles);
}

function codeCellOf(source: string, ...bundles: Record<string, string>[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{
      cell_type: "code",
      id: "c0",
      source,
      metadata: {},
      execution_count: 1,
      outputs: bundles.map((data) => ({ output_type: "display_data", metadata: {}, data })),
    }],
  } as unknown as Notebook;
}

/** A notebook of one Markdown cell. */
function markdownOf(source: string): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ cell_type: "markdown", id: "m0", source, metadata: {} }],
  } as unknown as Notebook;
}

const rules = (nb: Notebook) => presentationBreaks(nb).map((b) => b.rule);

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

Deno.test("an English sentence, message or table header is caught wherever a reader sees it", () => {
  const english: Record<string, string>[] = [
    { "text/markdown": "Every data line of every ingested file, as read." },
    { "text/markdown": "**3** lignes ; 2 rows skipped" },
    { "text/markdown": "Étape : failed" },
    { "text/plain": "The model is ready" },
    { "text/html": "<table><thead><tr><th>table</th><th>rows_written</th></tr></thead></table>" },
    // A description in a cell of a table (the catalogue's, notebooks 01 and 11).
    { "text/html": "<table><tr><td>Per perimeter and day: the mix</td></tr></table>" },
  ];
  for (const bundle of english) {
    assert.deepEqual(rules(notebookOf(bundle)), ["English"], JSON.stringify(bundle));
  }
  assert.deepEqual(rules(markdownOf("## 2. Scores\n\nThe models are compared with RTE.")), [
    "English",
  ]);
  const [hit] = presentationBreaks(notebookOf({ "text/markdown": "Bilan : 2 rows skipped." }));
  assert.match(hit.text, /rows skipped/);
});

Deno.test("French prose with code, paths, URLs and English-looking French words passes", () => {
  const french: Record<string, string>[] = [
    // Identifiers in code spans, a path, a URL, a file name: not prose.
    { "text/markdown": "Table `rows_skipped_of_the_run` écrite dans /tmp/the/file.json." },
    { "text/markdown": "Source : https://example.org/the/data?of=1, fichier `is_not.csv`." },
    { "text/html": "<p>Colonne <code>model_of_the_day</code> : gradient boosting.</p>" },
    // French words English shares, and words a French reader meets: "on", "or", "a", "file",
    // "table", "total", "run", "test", "plus", "To", "in situ", "Thé", "Isère".
    {
      "text/markdown": "On a mis en file la table ; or le total du run passe le test, plus " +
        "1 To in situ. Thé, Isère, Thessalonique, forêt aléatoire.",
    },
    { "text/html": "<table><thead><tr><th>lignes_en_echec</th></tr></thead></table>" },
    // An identifier named in a description, English as it may be, is not a sentence.
    { "text/html": "<table><tr><td>une empreinte du contenu (_row_hash)</td></tr></table>" },
  ];
  for (const bundle of french) {
    assert.deepEqual(rules(notebookOf(bundle)), [], JSON.stringify(bundle));
  }
  // Code is not prose, and a French Markdown cell passes.
  assert.deepEqual(rules(codeCellOf("// the rows of every file are read\nlet x = 1;")), []);
  assert.deepEqual(rules(markdownOf("## 2. Scores\n\nLes modèles sont comparés à RTE.")), []);
  // Numbers in authored prose are constants, not data: only English is checked there.
  assert.deepEqual(rules(markdownOf("l'échelle robuste (1,4826 × l'écart absolu)")), []);
});
