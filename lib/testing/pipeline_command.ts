/**
 * The pipeline's command line as users type it (`deno task pipeline`: `lib/runner/cli.ts` on
 * notebook 11), built from typed options for the tests and benchmarks that run it in their own
 * process, so that they all spell notebook 11's parameters the same way.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PATHS } from "../paths.ts";

/** Notebook 11, which runs the others. */
export const PIPELINE_NOTEBOOK: string = join(PATHS.notebooks, "11_Pipeline_Complete.ipynb");
/** The runner's command line (`deno task pipeline` runs it on {@linkcode PIPELINE_NOTEBOOK}). */
export const RUNNER_CLI: string = fileURLToPath(import.meta.resolve("../runner/cli.ts"));

/**
 * What a run is given; an option left out is not passed, so notebook 11 keeps its default.
 * Each maps to one of notebook 11's parameters (named in French, see its `parameters` cell).
 */
export interface PipelineCommandOptions {
  /** RTE file or folder (`--input`, that is `input_path`). */
  input: string;
  /** Lakehouse location, a folder or `az://…` (`lakehouse_dir`). */
  lakehouseDir?: string;
  /** Model registry folder (`models_dir`). */
  modelsDir?: string;
  /** Folder of the report and its figures (`report_dir`). */
  reportDir?: string;
  /** Reference data of the models: ODRÉ history, temperatures, Tempo (`reference_dir`). */
  referenceDir?: string;
  /** Training profile (`profil`). */
  profile?: "complet" | "rapide";
  /** Whether RTE's current file may be refreshed in the data folder (`allow_download`). */
  allowDownload?: boolean;
  /** Run folder instead of `runs/<run id>` (`--run-dir`). */
  runDir?: string;
  /** Longest time one cell may run, in seconds (`--timeout`). */
  timeoutS?: number;
}

/** Notebook 11's parameter of each option passed with `-p`, in the order they are passed. */
const PARAMETERS = [
  ["lakehouseDir", "lakehouse_dir"],
  ["modelsDir", "models_dir"],
  ["reportDir", "report_dir"],
  ["referenceDir", "reference_dir"],
  ["profile", "profil"],
  ["allowDownload", "allow_download"],
] as const satisfies readonly (readonly [keyof PipelineCommandOptions, string])[];

/**
 * The arguments `deno task pipeline` takes after the notebook: `--input`, one `-p KEY=VALUE`
 * per option given, then `--run-dir` and `--timeout`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pipelineArgs } from "./pipeline_command.ts";
 * assert.deepEqual(
 *   pipelineArgs({ input: "in.xls", lakehouseDir: "az://c/lake", allowDownload: false }),
 *   ["--input", "in.xls", "-p", "lakehouse_dir=az://c/lake", "-p", "allow_download=false"],
 * );
 * assert.deepEqual(pipelineArgs({ input: "d", runDir: "r", timeoutS: 5 }), [
 *   "--input", "d", "--run-dir", "r", "--timeout", "5",
 * ]);
 * ```
 */
export function pipelineArgs(options: PipelineCommandOptions): string[] {
  const args = ["--input", options.input];
  for (const [option, parameter] of PARAMETERS) {
    const value = options[option];
    if (value !== undefined) args.push("-p", `${parameter}=${value}`);
  }
  if (options.runDir !== undefined) args.push("--run-dir", options.runDir);
  if (options.timeoutS !== undefined) args.push("--timeout", String(options.timeoutS));
  return args;
}

/**
 * The arguments of `Deno.execPath()` that run the pipeline: `run -A`, the runner's CLI, notebook
 * 11, then {@linkcode pipelineArgs}. Absolute paths, so the working directory is free.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PIPELINE_NOTEBOOK, pipelineCommand, RUNNER_CLI } from "./pipeline_command.ts";
 * const args = pipelineCommand({ input: "in.xls", profile: "rapide" });
 * assert.deepEqual(args, [
 *   "run", "-A", RUNNER_CLI, PIPELINE_NOTEBOOK, "--input", "in.xls", "-p", "profil=rapide",
 * ]);
 * ```
 */
export function pipelineCommand(options: PipelineCommandOptions): string[] {
  return ["run", "-A", RUNNER_CLI, PIPELINE_NOTEBOOK, ...pipelineArgs(options)];
}
