/**
 * Second step of `deno task test`: runs `deno test` with the given arguments inside a temporary
 * folder of its own (`TMPDIR`), removed when the run ends, whether it passes, fails or is stopped.
 *
 * Why: the tests and the doc examples make temporary lakehouses, registries, notebooks, Jupyter
 * servers and Chromium profiles, and a doc example that removed its folder would hide what it
 * shows. Without this, one run of the suite left about a hundred folders and some 170 MB in
 * `/tmp`. Python, Jupyter and Chromium, started by the tests, honour `TMPDIR` as Deno does.
 *
 * The folder's name carries the runner's process id (`eco2mix-tests-<pid>-…`): a run killed
 * outright (SIGKILL, a lost machine) leaves its folder, and the next run removes every such
 * folder whose process is gone. SIGTERM is passed on to `deno test`; SIGINT (Ctrl-C) reaches it
 * from the terminal directly.
 *
 * ```sh
 * deno run -A scripts/run_tests.ts -A --doc lib/
 * ```
 *
 * @module
 */

import { existsSync } from "node:fs";

/** Start of the name of each run's temporary folder, before the runner's process id. */
export const ROOT_PREFIX = "eco2mix-tests-";

/** Options of {@linkcode runTests}. */
export interface RunTestsOptions {
  /** Folder the run's temporary folder is made in (default `$TMPDIR`, else `/tmp`). */
  tempParent?: string;
  /** Where the output of `deno test` goes: the terminal's (default) or nowhere. */
  output?: "inherit" | "null";
}

/**
 * Removes the temporary folders of earlier runs, in `parent`, whose process has ended; gives
 * their paths. A folder whose process is alive (a run going on beside this one) is kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeStaleRoots, ROOT_PREFIX } from "./run_tests.ts";
 * const parent = await Deno.makeTempDir();
 * // Process ids on Linux stay below 2^22: this one never ran.
 * await Deno.mkdir(`${parent}/${ROOT_PREFIX}2147483647-a1`);
 * await Deno.mkdir(`${parent}/${ROOT_PREFIX}${Deno.pid}-b2`);
 * assert.deepEqual(await removeStaleRoots(parent), [`${parent}/${ROOT_PREFIX}2147483647-a1`]);
 * assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), [`${ROOT_PREFIX}${Deno.pid}-b2`]);
 * await Deno.remove(parent, { recursive: true });
 * ```
 */
export async function removeStaleRoots(parent: string): Promise<string[]> {
  const removed: string[] = [];
  for await (const entry of Deno.readDir(parent)) {
    const pid = entry.isDirectory && entry.name.startsWith(ROOT_PREFIX)
      ? Number(entry.name.slice(ROOT_PREFIX.length).split("-")[0])
      : NaN;
    if (!Number.isInteger(pid) || existsSync(`/proc/${pid}`)) continue;
    const path = `${parent}/${entry.name}`;
    await Deno.remove(path, { recursive: true });
    removed.push(path);
  }
  return removed.sort();
}

/**
 * Runs `deno test <args>` with `TMPDIR` set to a new folder, removes that folder after, and gives
 * the exit code of `deno test` (128 + the signal's number when a signal ended it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runTests } from "./run_tests.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(
 *   `${dir}/tmp_test.ts`,
 *   `Deno.test("temp", async () => { await Deno.writeTextFile(\`\${await Deno.makeTempDir()}/f\`, "x"); });`,
 * );
 * assert.equal(await runTests(["-A", `${dir}/tmp_test.ts`], { tempParent: dir, output: "null" }), 0);
 * // The run's folder, with the folder the test made in it, is gone.
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["tmp_test.ts"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function runTests(args: string[], options: RunTestsOptions = {}): Promise<number> {
  // Where Deno (Rust's `temp_dir`) makes temporary files on Unix.
  const parent = options.tempParent ?? (Deno.env.get("TMPDIR") || "/tmp");
  for (const path of await removeStaleRoots(parent)) {
    console.error(`run_tests: removed ${path}, left by an earlier run that was killed`);
  }
  const root = await Deno.makeTempDir({ dir: parent, prefix: `${ROOT_PREFIX}${Deno.pid}-` });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...args],
    env: { TMPDIR: root },
    stdin: "inherit",
    stdout: options.output ?? "inherit",
    stderr: options.output ?? "inherit",
  }).spawn();
  const terminate = () => child.kill("SIGTERM");
  const interrupt = () => {}; // the terminal sends Ctrl-C to `deno test` too
  Deno.addSignalListener("SIGTERM", terminate);
  Deno.addSignalListener("SIGINT", interrupt);
  try {
    const status = await child.status;
    return status.signal === null ? status.code : 128 + signalNumber(status.signal);
  } finally {
    Deno.removeSignalListener("SIGTERM", terminate);
    Deno.removeSignalListener("SIGINT", interrupt);
    await Deno.remove(root, { recursive: true }).catch((error) =>
      console.error(`run_tests: could not remove ${root}: ${error}`)
    );
  }
}

function signalNumber(signal: Deno.Signal): number {
  const numbers: Partial<Record<Deno.Signal, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return numbers[signal] ?? 1;
}

if (import.meta.main) Deno.exit(await runTests(Deno.args));
