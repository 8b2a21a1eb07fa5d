import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runScript } from "./_run_script.ts";
import { join } from "node:path";

const SCRIPT = fileURLToPath(new URL("./check_imports.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Runs the check as `deno task lint` does, from `cwd`, on `lib`. */
function runCheck(cwd: string) {
  return runScript(SCRIPT, ["lib"], cwd, ["--allow-read"]);
}

/** A copy of the project's real lib/ in a temporary folder (TypeScript modules only). */
async function copyOfLib(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "check_imports_" });
  const copy = async (from: string, to: string) => {
    await Deno.mkdir(to, { recursive: true });
    for await (const entry of Deno.readDir(from)) {
      if (entry.isDirectory) await copy(join(from, entry.name), join(to, entry.name));
      else if (entry.name.endsWith(".ts")) {
        await Deno.copyFile(join(from, entry.name), join(to, entry.name));
      }
    }
  };
  await copy(join(ROOT, "lib"), join(dir, "lib"));
  return dir;
}

/** Appends `line` to `file` of the copy; resolves to its 1-based line number. */
async function append(dir: string, file: string, line: string): Promise<number> {
  const path = join(dir, "lib", file);
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, `${text.replace(/\n?$/, "\n")}${line}\n`);
  return text.replace(/\n?$/, "\n").split("\n").length;
}

Deno.test("check_imports passes on the real lib/", async () => {
  const { code, stdout, stderr } = await runCheck(ROOT);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^imports of lib follow the layer order/);
});

Deno.test("check_imports fails on upward imports and lakehouse imports, naming file and line", async () => {
  const dir = await copyOfLib();
  try {
    const lake = await append(dir, "lakehouse/table.ts", 'import "../pipeline/catalog.ts";');
    const paths = await append(dir, "lakehouse/log.ts", 'export { PATHS } from "../paths.ts";');
    // A lakehouse test may read the shared data, nothing else of the project.
    await append(dir, "lakehouse/log_test.ts", 'import "../testing/shared_data.ts";');
    const test = await append(dir, "lakehouse/log_test.ts", 'import "../eco2mix/mod.ts";');
    // layers -> pipeline closes a cycle (pipeline imports layers).
    const cycle = await append(
      dir,
      "layers/silver.ts",
      'const m = await import("../pipeline/catalog.ts");',
    );
    const { code, stderr } = await runCheck(dir);
    assert.equal(code, 1);
    const lines = stderr.trim().split("\n");
    assert.deepEqual(lines, [
      `lib/lakehouse/log_test.ts:${test}: lakehouse imports nothing of the project, ` +
      "but imports ../eco2mix/mod.ts",
      `lib/lakehouse/log.ts:${paths}: lakehouse imports nothing of the project, but imports ../paths.ts`,
      `lib/lakehouse/table.ts:${lake}: lakehouse imports nothing of the project, ` +
      "but imports ../pipeline/catalog.ts",
      `lib/layers/silver.ts:${cycle}: layers may not import pipeline (above it in LAYERS): ` +
      "../pipeline/catalog.ts",
      "4 import(s) against the layer order of scripts/check_imports.ts",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check_imports reports a new folder and an exception that no longer applies", async () => {
  const dir = await copyOfLib();
  try {
    await Deno.mkdir(join(dir, "lib", "cli"));
    await Deno.writeTextFile(join(dir, "lib", "cli", "main.ts"), 'import "../paths.ts";\n');
    const slides = join(dir, "lib", "notebook", "slides.ts");
    const text = await Deno.readTextFile(slides);
    await Deno.writeTextFile(slides, text.replaceAll("../viz/", "../runner/"));
    const { code, stderr } = await runCheck(dir);
    assert.equal(code, 1);
    assert.match(stderr, /^lib\/cli\/main\.ts:0: cli: folder missing from LAYERS$/m);
    assert.match(stderr, /^lib\/notebook\/slides\.ts:0: stale exception: no import of viz$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
