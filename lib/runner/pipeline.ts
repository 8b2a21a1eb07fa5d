/**
 * Runs several notebooks, each in a fresh kernel, into one run folder, recording each in the run
 * manifest: in order, or side by side where the caller says which notebooks wait for which.
 * Notebook 11 calls this from inside its own kernel.
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
   * the notebooks waiting for it start; what it throws stops the run (up_to_date.ts checks what
   * the notebook wrote).
   */
  ran?: (notebook: string, run: NotebookRun) => Promise<void>;
  /**
   * The notebooks of `notebooks`, listed before it, that `notebook` waits for (default: the one
   * just before it, so that they run one after the other).
   */
  dependsOn?: (notebook: string) => readonly string[];
  /**
   * How many notebooks may run at once (default 1): a notebook starts as soon as those it waits
   * for have ended and a place is free, the one with the longest chain of notebooks waiting on
   * it first (then the first listed).
   */
  concurrency?: number;
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

/** Something the runner itself cannot do (not a notebook's failure); the message says what. */
export class PipelineRunError extends Error {
  override name = "PipelineRunError";
}

/**
 * For each notebook, the indices of the notebooks it waits for; throws
 * {@linkcode PipelineRunError} for one that is not listed before it.
 */
function dependencyIndices(notebooks: string[], options: RunNotebooksOptions): number[][] {
  return notebooks.map((path, k) => {
    const named = options.dependsOn ? options.dependsOn(path) : k ? [notebooks[k - 1]] : [];
    return named.map((dep) => {
      const i = notebooks.indexOf(dep);
      if (i < 0 || i >= k) {
        throw new PipelineRunError(
          `${basename(path)} waits for ${basename(dep)}, which is not listed before it`,
        );
      }
      return i;
    });
  });
}

/**
 * Runs `notebooks`, each after those it waits for (`dependsOn`; by default the previous one), up
 * to `concurrency` at once, and returns every run record in the order of `notebooks`. After a
 * failure no notebook starts; those already running end and are recorded. When `runDir` holds a
 * manifest, each notebook is recorded in it as it ends, listed in the order of `notebooks`.
 *
 * SIGTERM, SIGINT or SIGHUP (an outer runner being interrupted) stops the kernels started here;
 * the notebooks that were running are recorded as failed with their executed copies, then the
 * process exits with 143. Should this process die without a chance to act, its kernels die with
 * it (see supervision.ts).
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
  const waitsFor = dependencyIndices(notebooks, options);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  // Longest chain of notebooks from each one to the end: the critical path starts first.
  const chain = notebooks.map(() => 1);
  for (let k = notebooks.length - 1; k >= 0; k--) {
    for (const d of waitsFor[k]) chain[d] = Math.max(chain[d], chain[k] + 1);
  }
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
  // The notebooks being run and recorded, by index; a stop waits (briefly) for their records.
  const running = new Map<number, Promise<void>>();
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await killAllKernels();
      await Promise.race([
        Promise.allSettled(running.values()),
        new Promise((r) => setTimeout(r, 5_000)),
      ]);
      await lock?.release();
      Deno.exit(143);
    })();
  };
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  const state = notebooks.map((): "waiting" | "started" | "done" => "waiting");
  const runs: (NotebookRun | undefined)[] = notebooks.map(() => undefined);
  let failed: NotebookExecutionError | undefined;
  let fatal: { error: unknown } | undefined;
  // Manifest writes (read, append, write) one at a time; progress displays in order.
  let recorded: Promise<void> = Promise.resolve();
  const record = (run: NotebookRun) =>
    recorded = recorded.then(() =>
      hasManifest ? recordNotebook(options.runDir, run, notebooks) : undefined
    );
  let shown: Promise<void> = Promise.resolve();
  // A kernel started ahead for the next notebook to start (see warm_kernel.ts); any notebook of
  // the same folder may take it, since the warm-up binds nothing.
  let spare = null as { cwd: string; kernel: Promise<Kernel | null> } | null;
  const ready = () =>
    notebooks.map((_, k) => k)
      .filter((k) => state[k] === "waiting" && waitsFor[k].every((d) => state[d] === "done"))
      .sort((a, b) => chain[b] - chain[a] || a - b);

  const run = async (k: number) => {
    const path = notebooks[k];
    const declared = new Set(declaredParameters(await readNotebook(path)).map((d) => d.name));
    const parameters = Object.fromEntries(
      Object.entries(options.parameters ?? {}).filter(([name]) => declared.has(name)),
    );
    const name = basename(path, ".ipynb");
    const reusable = await options.reuse?.(path, parameters);
    if (reusable) {
      runs[k] = await reuseCopy(path, reusable, join(options.runDir, basename(path)));
      await record(runs[k]!);
      return;
    }
    const execution: ExecuteOptions = {
      parameters,
      outputPath: join(options.runDir, basename(path)),
      cellTimeoutMs: options.cellTimeoutMs,
      runDeadline,
      env: lock?.env ? { ...lock.env } : undefined,
      onWarning: options.onWarning ?? console.warn,
      onProgress: (p) => {
        const others = [...running.keys()].filter((i) => i !== k)
          .map((i) => basename(notebooks[i], ".ipynb"));
        const at = {
          ...p,
          notebook: k + 1,
          notebooks: notebooks.length,
          name,
          ...(others.length ? { alongside: others } : {}),
        };
        shown = shown.then(() => progress(at));
        // Once this notebook's kernel is up (its first cell starts), not to slow its start.
        const next = notebooks.findIndex((_, i) => state[i] === "waiting");
        if (p.cell === 1 && next >= 0 && !spare) {
          spare = {
            cwd: kernelStartOptions(notebooks[next], execution).cwd,
            kernel: startWarmKernel(notebooks[next], { ...execution, parameters: {} }),
          };
        }
      },
    };
    const cwd = kernelStartOptions(path, execution).cwd;
    const kernel = spare?.cwd === cwd ? spare.kernel : undefined;
    if (!kernel) await spare?.kernel.then((unused) => unused?.shutdown());
    spare = null;
    try {
      runs[k] = await executeNotebook(path, { ...execution, kernel });
      await record(runs[k]!);
      await options.ran?.(path, runs[k]!);
    } catch (e) {
      if (!(e instanceof NotebookExecutionError)) throw e;
      runs[k] = e.run;
      await record(e.run);
      failed ??= e;
    } finally {
      await shown;
    }
  };

  try {
    while (true) {
      if (stopping) await stopping;
      if (!failed && !fatal) {
        for (const k of ready()) {
          if (running.size >= concurrency) break;
          state[k] = "started";
          running.set(
            k,
            run(k).then(
              () => void (state[k] = "done"),
              (error) => void (fatal ??= { error }),
            ).finally(() => running.delete(k)),
          );
        }
      }
      if (!running.size) break;
      await Promise.race(running.values());
    }
    await recorded;
    if (fatal) throw fatal.error;
    const ended = runs.filter((r): r is NotebookRun => r !== undefined);
    return failed ? { runs: ended, failed } : { runs: ended };
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
