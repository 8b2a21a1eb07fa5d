/**
 * Part of `deno task lint`: fails when a notebook differs from what `deno fmt` would write,
 * without ever writing a file.
 *
 * Deno 2.9.6's `deno fmt --check` cannot do it: it reports every `.ipynb` as not formatted with
 * an empty diff (and, on standard input, prints "Not formatted stdin" with exit code 0); it passes
 * only once `deno fmt` has rewritten the files and recorded them in its cache. So each notebook
 * is piped through `deno fmt --ext=ipynb -`, which prints the formatted notebook, and compared
 * with the file. The formatter reads the `deno.json` of the current folder (line width).
 *
 * ```sh
 * deno run --allow-read --allow-run scripts/check_notebook_format.ts notebooks
 * ```
 *
 * @module
 */

import { join } from "node:path";

/** The folders checked when none are given on the command line. */
export const DEFAULT_ROOTS: readonly string[] = ["notebooks"];

/** `deno fmt` failed on a notebook (invalid JSON, for instance). */
export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
}

/**
 * `text` as `deno fmt` formats a notebook, with the `deno.json` of `cwd` (default: the current
 * folder). Code cells are formatted when the notebook names its language in
 * `metadata.language_info`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNotebook } from "./check_notebook_format.ts";
 * const code = { cell_type: "code", metadata: {}, outputs: [], source: ["const  a=1"] };
 * const nb = { cells: [code], metadata: { language_info: { name: "typescript" } }, nbformat: 4 };
 * const text = await formatNotebook(JSON.stringify(nb));
 * assert.deepEqual(JSON.parse(text).cells[0].source, ["const a = 1;"]);
 * assert.equal(await formatNotebook(text), text);
 * ```
 */
export async function formatNotebook(text: string, cwd?: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=ipynb", "-"],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  // The first line holds the message; a Rust backtrace may follow.
  if (!out.success) throw new NotebookFormatError(decode(out.stderr).trim().split("\n")[0]);
  return decode(out.stdout);
}

/** A notebook that `deno fmt` would change. */
export interface UnformattedNotebook {
  /** Path as reached from the root given. */
  readonly file: string;
  /** 1-based number of the first line `deno fmt` would change. */
  readonly line: number;
}

/**
 * The notebooks (`.ipynb` files, or the ones in folders) among `roots` that `deno fmt` would
 * change, in path order. A root that does not exist is an error: a typo must not pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unformattedNotebooks } from "./check_notebook_format.ts";
 * const dir = await Deno.makeTempDir();
 * const title = { cell_type: "markdown", metadata: {}, source: ["#  Titre"] }; // one space
 * const nb = { cells: [title], metadata: {}, nbformat: 4, nbformat_minor: 5 };
 * await Deno.writeTextFile(`${dir}/a.ipynb`, JSON.stringify(nb, null, 1));
 * assert.deepEqual(await unformattedNotebooks([dir]), [{ file: `${dir}/a.ipynb`, line: 7 }]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function unformattedNotebooks(
  roots: readonly string[],
  cwd?: string,
): Promise<UnformattedNotebook[]> {
  const found: UnformattedNotebook[] = [];
  for (const file of (await Promise.all(roots.map(notebooksUnder))).flat().sort()) {
    const text = await Deno.readTextFile(file);
    let formatted: string;
    try {
      formatted = await formatNotebook(text, cwd);
    } catch (e) {
      throw e instanceof NotebookFormatError ? new NotebookFormatError(`${file}: ${e.message}`) : e;
    }
    if (formatted !== text) found.push({ file, line: firstDifferentLine(text, formatted) });
  }
  return found;
}

/** The 1-based number of the first line where `a` and `b` differ (they do). */
function firstDifferentLine(a: string, b: string): number {
  const [la, lb] = [a.split("\n"), b.split("\n")];
  const i = la.findIndex((line, i) => line !== lb[i]);
  return (i === -1 ? la.length : i) + 1;
}

/** The `.ipynb` files under `root` (itself when it is a file). */
async function notebooksUnder(root: string): Promise<string[]> {
  const stat = await Deno.stat(root).catch((e) => {
    if (e instanceof Deno.errors.NotFound) {
      throw new NotebookFormatError(`${root}: no such file or folder to check`);
    }
    throw e;
  });
  if (stat.isFile) return [root];
  const files: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    const path = join(root, entry.name);
    if (entry.isDirectory) files.push(...await notebooksUnder(path));
    else if (entry.isFile && entry.name.endsWith(".ipynb")) files.push(path);
  }
  return files;
}

if (import.meta.main) {
  const roots = Deno.args.length > 0 ? Deno.args : DEFAULT_ROOTS;
  const found = await unformattedNotebooks(roots).catch((e) => {
    if (!(e instanceof NotebookFormatError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  });
  for (const { file, line } of found) {
    console.error(`${file}:${line}: not formatted as deno fmt writes it; run: deno fmt ${file}`);
  }
  if (found.length > 0) Deno.exit(1);
  console.log(`notebooks formatted in ${roots.join(", ")}`);
}
