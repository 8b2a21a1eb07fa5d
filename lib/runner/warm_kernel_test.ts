import assert from "node:assert/strict";
import { join } from "node:path";
import { executeNotebook } from "./execute.ts";
import { readNotebook } from "./ipynb.ts";
import { importedModules, startWarmKernel } from "./warm_kernel.ts";
import { writeTestNotebook } from "./_test_notebooks.ts";
import { processesMentioning } from "./_test_checks.ts";
import { PATHS } from "../paths.ts";

Deno.test("a warm kernel has loaded the notebook's modules once and bound nothing", async () => {
  const dir = await Deno.makeTempDir();
  // Counts its evaluations in a global the notebook can read.
  await Deno.writeTextFile(
    join(dir, "counted.ts"),
    "const g = globalThis as { loads?: number };\ng.loads = (g.loads ?? 0) + 1;\n" +
      "export const value = 42;\n",
  );
  const loads = "(globalThis as { loads?: number }).loads";
  const input = await writeTestNotebook(dir, "warm.ipynb", [
    `console.log(${loads}, typeof value)`,
    'import { value } from "./counted.ts";',
    `console.log(${loads}, value)`,
  ]);
  const output = join(dir, "out.ipynb");
  const kernel = startWarmKernel(input, { outputPath: output });
  const run = await executeNotebook(input, { outputPath: output, kernel });
  assert.equal(run.status, "completed");
  const nb = await readNotebook(output);
  // Before the notebook imports it, the module was evaluated (by the warm-up), but no name is
  // bound; the notebook's import takes it from the cache.
  assert.deepEqual(nb.cells[0].outputs, [
    { output_type: "stream", name: "stdout", text: ["1 undefined\n"] },
  ]);
  assert.deepEqual(nb.cells[2].outputs, [
    { output_type: "stream", name: "stdout", text: ["1 42\n"] },
  ]);
  // The warm-up was silent: the notebook's cells are In [1] to In [3].
  assert.deepEqual(nb.cells.map((c) => c.execution_count), [1, 2, 3]);
  assert.deepEqual(await processesMentioning(dir), []);
});

Deno.test("a warm-up that fails gives no kernel and leaves no process", async () => {
  const dir = await Deno.makeTempDir();
  const input = await writeTestNotebook(dir, "missing.ipynb", ['import "./absent.ts";']);
  assert.equal(await startWarmKernel(input, { outputPath: join(dir, "out.ipynb") }), null);
  assert.deepEqual(await processesMentioning(dir), []);
});

Deno.test("the project's notebooks import lib modules statically", async () => {
  const notebooks = [...Deno.readDirSync(PATHS.notebooks)].filter((e) =>
    /^\d{2}_.*\.ipynb$/.test(e.name)
  );
  assert.ok(notebooks.length >= 11);
  for (const { name } of notebooks) {
    const path = join(PATHS.notebooks, name);
    const modules = importedModules(await readNotebook(path));
    assert.ok(modules.some((m) => m.startsWith("../lib/")), `${path}: ${modules}`);
  }
});
