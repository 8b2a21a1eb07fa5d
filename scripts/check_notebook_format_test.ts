import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runScript } from "./_run_script.ts";
import { formatNotebook } from "./check_notebook_format.ts";

const SCRIPT = fileURLToPath(new URL("./check_notebook_format.ts", import.meta.url));

/** A notebook whose TypeScript cell is not written as `deno fmt` writes it. */
const UNFORMATTED = JSON.stringify(
  {
    cells: [{
      cell_type: "code",
      execution_count: null,
      id: "c1",
      metadata: {},
      outputs: [],
      source: ["const  annee=2025"],
    }],
    metadata: { language_info: { name: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  },
  null,
  1,
) + "\n";

/** Runs the check as `deno task lint` does, from `cwd`. */
function runCheck(cwd: string, roots: string[]) {
  return runScript(SCRIPT, roots, cwd, ["--allow-read", "--allow-run"]);
}

async function withNotebook(text: string, test: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "nb_format_" });
  try {
    await Deno.mkdir(`${dir}/notebooks/sub`, { recursive: true });
    await Deno.writeTextFile(`${dir}/notebooks/sub/a.ipynb`, text);
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("check_notebook_format fails on an unformatted cell and leaves the file alone", async () => {
  await withNotebook(UNFORMATTED, async (dir) => {
    const { code, stderr } = await runCheck(dir, ["notebooks"]);
    assert.equal(code, 1);
    // Line 10 holds the cell's code.
    assert.equal(
      stderr.trim(),
      "notebooks/sub/a.ipynb:10: not formatted as deno fmt writes it; " +
        "run: deno fmt notebooks/sub/a.ipynb",
    );
    assert.equal(await Deno.readTextFile(`${dir}/notebooks/sub/a.ipynb`), UNFORMATTED);
  });
});

Deno.test("check_notebook_format passes on the notebook deno fmt writes", async () => {
  const formatted = await formatNotebook(UNFORMATTED);
  assert.match(formatted, /"const annee = 2025;"/);
  await withNotebook(formatted, async (dir) => {
    const { code, stdout } = await runCheck(dir, ["notebooks"]);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), "notebooks formatted in notebooks");
  });
});

Deno.test("check_notebook_format names a notebook deno fmt cannot read", async () => {
  await withNotebook('{"cells": [', async (dir) => {
    const { code, stderr } = await runCheck(dir, ["notebooks"]);
    assert.equal(code, 2);
    assert.match(stderr, /^notebooks\/sub\/a\.ipynb: .*Unterminated array/);
  });
});

Deno.test("check_notebook_format refuses a folder that does not exist", async () => {
  await withNotebook(UNFORMATTED, async (dir) => {
    const { code, stderr } = await runCheck(dir, ["notebook"]);
    assert.equal(code, 2);
    assert.equal(stderr.trim(), "notebook: no such file or folder to check");
  });
});
