import assert from "node:assert/strict";
import { basename, join } from "node:path";
import pl from "nodejs-polars";
import { writeTestNotebook } from "../runner/_test_notebooks.ts";
import type { InputFile } from "../runner/manifest.ts";
import { openCatalog } from "./catalog.ts";
import type { ParameterValue } from "../runner/parameters.ts";
import { STATE_FILE, UpToDate, type UpToDateOptions } from "./up_to_date.ts";

/**
 * A lakehouse with one table, a registry, a reference folder, and three notebooks: the first
 * reads the inputs, the second imports a local module, the third declares reference_dir.
 */
async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "up_to_date_" });
  const lakehouseDir = join(root, "lakehouse");
  const modelsDir = join(root, "models");
  const referenceDir = join(root, "reference");
  const dir = join(root, "notebooks");
  for (const d of [modelsDir, referenceDir, dir]) await Deno.mkdir(d, { recursive: true });
  await openCatalog(lakehouseDir).table("lacunes").overwrite(pl.DataFrame({ n: [1] }));
  await Deno.writeTextFile(join(modelsDir, "runs.jsonl"), "{}\n");
  await Deno.writeTextFile(join(referenceDir, "tempo.csv"), "a\n");
  await Deno.writeTextFile(join(dir, "helper.ts"), "export const x = 1;\n");
  const notebooks = [
    await writeTestNotebook(dir, "01_a.ipynb", [
      { source: 'let input_path = "";', tags: ["parameters"] },
      "1",
    ]),
    await writeTestNotebook(dir, "02_b.ipynb", [
      { source: 'let profil = "rapide";', tags: ["parameters"] },
      'import { x } from "./helper.ts";\nx',
    ]),
    await writeTestNotebook(dir, "03_c.ipynb", [
      { source: 'let reference_dir = "";', tags: ["parameters"] },
      "3",
    ]),
  ];
  const params: Record<string, ParameterValue>[] = [
    { input_path: "/in.xls" },
    { profil: "rapide" },
    { reference_dir: referenceDir },
  ];
  const inputs: InputFile[] = [{ path: "/in.xls", bytes: 3, sha256: "a".repeat(64) }];
  const options: UpToDateOptions = { lakehouseDir, modelsDir, referenceDir, inputs };
  return { root, dir, lakehouseDir, modelsDir, referenceDir, notebooks, params, options };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

/** A run: asks about every notebook, "runs" the others (an executed copy), records the state. */
async function run(f: Fixture, id: string, options: Partial<UpToDateOptions> = {}) {
  const check = await UpToDate.open({ ...f.options, ...options });
  const runDir = join(f.root, "runs", id);
  await Deno.mkdir(runDir, { recursive: true });
  const reused: string[] = [];
  for (const [k, notebook] of f.notebooks.entries()) {
    const copy = await check.reusable(notebook, f.params[k]);
    const output = join(runDir, basename(notebook));
    if (copy) {
      reused.push(basename(notebook));
      await Deno.copyFile(copy.executedCopy, output);
    } else await Deno.writeTextFile(output, `executed by ${id}`);
  }
  const report = join(runDir, "rapport.md");
  const deliverable = await check.reusableDeliverable("rapport");
  if (!deliverable) await Deno.writeTextFile(report, id);
  await check.record({
    runId: id,
    runDir,
    skipped: { "03_c.ipynb": [{ step: "prix", reason: "pas de fichier" }] },
    deliverables: { rapport: deliverable ?? report },
  });
  return { reused, blocker: check.blocker, allReused: check.allReused, deliverable };
}

Deno.test("an unchanged second run reuses every notebook and deliverable, with their skips", async () => {
  const f = await fixture();
  const first = await run(f, "r1");
  assert.deepEqual(first.reused, []);
  assert.equal(first.blocker, "aucun run réussi n'a encore été enregistré sur ce lakehouse");
  const check = await UpToDate.open(f.options);
  const copies = [];
  for (const [k, nb] of f.notebooks.entries()) copies.push(await check.reusable(nb, f.params[k]));
  assert.deepEqual(copies.map((c) => c && basename(c.executedCopy)), [
    "01_a.ipynb",
    "02_b.ipynb",
    "03_c.ipynb",
  ]);
  assert.deepEqual(copies[2]!.skipped, [{ step: "prix", reason: "pas de fichier" }]);
  assert.equal(await Deno.readTextFile(copies[0]!.executedCopy), "executed by r1");
  assert.equal(check.allReused, true);
  assert.equal(check.previousRun, "r1");
  assert.equal(await check.reusableDeliverable("rapport"), join(f.root, "runs/r1/rapport.md"));
  // The state then points at the new run's copies: a third run reuses them.
  const second = await run(f, "r2");
  assert.deepEqual(second.reused.length, 3);
  const state = JSON.parse(await Deno.readTextFile(join(f.lakehouseDir, STATE_FILE)));
  assert.equal(state.notebooks["02_b.ipynb"].executed_copy, join(f.root, "runs/r2/02_b.ipynb"));
});

Deno.test("from the first notebook whose fingerprint changed, every notebook runs", async () => {
  const f = await fixture();
  await run(f, "r1");
  // The module notebook 02 imports changed: 01 is reused, 02 and 03 run.
  await Deno.writeTextFile(join(f.dir, "helper.ts"), "export const x = 2;\n");
  let r = await run(f, "r2");
  assert.deepEqual(r.reused, ["01_a.ipynb"]);
  assert.equal(r.blocker, "02_b.ipynb ou ce dont il dépend (code, paramètres, fichiers) a changé");
  assert.equal(r.deliverable, null);
  // A parameter of notebook 02.
  f.params[1] = { profil: "complet" };
  r = await run(f, "r3");
  assert.deepEqual(r.reused, ["01_a.ipynb"]);
  // The reference folder: only notebook 03 declares it.
  await Deno.writeTextFile(join(f.referenceDir, "temperatures.csv"), "t\n");
  r = await run(f, "r4");
  assert.deepEqual(r.reused, ["01_a.ipynb", "02_b.ipynb"]);
  // The content of an input file: notebook 01 declares input_path, so nothing is reused.
  f.options.inputs = [{ path: "/in.xls", bytes: 3, sha256: "b".repeat(64) }];
  r = await run(f, "r5");
  assert.deepEqual(r.reused, []);
  // Unchanged again: all reused.
  r = await run(f, "r6");
  assert.equal(r.allReused, true);
});

Deno.test("nothing is reused when the lakehouse or registry changed, a copy is gone, or asked", async () => {
  const f = await fixture();
  await run(f, "r1");
  await openCatalog(f.lakehouseDir).table("lacunes").overwrite(pl.DataFrame({ n: [2] }));
  let r = await run(f, "r2");
  assert.deepEqual(r.reused, []);
  assert.equal(r.blocker, "des tables ont changé depuis le run r1 : `lacunes`");
  await Deno.writeTextFile(join(f.modelsDir, "runs.jsonl"), "{}\n{}\n");
  r = await run(f, "r3");
  assert.deepEqual(r.reused, []);
  assert.equal(r.blocker, "le registre des modèles a changé depuis le run r2");
  await Deno.remove(join(f.root, "runs/r3/01_a.ipynb"));
  r = await run(f, "r4");
  assert.deepEqual(r.reused, []);
  assert.match(r.blocker!, /la copie exécutée de 01_a\.ipynb n'existe plus/);
  r = await run(f, "r5", { reuse: false });
  assert.deepEqual(r.reused, []);
  assert.equal(r.blocker, "réexécution complète demandée");
  // A state file from another format is ignored rather than trusted.
  await Deno.writeTextFile(join(f.lakehouseDir, STATE_FILE), '{"format": 99}');
  r = await run(f, "r6");
  assert.deepEqual(r.reused, []);
});
