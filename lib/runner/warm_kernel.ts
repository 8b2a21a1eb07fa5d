/**
 * A notebook's kernel started while the notebook before it runs. Starting a Deno kernel and
 * loading the modules a notebook imports (nodejs-polars' native addon, the lib modules) takes
 * 3-8 s per notebook on this machine's two cores, ten times per pipeline run; overlapped with the
 * previous notebook's work, most of it leaves the run's critical path.
 *
 * The kernel stays as fresh as Jupyter's: the warm-up is a silent request (no execution count,
 * no history) that only loads modules, binding no name in the notebook's scope, so the first
 * cell imports them from the module cache.
 *
 * @module
 */

import { joinSource, type Notebook, readNotebook } from "./ipynb.ts";
import { Kernel } from "./kernel.ts";
import { type ExecuteOptions, kernelStartOptions } from "./execute.ts";

/** Longest warm-up, in ms: past it the kernel is dropped and the notebook starts its own. */
const WARM_UP_TIMEOUT_MS = 120_000;

/** `import … from "x"` and `import "x"` at the start of a line (not `import(`, `import.meta`). */
const STATIC_IMPORT = /^[ \t]*import[\s{*][^;"'`]*?["']([^"'\n]+)["']/gm;

/**
 * The module specifiers a notebook's code cells import statically, in order of first use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importedModules } from "./warm_kernel.ts";
 * const cell = (source: string) => ({ cell_type: "code" as const, source, metadata: {}, outputs: [], execution_count: null });
 * const nb = {
 *   cells: [
 *     cell('import pl from "nodejs-polars";\nimport {\n  a,\n  type B,\n} from "./kernel.ts";'),
 *     cell('const m = await import("./wire.ts");\nimport "./ipynb.ts";\nconst u = import.meta.resolve("./u.ts");'),
 *     cell('import pl from "nodejs-polars";'),
 *   ],
 *   metadata: {},
 *   nbformat: 4 as const,
 *   nbformat_minor: 5,
 * };
 * assert.deepEqual(importedModules(nb), ["nodejs-polars", "./kernel.ts", "./ipynb.ts"]);
 * ```
 */
export function importedModules(notebook: Notebook): string[] {
  const found = new Set<string>();
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "code") continue;
    for (const m of joinSource(cell.source).matchAll(STATIC_IMPORT)) found.add(m[1]);
  }
  return [...found];
}

/**
 * Starts the kernel `executeNotebook(input, options)` would start and loads the modules the
 * notebook imports; resolves with the kernel, or null (kernel shut down) if either fails: the
 * notebook then starts its own kernel and meets the error where it belongs, in its cell.
 *
 * @example
 * ```ts ignore
 * const kernel = startWarmKernel("notebooks/02_Bronze_Ingestion.ipynb", { outputPath });
 * await executeNotebook("notebooks/01_Setup_Environnement.ipynb", { outputPath: first });
 * await executeNotebook("notebooks/02_Bronze_Ingestion.ipynb", { outputPath, kernel });
 * ```
 */
export async function startWarmKernel(
  input: string,
  options: ExecuteOptions,
): Promise<Kernel | null> {
  const modules = importedModules(await readNotebook(input));
  let kernel: Kernel | null = null;
  try {
    kernel = await Kernel.start(kernelStartOptions(input, options));
    if (modules.length) {
      const code = `await Promise.all(${JSON.stringify(modules)}.map((m) => import(m)));`;
      const deadline = { at: Date.now() + WARM_UP_TIMEOUT_MS, reason: "warm-up timed out" };
      const reply = await kernel.runSilently(code, deadline);
      if (reply.status !== "ok") throw new Error(reply.evalue);
    }
    return kernel;
  } catch {
    await kernel?.shutdown();
    return null;
  }
}
