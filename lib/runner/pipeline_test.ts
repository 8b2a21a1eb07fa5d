import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { PipelineRunError, runNotebooks } from "./pipeline.ts";
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

/**
 * A cell that marks `name` as started in `dir`, then waits (up to 60 s) until every notebook of
 * `others` has started too: it ends only if they run at the same time.
 */
function meet(dir: string, name: string, others: string[]): string {
  return `await Deno.writeTextFile(${JSON.stringify(join(dir, name))}, "");\n` +
    `const t0 = Date.now();\n` +
    `while (!${JSON.stringify(others.map((o) => join(dir, o)))}.every((p) => { ` +
    `try { Deno.statSync(p); return true; } catch { return false; } })) {\n` +
    `  if (Date.now() - t0 > 60_000) throw new Error("${name} ran alone");\n` +
    `  await new Promise((r) => setTimeout(r, 50));\n}`;
}

Deno.test("runNotebooks runs side by side the notebooks that wait for the same ones", async () => {
  const dir = await Deno.makeTempDir();
  const a = await writeTestNotebook(dir, "01_a.ipynb", ["1"]);
  const runDir = join(dir, "run");
  // b ends after c is recorded: the manifest must still list b first.
  const b = await writeTestNotebook(dir, "02_b.ipynb", [
    meet(dir, "b", ["c"]),
    `while (!Deno.readTextFileSync(${
      JSON.stringify(join(runDir, "manifest.json"))
    }).includes("03_c.ipynb")) await new Promise((r) => setTimeout(r, 50));`,
  ]);
  const c = await writeTestNotebook(dir, "03_c.ipynb", [meet(dir, "c", ["b"])]);
  const d = await writeTestNotebook(dir, "04_d.ipynb", ["4"]);
  await Deno.mkdir(runDir);
  await createManifest(runDir, { runId: "r3", parameters: {}, inputs: [] });
  const waits: Record<string, string[]> = { [a]: [], [b]: [a], [c]: [a], [d]: [b, c] };
  const ran: string[] = [];
  const seen: Progress[] = [];
  const { runs, failed } = await runNotebooks([a, b, c, d], {
    runDir,
    onProgress: (p) => void seen.push(p),
    dependsOn: (nb) => waits[nb],
    concurrency: 2,
    ran: (nb) => Promise.resolve(void ran.push(basename(nb))),
  });
  assert.equal(failed, undefined);
  // In the order given, whatever the order they ended in.
  assert.deepEqual(runs.map((r) => [basename(r.input), r.status]), [
    ["01_a.ipynb", "completed"],
    ["02_b.ipynb", "completed"],
    ["03_c.ipynb", "completed"],
    ["04_d.ipynb", "completed"],
  ]);
  assert.equal(ran[0], "01_a.ipynb");
  assert.equal(ran[3], "04_d.ipynb");
  assert.ok(seen.some((p) => p.alongside?.length), "a progress line names the other notebook");
  // In the manifest too, though c ended first.
  const manifest = await readManifest(runDir);
  assert.deepEqual(manifest.notebooks.map((n) => n.output), [
    "01_a.ipynb",
    "02_b.ipynb",
    "03_c.ipynb",
    "04_d.ipynb",
  ]);
});

Deno.test("runNotebooks side by side: after a failure the running notebook ends, no other starts", async () => {
  const dir = await Deno.makeTempDir();
  const a = await writeTestNotebook(dir, "01_a.ipynb", [
    meet(dir, "a", ["b"]),
    'throw new Error("panne")',
  ]);
  // b goes on once a has failed (its failure is recorded first).
  const b = await writeTestNotebook(dir, "02_b.ipynb", [
    meet(dir, "b", ["a"]),
    `while (!JSON.parse(Deno.readTextFileSync(${
      JSON.stringify(join(dir, "manifest.json"))
    })).notebooks.length) await new Promise((r) => setTimeout(r, 50));`,
  ]);
  const c = await writeTestNotebook(dir, "03_c.ipynb", ["3"]);
  await createManifest(dir, { runId: "r4", parameters: {}, inputs: [] });
  const { runs, failed } = await runNotebooks([a, b, c], {
    runDir: dir,
    onProgress: () => {},
    dependsOn: (nb) => nb === c ? [b] : [],
    concurrency: 2,
  });
  assert.match(failed?.message ?? "", /01_a\.ipynb: cell 1 \(In \[2\]\) failed: Error: panne/);
  assert.deepEqual(runs.map((r) => [basename(r.input), r.status]), [
    ["01_a.ipynb", "failed"],
    ["02_b.ipynb", "completed"],
  ]);
});

Deno.test("runNotebooks refuses a notebook waiting for one listed after it", async () => {
  const dir = await Deno.makeTempDir();
  const a = await writeTestNotebook(dir, "01_a.ipynb", ["1"]);
  const b = await writeTestNotebook(dir, "02_b.ipynb", ["2"]);
  await assert.rejects(
    runNotebooks([a, b], { runDir: dir, dependsOn: (nb) => nb === a ? [b] : [] }),
    (e: unknown) =>
      e instanceof PipelineRunError && /01_a\.ipynb waits for 02_b\.ipynb/.test(e.message),
  );
});
