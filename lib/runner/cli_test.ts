import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseCli, typedParameters, USAGE, UsageError } from "./cli.ts";
import { ParameterError } from "./parameters.ts";
import { readNotebook } from "./ipynb.ts";
import { readManifest } from "./manifest.ts";
import { writeTestNotebook } from "./_test_notebooks.ts";
import { processesMentioning } from "./_test_checks.ts";

const CLI = fileURLToPath(import.meta.resolve("./cli.ts"));
const MOD = import.meta.resolve("./mod.ts");

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd,
    env: { INIT_CWD: cwd, ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(p: Deno.ChildProcess): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await p.output();
  const d = new TextDecoder();
  return { code, out: d.decode(stdout), err: d.decode(stderr) };
}

Deno.test("parseCli reads -p pairs, --input, --run-dir, --timeout and --budget", () => {
  const o = parseCli(
    ["nb.ipynb", "-p", "a=1", "--parameter", "b=x=y", "--input", "d", "--timeout", "5"],
    "/w",
  );
  assert.deepEqual(o, {
    help: false,
    notebook: "/w/nb.ipynb",
    parameters: [["a", "1"], ["b", "x=y"], ["input_path", "d"]],
    runDir: null,
    cellTimeoutMs: 5000,
    budgetMs: null,
    lockWaitMs: 0,
  });
  assert.equal(parseCli(["nb.ipynb", "--budget", "90"], "/w").budgetMs, 90_000);
  assert.throws(() => parseCli(["a", "--budget", "0"], "/w"), UsageError);
  assert.throws(() => parseCli(["nb.ipynb", "-p", "novalue"], "/w"), UsageError);
  assert.throws(() => parseCli([], "/w"), UsageError);
  assert.throws(() => parseCli(["a", "--timeout", "zero"], "/w"), UsageError);
});

Deno.test("parseCli takes papermill's -p KEY VALUE beside -p KEY=VALUE", () => {
  const o = parseCli(
    ["-p", "seuil", "-5", "nb.ipynb", "--parameters", "nom", "a=b", "-p", "x="],
    "/w",
  );
  // A value may start with "-" or hold "=".
  assert.deepEqual(o.parameters, [["seuil", "-5"], ["nom", "a=b"], ["x", ""]]);
  assert.deepEqual(
    parseCli(["nb.ipynb", "--parameters_yaml=a: 1", "-pb=2", "--parameter=c=3"], "/w").parameters,
    [["a", "1"], ["b", "2"], ["c", "3"]],
  );
  // After "--", everything is a positional.
  assert.equal(parseCli(["-p", "a", "1", "--", "-p"], "/w").notebook, "/w/-p");
  assert.throws(() => parseCli(["nb.ipynb", "-p", "seuil"], "/w"), {
    name: "UsageError",
    message: "-p seuil: the value is missing",
  });
  assert.throws(() => parseCli(["nb.ipynb", "-p"], "/w"), UsageError);
  assert.throws(() => parseCli(["nb.ipynb", "-p", "1a=2"], "/w"), /got "1a=2"/);
});

Deno.test("parseCli reads -y YAML and -f files; -p wins over -y, which wins over -f", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/p.yaml`, "annee: 2024\nprofil: complet\nseuil: 1.5\n");
  const o = parseCli(
    ["nb.ipynb", "-p", "annee", "2026", "-y", "annee: 2025\nprofil: rapide", "-f", "p.yaml"],
    dir,
  );
  assert.deepEqual(o.parameters, [
    ["annee", "2024"],
    ["profil", "complet"],
    ["seuil", "1.5"],
    ["annee", "2025"],
    ["profil", "rapide"],
    ["annee", "2026"],
  ]);
  const declared = [{ name: "annee", keyword: "let" as const, kind: "number" as const }];
  assert.deepEqual(typedParameters(o.parameters, declared, dir), {
    annee: 2026,
    profil: "rapide",
    seuil: 1.5,
  });
  assert.throws(() => parseCli(["nb.ipynb", "-f", "absent.yaml"], dir), {
    name: "UsageError",
    message: new RegExp(`^-f ${dir}/absent\\.yaml: `),
  });
  await Deno.writeTextFile(`${dir}/bad.yaml`, "annee: [2025\n");
  assert.throws(() => parseCli(["nb.ipynb", "-f", "bad.yaml"], dir), {
    name: "UsageError",
    message: new RegExp(`^${dir}/bad\\.yaml: invalid YAML: .*line 2`),
  });
  assert.throws(() => parseCli(["nb.ipynb", "-y", "- 1\n- 2"], dir), {
    name: "UsageError",
    message: "-y: expected a mapping of KEY: VALUE, got [1,2]",
  });
  assert.deepEqual(parseCli(["nb.ipynb", "-y", ""], dir).parameters, []);
});

Deno.test("--help prints the usage on stdout and exits 0; a usage error exits 2 on stderr", async () => {
  const dir = await Deno.makeTempDir();
  const help = await finish(cli(["--help"], dir));
  assert.equal(help.code, 0);
  assert.equal(help.out, USAGE + "\n");
  assert.equal(help.err, "");
  assert.match(help.out, /-p, --parameters KEY VALUE/);
  assert.match(help.out, /Differences from papermill/);
  const wrong = await finish(cli(["a.ipynb", "b.ipynb"], dir));
  assert.equal(wrong.code, 2);
  assert.equal(wrong.out, "");
  assert.match(wrong.err, /^expected one notebook\n\nUsage: /);
});

Deno.test("typedParameters follows the declared kinds and resolves path parameters", () => {
  const declared = [
    { name: "n", keyword: "let" as const, kind: "number" as const },
    { name: "s", keyword: "let" as const, kind: "string" as const },
  ];
  assert.deepEqual(
    typedParameters(
      [["n", "3.5"], ["s", "42"], ["u", "true"], ["out_dir", "x"], ["in_path", "/abs"]],
      declared,
      "/w",
    ),
    { n: 3.5, s: "42", u: true, out_dir: "/w/x", in_path: "/abs" },
  );
  assert.throws(() => typedParameters([["n", "abc"]], declared, "/w"), ParameterError);
});

Deno.test("a failing notebook exits 1, names notebook, cell and error, writes the copy", async () => {
  const dir = await Deno.makeTempDir();
  await writeTestNotebook(dir, "bad.ipynb", [
    { source: "let seuil = 1;", tags: ["parameters"] },
    "if (seuil > 2) throw new TypeError(`seuil trop haut: ${seuil}`);",
  ]);
  const runDir = `${dir}/run`;
  const r = await finish(cli(["bad.ipynb", "-p", "seuil=5", "--run-dir", "run"], dir));
  assert.equal(r.code, 1);
  assert.match(r.err, /bad\.ipynb: cell 1 \(In \[3\]\) failed: TypeError: seuil trop haut: 5/);
  assert.match(r.err, new RegExp(`Run folder: ${runDir}`));
  const nb = await readNotebook(`${runDir}/bad.ipynb`);
  assert.equal(nb.cells.filter((c) => c.outputs?.some((o) => o.output_type === "error")).length, 1);
  const manifest = await readManifest(runDir);
  assert.equal(manifest.status, "failed");
  assert.deepEqual(manifest.parameters, { seuil: 5 });
  assert.equal(manifest.notebooks[0].error?.cellIndex, 1);
});

Deno.test("a wrong parameter value exits 2 before any kernel starts", async () => {
  const dir = await Deno.makeTempDir();
  await writeTestNotebook(dir, "p.ipynb", [{ source: "let n = 1;", tags: ["parameters"] }]);
  const r = await finish(cli(["p.ipynb", "-p", "n=abc", "--run-dir", "run"], dir));
  assert.equal(r.code, 2);
  assert.match(r.err, /n expects a number, got "abc"/);
});

Deno.test("Ctrl-C stops the outer kernel and the kernels it started: none is left", async () => {
  const dir = await Deno.makeTempDir();
  await writeTestNotebook(dir, "inner.ipynb", [
    `Deno.writeTextFileSync("${dir}/started", "");\nawait new Promise((r) => setTimeout(r, 120_000))`,
  ]);
  await writeTestNotebook(dir, "outer.ipynb", [
    { source: 'let run_dir = "";', tags: ["parameters"] },
    `import { runNotebooks } from "${MOD}";\n` +
    `await runNotebooks(["${dir}/inner.ipynb"], { runDir: run_dir });`,
  ]);
  const child = cli(["outer.ipynb", "--run-dir", "run"], dir);
  // Wait until the inner notebook's cell runs (both kernels are up).
  const deadline = Date.now() + 30_000;
  while (!(await Deno.stat(`${dir}/started`).catch(() => null))) {
    assert.ok(Date.now() < deadline, "the inner cell never started");
    await new Promise((r) => setTimeout(r, 100));
  }
  // What a kernel start cut short by the signal leaves (it removes its file once read).
  const cutShort = `${dir}/run/kernel-${crypto.randomUUID()}.json`;
  await Deno.writeTextFile(cutShort, "{}", { mode: 0o600 });
  child.kill("SIGINT");
  const r = await finish(child);
  assert.equal(r.code, 130);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await processesMentioning(`${dir}/run`), []);
  const manifest = await readManifest(`${dir}/run`);
  assert.equal(manifest.status, "interrupted");
  assert.deepEqual(manifest.stopped, { reason: "SIGINT", notebook: "inner.ipynb", cell: 1 });
  // Connection files (they hold the signing key) never outlive the kernels' start.
  const left = [...Deno.readDirSync(`${dir}/run`)].filter((e) => e.name.startsWith("kernel-"));
  assert.deepEqual(left, []);
});

Deno.test("output folders are created before any kernel starts; a URL or unwritable one exits 2", async () => {
  const dir = await Deno.makeTempDir();
  await writeTestNotebook(dir, "p.ipynb", [
    { source: 'let report_dir = "";\nlet lakehouse_dir = "";', tags: ["parameters"] },
    "1",
  ]);
  const ok = await finish(cli(["p.ipynb", "-p", "report_dir=a/b", "--run-dir", "run"], dir));
  assert.equal(ok.code, 0, ok.err);
  assert.ok(Deno.statSync(`${dir}/a/b`).isDirectory);
  const url = await finish(
    cli(["p.ipynb", "-p", "report_dir=az://rapports/x", "--run-dir", "r2"], dir),
  );
  assert.equal(url.code, 2);
  assert.match(url.err, /report_dir: "az:\/\/rapports\/x" is a URL/);
  // A lakehouse on Azure needs credentials; without them the run stops at once, no folder made.
  const env = { AZURE_STORAGE_CONNECTION_STRING: "", AZURE_STORAGE_ACCOUNT: "" };
  const azure = await finish(
    cli(["p.ipynb", "-p", "lakehouse_dir=az://eco2mix/lake", "--run-dir", "r4"], dir, env),
  );
  assert.equal(azure.code, 2);
  assert.match(azure.err, /lakehouse_dir: no Azure credentials.*AZURE_STORAGE_CONNECTION_STRING/);
  assert.throws(() => Deno.statSync(`${dir}/az:`), Deno.errors.NotFound);
  await Deno.writeTextFile(`${dir}/file`, "");
  const blocked = await finish(cli(["p.ipynb", "-p", "report_dir=file/x", "--run-dir", "r3"], dir));
  assert.equal(blocked.code, 2);
  assert.match(blocked.err, /report_dir: cannot write into/);
  assert.throws(() => Deno.statSync(`${dir}/r3`), Deno.errors.NotFound);
});

Deno.test("a second run on the same lakehouse is refused, naming the first; with --wait-lock it waits", async () => {
  const dir = await Deno.makeTempDir();
  await writeTestNotebook(dir, "w.ipynb", [
    { source: 'let lakehouse_dir = "";', tags: ["parameters"] },
    `Deno.writeTextFileSync("${dir}/started-" + Deno.pid, "");\n` +
    "await new Promise((r) => setTimeout(r, 3_000))",
  ]);
  const args = (run: string) => ["w.ipynb", "-p", "lakehouse_dir=lake", "--run-dir", run];
  const first = cli(args("r1"), dir);
  const deadline = Date.now() + 30_000;
  while (![...Deno.readDirSync(dir)].some((e) => e.name.startsWith("started-"))) {
    assert.ok(Date.now() < deadline, "the first run never started");
    await new Promise((r) => setTimeout(r, 100));
  }
  const refused = await finish(cli(args("r2"), dir));
  assert.equal(refused.code, 1);
  assert.match(refused.err, /LakehouseLocked|locked/i);
  assert.match(refused.err, new RegExp(`${dir}/r1`));
  assert.equal((await readManifest(`${dir}/r2`)).status, "failed");
  const waited = await finish(cli([...args("r3"), "--wait-lock", "60"], dir));
  assert.equal(waited.code, 0, waited.err);
  assert.equal((await finish(first)).code, 0);
  // Both runs that wrote released the lock.
  assert.throws(() => Deno.statSync(`${dir}/lake/_lakehouse.lock`), Deno.errors.NotFound);
});
