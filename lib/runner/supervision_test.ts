import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { isAlive, launcherChain, processInfo, tiedToParent } from "./supervision.ts";
import { closeAbandonedRun, readManifest } from "./manifest.ts";
import { writeTestNotebook } from "./_test_notebooks.ts";
import { processesMentioning } from "./_test_checks.ts";

const CLI = fileURLToPath(import.meta.resolve("./cli.ts"));
const MOD = import.meta.resolve("./mod.ts");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** An outer notebook that runs `inner` notebooks with the CLI's cell timeout, as notebook 11. */
async function nestedRun(dir: string, inner: Record<string, string[]>): Promise<void> {
  for (const [name, cells] of Object.entries(inner)) await writeTestNotebook(dir, name, cells);
  await writeTestNotebook(dir, "outer.ipynb", [
    { source: 'let run_dir = "";\nlet cell_timeout_s = 600;', tags: ["parameters"] },
    `import { runNotebooks } from "${MOD}";\n` +
    `const r = await runNotebooks(${
      JSON.stringify(Object.keys(inner).map((n) => `${dir}/${n}`))
    }, { runDir: run_dir, cellTimeoutMs: cell_timeout_s * 1000 });`,
    "if (r.failed) throw r.failed;",
  ]);
}

function cli(args: string[], cwd: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd,
    env: { INIT_CWD: cwd },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(p: Deno.ChildProcess): Promise<{ code: number; err: string }> {
  const { code, stderr } = await p.output();
  return { code, err: new TextDecoder().decode(stderr) };
}

Deno.test("processInfo and isAlive tell a live process from a dead or reused PID", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const info = processInfo(child.pid)!;
  assert.equal(info.ppid, Deno.pid);
  const id = { pid: child.pid, startTicks: info.startTicks };
  assert.ok(isAlive(id));
  assert.ok(!isAlive({ ...id, startTicks: info.startTicks + 1 }));
  child.kill("SIGKILL");
  await child.status;
  assert.ok(!isAlive(id));
});

Deno.test("launcherChain follows deno/npm/sh launchers and stops at the first other process", async () => {
  // sh (mentions deno: a launcher) → deno eval (the process whose chain is read).
  const script = `console.log(JSON.stringify((await import("${
    import.meta.resolve("./supervision.ts")
  }")).launcherChain(Deno.pid)))`;
  const out = await new Deno.Command("sh", {
    args: ["-c", `"${Deno.execPath()}" eval '${script}'; true`],
  }).output();
  const chain = JSON.parse(new TextDecoder().decode(out.stdout)) as { pid: number }[];
  // The shell and this test runner (deno) are launchers; the chain ends below PID 1.
  assert.ok(chain.length >= 2, JSON.stringify(chain));
  assert.ok(chain.some((p) => p.pid === Deno.pid));
  assert.ok(chain.every((p) => p.pid > 1));
  assert.deepEqual(launcherChain(999_999_999), []);
});

Deno.test("a process started through tiedToParent dies when its parent is killed", async () => {
  const dir = await Deno.makeTempDir();
  const [program, ...args] = tiedToParent("sleep", ["300"]);
  const script = `const c = new Deno.Command(${JSON.stringify(program)}, { args: ${
    JSON.stringify(args)
  } }).spawn(); Deno.writeTextFileSync("${dir}/pid", String(c.pid)); setInterval(() => {}, 1000);`;
  const parent = new Deno.Command(Deno.execPath(), { args: ["eval", script] }).spawn();
  await waitFor(
    "the child",
    async () => (await Deno.stat(`${dir}/pid`).catch(() => null)) !== null,
  );
  const pid = Number(await Deno.readTextFile(`${dir}/pid`));
  const id = { pid, startTicks: processInfo(pid)!.startTicks };
  parent.kill("SIGKILL");
  await parent.status;
  await waitFor("the child's death", () => Promise.resolve(!isAlive(id)), 5_000);
});

Deno.test("a nested cell past the CLI's --timeout fails the run, named; the orchestrating cell is not timed as a whole", async () => {
  const dir = await Deno.makeTempDir();
  // 01 takes longer in all than the timeout, one short cell at a time: it must pass.
  await nestedRun(dir, {
    "01_long.ipynb": [1, 2, 3].map(() => "await new Promise((r) => setTimeout(r, 1_500))"),
    "02_stuck.ipynb": ["1", "await new Promise((r) => setTimeout(r, 120_000))"],
  });
  const r = await finish(cli(["outer.ipynb", "--timeout", "3", "--run-dir", "run"], dir));
  assert.equal(r.code, 1, r.err);
  const manifest = await readManifest(`${dir}/run`);
  assert.equal(manifest.status, "failed");
  assert.deepEqual(
    manifest.notebooks.map((n) => [n.output, n.status]),
    [["01_long.ipynb", "completed"], ["02_stuck.ipynb", "failed"], ["outer.ipynb", "failed"]],
  );
  assert.equal(manifest.stopped?.notebook, "02_stuck.ipynb");
  assert.equal(manifest.stopped?.cell, 2);
  assert.match(manifest.stopped?.reason ?? "", /CellTimeoutError: cell did not finish within 3 s/);
  assert.deepEqual(await processesMentioning(`${dir}/run`), []);
});

Deno.test("the run budget stops nested cells too, and says so", async () => {
  const dir = await Deno.makeTempDir();
  await nestedRun(dir, { "01_stuck.ipynb": ["await new Promise((r) => setTimeout(r, 120_000))"] });
  // Long enough for two kernels to start on a loaded machine: the stuck cell is what must stop.
  const r = await finish(cli(["outer.ipynb", "--budget", "15", "--run-dir", "run"], dir));
  assert.equal(r.code, 1, r.err);
  const manifest = await readManifest(`${dir}/run`);
  assert.equal(manifest.stopped?.notebook, "01_stuck.ipynb");
  assert.match(manifest.stopped?.reason ?? "", /time budget ran out/);
  assert.deepEqual(await processesMentioning(`${dir}/run`), []);
});

Deno.test("SIGKILL of the CLI takes its kernels down; the next look marks the run interrupted", async () => {
  const dir = await Deno.makeTempDir();
  await nestedRun(dir, { "01_stuck.ipynb": ["await new Promise((r) => setTimeout(r, 120_000))"] });
  const child = cli(["outer.ipynb", "--run-dir", "run"], dir);
  await waitFor("two kernels", async () => (await processesMentioning(`${dir}/run`)).length >= 2);
  child.kill("SIGKILL");
  await child.output();
  await waitFor(
    "no kernel left",
    async () => (await processesMentioning(`${dir}/run`)).length === 0,
    10_000,
  );
  assert.equal((await readManifest(`${dir}/run`)).status, "running");
  // A kernel the dead run was starting left its connection file (it holds the signing key).
  await Deno.writeTextFile(`${dir}/run/kernel-${crypto.randomUUID()}.json`, "{}");
  assert.ok(await closeAbandonedRun(`${dir}/run`, "process gone"));
  assert.equal((await readManifest(`${dir}/run`)).status, "interrupted");
  assert.deepEqual(
    [...Deno.readDirSync(`${dir}/run`)].filter((e) => e.name.startsWith("kernel-")),
    [],
  );
});

Deno.test("when the launcher dies without passing the signal on (npx), the run stops cleanly", async () => {
  const dir = await Deno.makeTempDir();
  await nestedRun(dir, {
    "01_stuck.ipynb": [
      `Deno.writeTextFileSync("${dir}/started", "");\nawait new Promise((r) => setTimeout(r, 120_000))`,
    ],
  });
  // sh stands for `npx`: SIGKILL gives it no chance to pass anything on.
  const launcher = new Deno.Command("sh", {
    args: ["-c", `"${Deno.execPath()}" run -A "${CLI}" outer.ipynb --run-dir run; true`],
    cwd: dir,
    env: { INIT_CWD: dir },
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitFor("two kernels", async () => (await processesMentioning(`${dir}/run`)).length >= 2);
  await waitFor(
    "the inner cell",
    async () => (await Deno.stat(`${dir}/started`).catch(() => null)) !== null,
  );
  launcher.kill("SIGKILL");
  await launcher.status;
  await waitFor(
    "no kernel left",
    async () => (await processesMentioning(`${dir}/run`)).length === 0,
    10_000,
  );
  await waitFor(
    "the manifest",
    async () => (await readManifest(`${dir}/run`)).status !== "running",
    10_000,
  );
  const manifest = await readManifest(`${dir}/run`);
  assert.equal(manifest.status, "interrupted");
  assert.match(manifest.stopped?.reason ?? "", /launching process \d+ exited/);
  assert.equal(manifest.stopped?.notebook, "01_stuck.ipynb");
});
