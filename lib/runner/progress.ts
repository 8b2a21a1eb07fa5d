/**
 * Progress of a run: "notebook k/n · cell i/m · elapsed", on the terminal or, when the runner
 * itself runs inside a notebook (notebook 11), as a live display that the outer runner
 * forwards to its own terminal.
 *
 * @module
 */

import type { JupyterMessage } from "./wire.ts";

/** Where a run stands. */
export interface Progress {
  /** 1-based position of the notebook in the run, and the number of notebooks. */
  notebook: number;
  notebooks: number;
  name: string;
  /** 1-based code cell being run (0 while the kernel starts), and the number of code cells. */
  cell: number;
  cells: number;
  elapsedMs: number;
  /** The other notebooks running at the same time, if any. */
  alongside?: string[];
}

/** MIME type of progress displays, recognised by an outer runner. */
export const PROGRESS_MIME = "application/vnd.eco2mix.progress+json";

/**
 * MIME type of a skipped-step record in a cell's outputs (see `skipped` in
 * lib/notebook/display.ts): the runner lists these in the run manifest, so that a run that
 * skipped steps is told apart from a complete one.
 */
export const SKIPPED_STEP_MIME = "application/vnd.eco2mix.skipped-step+json";

/** A pipeline step that could not run on the data it was given (both texts in French). */
export interface SkippedStep {
  /** Short name of the step, e.g. "prévision de la consommation à un jour". */
  step: string;
  /** Why, for the reader of the notebook and the report. */
  reason: string;
}

/**
 * One progress line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatProgress } from "./progress.ts";
 * const line = formatProgress({ notebook: 2, notebooks: 3, name: "02_Bronze", cell: 4, cells: 9, elapsedMs: 12_345 });
 * assert.equal(line, "notebook 2/3 02_Bronze · cell 4/9 · 12.3 s");
 * assert.equal(formatProgress({ notebook: 1, notebooks: 3, name: "01_Setup", cell: 0, cells: 9, elapsedMs: 0 }), "notebook 1/3 01_Setup · starting kernel · 0.0 s");
 * assert.equal(
 *   formatProgress({ notebook: 3, notebooks: 3, name: "03_c", cell: 1, cells: 2, elapsedMs: 0, alongside: ["02_b"] }),
 *   "notebook 3/3 03_c · cell 1/2 · 0.0 s (also running: 02_b)",
 * );
 * ```
 */
export function formatProgress(p: Progress): string {
  const where = p.cell === 0 ? "starting kernel" : `cell ${p.cell}/${p.cells}`;
  return `notebook ${p.notebook}/${p.notebooks} ${p.name} · ${where} · ` +
    `${(p.elapsedMs / 1000).toFixed(1)} s` +
    (p.alongside?.length ? ` (also running: ${p.alongside.join(", ")})` : "");
}

/**
 * The progress carried by a kernel message, if it is a progress display of an inner run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nestedProgress, PROGRESS_MIME } from "./progress.ts";
 * import { newMessage } from "./wire.ts";
 * const p = { notebook: 1, notebooks: 1, name: "a", cell: 1, cells: 1, elapsedMs: 0 };
 * assert.equal(
 *   nestedProgress(newMessage("display_data", "s", { data: { [PROGRESS_MIME]: p } }))?.name,
 *   "a",
 * );
 * ```
 */
export function nestedProgress(msg: JupyterMessage): Progress | null {
  const type = msg.header.msg_type;
  if (type !== "display_data" && type !== "update_display_data") return null;
  return (msg.content.data?.[PROGRESS_MIME] as Progress | undefined) ?? null;
}

/** Whether this code runs inside the Deno Jupyter kernel. */
export function inKernel(): boolean {
  try {
    // Outside the kernel any access to Deno.jupyter throws.
    return typeof Deno.jupyter.broadcast === "function";
  } catch {
    return false;
  }
}

/**
 * Writes progress to the terminal: one rewritten line on a TTY, else a line every few
 * seconds (CI logs stay short).
 */
export class TerminalProgress {
  #lastPrint = 0;
  #tty = Deno.stderr.isTerminal();
  #width = 0;
  readonly #encoder = new TextEncoder();

  /** Shows `line` (an outer progress line, optionally followed by a nested one). */
  show(line: string): void {
    if (this.#tty) {
      const padded = line.padEnd(this.#width);
      this.#width = line.length;
      Deno.stderr.writeSync(this.#encoder.encode(`\r${padded}`));
    } else if (performance.now() - this.#lastPrint > 5_000) {
      this.#lastPrint = performance.now();
      Deno.stderr.writeSync(this.#encoder.encode(`${line}\n`));
    }
  }

  /** Ends the progress line. */
  done(): void {
    if (this.#tty && this.#width) Deno.stderr.writeSync(this.#encoder.encode("\n"));
    this.#width = 0;
  }
}

/**
 * Shows progress inside a notebook as one display that updates in place; an outer runner
 * reads the same display through {@linkcode nestedProgress}.
 */
export class KernelProgress {
  readonly #displayId = `progress-${crypto.randomUUID()}`;
  #shown = false;

  /** Publishes `p`. */
  async show(p: Progress): Promise<void> {
    const content = {
      data: { "text/plain": formatProgress(p), [PROGRESS_MIME]: p },
      metadata: {},
      transient: { display_id: this.#displayId },
    };
    await Deno.jupyter.broadcast(this.#shown ? "update_display_data" : "display_data", content);
    this.#shown = true;
  }
}
