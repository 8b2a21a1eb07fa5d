/**
 * Runs several notebooks in order, each in a fresh kernel, into one run folder, recording each
 * in the run manifest. Notebook 11 calls this from inside its own kernel.
 *
 * @module
 */

import { basename, join } from "node:path";
import {
  executeNotebook,
  type ExecuteOptions,
  inheritedRunDeadline,
  kernelStartOptions,
  NotebookExecutionError,
  type NotebookRun,
} from "./execute.ts";
import { readNotebook } from "./ipynb.ts";
import { type Kernel, killAllKernels } from "./kernel.ts";
import { startWarmKernel } from "./warm_kernel.ts";
import { lockRunLakehouse } from "./run_lock.ts";
import { MANIFEST_FILE, recordNotebook } from "./manifest.ts";
import { declaredParameters, type ParameterValue } from "./parameters.ts";
import {
  formatProgress,
  inKernel,
  KernelProgress,
  type Progress,
  type SkippedStep,
  TerminalProgress,
} from "./progress.ts";

/** Options for {@linkcode runNotebooks}. */
export interface RunNotebooksOptions {
  /** Folder receiving the executed copies (and holding `manifest.json`, if any). */
  runDir: string;
  /** Parameters offered to every notebook; each receives only those it declares. */
  parameters?: Record<string, ParameterValue>;
  /** Longest time one cell may run, in milliseconds. */
  cellTimeoutMs?: number;
  /**
   * Epoch milliseconds after which no cell may go on (default: the deadline handed down by an
   * outer runner, if any).
   */
  runDeadline?: number;
  /** Progress sink (default: the terminal, or a live display inside a notebook). */
  onProgress?: (p: Progress) => void | Promise<void>;
  /** Warning sink (default: console.warn). */
  onWarning?: (message: string) => void;
  /**
   * The lakehouse the notebooks write: its lock is taken for the run (or inherited from the
   * outer runner that took it), so that no other run writes it meanwhile.
   */
  lakehouseDir?: string;
  /** How long to wait for another run's lock on `lakehouseDir`, in ms (default 0). */
  lockWaitMs?: number;
  /**
   * Asked before each notebook (with the parameters it declares) whether it is up to date; when
   * it answers with an earlier executed copy, that copy is copied into the run folder and
   * recorded as `up_to_date` instead of running the notebook (see lib/pipeline/up_to_date.ts).
   */
  reuse?: (
    notebook: string,
    parameters: Record<string, ParameterValue>,
  ) => Promise<ReusableCopy | null>;
  /**
   * Called after each notebook that ran to its end (not one reused, nor one that failed), before
   * the next starts; what it throws stops the run (up_to_date.ts checks what the notebook wrote).
   */
  ran?: (notebook: string, run: NotebookRun) => Promise<void>;
}

/** An earlier run's executed copy of a notebook that can stand for running it again. */
export interface ReusableCopy {
  /** Path of the executed copy. */
  executedCopy: string;
  /** The steps that run said it skipped (they still hold: nothing changed). */
  skipped: SkippedStep[];
}

/** Record of a multi-notebook run; `failed` is set when a notebook failed (the run stopped). */
export interface PipelineResult {
  runs: NotebookRun[];
  failed?: NotebookExecutionError;
}

function defaultProgress(): (p: Progress) => void | Promise<void> {
  if (inKernel()) {
    const display = new KernelProgress();
    return (p) => display.show(p);
  }
  const terminal = new TerminalProgress();
  return (p) => terminal.show(formatProgress(p));
}

/**
 * Runs `notebooks` in order, stopping at the first failure, and returns every run record.
 * When `runDir` holds a manifest, each notebook is appended to it as it ends.
 *
 * SIGTERM, SIGINT or SIGHUP (an outer runner being interrupted) stops the kernels started here;
 * the notebook that was running is recorded as failed with its executed copy, then the process
 * exits with 143. Should this process die without a chance to act, its kernels die with it
 * (see supervision.ts).
 *
 * @example
 * ```ts ignore
 * const { runs, failed } = await runNotebooks(["01_Setup_Environnement.ipynb"], {
 *   runDir: "../runs/manual",
 *   parameters: { input_path: "../data" },
 * });
 * ```
 */
export async function runNotebooks(
  notebooks: string[],
  options: RunNotebooksOptions,
): Promise<PipelineResult> {
  const progress = options.onProgress ?? defaultProgress();
  const hasManifest = await Deno.stat(join(options.runDir, MANIFEST_FILE)).then(
    () => true,
    () => false,
  );
  const runDeadline = options.runDeadline ?? inheritedRunDeadline();
  await using lock = options.lakehouseDir
    ? await lockRunLakehouse(options.lakehouseDir, options.runDir, {
      waitMs: options.lockWaitMs ?? 0,
      onWarning: options.onWarning ?? console.warn,
    })
    : null;
  // The notebook being run and recorded; a stop waits (briefly) for its record.
  let current: Promise<unknown> = Promise.resolve();
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await killAllKernels();
      await Promise.race([current, new Promise((r) => setTimeout(r, 5_000))]);
      await lock?.release();
      Deno.exit(143);
    })();
  };
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  const runs: NotebookRun[] = [];
  // The next notebook's kernel, started while the current one runs (see warm_kernel.ts); any
  // notebook of the same folder may take it, since the warm-up binds nothing.
  let spare = null as { cwd: string; kernel: Promise<Kernel | null> } | null;
  try {
    for (const [k, path] of notebooks.entries()) {
      if (stopping) await stopping;
      const declared = new Set(declaredParameters(await readNotebook(path)).map((d) => d.name));
      const parameters = Object.fromEntries(
        Object.entries(options.parameters ?? {}).filter(([name]) => declared.has(name)),
      );
      const name = basename(path, ".ipynb");
      const reusable = await options.reuse?.(path, parameters);
      if (reusable) {
        const run = await reuseCopy(path, reusable, join(options.runDir, basename(path)));
        runs.push(run);
        if (hasManifest) await recordNotebook(options.runDir, run);
        continue;
      }
      // Progress displays are sent in order, and all of them before the next notebook.
      let shown: Promise<void> = Promise.resolve();
      let settle = () => {};
      current = new Promise<void>((r) => settle = r);
      const next = notebooks[k + 1];
      const execution: ExecuteOptions = {
        parameters,
        outputPath: join(options.runDir, basename(path)),
        cellTimeoutMs: options.cellTimeoutMs,
        runDeadline,
        env: lock?.env ? { ...lock.env } : undefined,
        onWarning: options.onWarning ?? console.warn,
        onProgress: (p) => {
          const at = { ...p, notebook: k + 1, notebooks: notebooks.length, name };
          shown = shown.then(() => progress(at));
          // Once this notebook's kernel is up (its first cell starts), not to slow its start.
          if (p.cell === 1 && next && !spare) {
            spare = {
              cwd: kernelStartOptions(next, execution).cwd,
              kernel: startWarmKernel(next, { ...execution, parameters: {} }),
            };
          }
        },
      };
      const cwd = kernelStartOptions(path, execution).cwd;
      const kernel = spare?.cwd === cwd ? spare.kernel : undefined;
      if (!kernel) await spare?.kernel.then((unused) => unused?.shutdown());
      spare = null;
      try {
        const run = await executeNotebook(path, { ...execution, kernel });
        runs.push(run);
        if (hasManifest) await recordNotebook(options.runDir, run);
        await options.ran?.(path, run);
      } catch (e) {
        if (!(e instanceof NotebookExecutionError)) throw e;
        runs.push(e.run);
        if (hasManifest) await recordNotebook(options.runDir, e.run);
        return { runs, failed: e };
      } finally {
        await shown;
        settle();
      }
    }
    return { runs };
  } finally {
    await spare?.kernel.then((unused) => unused?.shutdown());
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
}

/** Copies an earlier executed copy into the run folder: the record of an up-to-date notebook. */
async function reuseCopy(
  input: string,
  copy: ReusableCopy,
  output: string,
): Promise<NotebookRun> {
  const now = new Date().toISOString();
  await Deno.copyFile(copy.executedCopy, output);
  return {
    input,
    output,
    status: "up_to_date",
    reusedFrom: copy.executedCopy,
    startedAt: now,
    endedAt: now,
    durationS: 0,
    kernelStartS: 0,
    peakRssMb: null,
    parameters: {},
    cells: [],
    skipped: copy.skipped,
  };
}
