/**
 * Command line, papermill-style: runs one notebook headlessly through the Deno kernel into a
 * new run folder with its manifest.
 *
 * ```sh
 * deno run -A lib/runner/cli.ts notebooks/01_Setup_Environnement.ipynb -p input_path data/x.xls
 * deno task pipeline --input ../shared/data/eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls
 * ```
 *
 * Parameters take papermill's forms (`-p KEY VALUE`, `-y YAML`, `-f FILE`) and `-p KEY=VALUE`;
 * `--help` prints the usage, with the differences from papermill.
 *
 * Parameters whose names end in `_path` or `_dir` are paths: relative ones are resolved from
 * the directory the command was typed in (kernels run in the notebooks' folder). Output
 * folders are created and checked before any notebook runs, so a run does not fail at its end
 * on a folder it cannot write.
 *
 * However the run stops (SIGINT, SIGTERM, SIGHUP, the death of the `npx`/`deno task` that
 * launched it, a timeout, a failing cell), every kernel of its tree is stopped and the manifest
 * says where and why; exit codes: 0 success (the manifest may say
 * `completed_with_skipped_steps`), 1 a notebook failed or timed out, 2 a wrong command line,
 * 128 + signal number when interrupted (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { PATHS } from "../paths.ts";
import { basename, isAbsolute, join, resolve } from "node:path";
import { executeNotebook, NotebookExecutionError } from "./execute.ts";
import { NotebookFormatError, readNotebook } from "./ipynb.ts";
import { KernelError, killAllKernels, removeConnectionFiles } from "./kernel.ts";
import { checkWritable, StorageLocationError } from "../lakehouse/storage.ts";
import { finishManifest, type Manifest, openRun, recordNotebook } from "./manifest.ts";
import {
  coerceParameter,
  declaredParameters,
  type ParameterDeclaration,
  ParameterError,
  type ParameterValue,
} from "./parameters.ts";
import { formatProgress, nestedProgress, type Progress, TerminalProgress } from "./progress.ts";
import { watchLaunchers } from "./supervision.ts";
// inputs.ts itself, not setup/mod.ts: the runtime checks there load polars.
import {
  InputNotFoundError,
  InputParameterError,
  type ResolvedInputs,
  resolveInputs,
} from "../setup/inputs.ts";
import { LakehouseLockedError, lockRunLakehouse } from "./run_lock.ts";
import type { LakehouseLock } from "../lakehouse/lock.ts";

/** The help text (`--help`). */
export const USAGE = `Usage: cli.ts NOTEBOOK [options]

Runs NOTEBOOK in a fresh Deno kernel and writes the executed copy and a manifest.json into a
new run folder (default runs/<run id>/), whose path is printed at the end.

Options:
  -p, --parameters KEY VALUE set a parameter of the notebook's "parameters" cell (repeatable);
                             -p KEY=VALUE works too
  -y, --parameters_yaml YAML parameters as YAML text, a mapping of KEY: VALUE (repeatable)
  -f, --parameters_file FILE parameters from a YAML (or JSON) file, a mapping (repeatable)
  --input PATH               input file or folder (same as -p input_path PATH)
  --run-dir DIR              run folder to use instead of runs/<run id>
  --timeout SECONDS          longest time one cell may run, in this notebook and in the
                             notebooks it runs (default 600)
  --budget SECONDS           longest time the whole run may take (default: no limit)
  --wait-lock SECONDS        when another run holds the lakehouse, wait this long for it
                             (default 0: stop at once with a message naming that run)
  -h, --help                 show this help

When a parameter is given several times, -f files come first, then -y texts, then -p and
--input, as in papermill. Values are converted to the type of the notebook's default
(let annee = 2025 takes a number), wherever they come from. Parameters named *_path or *_dir
are paths: relative ones are resolved from the current directory.

Differences from papermill: there is no OUTPUT argument (the executed copy goes into the run
folder); no -r, -b, --cwd, --kernel or --log-output (the kernel is Deno's, cell outputs stay
in the executed copy, progress is shown on the terminal).

Exit status: 0 success (see the manifest for skipped steps), 1 a notebook failed or timed
out, 2 a wrong command line, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.`;

/** A command line the CLI cannot run. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A parsed command line; parameter values are still text. */
export interface CliOptions {
  /** `-h`/`--help` was given: print {@linkcode USAGE}, run nothing (the rest is unset). */
  help: boolean;
  notebook: string;
  parameters: [name: string, text: string][];
  runDir: string | null;
  cellTimeoutMs: number;
  /** Whole-run budget in milliseconds, or null for none. */
  budgetMs: number | null;
  /** How long to wait for another run's lakehouse lock, in milliseconds. */
  lockWaitMs: number;
}

/**
 * Parses the command line; `cwd` is where the user typed it (relative `-f` files, the notebook
 * and `--run-dir` are resolved from it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCli } from "./cli.ts";
 * const o = parseCli(
 *   ["nb.ipynb", "-p", "annee", "2025", "-p", "profil=rapide", "-y", "seuil: 3"],
 *   "/home/me",
 * );
 * assert.equal(o.notebook, "/home/me/nb.ipynb");
 * assert.deepEqual(o.parameters, [["seuil", "3"], ["annee", "2025"], ["profil", "rapide"]]);
 * assert.equal(parseCli(["--help"], "/home/me").help, true);
 * ```
 */
export function parseCli(args: string[], cwd: string): CliOptions {
  const { pairs, yaml, files, rest } = takeParameterArgs(args);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      input: { type: "string" },
      "run-dir": { type: "string" },
      timeout: { type: "string" },
      budget: { type: "string" },
      "wait-lock": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    return {
      help: true,
      notebook: "",
      parameters: [],
      runDir: null,
      cellTimeoutMs: 0,
      budgetMs: null,
      lockWaitMs: 0,
    };
  }
  if (positionals.length !== 1) throw new UsageError(`expected one notebook\n\n${USAGE}`);
  // papermill's precedence: files, then YAML texts, then -p (and --input).
  const parameters = [
    ...files.flatMap((file) => yamlFileParameters(resolve(cwd, file))),
    ...yaml.flatMap((text) => yamlParameters(text, "-y")),
    ...pairs,
  ];
  if (values.input !== undefined) parameters.push(["input_path", values.input]);
  const timeout = Number(values.timeout ?? 600);
  if (!(timeout > 0)) throw new UsageError(`--timeout expects seconds, got "${values.timeout}"`);
  const budget = values.budget === undefined ? null : Number(values.budget);
  if (budget !== null && !(budget > 0)) {
    throw new UsageError(`--budget expects seconds, got "${values.budget}"`);
  }
  const lockWait = Number(values["wait-lock"] ?? 0);
  if (!(lockWait >= 0)) {
    throw new UsageError(`--wait-lock expects seconds, got "${values["wait-lock"]}"`);
  }
  return {
    help: false,
    notebook: resolve(cwd, positionals[0]),
    parameters,
    runDir: values["run-dir"] ? resolve(cwd, values["run-dir"]) : null,
    cellTimeoutMs: timeout * 1000,
    budgetMs: budget === null ? null : budget * 1000,
    lockWaitMs: lockWait * 1000,
  };
}

/** The parameter options, by spelling: all are read before parseArgs, see `takeParameterArgs`. */
const PARAMETER_OPTIONS: Record<string, "pair" | "yaml" | "file"> = {
  "-p": "pair",
  "--parameters": "pair",
  "--parameter": "pair",
  "-y": "yaml",
  "--parameters_yaml": "yaml",
  "-f": "file",
  "--parameters_file": "file",
};
const NAME = /^[A-Za-z_$][\w$]*$/;

/** The parameter options of a command line, and the other arguments. */
interface ParameterArgs {
  pairs: [string, string][];
  yaml: string[];
  files: string[];
  rest: string[];
}

/**
 * Takes the parameter options out of `args`: `-p KEY VALUE` (papermill's form) and
 * `-p KEY=VALUE`, `-y YAML`, `-f FILE`, under their long names too and with `=` or attached
 * values (`--parameters_file=p.yaml`, `-fp.yaml`). `node:util`'s parseArgs can read neither an
 * option with two values nor a value starting with "-" (a YAML list, `-p seuil -5`).
 */
function takeParameterArgs(args: string[]): ParameterArgs {
  const out: ParameterArgs = { pairs: [], yaml: [], files: [], rest: [] };
  const add = (kind: "pair" | "yaml" | "file", value: string) => {
    if (kind === "pair") out.pairs.push(keyEqualsValue(value));
    else (kind === "yaml" ? out.yaml : out.files).push(value);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.rest.push(...args.slice(i));
      break;
    }
    const kind = PARAMETER_OPTIONS[arg];
    const long = /^(--[\w-]+)=(.*)$/s.exec(arg);
    const short = /^(-[pyf])(.+)$/s.exec(arg);
    const attached = long ?? short;
    if (attached && PARAMETER_OPTIONS[attached[1]]) {
      add(PARAMETER_OPTIONS[attached[1]], attached[2]);
    } else if (kind === undefined) {
      out.rest.push(arg);
    } else if (i + 1 >= args.length) {
      throw new UsageError(`${arg} expects ${kind === "pair" ? "KEY VALUE" : kind.toUpperCase()}`);
    } else if (kind === "pair" && NAME.test(args[i + 1])) {
      if (i + 2 >= args.length) throw new UsageError(`${arg} ${args[i + 1]}: the value is missing`);
      out.pairs.push([args[i + 1], args[i + 2]]);
      i += 2;
    } else {
      add(kind, args[++i]);
    }
  }
  return out;
}

function keyEqualsValue(text: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0 || !NAME.test(text.slice(0, eq))) {
    throw new UsageError(`-p expects KEY VALUE or KEY=VALUE, got "${text}"`);
  }
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * The parameters of a YAML mapping (`-y`), as text pairs: strings as they are, other values
 * as JSON (a number, `true`, a list...), typed later by the notebook's declarations. `origin`
 * names the text in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { yamlParameters } from "./cli.ts";
 * assert.deepEqual(yamlParameters("annee: 2025\nprofil: rapide\nmois: [1, 2]", "-y"), [
 *   ["annee", "2025"],
 *   ["profil", "rapide"],
 *   ["mois", "[1,2]"],
 * ]);
 * assert.throws(() => yamlParameters("- 1", "-y"), /-y: expected a mapping of KEY: VALUE/);
 * ```
 */
export function yamlParameters(text: string, origin: string): [string, string][] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new UsageError(`${origin}: invalid YAML: ${(e as Error).message}`);
  }
  if (data === null || data === undefined) return [];
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new UsageError(
      `${origin}: expected a mapping of KEY: VALUE, got ${JSON.stringify(data)}`,
    );
  }
  return Object.entries(data).map((
    [key, value],
  ): [string, string] => [key, typeof value === "string" ? value : JSON.stringify(value)]);
}

/** {@linkcode yamlParameters} of a file (`-f`); a missing file is a {@linkcode UsageError}. */
function yamlFileParameters(path: string): [string, string][] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new UsageError(`-f ${path}: ${(e as Error).message}`);
  }
  return yamlParameters(text, path);
}

/**
 * Types command-line parameters by the notebook's declarations and resolves relative paths
 * (names ending in `_path` or `_dir`) from `cwd`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { typedParameters } from "./cli.ts";
 * const p = typedParameters([["annee", "2025"], ["input_path", "x.xls"]], [
 *   { name: "annee", keyword: "let", kind: "number" },
 * ], "/home/me");
 * assert.equal(p.annee, 2025);
 * assert.equal(p.input_path, "/home/me/x.xls");
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
    out[name] = isPath && typeof value === "string" && value !== "" && !isAbsolute(value) &&
        !isUrl(value)
      ? resolve(cwd, value)
      : value;
  }
  return out;
}

/** Whether a path parameter is a URL (`az://…`, `abfss://…`), which is not a local path. */
function isUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

/** Parameters naming folders the run writes into. */
const OUTPUT_DIRS = ["lakehouse_dir", "models_dir", "report_dir"];

/**
 * Creates the output folders named by `parameters` and checks they can be written, so that a
 * run never fails at its end on a folder it cannot use; throws {@linkcode UsageError}. The
 * lakehouse may be on Azure (`az://…`, `abfss://…`): a probe object is written there (the
 * credentials come from the environment); other folders must be local.
 */
export async function prepareOutputDirs(
  parameters: Record<string, ParameterValue>,
): Promise<void> {
  for (const name of OUTPUT_DIRS) {
    const dir = parameters[name];
    if (typeof dir !== "string" || dir === "") continue;
    if (isUrl(dir)) {
      if (name !== "lakehouse_dir") {
        throw new UsageError(`${name}: "${dir}" is a URL; only the lakehouse may be remote`);
      }
      try {
        await checkWritable(dir);
      } catch (e) {
        if (e instanceof StorageLocationError) throw new UsageError(`${name}: ${e.message}`);
        throw e;
      }
      continue;
    }
    try {
      await Deno.mkdir(dir, { recursive: true });
      const probe = join(dir, `.write-check-${crypto.randomUUID()}`);
      await Deno.writeTextFile(probe, "");
      await Deno.remove(probe);
    } catch (e) {
      throw new UsageError(`${name}: cannot write into "${dir}": ${(e as Error).message}`);
    }
  }
}

function summary(runDir: string, runs: Manifest["notebooks"]): string {
  const rows = runs.map((r) =>
    `  ${r.output.padEnd(40)} ${r.status.padEnd(10)} ${r.duration_s.toFixed(1).padStart(7)} s${
      r.skipped.length ? `  (${r.skipped.length} skipped step(s))` : ""
    }`
  );
  return [`Run folder: ${runDir}`, ...rows].join("\n");
}

const SIGNAL_EXIT: Partial<Record<Deno.Signal, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

/** How a CLI run ended: its exit code, and its run folder once one was opened. */
export interface CliOutcome {
  code: number;
  runDir: string | null;
}

/** Hooks for a program that wraps the CLI (the daily job). */
export interface CliHooks {
  /** Called once the run is stopped by a signal, before the process exits with `code`. */
  onInterrupted?: (runDir: string, code: number) => Promise<void>;
}

/** Runs the CLI; returns the process exit code. */
export async function main(args: string[], cwd: string): Promise<number> {
  return (await runCli(args, cwd)).code;
}

/**
 * Runs the CLI and says how it ended (see the module doc for exit codes). A signal ends the
 * process itself, after `hooks.onInterrupted`.
 */
export async function runCli(
  args: string[],
  cwd: string,
  hooks: CliHooks = {},
): Promise<CliOutcome> {
  let options: CliOptions;
  let parameters: Record<string, ParameterValue>;
  let runsOthers = false;
  let writesLakehouse = false;
  let readsInputs = false;
  let defaults: Record<string, ParameterValue> = {};
  try {
    options = parseCli(args, cwd);
    if (options.help) {
      console.log(USAGE);
      return { code: 0, runDir: null };
    }
    const declared = declaredParameters(await readNotebook(options.notebook));
    parameters = typedParameters(options.parameters, declared, cwd);
    runsOthers = declared.some((d) => d.name === "run_dir");
    writesLakehouse = declared.some((d) => d.name === "lakehouse_dir");
    readsInputs = declared.some((d) => d.name === "input_path");
    defaults = Object.fromEntries(
      declared.flatMap((d) => d.value === undefined ? [] : [[d.name, d.value]]),
    );
    // Nested notebooks get the same cell timeout as this one.
    if (declared.some((d) => d.name === "cell_timeout_s") && !("cell_timeout_s" in parameters)) {
      parameters.cell_timeout_s = options.cellTimeoutMs / 1000;
    }
    await prepareOutputDirs(parameters);
  } catch (e) {
    if (
      e instanceof UsageError || e instanceof ParameterError || e instanceof NotebookFormatError ||
      e instanceof Deno.errors.NotFound || (e as { code?: string }).code?.startsWith("ERR_PARSE")
    ) {
      console.error((e as Error).message);
      return { code: 2, runDir: null };
    }
    throw e;
  }
  // The input files are decided once, here, and handed on: every notebook and the manifest
  // then name the same files (and RTE's current file is fetched once per run). The notebook's
  // own defaults apply to what the command line does not give (allow_download, in 01 and 11).
  let inputs: ResolvedInputs | null = null;
  if (readsInputs) {
    try {
      inputs = await resolveInputs({ ...defaults, ...parameters });
    } catch (e) {
      if (!(e instanceof InputNotFoundError || e instanceof InputParameterError)) throw e;
      console.error(`error: ${e.message}`);
      return { code: 2, runDir: null };
    }
    for (const m of inputs.messages) console.error(m);
    parameters.input_path = inputs.inputPath;
  }
  const { dir: runDir } = await openRun({
    runDir: options.runDir ?? "",
    parameters,
    inputs: inputs?.files ?? [],
  });
  // A notebook that runs others (11) writes their executed copies into this run's folder.
  if (runsOthers && !parameters.run_dir) parameters.run_dir = runDir;
  let lock: LakehouseLock | null = null;
  if (writesLakehouse) {
    try {
      lock = await lockRunLakehouse(
        typeof parameters.lakehouse_dir === "string" && parameters.lakehouse_dir
          ? parameters.lakehouse_dir
          : PATHS.lakehouse,
        runDir,
        { waitMs: options.lockWaitMs, onWarning: (w) => console.warn(`warning: ${w}`) },
      );
    } catch (e) {
      if (!(e instanceof LakehouseLockedError)) throw e;
      await finishManifest(runDir, "failed", { reason: e.message });
      console.error(`error: ${e.message}`);
      return { code: 1, runDir };
    }
  }
  await using _lock = lock;

  const terminal = new TerminalProgress();
  let outer: Progress | null = null;
  let inner: Progress | null = null;
  // Once interrupted, the handler owns the exit: a cell failing because its kernel was just
  // killed must not end the process first with another status.
  let interrupted: Promise<never> | null = null;
  const interrupt = (reason: string, code: number) => {
    interrupted ??= (async () => {
      terminal.done();
      console.error(`Interrupted (${reason}): stopping kernels.`);
      await killAllKernels();
      // A kernel of the run that was still starting leaves its connection file behind.
      await removeConnectionFiles(runDir).catch(() => []);
      const at = inner ?? outer;
      await finishManifest(runDir, "interrupted", {
        reason,
        ...(at ? { notebook: `${at.name}.ipynb`, cell: at.cell } : {}),
      }).catch(() => {});
      await lock?.release();
      await hooks.onInterrupted?.(runDir, code).catch(() => {});
      Deno.exit(code);
    })();
  };
  const onSignal = Object.fromEntries(
    Object.entries(SIGNAL_EXIT).map(([signal, code]) => [signal, () => interrupt(signal, code!)]),
  );
  for (const [signal, handler] of Object.entries(onSignal)) {
    Deno.addSignalListener(signal as Deno.Signal, handler);
  }
  const stopWatching = watchLaunchers((gone) =>
    interrupt(`the launching process ${gone.pid} exited`, 143)
  );
  try {
    const run = await executeNotebook(options.notebook, {
      parameters,
      outputPath: join(runDir, basename(options.notebook)),
      cellTimeoutMs: options.cellTimeoutMs,
      runDeadline: options.budgetMs === null ? undefined : Date.now() + options.budgetMs,
      env: lock?.env ? { ...lock.env } : undefined,
      onWarning: (w) => console.warn(`warning: ${w}`),
      onProgress: (p) => {
        outer = { ...p, notebook: 1, notebooks: 1, name: basename(p.notebook, ".ipynb") };
        inner = null;
        terminal.show(formatProgress(outer));
      },
      onMessage: (msg) => {
        const nested = nestedProgress(msg);
        if (nested && outer) {
          inner = nested;
          terminal.show(`${formatProgress(outer)} › ${formatProgress(nested)}`);
        }
      },
    });
    terminal.done();
    await recordNotebook(runDir, run);
    const manifest = await finishManifest(runDir, "completed");
    console.log(summary(runDir, manifest.notebooks));
    const skipped = manifest.notebooks.flatMap((n) => n.skipped);
    for (const s of skipped) console.log(`Étape ignorée — ${s.step} : ${s.reason}`);
    console.log(
      `Manifest: ${join(runDir, "manifest.json")} (${manifest.notebooks.length} notebooks, ` +
        `status ${manifest.status})`,
    );
    return { code: 0, runDir };
  } catch (e) {
    if (interrupted) await interrupted;
    terminal.done();
    if (!(e instanceof NotebookExecutionError || e instanceof KernelError)) throw e;
    if (e instanceof NotebookExecutionError) await recordNotebook(runDir, e.run);
    const manifest = await finishManifest(runDir, "failed");
    console.error(`error: ${e.message}`);
    if (manifest.stopped?.notebook) {
      console.error(
        `First failure: ${manifest.stopped.notebook}, cell ${manifest.stopped.cell}: ` +
          manifest.stopped.reason,
      );
    }
    console.error(`Run folder: ${runDir}`);
    return { code: 1, runDir };
  } finally {
    stopWatching();
    for (const [signal, handler] of Object.entries(onSignal)) {
      Deno.removeSignalListener(signal as Deno.Signal, handler);
    }
  }
}

if (import.meta.main) {
  // `deno task` runs in the project root; INIT_CWD is where the user typed the command.
  Deno.exit(await main(Deno.args, Deno.env.get("INIT_CWD") ?? Deno.cwd()));
}
