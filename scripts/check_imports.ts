/**
 * Part of `deno task lint`: fails when a module of `lib/` imports a folder above its own in the
 * layer order below, or when `lib/lakehouse` or `lib/ml` imports anything of the project.
 *
 * The folders of `lib/` form one order, lowest first ({@linkcode LAYERS}): a folder may import
 * itself and the folders below it, never one above. A total order has no cycle, so a cycle
 * between folders can only come in through a forbidden import, which is reported with its
 * `file:line`. The few imports that still go upward are listed one by one in
 * {@linkcode EXCEPTIONS}, each with why it is there; an exception that no longer matches an
 * import is reported too, so the list only shrinks.
 *
 * Test code (`*_test.ts`, `*testdata*` fixtures, files under a `testdata/` folder and the
 * examples in doc comments, which `deno test --doc` runs) follows the same order and may also
 * import `lib/testing` (the shared data path). So `lib/lakehouse`'s own code imports nothing of
 * the project, and its tests import only `lib/testing`.
 *
 * ```sh
 * deno run --allow-read scripts/check_imports.ts lib
 * ```
 *
 * @module
 */

import { dirname, join, normalize, relative } from "node:path";

/**
 * The folders of `lib/`, lowest first, each with why it may use the ones below it. `paths`
 * stands for `lib/paths.ts`.
 */
export const LAYERS: readonly (readonly [folder: string, why: string])[] = [
  ["paths", "where the project's folders are: imports nothing"],
  ["testing", "test support (shared data path, growing file): only needs the folder paths"],
  ["setup", "finds and fetches the reference files: only needs the folder paths"],
  ["lakehouse", "the Delta Lake layer: self-contained (see ISOLATED), reusable and testable alone"],
  ["runner", "executes notebooks, knows nothing of the data; holds the lakehouse lock"],
  ["notebook", "formatting and display in notebooks (French numbers, labels, runner's MIME)"],
  ["eco2mix", "reads RTE's files into frames; knows nothing of tables"],
  ["layers", "bronze, silver and gold from what eco2mix reads"],
  ["ml", "the learning engine (learners, metrics, splits, registry): self-contained, see ISOLATED"],
  ["forecasting", "eCO2mix forecasting (series, calendar, features, models) on ml and the layers"],
  ["analysis", "statistics on gold, with forecasting's calendar and notebook's number formats"],
  ["quality", "checks on the layers' tables"],
  ["report", "the French prose from analysis and ml results, formatted by notebook's helpers"],
  ["viz", "figures and dashboard, with report's labels and runner's kernel detection"],
  ["pipeline", "the steps: every layer above wired into the lakehouse catalogue"],
  ["bench", "measures everything, the pipeline included"],
];

/** Folders whose code imports nothing of the project outside themselves (tests: `testing`). */
export const ISOLATED: ReadonlySet<string> = new Set(["lakehouse", "ml"]);

/** The folder test code may import whatever its layer. */
const TEST_SUPPORT = "testing";

/** One known upward import: `file` (under lib/) may import `target` (a folder). */
export interface ImportException {
  readonly file: string;
  readonly target: string;
  readonly why: string;
}

/** Upward imports not fixed yet, each one a cycle between folders to remove. */
export const EXCEPTIONS: readonly ImportException[] = [
  {
    file: "notebook/slides.ts",
    target: "viz",
    why: "the slides CLI embeds plotly figures; it belongs in lib/viz or its own folder",
  },
  {
    file: "notebook/slides_test.ts",
    target: "viz",
    why: "tests the slides CLI (above) with real figures",
  },
  {
    file: "setup/inputs_test.ts",
    target: "eco2mix",
    why: "checks that the inputs setup finds read as eco2mix files",
  },
  {
    file: "testing/growing_file_test.ts",
    target: "eco2mix",
    why: "checks that each simulated version of the growing file reads as eco2mix",
  },
  {
    file: "testing/jupyter_server_test.ts",
    target: "runner",
    why: "finds leftover server processes with the runner tests' processesMentioning",
  },
];

/** A folder given to the check does not exist. */
export class CheckRootError extends Error {
  override name = "CheckRootError";
  /**
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CheckRootError } from "./check_imports.ts";
   * assert.equal(new CheckRootError("lbi").message, "lbi: no such folder to check");
   * ```
   */
  constructor(root: string) {
    super(`${root}: no such folder to check`);
  }
}

/** One forbidden import, or an exception that matches no import. */
export interface ImportFinding {
  /** File path as reached from the root given. */
  readonly file: string;
  /** 1-based line of the import (0 for a stale exception). */
  readonly line: number;
  /** What is wrong. */
  readonly message: string;
}

/** A relative specifier on a line: static, re-export, side-effect or dynamic import. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** A line of a doc comment: its imports are doc examples, run as tests. */
const DOC_LINE = /^\s*\*/;

const SKIPPED_DIRS = new Set(["node_modules", ".git"]);

/** Whether a file is test code as a whole (tests, fixtures, test child processes). */
function isTestFile(rel: string): boolean {
  return /_test\.ts$/.test(rel) || /testdata/.test(rel);
}

/** The layer of a path relative to the root (`paths` for `paths.ts`), or null outside lib. */
function folderOf(rel: string): string | null {
  if (rel.startsWith("..")) return null;
  const parts = rel.split("/");
  return parts.length === 1 ? rel.replace(/\.ts$/, "") : parts[0];
}

/**
 * The imports of `text` (a module at `rel`, relative to the root) that break the layer order,
 * with the exceptions that matched (as `file -> target`) added to `used`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forbiddenImports } from "./check_imports.ts";
 * const used = new Set<string>();
 * const bad = forbiddenImports("eco2mix/read.ts", 'import { x } from "../pipeline/a.ts";', used);
 * assert.equal(bad.length, 1);
 * assert.match(bad[0].message, /eco2mix may not import pipeline/);
 * assert.deepEqual(forbiddenImports("pipeline/a.ts", 'import "../eco2mix/read.ts";', used), []);
 * ```
 */
export function forbiddenImports(rel: string, text: string, used: Set<string>): ImportFinding[] {
  const rank = new Map(LAYERS.map(([f], i) => [f, i]));
  const source = folderOf(rel);
  const findings: ImportFinding[] = [];
  if (source === null || !rank.has(source)) {
    return [{ file: rel, line: 0, message: `${source}: folder missing from LAYERS` }];
  }
  text.split("\n").forEach((line, i) => {
    for (const [, spec] of line.matchAll(IMPORT)) {
      const target = folderOf(normalize(join(dirname(rel), spec)));
      if (target === null || target === source) continue;
      const test = isTestFile(rel) || DOC_LINE.test(line);
      if (test && target === TEST_SUPPORT) continue;
      const exception = EXCEPTIONS.find((e) => e.file === rel && e.target === target);
      if (exception) {
        used.add(`${exception.file} -> ${exception.target}`);
        continue;
      }
      const message = ISOLATED.has(source)
        ? `${source} imports nothing of the project, but imports ${spec}`
        : !rank.has(target)
        ? `${target}: folder missing from LAYERS (imported as ${spec})`
        : rank.get(target)! > rank.get(source)!
        ? `${source} may not import ${target} (above it in LAYERS): ${spec}`
        : null;
      if (message) findings.push({ file: rel, line: i + 1, message });
    }
  });
  return findings;
}

/**
 * Every forbidden import of the TypeScript modules under `root` (the `lib` folder), sorted by
 * file then line, and every exception that matched none. A missing root is an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findForbiddenImports } from "./check_imports.ts";
 * const lib = await Deno.makeTempDir();
 * await Deno.mkdir(`${lib}/lakehouse`);
 * await Deno.writeTextFile(`${lib}/lakehouse/a.ts`, '\nimport "../paths.ts";\n');
 * const [finding] = await findForbiddenImports(lib, []);
 * assert.deepEqual([finding.file, finding.line], ["lakehouse/a.ts", 2]);
 * await Deno.remove(lib, { recursive: true });
 * ```
 */
export async function findForbiddenImports(
  root: string,
  exceptions: readonly ImportException[] = EXCEPTIONS,
): Promise<ImportFinding[]> {
  const used = new Set<string>();
  const findings: ImportFinding[] = [];
  for (const file of await modulesUnder(root)) {
    const rel = relative(root, file);
    findings.push(...forbiddenImports(rel, await Deno.readTextFile(file), used));
  }
  for (const e of exceptions) {
    if (!used.has(`${e.file} -> ${e.target}`)) {
      findings.push({
        file: e.file,
        line: 0,
        message: `stale exception: no import of ${e.target}`,
      });
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** The TypeScript modules under `dir`. */
async function modulesUnder(dir: string): Promise<string[]> {
  const stat = await Deno.stat(dir).catch((e) => {
    throw e instanceof Deno.errors.NotFound ? new CheckRootError(dir) : e;
  });
  if (!stat.isDirectory) throw new CheckRootError(dir);
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && !SKIPPED_DIRS.has(entry.name)) files.push(...await modulesUnder(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? "lib";
  const findings = await findForbiddenImports(root).catch((e) => {
    if (!(e instanceof CheckRootError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  });
  if (findings.length > 0) {
    for (const f of findings) console.error(`${join(root, f.file)}:${f.line}: ${f.message}`);
    console.error(
      `${findings.length} import(s) against the layer order of scripts/check_imports.ts`,
    );
    Deno.exit(1);
  }
  console.log(`imports of ${root} follow the layer order (${EXCEPTIONS.length} known exceptions)`);
}
