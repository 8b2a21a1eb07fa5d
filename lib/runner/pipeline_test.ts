import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { runNotebooks } from "./pipeline.ts";
import { createManifest, readManifest } from "./manifest.ts";
import type { Progress } from "./progress.ts";
import { writeTestNotebook } from "./_test_notebooks.ts";

Deno.test("runNotebooks runs in order, passes declared parameters only, records the manifest", async () => {
  const dir = await Deno.makeTempDir();
  const a = await writeTestNotebook(dir, "01_a.ipynb", [
    { source: 'let input_path = "";', tags: ["parameters"] },
    "console.log(input_path)",
  ]);
  const b = await writeTestNotebook(dir, "02_b.ipynb", ["1", "2"]);
  const runDir = join(dir, "run");
  await Deno.mkdir(runDir);
  await createManifest(runDir, { runId: "r1", parameters: {}, inputs: [] });
  const seen: Progress[] = [];
  const warnings: string[] = [];
  const { runs, failed } = await runNotebooks([a, b], {
    runDir,
    parameters: { input_path: "/x.xls", lakehouse_dir: "/lake" },
    onProgress: (p) => void seen.push(p),
    onWarning: (w) => warnings.push(w),
  });
  assert.equal(failed, undefined);
  assert.deepEqual(runs.map((r) => r.parameters), [{ input_path: "/x.xls" }, {}]);
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    seen.map((p) => [p.notebook, p.notebooks, p.name, p.cell, p.cells]),
    [
      [1, 2, "01_a", 0, 3],
      [1, 2, "01_a", 1, 3],
      [1, 2, "01_a", 2, 3],
      [1, 2, "01_a", 3, 3],
      [2, 2, "02_b", 0, 2],
      [2, 2, "02_b", 1, 2],
      [2, 2, "02_b", 2, 2],
    ],
  );
  const manifest = await readManifest(runDir);
  assert.deepEqual(manifest.notebooks.map((n) => [n.output, n.status]), [
    ["01_a.ipynb", "completed"],
    ["02_b.ipynb", "completed"],
  ]);
});

Deno.test("runNotebooks stops at the first failing notebook", async () => {
  const dir = await Deno.makeTempDir();
  const a = await writeTestNotebook(dir, "01_a.ipynb", ['throw new Error("panne")']);
  const b = await writeTestNotebook(dir, "02_b.ipynb", ["1"]);
  const { runs, failed } = await runNotebooks([a, b], { runDir: dir, onProgress: () => {} });
  assert.equal(runs.length, 1);
  assert.match(failed?.message ?? "", /01_a\.ipynb: cell 0 \(In \[1\]\) failed: Error: panne/);
});

Deno.test("runNotebooks copies what the reuse hook offers, records it up to date; ran after the others", async () => {
  const dir = await Deno.makeTempDir();
  const a = await writeTestNotebook(dir, "01_a.ipynb", ['throw new Error("must not run")']);
  const b = await writeTestNotebook(dir, "02_b.ipynb", ["1"]);
  const earlier = join(dir, "earlier_01_a.ipynb");
  await Deno.writeTextFile(earlier, '{"executed": "earlier"}');
  const runDir = join(dir, "run");
  await Deno.mkdir(runDir);
  await createManifest(runDir, { runId: "r2", parameters: {}, inputs: [] });
  const asked: string[] = [];
  const ran: string[] = [];
  const { runs, failed } = await runNotebooks([a, b], {
    runDir,
    onProgress: () => {},
    ran: (notebook, run) => Promise.resolve(void ran.push(`${basename(notebook)} ${run.status}`)),
    reuse: (notebook) => {
      asked.push(basename(notebook));
      const skipped = [{ step: "prix", reason: "aucun fichier" }];
      return Promise.resolve(notebook === a ? { executedCopy: earlier, skipped } : null);
    },
  });
  assert.equal(failed, undefined);
  assert.deepEqual(asked, ["01_a.ipynb", "02_b.ipynb"]);
  assert.deepEqual(ran, ["02_b.ipynb completed"]);
  assert.deepEqual(runs.map((r) => r.status), ["up_to_date", "completed"]);
  assert.equal(await Deno.readTextFile(join(runDir, "01_a.ipynb")), '{"executed": "earlier"}');
  const manifest = await readManifest(runDir);
  assert.deepEqual(manifest.notebooks.map((n) => [n.status, n.reused_from ?? null, n.skipped]), [
    ["up_to_date", earlier, [{ step: "prix", reason: "aucun fichier" }]],
    ["completed", null, []],
  ]);
});
