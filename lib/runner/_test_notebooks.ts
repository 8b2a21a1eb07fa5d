/**
 * Builds small purpose-made notebooks for the runner's tests.
 *
 * @module
 */

import type { Cell, Notebook } from "./ipynb.ts";

/** A code cell given as its source, or with tags. */
export type CellSpec = string | { source: string; tags?: string[]; type?: "markdown" };

/**
 * Writes a notebook made of `cells` into `dir` and returns its path.
 *
 * @example
 * ```ts ignore
 * const path = await writeTestNotebook(dir, "a.ipynb", ["1 + 1"]);
 * ```
 */
export async function writeTestNotebook(
  dir: string,
  name: string,
  cells: CellSpec[],
): Promise<string> {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
    },
    cells: cells.map((spec, i): Cell => {
      const { source, tags, type } = typeof spec === "string" ? { source: spec } : spec;
      if (type === "markdown") {
        return { cell_type: "markdown", id: `c${i}`, source, metadata: {} };
      }
      return {
        cell_type: "code",
        id: `c${i}`,
        source,
        metadata: tags ? { tags } : {},
        outputs: [],
        execution_count: null,
      };
    }),
  };
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, JSON.stringify(nb, null, 1));
  return path;
}
