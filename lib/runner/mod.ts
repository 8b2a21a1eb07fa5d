/**
 * The papermill-style notebook runner: executes `.ipynb` files through the real Deno Jupyter
 * kernel (ZMTP + signed Jupyter messages, no Python), with parameters, executed copies, per-cell
 * timings, timeouts and a run manifest.
 *
 * @example
 * ```ts ignore
 * import { executeNotebook } from "./mod.ts";
 * await executeNotebook("notebooks/01_Setup_Environnement.ipynb", {
 *   outputPath: "runs/manual/01_Setup_Environnement.ipynb",
 *   parameters: { input_path: "/data/eCO2mix_RTE_En-cours-TR.xls" },
 * });
 * ```
 *
 * @module
 */

export * from "./execute.ts";
export * from "./ipynb.ts";
export * from "./kernel.ts";
export * from "./manifest.ts";
export * from "./parameters.ts";
export * from "./pipeline.ts";
export * from "./progress.ts";
