import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runScript } from "./_run_script.ts";
import { findConsoleAsserts } from "./check_doc_asserts.ts";

const SCRIPT = fileURLToPath(new URL("./check_doc_asserts.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Spelled in pieces so that this file holds no call for the check to flag. */
const CALL = ["console", "assert"].join(".");

/** Runs the check as `deno task lint` does, from `cwd`, on `roots`. */
function runCheck(cwd: string, roots: string[]) {
  return runScript(SCRIPT, roots, cwd, ["--allow-read"]);
}

/** A folder shaped like the project, with one doc example and one notebook cell. */
async function projectLike(example: string, cell: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "doc_asserts_" });
  await Deno.mkdir(`${dir}/lib/sub`, { recursive: true });
  await Deno.mkdir(`${dir}/notebooks`);
  await Deno.mkdir(`${dir}/lib/node_modules`);
  await Deno.writeTextFile(
    `${dir}/lib/sub/mod.ts`,
    ["/**", " * @example", " * ```ts", ` * ${example}`, " * ```", " */", "export const x = 1;", ""]
      .join("\n"),
  );
  const notebook = { cells: [{ cell_type: "code", source: [cell] }] };
  await Deno.writeTextFile(`${dir}/notebooks/n.ipynb`, JSON.stringify(notebook, null, 1));
  // Installed packages are not the project's code: never read.
  await Deno.writeTextFile(`${dir}/lib/node_modules/dep.js`, `${CALL}(true);\n`);
  return dir;
}

Deno.test("check_doc_asserts fails on an added call, naming file and line", async () => {
  const dir = await projectLike(`${CALL}(x === 2);`, `${CALL}(true);`);
  try {
    const { code, stderr } = await runCheck(dir, ["lib", "notebooks"]);
    assert.equal(code, 1);
    assert.match(stderr, /^lib\/sub\/mod\.ts:4: console\.assert does not throw/m);
    assert.match(stderr, /^notebooks\/n\.ipynb:6: /m);
    assert.match(stderr, /2 call\(s\) to console\.assert in lib, notebooks/);
    assert.doesNotMatch(stderr, /node_modules/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check_doc_asserts passes when examples use node:assert", async () => {
  const dir = await projectLike("assert.equal(x, 1);", "assert.ok(true);");
  try {
    const { code, stdout } = await runCheck(dir, ["lib", "notebooks"]);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), `no ${CALL} in lib, notebooks`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check_doc_asserts refuses a folder that does not exist", async () => {
  const dir = await Deno.makeTempDir({ prefix: "doc_asserts_" });
  try {
    const { code, stderr } = await runCheck(dir, ["lbi"]);
    assert.equal(code, 2);
    assert.equal(stderr.trim(), "lbi: no such file or folder to check");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(`the project's lib, scripts and notebooks hold no ${CALL}`, async () => {
  const roots = ["lib", "scripts", "notebooks"].map((r) => `${ROOT}${r}`);
  assert.deepEqual(await findConsoleAsserts(roots), []);
});
