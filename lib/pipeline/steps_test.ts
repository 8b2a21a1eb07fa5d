import assert from "node:assert/strict";
import { join } from "node:path";
import { PATHS } from "../paths.ts";
import { joinSource, readNotebook } from "../runner/ipynb.ts";
import { declaredParameters } from "../runner/parameters.ts";
import { importedModules } from "../runner/warm_kernel.ts";
import { TABLE_NAMES, type TableName } from "./catalog.ts";
import {
  afterLayerWriters,
  EXTERNAL_TABLES,
  type ExternalInput,
  INPUT_PARAMETERS,
  pipelineNotebooks,
  type StepDeclaration,
  StepDeclarationError,
  stepOrder,
  STEPS,
} from "./steps.ts";

/** The numbered notebooks of the project (01 to 10, 11 being the pipeline itself). */
function projectNotebooks(): string[] {
  return [...Deno.readDirSync(PATHS.notebooks)].map((e) => e.name)
    .filter((n) => /^(0[1-9]|10)_.*\.ipynb$/.test(n)).sort();
}

/**
 * The catalogue's tables a text names, as a string (`"x"`, `` `x` ``, 'x') or as `TABLE.x`; a
 * `table: "x"` property is a record about a table (a model's lineage), not an access.
 */
function tablesNamed(text: string): TableName[] {
  return TABLE_NAMES.filter((t) =>
    new RegExp(`(?<!table: )["'\`]${t}["'\`]|\\bTABLE\\.${t}\\b`).test(text)
  );
}

async function codeOf(notebook: string): Promise<string> {
  const nb = await readNotebook(join(PATHS.notebooks, notebook));
  return nb.cells.filter((c) => c.cell_type === "code").map((c) => joinSource(c.source))
    .join("\n");
}

Deno.test("the order derived from the declarations is the notebooks' numbering, 01 to 10", async () => {
  const order = stepOrder(STEPS).map((s) => s.notebook);
  assert.deepEqual(order, projectNotebooks());
  assert.deepEqual(
    await pipelineNotebooks(PATHS.notebooks),
    order.map((n) => join(PATHS.notebooks, n)),
  );
});

Deno.test("each notebook declares the parameters of its step's inputs, and only those", async () => {
  for (const step of STEPS) {
    const nb = await readNotebook(join(PATHS.notebooks, step.notebook));
    const declared = new Set(declaredParameters(nb).map((d) => d.name));
    for (const [input, parameter] of Object.entries(INPUT_PARAMETERS)) {
      assert.equal(
        declared.has(parameter),
        step.inputs.includes(input as ExternalInput),
        `${step.notebook}: parameter ${parameter} and input ${input}`,
      );
    }
    if (step.reads.length || step.writes.length) {
      assert.ok(declared.has("lakehouse_dir"), `${step.notebook}: lakehouse_dir`);
    }
  }
});

Deno.test("each table a notebook's cells name is among its step's reads or writes", async () => {
  for (const step of STEPS) {
    const declared = [...step.reads, ...step.writes];
    for (const t of tablesNamed(await codeOf(step.notebook))) {
      assert.ok(declared.includes(t), `${step.notebook} names ${t} and does not declare it`);
    }
  }
});

Deno.test("each table a notebook's own step module names is among its step's reads or writes", async () => {
  // A lib/pipeline module only one notebook imports is that notebook's step (modules several
  // notebooks share, such as catalog.ts, are left out).
  const importers = new Map<string, string[]>();
  for (const notebook of [...projectNotebooks(), "11_Pipeline_Complete.ipynb"]) {
    const nb = await readNotebook(join(PATHS.notebooks, notebook));
    for (const m of importedModules(nb).filter((m) => m.startsWith("../lib/pipeline/"))) {
      importers.set(m, [...(importers.get(m) ?? []), notebook]);
    }
  }
  let checked = 0;
  for (const [module, [notebook, ...others]] of importers) {
    const step = STEPS.find((s) => s.notebook === notebook);
    if (others.length || !step) continue;
    const text = await Deno.readTextFile(join(PATHS.notebooks, module));
    const declared = [...step.reads, ...step.writes];
    for (const t of tablesNamed(text)) {
      assert.ok(declared.includes(t), `${module} (${notebook}) names ${t}, not declared`);
    }
    checked++;
  }
  assert.ok(checked >= 5, `${checked} step modules checked`);
});

Deno.test("every table but the external ones is written by a step; external ones by none", () => {
  const written = new Set(STEPS.flatMap((s) => s.writes));
  for (const t of TABLE_NAMES) {
    assert.equal(written.has(t), !(t in EXTERNAL_TABLES), t);
  }
});

const step = (notebook: string, reads: TableName[], writes: TableName[]): StepDeclaration => ({
  notebook,
  reads,
  writes,
  inputs: [],
});

Deno.test("stepOrder: writers first, then the lowest number; a step may read its own writes", () => {
  const order = stepOrder([
    step("05_gold.ipynb", ["eco2mix_silver", "lacunes"], ["lacunes"]),
    step("01_report.ipynb", ["lacunes"], []),
    step("09_silver.ipynb", [], ["eco2mix_silver"]),
    step("03_free.ipynb", [], []),
  ]).map((s) => s.notebook);
  assert.deepEqual(order, ["03_free.ipynb", "09_silver.ipynb", "05_gold.ipynb", "01_report.ipynb"]);
});

Deno.test("stepOrder refuses cycles, unwritten reads, two writers and notebooks declared twice", () => {
  const refused = (steps: StepDeclaration[], pattern: RegExp) =>
    assert.throws(
      () => stepOrder(steps),
      (e: unknown) => e instanceof StepDeclarationError && pattern.test(e.message),
    );
  refused([
    step("01_a.ipynb", ["lacunes"], ["quarantaine"]),
    step("02_b.ipynb", ["quarantaine"], ["lacunes"]),
  ], /01_a\.ipynb, 02_b\.ipynb wait on each other: a cycle/);
  refused([step("01_a.ipynb", ["lacunes"], [])], /01_a\.ipynb reads lacunes, which no step/);
  refused(
    [step("01_a.ipynb", [], ["lacunes"]), step("02_b.ipynb", [], ["lacunes"])],
    /lacunes is written by 01_a\.ipynb and 02_b\.ipynb/,
  );
  refused([step("01_a.ipynb", [], []), step("01_a.ipynb", [], [])], /declared twice/);
  refused([step("01_a.ipynb", [], ["alertes"])], /writes alertes, declared written outside/);
  refused([step("a.ipynb", [], [])], /starts with its number/);
  refused(
    [{ ...step("01_a.ipynb", [], []), shared: ["lacunes"] }],
    /shared table lacunes is not among its writes/,
  );
});

Deno.test("stepOrder: a table every writer declares shared; its readers after all writers", () => {
  const writer = (notebook: string) => ({
    ...step(notebook, [], ["qualite_donnees" as const]),
    shared: ["qualite_donnees" as const],
  });
  const order = stepOrder([
    step("01_reader.ipynb", ["qualite_donnees"], []),
    writer("02_a.ipynb"),
    writer("03_b.ipynb"),
  ]).map((s) => s.notebook);
  assert.deepEqual(order, ["02_a.ipynb", "03_b.ipynb", "01_reader.ipynb"]);
  // External tables are read without a writer.
  assert.equal(stepOrder([step("01_a.ipynb", ["backtest_consommation"], [])]).length, 1);
});

Deno.test("pipelineNotebooks: a declared notebook missing from the folder is an error", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "01_a.ipynb"), "{}");
  await assert.rejects(
    pipelineNotebooks(dir, [step("01_a.ipynb", [], []), step("02_b.ipynb", [], [])]),
    (e: unknown) => e instanceof StepDeclarationError && /02_b\.ipynb: declared step/.test(`${e}`),
  );
});

Deno.test("afterLayerWriters: once, after the last gold writer has run, never if one did not", () => {
  let calls = 0;
  const ran = afterLayerWriters(STEPS, "gold", () => calls++);
  for (const step of stepOrder(STEPS)) {
    ran(join("notebooks", step.notebook));
    // Called right after notebook 09 (the last writer of a gold table), before notebook 10.
    assert.equal(calls, step.notebook < "09" ? 0 : 1, step.notebook);
  }
  let skipped = 0;
  const reused = afterLayerWriters(STEPS, "gold", () => skipped++);
  for (const step of stepOrder(STEPS)) {
    if (step.notebook !== "06_Analyses_Avancees.ipynb") reused(step.notebook);
  }
  assert.equal(skipped, 0);
});
