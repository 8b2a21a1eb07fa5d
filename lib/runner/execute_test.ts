import assert from "node:assert/strict";
import { executeNotebook, NotebookExecutionError } from "./execute.ts";
import { type Notebook, readNotebook } from "./ipynb.ts";
import { writeTestNotebook } from "./_test_notebooks.ts";
import { assertValidNbformat, processesMentioning } from "./_test_checks.ts";

function texts(nb: Notebook, cellIndex: number): string {
  return JSON.stringify(nb.cells[cellIndex].outputs);
}

Deno.test("parameters are injected after the parameters cell, typed as declared", async () => {
  const dir = await Deno.makeTempDir();
  const input = await writeTestNotebook(dir, "params.ipynb", [
    { source: "# Titre", type: "markdown" },
    {
      source: 'let nom = "monde";\nconst annee: number = 2024;\nvar actif = false; // flag',
      tags: ["parameters"],
    },
    "console.log(`${nom}|${annee + 1}|${actif}|${typeof annee}|${extra}`)",
  ]);
  const warnings: string[] = [];
  const output = `${dir}/out.ipynb`;
  await executeNotebook(input, {
    outputPath: output,
    parameters: { nom: "RTE", annee: 2025, actif: true, extra: "x" },
    onWarning: (w) => warnings.push(w),
  });
  const nb = await readNotebook(output);
  assert.equal(nb.cells.length, 4);
  assert.deepEqual(nb.cells[2].metadata.tags, ["injected-parameters"]);
  assert.equal(
    nb.cells[2].source,
    '// Parameters injected by the runner\nlet nom = "RTE";\nconst annee: number = 2025;\n' +
      'var actif = true;\nconst extra = "x";\n',
  );
  assert.deepEqual(nb.cells[3].outputs, [
    { output_type: "stream", name: "stdout", text: ["RTE|2026|true|number|x\n"] },
  ]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /"extra" is not declared/);
  assertValidNbformat(output);
});

Deno.test("every output type is saved, ANSI codes stripped, with counts and timings", async () => {
  const dir = await Deno.makeTempDir();
  const input = await writeTestNotebook(dir, "outputs.ipynb", [
    'console.log("a"); console.log("\\x1b[31mrouge\\x1b[0m"); console.error("e")',
    'await Deno.jupyter.display({ "text/markdown": "**gras**", "text/plain": "gras" }, { raw: true })',
    "40 + 2",
    "", // empty cells are not sent to the kernel
    'await Deno.jupyter.broadcast("clear_output", { wait: false }); console.log("après")',
  ]);
  const output = `${dir}/out.ipynb`;
  const run = await executeNotebook(input, { outputPath: output });
  const nb = await readNotebook(output);
  assert.deepEqual(nb.cells[0].outputs, [
    { output_type: "stream", name: "stdout", text: ["a\n", "rouge\n"] },
    { output_type: "stream", name: "stderr", text: ["e\n"] },
  ]);
  assert.deepEqual(nb.cells[1].outputs, [
    {
      output_type: "display_data",
      data: { "text/markdown": ["**gras**"], "text/plain": ["gras"] },
      metadata: {},
    },
  ]);
  assert.deepEqual(nb.cells[2].outputs, [
    {
      output_type: "execute_result",
      execution_count: 3,
      data: { "text/plain": ["42"] },
      metadata: {},
    },
  ]);
  assert.equal(nb.cells[3].execution_count, null);
  assert.deepEqual(nb.cells[4].outputs, [
    { output_type: "stream", name: "stdout", text: ["après\n"] },
  ]);
  assert.deepEqual(nb.cells.map((c) => c.execution_count), [1, 2, 3, null, 4]);
  // deno-lint-ignore no-explicit-any
  const meta = nb.cells[2].metadata.papermill as any;
  assert.equal(meta.status, "completed");
  assert.ok(meta.duration >= 0 && Date.parse(meta.end_time) >= Date.parse(meta.start_time));
  assert.equal(run.status, "completed");
  assert.equal(run.cells.length, 4);
  assertValidNbformat(output);
});

Deno.test("an error marks the cell, writes the copy, stops the run and names the cell", async () => {
  const dir = await Deno.makeTempDir();
  const input = await writeTestNotebook(dir, "error.ipynb", [
    "const a = 1;",
    { source: "Texte", type: "markdown" },
    'throw new RangeError("valeur hors bornes")',
    'console.log("jamais")',
  ]);
  const output = `${dir}/out.ipynb`;
  const error = await assert.rejects(
    executeNotebook(input, { outputPath: output, connectionDir: dir }),
    (e: unknown) => {
      assert.ok(e instanceof NotebookExecutionError);
      assert.match(e.message, /error\.ipynb: cell 2 \(In \[2\]\) failed: RangeError: valeur hors/);
      assert.equal(e.run.error?.cellIndex, 2);
      return true;
    },
  );
  assert.equal(error, undefined);
  const nb = await readNotebook(output);
  assert.deepEqual(nb.cells[0].metadata.tags, ["runner-error"]); // banner at the top
  const failed = nb.cells[3];
  // deno-lint-ignore no-explicit-any
  assert.equal((failed.metadata.papermill as any).status, "failed");
  assert.equal(failed.outputs?.[0].output_type, "error");
  assert.match(texts(nb, 3), /valeur hors bornes/);
  // deno-lint-ignore no-explicit-any
  assert.equal((nb.cells[4].metadata.papermill as any).status, "pending");
  assert.deepEqual(nb.cells[4].outputs, []);
  // deno-lint-ignore no-explicit-any
  assert.equal((nb.metadata.papermill as any).exception, true);
  assertValidNbformat(output);
  assert.deepEqual(await processesMentioning(dir), []);
});

Deno.test("a cell past its timeout fails the run and the kernel is killed", async () => {
  const dir = await Deno.makeTempDir();
  const input = await writeTestNotebook(dir, "timeout.ipynb", [
    "1",
    "await new Promise((r) => setTimeout(r, 60_000))",
  ]);
  const output = `${dir}/out.ipynb`;
  await assert.rejects(
    executeNotebook(input, { outputPath: output, cellTimeoutMs: 1_500, connectionDir: dir }),
    /cell 1 \(In \[2\]\) failed: CellTimeoutError: cell did not finish within 1\.5 s/,
  );
  const nb = await readNotebook(output);
  assert.match(texts(nb, 2), /CellTimeoutError/);
  assertValidNbformat(output);
  assert.deepEqual(await processesMentioning(dir), []);
});

Deno.test("no kernel process is left after a successful run", async () => {
  const dir = await Deno.makeTempDir();
  const input = await writeTestNotebook(dir, "ok.ipynb", ["Deno.pid"]);
  await executeNotebook(input, { outputPath: `${dir}/out.ipynb`, connectionDir: dir });
  assert.deepEqual(await processesMentioning(dir), []);
});

Deno.test("outputs the kernel publishes after its idle status still reach their cell", async () => {
  // Without the flush barrier about one cell in five lost its stderr or its result here.
  const dir = await Deno.makeTempDir();
  const n = 40;
  const cells = Array.from(
    { length: n },
    (_, i) => `console.log(${i}); console.error(-${i}); ${i}`,
  );
  const input = await writeTestNotebook(dir, "late.ipynb", cells);
  const output = `${dir}/out.ipynb`;
  await executeNotebook(input, { outputPath: output });
  const nb = await readNotebook(output);
  nb.cells.forEach((cell, i) => {
    assert.deepEqual(cell.outputs, [
      { output_type: "stream", name: "stdout", text: [`${i}\n`] },
      { output_type: "stream", name: "stderr", text: [`-${i}\n`] },
      {
        output_type: "execute_result",
        execution_count: i + 1,
        data: { "text/plain": [`${i}`] },
        metadata: {},
      },
    ]);
  });
});

Deno.test("outputs of any size arrive whole; one over the cap is kept as a note", async () => {
  const dir = await Deno.makeTempDir();
  // 9 MB and 50 MB: the kernel interleaves its status messages into frames this large.
  const nb = await writeTestNotebook(dir, "big.ipynb", [
    'await Deno.jupyter.display({ "text/plain": "a".repeat(9_000_000) + "fin" }, { raw: true })',
    'await Deno.jupyter.display({ "text/plain": "b".repeat(50_000_000) }, { raw: true }); 42',
  ]);
  const run = await executeNotebook(nb, { outputPath: `${dir}/out.ipynb` });
  assert.equal(run.status, "completed");
  const out = await readNotebook(`${dir}/out.ipynb`);
  const first = out.cells[0].outputs![0] as { data: Record<string, string[]> };
  assert.equal(first.data["text/plain"].join("").length, 9_000_003);
  const second = out.cells[1].outputs!.map((o) => JSON.stringify(o)).join("");
  assert.match(second, /Sortie de 47,7 Mo omise de la copie exécutée \(limite : 20,0 Mo\)/);
  assert.match(second, /"42"/);
  assert.ok((await Deno.stat(`${dir}/out.ipynb`)).size < 10_000_000);
});
