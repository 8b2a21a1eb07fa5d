/**
 * End-to-end matrix: the pipeline, run as users run it (`lib/runner/cli.ts` on notebook 11,
 * quick profile), reaches the dashboard and the report on every kind of valid input, and however
 * it is stopped leaves no process behind and a lakehouse that reads at its last commit.
 *
 * Long (several minutes): it is the contract of the headless job, so it runs in CI.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { readManifest } from "../lib/runner/manifest.ts";
import { readNotebook } from "../lib/runner/ipynb.ts";
import { processesMentioning } from "../lib/runner/_test_checks.ts";
import { REGIONAL_2014, sharedDataPath } from "../lib/testing/shared_data.ts";
import {
  PIPELINE_NOTEBOOK,
  pipelineArgs,
  pipelineCommand,
  type PipelineCommandOptions,
} from "../lib/testing/pipeline_command.ts";
import { openCatalog } from "../lib/pipeline/catalog.ts";
import { lockRunLakehouse } from "../lib/runner/run_lock.ts";
import { PATHS } from "../lib/paths.ts";
import { mdText } from "../lib/notebook/markdown.ts";

const TR_2016 = "eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls";
const TR_2025 = "eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the pipeline is given: `input` (and `more`), everything written under `tmp`. */
type MoreOptions = Omit<PipelineCommandOptions, "input">;
function runOptions(tmp: string, input: string, more: MoreOptions = {}): PipelineCommandOptions {
  return {
    input,
    lakehouseDir: join(tmp, "lakehouse"),
    modelsDir: join(tmp, "models"),
    reportDir: join(tmp, "rapport"),
    profile: "rapide",
    runDir: join(tmp, "run"),
    ...more,
  };
}

function spawnCli(options: PipelineCommandOptions): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: pipelineCommand(options),
    cwd: PATHS.root,
    env: { INIT_CWD: PATHS.root, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(p: Deno.ChildProcess): Promise<{ code: number; err: string }> {
  const { code, stderr } = await p.output();
  return { code, err: new TextDecoder().decode(stderr) };
}

/** RTE's text format cut to its header, `lines` data lines and its closing disclaimer. */
async function cutFile(dir: string, source: string, lines: number): Promise<string> {
  const bytes = await Deno.readFile(sharedDataPath(source));
  const text = new TextDecoder("windows-1252").decode(bytes).split("\n");
  const disclaimer = text.filter((l) => l.trim() !== "").at(-1)!;
  const kept = [...text.slice(0, 1 + lines), disclaimer, ""].join("\n");
  const path = join(dir, basename(source));
  await Deno.writeFile(path, Uint8Array.from(kept, (c) => c.charCodeAt(0)));
  return path;
}

/** Asserts a run reached its deliverables and left no kernel; returns its manifest. */
async function assertDelivered(tmp: string, r: { code: number; err: string }) {
  const runDir = join(tmp, "run");
  assert.equal(r.code, 0, r.err.slice(-3_000));
  const manifest = await readManifest(runDir);
  assert.ok(
    manifest.status === "completed" || manifest.status === "completed_with_skipped_steps",
    manifest.status,
  );
  assert.ok((await Deno.stat(join(runDir, "tableau_de_bord.html"))).size > 100_000);
  const report = await Deno.readTextFile(join(tmp, "rapport", "RAPPORT_ANALYSE.md"));
  // Every skipped step is explained in the report, in the reader's language.
  for (const s of manifest.notebooks.flatMap((n) => n.skipped)) {
    assert.ok(
      report.includes(mdText(s.reason)),
      `the report does not explain: ${s.step}: ${s.reason}`,
    );
  }
  for (const n of manifest.notebooks) {
    const nb = await readNotebook(join(runDir, n.output));
    const errors = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) =>
      o.output_type === "error"
    );
    assert.deepEqual(errors, [], n.output);
  }
  assert.deepEqual(await processesMentioning(runDir), []);
  return manifest;
}

function runMatrixCase(
  name: string,
  prepare: (tmp: string) => Promise<{ input: string; more?: MoreOptions }>,
  expectSkips?: boolean,
) {
  Deno.test(`pipeline matrix: ${name}`, async () => {
    const tmp = await Deno.makeTempDir({ prefix: "matrix-" });
    const { input, more } = await prepare(tmp);
    const manifest = await assertDelivered(
      tmp,
      await finish(spawnCli(runOptions(tmp, input, more))),
    );
    if (expectSkips !== undefined) {
      assert.equal(manifest.status === "completed_with_skipped_steps", expectSkips);
    }
    await Deno.remove(tmp, { recursive: true });
  });
}

for (
  const file of [
    TR_2016,
    "eco2mix/odre/eco2mix-national-tr_2021-12.csv",
    "eco2mix/regional/eCO2mix_RTE_Bretagne_Annuel-Definitif_2013.xls",
    "eco2mix/regional/eCO2mix_RTE_Bretagne_En-cours-Consolide_2016-01_2017-08.xls",
  ]
) {
  runMatrixCase(`${basename(file)} alone`, () => Promise.resolve({ input: sharedDataPath(file) }));
}

runMatrixCase("the 12 regional files of 2014 (no national series)", async (tmp) => {
  const dir = join(tmp, "regions");
  await Deno.mkdir(dir);
  for (const f of REGIONAL_2014) await Deno.copyFile(sharedDataPath(f), join(dir, basename(f)));
  return { input: dir };
});

runMatrixCase("a 4-day cut of the 2025 file", async (tmp) => ({
  input: await cutFile(tmp, TR_2025, 4 * 96),
}), true);

runMatrixCase("a 400-line cut of the 2025 file", async (tmp) => ({
  input: await cutFile(tmp, TR_2025, 400),
}), true);

runMatrixCase("the 2016-06 and 2025 files together (years apart)", async (tmp) => {
  const dir = join(tmp, "pair");
  await Deno.mkdir(dir);
  for (const f of [TR_2016, TR_2025]) {
    await Deno.copyFile(sharedDataPath(f), join(dir, basename(f)));
  }
  return { input: dir };
});

runMatrixCase(
  "the 2025 file, reference temperatures ending before its test period",
  async (tmp) => {
    const ref = join(tmp, "reference");
    await Deno.mkdir(ref);
    await Deno.copyFile(
      sharedDataPath("eco2mix/odre/consommation-quotidienne-brute.csv.gz"),
      join(ref, "consommation-quotidienne-brute.csv.gz"),
    );
    for await (const e of Deno.readDir(sharedDataPath("eco2mix/tempo"))) {
      await Deno.copyFile(sharedDataPath("eco2mix/tempo", e.name), join(ref, e.name));
    }
    const temperatures = "temperature-quotidienne-regionale.csv";
    const lines = (await Deno.readTextFile(sharedDataPath("weather", temperatures))).split("\n");
    const dateAt = lines[0].split(";").findIndex((h) => /date/i.test(h));
    assert.ok(dateAt >= 0, lines[0]);
    const kept = lines.filter((l, i) =>
      i === 0 || (l !== "" && l.split(";")[dateAt] < "2025-05-01")
    );
    await Deno.writeTextFile(join(ref, temperatures), kept.join("\n") + "\n");
    return { input: sharedDataPath(TR_2025), more: { referenceDir: ref } };
  },
);

/**
 * Every table of the lakehouse reads at its latest commit, and the next run can take it: the
 * lock was released, or (after a SIGKILL) is taken over from the dead run.
 */
async function assertLakehouseConsistent(tmp: string) {
  const lakehouse = join(tmp, "lakehouse");
  const catalog = openCatalog(lakehouse);
  for (const name of await catalog.existing()) await catalog.table(name).read();
  const lock = await lockRunLakehouse(lakehouse, join(tmp, "next-run"), { waitMs: 0 });
  await lock.release();
}

/** No kernel connection file (they hold the signing key) is left in the run folder. */
function assertNoConnectionFiles(runDir: string) {
  const left = [...Deno.readDirSync(runDir)].filter((e) => e.name.startsWith("kernel-"));
  assert.deepEqual(left.map((e) => e.name), []);
}

/** Starts a real run and waits until notebook `nth` (1-based, of notebook 11's list) runs. */
async function startAndWait(
  tmp: string,
  spawn: (options: PipelineCommandOptions) => Deno.ChildProcess,
  nth = 3,
) {
  const child = spawn(runOptions(tmp, sharedDataPath(TR_2016)));
  const runDir = join(tmp, "run");
  const deadline = Date.now() + 120_000;
  while (true) {
    const manifest = await readManifest(runDir).catch(() => null);
    if (manifest && manifest.notebooks.length >= nth - 1) break;
    assert.ok(Date.now() < deadline, "the run never reached the expected notebook");
    await sleep(200);
  }
  return child;
}

Deno.test("pipeline matrix: SIGTERM to the README command (npx … task pipeline) stops everything", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "matrix-" });
  const child = await startAndWait(tmp, (options) =>
    new Deno.Command("npx", {
      args: ["-y", "deno@2.9.6", "task", "pipeline", ...pipelineArgs(options)],
      cwd: PATHS.root,
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).spawn());
  child.kill("SIGTERM");
  await child.status;
  const runDir = join(tmp, "run");
  // The run folder is on every command line of the run: npx, deno task, cli.ts, kernels.
  const deadline = Date.now() + 20_000;
  while ((await processesMentioning(runDir)).length > 0) {
    assert.ok(Date.now() < deadline, "processes left after SIGTERM");
    await sleep(200);
  }
  assert.equal((await readManifest(runDir)).status, "interrupted");
  assertNoConnectionFiles(runDir);
  await assertLakehouseConsistent(tmp);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("pipeline matrix: SIGKILL of cli.ts takes every kernel down", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "matrix-" });
  const child = await startAndWait(tmp, spawnCli);
  child.kill("SIGKILL");
  await child.output();
  const runDir = join(tmp, "run");
  const deadline = Date.now() + 10_000;
  while ((await processesMentioning(runDir)).length > 0) {
    assert.ok(Date.now() < deadline, "kernels left after SIGKILL of cli.ts");
    await sleep(200);
  }
  assert.equal((await readManifest(runDir)).status, "running");
  // Taking the dead run's lock over closes its manifest and removes its connection files.
  await assertLakehouseConsistent(tmp);
  assert.equal((await readManifest(runDir)).status, "interrupted");
  assertNoConnectionFiles(runDir);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("pipeline matrix: a nested cell past the timeout fails the run, named, nothing left", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "matrix-" });
  const r = await finish(
    spawnCli(runOptions(tmp, sharedDataPath(TR_2025), {
      referenceDir: sharedDataPath(),
      timeoutS: 5,
    })),
  );
  assert.equal(r.code, 1, r.err);
  const manifest = await readManifest(join(tmp, "run"));
  assert.equal(manifest.status, "failed");
  assert.notEqual(manifest.stopped?.notebook, basename(PIPELINE_NOTEBOOK));
  assert.match(manifest.stopped?.reason ?? "", /CellTimeoutError: cell did not finish within 5 s/);
  assert.deepEqual(await processesMentioning(join(tmp, "run")), []);
  assertNoConnectionFiles(join(tmp, "run"));
  await assertLakehouseConsistent(tmp);
  await Deno.remove(tmp, { recursive: true });
});
