import assert from "node:assert/strict";
import { basename, join } from "node:path";
import pl from "nodejs-polars";
import { writeTestNotebook } from "../runner/_test_notebooks.ts";
import type { InputFile } from "../runner/manifest.ts";
import type { ParameterValue } from "../runner/parameters.ts";
import { openCatalog, type TableName } from "./catalog.ts";
import type { StepDeclaration } from "./steps.ts";
import {
  type MaintenanceCommit,
  STATE_FILE,
  UndeclaredWriteError,
  UpToDate,
  type UpToDateOptions,
} from "./up_to_date.ts";

/**
 * Five declared notebooks: 01 reads the inputs and writes bronze; 02 (importing a local module)
 * turns bronze into silver; 03 (reference folder, and the external backtest table) writes
 * `lacunes` from silver; 04 reads `lacunes`; 05 (model registry) reads silver. And one
 * notebook no step declares.
 */
async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "up_to_date_" });
  const lakehouseDir = join(root, "lakehouse");
  const modelsDir = join(root, "models");
  const referenceDir = join(root, "reference");
  const dir = join(root, "notebooks");
  for (const d of [modelsDir, referenceDir, dir]) await Deno.mkdir(d, { recursive: true });
  await Deno.writeTextFile(join(modelsDir, "runs.jsonl"), "{}\n");
  await Deno.writeTextFile(join(referenceDir, "tempo.csv"), "a\n");
  await Deno.writeTextFile(join(dir, "helper.ts"), "export const x = 1;\n");
  const parameters = (source: string) => ({ source, tags: ["parameters"] });
  const notebooks = [
    await writeTestNotebook(dir, "01_a.ipynb", [parameters('let input_path = "";'), "1"]),
    await writeTestNotebook(dir, "02_b.ipynb", [
      parameters('let profil = "rapide";'),
      'import { x } from "./helper.ts";\nx',
    ]),
    await writeTestNotebook(dir, "03_c.ipynb", [parameters('let reference_dir = "";'), "3"]),
    await writeTestNotebook(dir, "04_d.ipynb", ["4"]),
    await writeTestNotebook(dir, "05_e.ipynb", [parameters('let models_dir = "";'), "5"]),
    await writeTestNotebook(dir, "06_undeclared.ipynb", ["6"]),
  ];
  const params: Record<string, ParameterValue>[] = [
    { input_path: "/in.xls" },
    { profil: "rapide" },
    { reference_dir: referenceDir },
    {},
    { models_dir: modelsDir },
    {},
  ];
  const steps: StepDeclaration[] = [
    { notebook: "01_a.ipynb", reads: [], writes: ["eco2mix_bronze"], inputs: ["input_files"] },
    { notebook: "02_b.ipynb", reads: ["eco2mix_bronze"], writes: ["eco2mix_silver"], inputs: [] },
    {
      notebook: "03_c.ipynb",
      reads: ["eco2mix_silver", "backtest_consommation"],
      writes: ["lacunes"],
      inputs: ["reference_dir"],
    },
    { notebook: "04_d.ipynb", reads: ["lacunes"], writes: [], inputs: [] },
    { notebook: "05_e.ipynb", reads: ["eco2mix_silver"], writes: [], inputs: ["model_registry"] },
  ];
  const inputs: InputFile[] = [{ path: "/in.xls", bytes: 3, sha256: "a".repeat(64) }];
  const options: UpToDateOptions = { lakehouseDir, modelsDir, referenceDir, inputs, steps };
  return { root, dir, lakehouseDir, modelsDir, referenceDir, notebooks, params, steps, options };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

/** How a run's notebooks behave when they run. */
interface RunBehaviour {
  /** Notebooks that run but find nothing new: they commit nothing. */
  idle?: string[];
  /** A table a notebook writes besides its declared ones. */
  extra?: { notebook: string; table: TableName };
  /** Maintenance after the notebooks: OPTIMIZE these tables, told to `record` or not. */
  optimize?: { tables: TableName[]; told: boolean };
  options?: Partial<UpToDateOptions>;
}

/**
 * A row a fake notebook writes to any table: `annee` and `jeu_donnees` are eco2mix_silver's
 * partition and file-split columns, which the catalogue's table requires.
 */
function fakeRows(n: number, run: string): pl.DataFrame {
  return pl.DataFrame({ n: [n], run: [run], annee: [2025], jeu_donnees: ["eco2mix"] });
}

/**
 * A run: asks about every notebook; one that is not reused "runs" (writes its declared tables
 * and an executed copy) and is reported to `ran`; then maintenance, the deliverable, the state.
 */
async function run(f: Fixture, id: string, behaviour: RunBehaviour = {}) {
  const check = await UpToDate.open({ ...f.options, ...behaviour.options });
  const catalog = openCatalog(f.lakehouseDir);
  const runDir = join(f.root, "runs", id);
  await Deno.mkdir(runDir, { recursive: true });
  const reused: string[] = [];
  for (const [k, notebook] of f.notebooks.entries()) {
    const name = basename(notebook);
    const copy = await check.reusable(notebook, f.params[k]);
    const output = join(runDir, name);
    if (copy) {
      reused.push(name);
      await Deno.copyFile(copy.executedCopy, output);
      continue;
    }
    await Deno.writeTextFile(output, `executed by ${id}`);
    const writes = f.steps.find((s) => s.notebook === name)?.writes ?? [];
    const extra = behaviour.extra?.notebook === name ? [behaviour.extra.table] : [];
    if (!behaviour.idle?.includes(name)) {
      for (const t of [...writes, ...extra]) {
        await catalog.table(t).overwrite(fakeRows(k, id));
      }
    }
    await check.ran(notebook);
  }
  const maintenance: MaintenanceCommit[] = [];
  for (const t of behaviour.optimize?.tables ?? []) {
    const commit = await catalog.table(t).optimize({ zOrderBy: ["n"] });
    maintenance.push({ table: t, version_optimize: commit?.version ?? null });
  }
  const report = join(runDir, "rapport.md");
  const deliverable = await check.reusableDeliverable("rapport");
  if (!deliverable) await Deno.writeTextFile(report, id);
  await check.record({
    runId: id,
    runDir,
    skipped: { "03_c.ipynb": [{ step: "prix", reason: "pas de fichier" }] },
    deliverables: { rapport: deliverable ?? report },
    maintenance: behaviour.optimize?.told ? maintenance : [],
  });
  const ran = f.notebooks.map((n) => basename(n)).filter((n) => !reused.includes(n));
  return { reused, ran, check, allReused: check.allReused, deliverable };
}

/** The declared notebooks: every notebook but the undeclared one, which always runs. */
const DECLARED = ["01_a.ipynb", "02_b.ipynb", "03_c.ipynb", "04_d.ipynb", "05_e.ipynb"];

Deno.test("an unchanged second run reuses every declared notebook, their skips and deliverables", async () => {
  const f = await fixture();
  f.notebooks.pop(); // without the undeclared notebook, which always runs
  const first = await run(f, "r1");
  assert.deepEqual(first.reused, []);
  assert.equal(
    first.check.reasonFor("02_b.ipynb"),
    "aucun run réussi n'a encore été enregistré sur ce lakehouse",
  );
  const check = await UpToDate.open(f.options);
  const copies = [];
  for (const [k, nb] of f.notebooks.entries()) {
    copies.push(await check.reusable(nb, f.params[k]));
  }
  assert.deepEqual(copies.map((c) => c && basename(c.executedCopy)), DECLARED);
  assert.deepEqual(copies[2]!.skipped, [{ step: "prix", reason: "pas de fichier" }]);
  assert.equal(await Deno.readTextFile(copies[0]!.executedCopy), "executed by r1");
  assert.equal(check.allReused, true);
  assert.equal(check.previousRun, "r1");
  assert.equal(await check.reusableDeliverable("rapport"), join(f.root, "runs/r1/rapport.md"));
  // The state then points at the new run's copies: a third run reuses them.
  const second = await run(f, "r2");
  assert.deepEqual(second.reused, DECLARED);
  const state = JSON.parse(await Deno.readTextFile(join(f.lakehouseDir, STATE_FILE)));
  assert.equal(state.notebooks["02_b.ipynb"].executed_copy, join(f.root, "runs/r2/02_b.ipynb"));
  // What each notebook wrote when it ran (r1), kept while it is reused.
  assert.deepEqual(state.notebooks["02_b.ipynb"].wrote, ["eco2mix_silver"]);
  assert.deepEqual(state.notebooks["04_d.ipynb"].wrote, []);
});

Deno.test("a table read only by step 03 changed: 03 and its dependant 04 rerun, no other", async () => {
  const f = await fixture();
  await run(f, "r1");
  // `deno task backtest` rewrote the external table only 03 reads.
  await openCatalog(f.lakehouseDir).table("backtest_consommation").overwrite(
    pl.DataFrame({ n: [1] }),
  );
  const r = await run(f, "r2");
  assert.deepEqual(r.ran, ["03_c.ipynb", "04_d.ipynb", "06_undeclared.ipynb"]);
  assert.equal(r.check.reasonFor("03_c.ipynb"), "tables lues modifiées : `backtest_consommation`");
  assert.equal(r.check.reasonFor("04_d.ipynb"), "tables lues modifiées : `lacunes`");
  assert.equal(
    r.check.reasonFor("06_undeclared.ipynb"),
    "aucune étape ne le déclare (lib/pipeline/steps.ts)",
  );
  assert.equal(r.check.reasonFor("05_e.ipynb"), null);
  assert.equal(r.deliverable, null);
  // Then nothing changed: every declared notebook is reused.
  assert.deepEqual((await run(f, "r3")).reused, DECLARED);
});

Deno.test("a notebook that reruns but commits nothing leaves its readers reused", async () => {
  const f = await fixture();
  await run(f, "r1");
  // The module notebook 02 imports changed: 02 runs, finds nothing new in bronze.
  await Deno.writeTextFile(join(f.dir, "helper.ts"), "export const x = 2;\n");
  let r = await run(f, "r2", { idle: ["02_b.ipynb"] });
  assert.deepEqual(r.ran, ["02_b.ipynb", "06_undeclared.ipynb"]);
  assert.equal(
    r.check.reasonFor("02_b.ipynb"),
    "son code, ses paramètres ou ses fichiers ont changé",
  );
  // A parameter of notebook 02, which rewrites silver this time: its readers 03 and 05 rerun,
  // then 04 after 03.
  f.params[1] = { profil: "complet" };
  r = await run(f, "r3");
  assert.deepEqual(r.reused, ["01_a.ipynb"]);
  // The reference folder: only notebook 03 declares it (and 04 reads what it rewrites).
  await Deno.writeTextFile(join(f.referenceDir, "temperatures.csv"), "t\n");
  r = await run(f, "r4");
  assert.deepEqual(r.ran, ["03_c.ipynb", "04_d.ipynb", "06_undeclared.ipynb"]);
  // The registry: only notebook 05 uses it.
  await Deno.writeTextFile(join(f.modelsDir, "runs.jsonl"), "{}\n{}\n");
  r = await run(f, "r5");
  assert.deepEqual(r.ran, ["05_e.ipynb", "06_undeclared.ipynb"]);
  assert.equal(
    r.check.reasonFor("05_e.ipynb"),
    "le registre des modèles a changé depuis le run r4",
  );
  // The content of an input file: 01 rewrites bronze, and everything after it runs.
  f.options.inputs = [{ path: "/in.xls", bytes: 3, sha256: "b".repeat(64) }];
  r = await run(f, "r6");
  assert.deepEqual(r.reused, []);
});

Deno.test("a table a step writes, changed by someone else, reruns that step", async () => {
  const f = await fixture();
  await run(f, "r1");
  await openCatalog(f.lakehouseDir).table("lacunes").overwrite(fakeRows(9, "someone"));
  const r = await run(f, "r2");
  assert.deepEqual(r.ran, ["03_c.ipynb", "04_d.ipynb", "06_undeclared.ipynb"]);
  assert.equal(
    r.check.reasonFor("03_c.ipynb"),
    "tables écrites modifiées depuis le run r1 : `lacunes`",
  );
});

Deno.test("OPTIMIZE after the notebooks: readers reused when record is told, rerun otherwise", async () => {
  const f = await fixture();
  await run(f, "r1", { optimize: { tables: ["lacunes"], told: true } });
  let r = await run(f, "r2", { optimize: { tables: ["lacunes"], told: false } });
  assert.deepEqual(r.ran, ["06_undeclared.ipynb"]);
  // Not told: the new version of `lacunes` may hold other rows, so its reader 04 runs.
  r = await run(f, "r3");
  assert.deepEqual(r.ran, ["04_d.ipynb", "06_undeclared.ipynb"]);
});

Deno.test("a notebook that writes a table its step does not declare stops the run", async () => {
  const f = await fixture();
  await assert.rejects(
    run(f, "r1", { extra: { notebook: "04_d.ipynb", table: "quarantaine" } }),
    (e: unknown) =>
      e instanceof UndeclaredWriteError && /04_d\.ipynb wrote quarantaine/.test(e.message),
  );
});

Deno.test("nothing is reused when a copy is gone, when asked, or from another state format", async () => {
  const f = await fixture();
  await run(f, "r1");
  await Deno.remove(join(f.root, "runs/r1/01_a.ipynb"));
  let r = await run(f, "r2");
  assert.deepEqual(r.ran, [
    "01_a.ipynb",
    "02_b.ipynb",
    "03_c.ipynb",
    "04_d.ipynb",
    "05_e.ipynb",
    "06_undeclared.ipynb",
  ]);
  assert.match(r.check.reasonFor("01_a.ipynb")!, /la copie exécutée .*01_a\.ipynb n'existe plus/);
  r = await run(f, "r3", { options: { reuse: false } });
  assert.deepEqual(r.reused, []);
  assert.equal(r.check.reasonFor("04_d.ipynb"), "réexécution complète demandée");
  // A state file from another format is ignored rather than trusted.
  await Deno.writeTextFile(join(f.lakehouseDir, STATE_FILE), '{"format": 1}');
  r = await run(f, "r4");
  assert.deepEqual(r.reused, []);
});

Deno.test("notebooks side by side: each is checked against its own writes, not its neighbour's", async () => {
  const f = await fixture();
  const catalog = openCatalog(f.lakehouseDir);
  const write = (t: TableName) => catalog.table(t).overwrite(fakeRows(1, "test"));
  const [a, b, c, , e] = f.notebooks;
  const check = await UpToDate.open(f.options);
  for (const k of [0, 1]) {
    assert.equal(await check.reusable(f.notebooks[k], f.params[k]), null);
    await write(f.steps[k].writes[0]);
    await check.ran(f.notebooks[k]);
  }
  // 03_c (writes lacunes) and 05_e (writes nothing) both wait only for silver: they overlap.
  assert.equal(await check.reusable(c, f.params[2]), null);
  assert.equal(await check.reusable(e, f.params[4]), null);
  await assert.rejects(check.reusable(e, f.params[4]), /05_e\.ipynb: asked about while it runs/);
  await write("lacunes");
  await check.ran(e); // lacunes changed while 05_e ran: 03_c's declared write
  await check.ran(c);
  // A notebook started beside a running one and writing what nobody declares is still caught.
  const again = await UpToDate.open(f.options);
  for (const [k, nb] of [a, b].entries()) await again.reusable(nb, f.params[k]);
  assert.equal(await again.reusable(c, f.params[2]), null);
  assert.equal(await again.reusable(e, f.params[4]), null);
  await write("quarantaine");
  await assert.rejects(
    again.ran(e),
    (err: unknown) =>
      err instanceof UndeclaredWriteError && /05_e\.ipynb wrote quarantaine/.test(err.message),
  );
});
