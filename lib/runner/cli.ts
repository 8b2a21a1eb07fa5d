/**
 * Command line, papermill-style: runs one notebook headlessly through the Deno kernel into a
 * new run folder with its manifest.
 *
 * ```sh
 * deno run -A lib/runner/cli.ts notebooks/01_Setup_Environnement.ipynb -p input_path=data/x.xls
 * deno task pipeline --input ../shared/data/eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls
 * ```
 *
 * Parameters whose names end in `_path` or `_dir` are paths: relative ones are resolved from
 * the directory the command was typed in (kernels run in the notebooks' folder).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { PATHS } from "../paths.ts";
import { basename, isAbsolute, join, resolve } from "node:path";
import { executeNotebook, NotebookExecutionError, type NotebookRun } from "./execute.ts";
import { NotebookFormatError, readNotebook } from "./ipynb.ts";
import { KernelError, killAllKernels } from "./kernel.ts";
import { finishManifest, openRun, recordNotebook } from "./manifest.ts";
import {
  coerceParameter,
  declaredParameters,
  type ParameterDeclaration,
  ParameterError,
  type ParameterValue,
} from "./parameters.ts";
import { formatProgress, nestedProgress, TerminalProgress } from "./progress.ts";

const USAGE = `Usage: cli.ts NOTEBOOK [options]

Runs NOTEBOOK in a fresh Deno kernel and writes the executed copy and a manifest.json into a
new run folder (default runs/<run id>/), whose path is printed at the end.

Options:
  -p, --parameter KEY=VALUE  set a parameter of the notebook's "parameters" cell (repeatable)
  --input PATH               input file or folder (same as -p input_path=PATH)
  --run-dir DIR              run folder to use instead of runs/<run id>
  --timeout SECONDS          longest time one cell may run (default 600)
  -h, --help                 show this help`;

/** A command line the CLI cannot run. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A parsed command line; parameter values are still text. */
export interface CliOptions {
  notebook: string;
  parameters: [name: string, text: string][];
  runDir: string | null;
  cellTimeoutMs: number;
}

/**
 * Parses the command line; `cwd` is where the user typed it.
 *
 * @example
 * ```ts
 * import { parseCli } from "./cli.ts";
 * const o = parseCli(["nb.ipynb", "-p", "annee=2025", "--input", "x.xls"], "/home/me");
 * console.assert(o.notebook === "/home/me/nb.ipynb" && o.parameters.length === 2);
 * ```
 */
export function parseCli(args: string[], cwd: string): CliOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      parameter: { type: "string", short: "p", multiple: true },
      input: { type: "string" },
      "run-dir": { type: "string" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) throw new UsageError(USAGE);
  if (positionals.length !== 1) throw new UsageError(`expected one notebook\n\n${USAGE}`);
  const parameters = (values.parameter ?? []).map((p): [string, string] => {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`-p expects KEY=VALUE, got "${p}"`);
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
  if (values.input !== undefined) parameters.push(["input_path", values.input]);
  const timeout = Number(values.timeout ?? 600);
  if (!(timeout > 0)) throw new UsageError(`--timeout expects seconds, got "${values.timeout}"`);
  return {
    notebook: resolve(cwd, positionals[0]),
    parameters,
    runDir: values["run-dir"] ? resolve(cwd, values["run-dir"]) : null,
    cellTimeoutMs: timeout * 1000,
  };
}

/**
 * Types command-line parameters by the notebook's declarations and resolves relative paths
 * (names ending in `_path` or `_dir`) from `cwd`.
 *
 * @example
 * ```ts
 * import { typedParameters } from "./cli.ts";
 * const p = typedParameters([["annee", "2025"], ["input_path", "x.xls"]], [
 *   { name: "annee", keyword: "let", kind: "number" },
 * ], "/home/me");
 * console.assert(p.annee === 2025 && p.input_path === "/home/me/x.xls");
 * ```
 */
export function typedParameters(
  pairs: [string, string][],
  declared: ParameterDeclaration[],
  cwd: string,
): Record<string, ParameterValue> {
  const kinds = new Map(declared.map((d) => [d.name, d.kind]));
  const out: Record<string, ParameterValue> = {};
  for (const [name, text] of pairs) {
    const value = coerceParameter(text, kinds.get(name), name);
    const isPath = name.endsWith("_path") || name.endsWith("_dir");
    out[name] = isPath && typeof value === "string" && value !== "" && !isAbsolute(value)
      ? resolve(cwd, value)
      : value;
  }
  return out;
}

function summary(runDir: string, runs: NotebookRun[]): string {
  const rows = runs.map((r) =>
    `  ${basename(r.input).padEnd(40)} ${r.status.padEnd(9)} ${
      r.durationS.toFixed(1).padStart(7)
    } s`
  );
  return [`Run folder: ${runDir}`, ...rows].join("\n");
}

/** Runs the CLI; returns the process exit code. */
export async function main(args: string[], cwd: string): Promise<number> {
  let options: CliOptions;
  let parameters: Record<string, ParameterValue>;
  let runsOthers = false;
  try {
    options = parseCli(args, cwd);
    const declared = declaredParameters(await readNotebook(options.notebook));
    parameters = typedParameters(options.parameters, declared, cwd);
    runsOthers = declared.some((d) => d.name === "run_dir");
  } catch (e) {
    if (
      e instanceof UsageError || e instanceof ParameterError || e instanceof NotebookFormatError ||
      e instanceof Deno.errors.NotFound || (e as { code?: string }).code?.startsWith("ERR_PARSE")
    ) {
      console.error((e as Error).message);
      return 2;
    }
    throw e;
  }
  const inputPath = [parameters.input_path, parameters.data_dir, PATHS.data]
    .find((p) => typeof p === "string" && p !== "") as string;
  const { dir: runDir } = await openRun({ runDir: options.runDir ?? "", parameters, inputPath });
  // A notebook that runs others (11) writes their executed copies into this run's folder.
  if (runsOthers && !parameters.run_dir) parameters.run_dir = runDir;

  const terminal = new TerminalProgress();
  let outer = "";
  // Once interrupted, the handler owns the exit: a cell failing because its kernel was just
  // killed must not end the process first with another status.
  let interrupted: Promise<never> | null = null;
  const interrupt = () => {
    interrupted ??= (async () => {
      terminal.done();
      console.error("Interrupted: stopping kernels.");
      await killAllKernels();
      await finishManifest(runDir, "failed").catch(() => {});
      Deno.exit(130);
    })();
  };
  Deno.addSignalListener("SIGINT", interrupt);
  Deno.addSignalListener("SIGTERM", interrupt);
  try {
    const run = await executeNotebook(options.notebook, {
      parameters,
      outputPath: join(runDir, basename(options.notebook)),
      cellTimeoutMs: options.cellTimeoutMs,
      onWarning: (w) => console.warn(`warning: ${w}`),
      onProgress: (p) => {
        outer = formatProgress({ ...p, notebook: 1, notebooks: 1, name: basename(p.notebook) });
        terminal.show(outer);
      },
      onMessage: (msg) => {
        const inner = nestedProgress(msg);
        if (inner) terminal.show(`${outer} › ${formatProgress(inner)}`);
      },
    });
    terminal.done();
    await recordNotebook(runDir, run);
    const manifest = await finishManifest(runDir, "completed");
    console.log(summary(runDir, [run]));
    console.log(
      `Manifest: ${join(runDir, "manifest.json")} (${manifest.notebooks.length} notebooks)`,
    );
    return 0;
  } catch (e) {
    if (interrupted) await interrupted;
    terminal.done();
    if (!(e instanceof NotebookExecutionError || e instanceof KernelError)) throw e;
    if (e instanceof NotebookExecutionError) await recordNotebook(runDir, e.run);
    await finishManifest(runDir, "failed");
    console.error(`error: ${e.message}`);
    console.error(`Run folder: ${runDir}`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", interrupt);
    Deno.removeSignalListener("SIGTERM", interrupt);
  }
}

if (import.meta.main) {
  // `deno task` runs in the project root; INIT_CWD is where the user typed the command.
  Deno.exit(await main(Deno.args, Deno.env.get("INIT_CWD") ?? Deno.cwd()));
}
