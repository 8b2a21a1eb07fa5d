/**
 * Executes a notebook cell by cell in a fresh Deno kernel, papermill-style: parameters are
 * injected, every output is kept, each cell gets its timing and status, and the executed copy
 * is written even when a cell fails.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import {
  type CellDeadline,
  CellTimeoutError,
  Kernel,
  KernelError,
  type KernelStartOptions,
} from "./kernel.ts";
import {
  type Cell,
  joinSource,
  type Notebook,
  OutputCollector,
  readNotebook,
  splitLines,
  writeNotebook,
} from "./ipynb.ts";
import { injectParameters, type ParameterValue } from "./parameters.ts";
import type { JupyterMessage } from "./wire.ts";
import { nestedProgress, SKIPPED_STEP_MIME, type SkippedStep } from "./progress.ts";

/** Where a run is, for progress display. */
export interface CellProgress {
  notebook: string;
  /** 1-based position among the code cells to run; 0 while the kernel starts. */
  cell: number;
  cells: number;
  elapsedMs: number;
}

/** Options for {@linkcode executeNotebook}. */
export interface ExecuteOptions {
  /** Values for the `parameters` cell. */
  parameters?: Record<string, ParameterValue>;
  /** Path of the executed copy to write. */
  outputPath: string;
  /**
   * Longest time one cell may run, in milliseconds (default 10 minutes). A cell that runs
   * other notebooks (notebook 11) is not bounded as a whole: their cells are, and it stays
   * alive while they report progress.
   */
  cellTimeoutMs?: number;
  /**
   * The run's time budget: epoch milliseconds after which no cell may go on, nested runs
   * included (they receive it through {@linkcode RUN_DEADLINE_ENV}).
   */
  runDeadline?: number;
  /** Kernel working directory (default: the notebook's folder, as Jupyter does). */
  cwd?: string;
  /** Extra environment variables for the kernel. */
  env?: Record<string, string>;
  /** Folder for kernel connection files (default: beside the executed copy). */
  connectionDir?: string;
  /** Called before each code cell runs. */
  onProgress?: (progress: CellProgress) => void;
  /** Called with every kernel message a cell produces (e.g. to follow a nested run). */
  onMessage?: (msg: JupyterMessage) => void;
  /** Called for each warning (e.g. an unknown parameter). */
  onWarning?: (message: string) => void;
  /**
   * A kernel started ahead for this notebook with {@linkcode kernelStartOptions} of the same
   * options (see warm_kernel.ts); executeNotebook then owns it. When it resolves to null, a
   * kernel is started as usual.
   */
  kernel?: Promise<Kernel | null>;
}

/** Outcome of one notebook run. */
export interface NotebookRun {
  input: string;
  output: string;
  /** `up_to_date`: not run, its executed copy from an earlier run stands for it (`reusedFrom`). */
  status: "completed" | "failed" | "up_to_date";
  /** The earlier executed copy copied into this run, for an `up_to_date` notebook. */
  reusedFrom?: string;
  startedAt: string;
  endedAt: string;
  durationS: number;
  /** Kernel start-up time, in seconds. */
  kernelStartS: number;
  /** Peak resident memory of the kernel, in MB (null where it cannot be read). */
  peakRssMb: number | null;
  parameters: Record<string, ParameterValue>;
  /** Per executed code cell: index in the source notebook, status and duration. */
  cells: { index: number; status: "completed" | "failed"; durationS: number }[];
  /** Steps the notebook said it skipped, and why (see `skipped` in lib/notebook/display.ts). */
  skipped: SkippedStep[];
  error?: { cellIndex: number; executionCount: number | null; ename: string; evalue: string };
}

/** A notebook cell failed; the executed copy was written nonetheless. */
export class NotebookExecutionError extends Error {
  override name = "NotebookExecutionError";
  constructor(readonly run: NotebookRun) {
    const e = run.error!;
    const where = e.cellIndex < 0 ? "the injected parameters cell" : `cell ${e.cellIndex}`;
    super(
      `${run.input}: ${where} (In [${e.executionCount ?? " "}]) failed: ${e.ename}: ${e.evalue}` +
        `\nExecuted copy: ${run.output}`,
    );
  }
}

const PARAMETERS_INJECTED = "injected-parameters";

/** Environment variable carrying the run's deadline (epoch ms) into kernels. */
export const RUN_DEADLINE_ENV = "ECO2MIX_RUN_DEADLINE_MS";

/**
 * How the kernel of `input` is started under `options`: in the notebook's folder (or
 * `options.cwd`), its connection file beside the executed copy, with the run's deadline in its
 * environment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelStartOptions } from "./execute.ts";
 * const start = kernelStartOptions("/nb/01.ipynb", { outputPath: "/runs/x/01.ipynb", runDeadline: 5 });
 * assert.equal(start.cwd, "/nb");
 * assert.equal(start.connectionDir, "/runs/x");
 * assert.equal(start.env?.ECO2MIX_RUN_DEADLINE_MS, "5");
 * ```
 */
export function kernelStartOptions(input: string, options: ExecuteOptions): KernelStartOptions {
  return {
    cwd: options.cwd ?? dirname(resolve(input)),
    connectionDir: options.connectionDir ?? dirname(resolve(options.outputPath)),
    env: {
      ...options.env,
      ...(options.runDeadline !== undefined
        ? { [RUN_DEADLINE_ENV]: String(options.runDeadline) }
        : {}),
    },
  };
}

/**
 * Margin given to a cell that runs other notebooks beyond their own cell timeout, so that a
 * nested cell's timeout (reported with its notebook and cell) always fires first.
 */
const NESTED_GRACE_MS = 30_000;

/**
 * The run deadline handed down by an outer runner, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inheritedRunDeadline } from "./execute.ts";
 * assert.equal(inheritedRunDeadline({ ECO2MIX_RUN_DEADLINE_MS: "1700000000000" }), 1700000000000);
 * assert.equal(inheritedRunDeadline({}), undefined);
 * ```
 */
export function inheritedRunDeadline(
  env: Record<string, string> = Deno.env.toObject(),
): number | undefined {
  const value = Number(env[RUN_DEADLINE_ENV]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function budgetReason(runDeadline: number): string {
  return `the run's time budget ran out at ${new Date(runDeadline).toISOString()}`;
}

/**
 * Deadline of a cell starting now: its own timeout, or the run's budget if that comes first.
 */
function cellDeadline(timeoutMs: number, runDeadline: number | undefined): CellDeadline {
  const own = Date.now() + timeoutMs;
  return runDeadline !== undefined && runDeadline < own
    ? { at: runDeadline, reason: budgetReason(runDeadline) }
    : { at: own, reason: `cell did not finish within ${timeoutMs / 1000} s` };
}

/**
 * Moves the deadline of a cell that runs other notebooks after their progress: their own cells
 * (bounded by the same timeout and budget) always time out first, and are reported with their
 * notebook and cell.
 */
function extendForNestedRun(
  deadline: CellDeadline,
  timeoutMs: number,
  runDeadline: number | undefined,
): void {
  const nestedLimit = Math.min(Date.now() + timeoutMs, runDeadline ?? Infinity);
  const at = nestedLimit + NESTED_GRACE_MS;
  if (at > deadline.at) {
    Object.assign(deadline, {
      at,
      reason: nestedLimit === runDeadline
        ? budgetReason(runDeadline)
        : `the notebooks run by this cell made no progress for ${
          (timeoutMs + NESTED_GRACE_MS) / 1000
        } s`,
    });
  }
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function cellId(cell: Cell, i: number): string {
  return typeof cell.id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(cell.id)
    ? cell.id
    : `cell-${i}`;
}

/** Resets outputs and papermill metadata, and gives every cell an nbformat 4.5 id. */
function prepare(nb: Notebook): Notebook {
  const seen = new Set<string>();
  const cells = nb.cells.map((cell, i): Cell => {
    let id = cellId(cell, i);
    while (seen.has(id)) id = `${id}-${i}`;
    seen.add(id);
    const base: Cell = { ...cell, id, metadata: { ...cell.metadata } };
    delete base.metadata.papermill;
    if (cell.cell_type !== "code") return base;
    return {
      ...base,
      outputs: [],
      execution_count: null,
      metadata: {
        ...base.metadata,
        papermill: { status: "pending", exception: null, start_time: null, end_time: null },
      },
    };
  });
  return { ...nb, nbformat_minor: Math.max(nb.nbformat_minor ?? 0, 5), cells };
}

function errorBanner(cellIndex: number, count: number | null, message: string): Cell {
  return {
    cell_type: "markdown",
    id: "runner-error",
    source: splitLines(
      `<span style="color:red; font-size:1.2em">**Exécution interrompue** à la cellule ` +
        `${cellIndex} (In [${count ?? " "}]) : ${message.replaceAll("\n", " ")}</span>`,
    ),
    metadata: { tags: ["runner-error"] },
  };
}

/**
 * Runs every code cell of the notebook at `input` in a fresh kernel and writes the executed
 * copy to `options.outputPath`. Resolves with the run record when every cell succeeded; throws
 * {@linkcode NotebookExecutionError} (carrying the record) after writing the copy otherwise.
 *
 * @example
 * ```ts ignore
 * const run = await executeNotebook("notebooks/01_Setup_Environnement.ipynb", {
 *   outputPath: "runs/x/01_Setup_Environnement.ipynb",
 *   parameters: { input_path: "data/" },
 * });
 * console.log(run.durationS);
 * ```
 */
export async function executeNotebook(
  input: string,
  options: ExecuteOptions,
): Promise<NotebookRun> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const parameters = options.parameters ?? {};
  const source = await readNotebook(input);
  const { notebook: injected, unknown } = injectParameters(source, parameters);
  for (const name of unknown) {
    options.onWarning?.(`${input}: parameter "${name}" is not declared in the parameters cell`);
  }
  const nb = prepare(injected);
  const injectedAt = nb.cells.findIndex((c) => c.metadata.tags?.includes(PARAMETERS_INJECTED));
  const sourceIndex = (i: number) => (injectedAt >= 0 && i > injectedAt ? i - 1 : i);
  const codeCells = nb.cells
    .map((cell, i) => ({ cell, i }))
    .filter(({ cell }) => cell.cell_type === "code" && joinSource(cell.source).trim() !== "");
  const run: NotebookRun = {
    input,
    output: options.outputPath,
    status: "completed",
    startedAt,
    endedAt: startedAt,
    durationS: 0,
    kernelStartS: 0,
    peakRssMb: null,
    parameters,
    cells: [],
    skipped: [],
  };
  const timeoutMs = options.cellTimeoutMs ?? 600_000;
  const runDeadline = options.runDeadline;

  let kernel: Kernel | null = null;
  try {
    // Said before the kernel starts, so that an outer runner sees this run alive at once.
    options.onProgress?.({ notebook: input, cell: 0, cells: codeCells.length, elapsedMs: 0 });
    kernel = await options.kernel ?? await Kernel.start(kernelStartOptions(input, options))
      .catch((e) => {
        throw new KernelError(`${input}: ${e.message}`);
      });
    run.kernelStartS = seconds(performance.now() - started);
    for (const [k, { cell, i }] of codeCells.entries()) {
      options.onProgress?.({
        notebook: input,
        cell: k + 1,
        cells: codeCells.length,
        elapsedMs: performance.now() - started,
      });
      const collector = new OutputCollector();
      const t0 = performance.now();
      const cellStart = new Date().toISOString();
      let failure: { ename: string; evalue: string } | null = null;
      const deadline = cellDeadline(timeoutMs, runDeadline);
      try {
        const reply = await kernel.execute(joinSource(cell.source), {
          deadline,
          onOutput: (msg) => {
            // Known before the reply: a cell that times out still shows its In [n].
            if (msg.header.msg_type === "execute_input") {
              cell.execution_count = msg.content.execution_count;
            }
            if (nestedProgress(msg)) extendForNestedRun(deadline, timeoutMs, runDeadline);
            const step = msg.content.data?.[SKIPPED_STEP_MIME] as SkippedStep | undefined;
            if (step && msg.header.msg_type === "display_data") {
              run.skipped.push({ step: String(step.step), reason: String(step.reason) });
            }
            collector.add(msg);
            options.onMessage?.(msg);
          },
        });
        cell.execution_count = reply.execution_count;
        if (reply.status !== "ok") {
          failure = { ename: reply.ename ?? reply.status, evalue: reply.evalue ?? "" };
        }
      } catch (e) {
        if (!(e instanceof CellTimeoutError || e instanceof KernelError)) throw e;
        failure = { ename: e.name, evalue: e.message };
        collector.outputs.push({ output_type: "error", ...failure, traceback: [e.message] });
      }
      const durationS = seconds(performance.now() - t0);
      cell.outputs = collector.finish();
      cell.metadata.papermill = {
        status: failure ? "failed" : "completed",
        exception: failure !== null,
        start_time: cellStart,
        end_time: new Date().toISOString(),
        duration: durationS,
      };
      run.cells.push({
        index: sourceIndex(i),
        status: failure ? "failed" : "completed",
        durationS,
      });
      if (failure) {
        const index = i === injectedAt ? -1 : sourceIndex(i);
        run.status = "failed";
        run.error = { cellIndex: index, executionCount: cell.execution_count ?? null, ...failure };
        nb.cells.unshift(errorBanner(index, cell.execution_count ?? null, failure.evalue));
        break;
      }
    }
  } finally {
    run.peakRssMb = kernel?.peakRssMb() ?? null;
    await kernel?.shutdown();
    run.endedAt = new Date().toISOString();
    run.durationS = seconds(performance.now() - started);
    nb.metadata = {
      ...nb.metadata,
      papermill: {
        engine: "eco2mix-runner (Deno kernel over ZMTP)",
        input_path: input,
        output_path: options.outputPath,
        parameters,
        start_time: startedAt,
        end_time: run.endedAt,
        duration: run.durationS,
        exception: run.status === "failed",
      },
    };
    await Deno.mkdir(dirname(resolve(options.outputPath)), { recursive: true });
    await writeNotebook(options.outputPath, nb);
  }
  if (run.status === "failed") throw new NotebookExecutionError(run);
  return run;
}
