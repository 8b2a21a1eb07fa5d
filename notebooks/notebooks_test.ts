/**
 * End-to-end: the project's notebooks run headlessly through the real kernel, as
 * `deno task pipeline` runs them, on the real RTE files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readManifest } from "../lib/runner/manifest.ts";
import { readNotebook } from "../lib/runner/ipynb.ts";
import { assertValidNbformat } from "../lib/runner/_test_checks.ts";
import { presentationBreaks } from "./_presentation_rules.ts";
import { sharedDataPath } from "../lib/testing/shared_data.ts";
import {
  PIPELINE_NOTEBOOK,
  pipelineArgs,
  type PipelineCommandOptions,
} from "../lib/testing/pipeline_command.ts";
import { PATHS } from "../lib/paths.ts";
import { STEPS } from "../lib/pipeline/steps.ts";
import { STATE_FILE } from "../lib/pipeline/up_to_date.ts";

const CLI = fileURLToPath(import.meta.resolve("../lib/runner/cli.ts"));

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: PATHS.root,
    env: { INIT_CWD: PATHS.root },
  }).output();
  const d = new TextDecoder();
  return { code, out: d.decode(stdout), err: d.decode(stderr) };
}

Deno.test("the pipeline runs notebooks 01 and 11 on the 2025 real-time file", async () => {
  const tmp = await Deno.makeTempDir();
  const runDir = join(tmp, "run");
  const input = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
  const options: PipelineCommandOptions = {
    input,
    lakehouseDir: join(tmp, "lakehouse"),
    reportDir: join(tmp, "rapport"),
    // The models train on the reference data with the quick profile (CI time budget).
    referenceDir: sharedDataPath(),
    modelsDir: join(tmp, "models"),
    profile: "rapide",
    runDir,
  };
  const r = await runCli([PIPELINE_NOTEBOOK, ...pipelineArgs(options)]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`Run folder: ${runDir}`));
  const manifest = await readManifest(runDir);
  assert.equal(manifest.status, "completed");
  assert.deepEqual(manifest.inputs.map((i) => [i.path, i.sha256]), [[
    input,
    "71434e40f3920aedbdf2e339d7b2ad45437e9d16c66b701771001708aaa87bca",
  ]]);
  const names = manifest.notebooks.map((n) => n.output);
  assert.ok(names.includes("01_Setup_Environnement.ipynb"));
  assert.equal(names.at(-1), "11_Pipeline_Complete.ipynb");
  assert.ok(manifest.notebooks.every((n) => n.status === "completed"));
  for (const name of names) {
    const path = join(runDir, name);
    assertValidNbformat(path);
    const nb = await readNotebook(path);
    const errors = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) =>
      o.output_type === "error"
    );
    assert.deepEqual(errors, [], name);
    // What a presenter shows: French numbers, Paris times, tables that say when they are cut.
    assert.deepEqual(presentationBreaks(nb), [], name);
  }
  // Notebook 01 created the lakehouse layout where it was told to.
  assert.ok((await Deno.stat(join(tmp, "lakehouse", "silver"))).isDirectory);
  // Every notebook of the pipeline ran, and notebook 11 wrote the deliverables.
  assert.deepEqual(names.slice(0, -1), [...names.slice(0, -1)].sort());
  assert.ok(names.length >= 8, names.join());
  assert.ok((await Deno.stat(join(runDir, "tableau_de_bord.html"))).size > 1_000_000);
  assert.ok((await Deno.stat(join(runDir, "tables_gold.xlsx"))).size > 10_000);
  // One slide deck per executed notebook, 01 to 10.
  const decks = (await Array.fromAsync(Deno.readDir(join(runDir, "diaporamas")))).map((e) =>
    e.name
  );
  assert.deepEqual(decks.sort(), names.slice(0, -1).map((n) => n.replace(".ipynb", ".html")));
  const report = await Deno.readTextFile(join(tmp, "rapport", "RAPPORT_ANALYSE.md"));
  assert.match(report, /du 01\/01\/2025 au 25\/07\/2025/);
  // On a new lakehouse, each notebook wrote exactly the tables its step declares.
  const state = JSON.parse(await Deno.readTextFile(join(tmp, "lakehouse", STATE_FILE)));
  for (const step of STEPS) {
    assert.deepEqual(
      [...state.notebooks[step.notebook].wrote].sort(),
      [...step.writes].sort(),
      step.notebook,
    );
  }

  // The same command again: nothing changed, so no notebook runs; their executed copies, the
  // dashboard and the workbook are copied from the first run, and the report is left as it is.
  const again = join(tmp, "run2");
  const second = await runCli([PIPELINE_NOTEBOOK, ...pipelineArgs({ ...options, runDir: again })]);
  assert.equal(second.code, 0, second.err);
  const reused = await readManifest(again);
  assert.equal(reused.status, "completed");
  assert.deepEqual(
    reused.notebooks.map((n) => [n.output, n.status, n.reused_from ?? null]),
    [
      ...manifest.notebooks.slice(0, -1).map((n) => [
        n.output,
        "up_to_date",
        join(runDir, n.output),
      ]),
      ["11_Pipeline_Complete.ipynb", "completed", null],
    ],
  );
  for (const file of ["tableau_de_bord.html", "tables_gold.xlsx", `diaporamas/${decks[0]}`]) {
    assert.deepEqual(
      await Deno.readFile(join(again, file)),
      await Deno.readFile(join(runDir, file)),
    );
  }
  assert.equal(await Deno.readTextFile(join(tmp, "rapport", "RAPPORT_ANALYSE.md")), report);
});

Deno.test("notebook 01 without any input falls back to the shipped sample and says so", async () => {
  const tmp = await Deno.makeTempDir();
  const empty = join(tmp, "data");
  await Deno.mkdir(empty);
  const runDir = join(tmp, "run");
  const r = await runCli([
    join(PATHS.notebooks, "01_Setup_Environnement.ipynb"),
    "-p",
    `data_dir=${empty}`,
    "-p",
    "allow_download=false",
    "-p",
    `lakehouse_dir=${join(tmp, "lakehouse")}`,
    "--run-dir",
    runDir,
  ]);
  assert.equal(r.code, 0, r.err);
  const nb = await readNotebook(join(runDir, "01_Setup_Environnement.ipynb"));
  const outputs = JSON.stringify(nb.cells.flatMap((c) => c.outputs ?? []));
  assert.match(outputs, /échantillon livré avec le projet/);
  assert.match(outputs, /eCO2mix_RTE_En-cours-TR_2025-07\.zip/);
  // The notice names the folder where real files go.
  assert.ok(outputs.includes(empty), outputs);
});
