/**
 * Part of `deno task lint`: fails when a source file calls console's `assert` method.
 *
 * Under Deno that method prints a message and does not throw, so a doc example or a test that
 * relies on it passes whatever the code returns. Examples assert with `node:assert` instead
 * (`import assert from "node:assert/strict"`). The check reads every TypeScript, JavaScript,
 * Markdown and notebook file under the folders given (default: `lib`, `scripts`, `notebooks`)
 * and names each offending `file:line`.
 *
 * ```sh
 * deno run --allow-read scripts/check_doc_asserts.ts lib scripts notebooks
 * ```
 *
 * This file never spells the forbidden call out, so that it does not flag itself.
 *
 * @module
 */

import { join } from "node:path";

/** The forbidden call, with optional spaces around the dot. */
const CONSOLE_ASSERT = /\bconsole\s*\.\s*assert\b/;

/** Its name in messages, assembled so that this file holds no call to flag. */
const NAME = ["console", "assert"].join(".");

/** Extensions of the files read; others (data, images) cannot hold a doc example. */
const SCANNED = /\.(ts|tsx|mts|js|jsx|mjs|cjs|md|ipynb)$/;

/** Folders never read: installed packages and generated output. */
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);

/** The folders checked when none are given on the command line. */
export const DEFAULT_ROOTS: readonly string[] = ["lib", "scripts", "notebooks"];

/** A folder given to the check does not exist. */
export class CheckRootError extends Error {
  override name = "CheckRootError";
  /**
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CheckRootError } from "./check_doc_asserts.ts";
   * assert.equal(new CheckRootError("lbi").message, "lbi: no such file or folder to check");
   * ```
   */
  constructor(root: string) {
    super(`${root}: no such file or folder to check`);
  }
}

/** One call to console's assert method found in a file. */
export interface AssertFinding {
  /** File path as reached from the root given (relative when the root is). */
  readonly file: string;
  /** 1-based line number of the call. */
  readonly line: number;
}

/**
 * The 1-based line numbers of `text` that call console's assert method.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleAssertLines } from "./check_doc_asserts.ts";
 * const call = ["console", "assert"].join(".");
 * assert.deepEqual(consoleAssertLines(`// one\n${call}(x === 1);\n${call} (y);`), [2, 3]);
 * assert.deepEqual(consoleAssertLines("assert.equal(x, 1);"), []);
 * ```
 */
export function consoleAssertLines(text: string): number[] {
  const lines: number[] = [];
  text.split("\n").forEach((line, i) => {
    if (CONSOLE_ASSERT.test(line)) lines.push(i + 1);
  });
  return lines;
}

/**
 * Every call to console's assert method in the scanned files under `roots`, sorted by file then
 * line. A root that does not exist is an error (a typo must not make the check pass).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findConsoleAsserts } from "./check_doc_asserts.ts";
 * const dir = await Deno.makeTempDir();
 * const call = ["console", "assert"].join(".");
 * await Deno.writeTextFile(`${dir}/a.ts`, `// ok\n${call}(false);\n`);
 * assert.deepEqual(await findConsoleAsserts([dir]), [{ file: `${dir}/a.ts`, line: 2 }]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function findConsoleAsserts(roots: readonly string[]): Promise<AssertFinding[]> {
  const findings: AssertFinding[] = [];
  for (const root of roots) {
    for (const file of await filesUnder(root)) {
      for (const line of consoleAssertLines(await Deno.readTextFile(file))) {
        findings.push({ file, line });
      }
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** The scanned files under `root` (itself when it is a file). */
async function filesUnder(root: string): Promise<string[]> {
  const stat = await Deno.stat(root).catch((e) => {
    throw e instanceof Deno.errors.NotFound ? new CheckRootError(root) : e;
  });
  if (stat.isFile) return [root];
  const files: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    const path = join(root, entry.name);
    if (entry.isDirectory && !SKIPPED_DIRS.has(entry.name)) files.push(...await filesUnder(path));
    else if (entry.isFile && SCANNED.test(entry.name)) files.push(path);
  }
  return files;
}

/**
 * The report printed for `findings`, one `file:line: ...` per call, or an empty string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatFindings } from "./check_doc_asserts.ts";
 * assert.equal(formatFindings([]), "");
 * assert.match(formatFindings([{ file: "lib/a.ts", line: 3 }]), /^lib\/a\.ts:3: /);
 * ```
 */
export function formatFindings(findings: readonly AssertFinding[]): string {
  return findings.map((f) =>
    `${f.file}:${f.line}: ${NAME} does not throw under Deno, so this check can never fail; ` +
    `use node:assert instead (import assert from "node:assert/strict")`
  ).join("\n");
}

if (import.meta.main) {
  const roots = Deno.args.length > 0 ? Deno.args : DEFAULT_ROOTS;
  const findings = await findConsoleAsserts(roots).catch((e) => {
    if (!(e instanceof CheckRootError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  });
  if (findings.length > 0) {
    console.error(formatFindings(findings));
    console.error(`${findings.length} call(s) to ${NAME} in ${roots.join(", ")}`);
    Deno.exit(1);
  }
  console.log(`no ${NAME} in ${roots.join(", ")}`);
}
