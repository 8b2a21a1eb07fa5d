/**
 * The nbformat 4 notebook document: reading, writing, and turning kernel messages into cell
 * outputs the way Jupyter front ends store them.
 *
 * @module
 */

import type { JupyterMessage } from "./wire.ts";

/** Text that nbformat stores either whole or as a list of lines. */
export type MultilineString = string | string[];

/** One cell output (nbformat 4). */
export type Output =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: MultilineString }
  | {
    output_type: "display_data";
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
  }
  | {
    output_type: "execute_result";
    execution_count: number | null;
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
  }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** A notebook cell (nbformat 4). */
export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

/** A notebook document (nbformat 4). */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** A file that is not a readable nbformat 4 notebook. */
export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
}

/**
 * Joins nbformat multi-line text into one string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinSource } from "./ipynb.ts";
 * assert.equal(joinSource(["a\n", "b"]), "a\nb");
 * ```
 */
export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/**
 * Splits text into nbformat's list of lines, each but the last keeping its newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitLines } from "./ipynb.ts";
 * assert.deepEqual(splitLines("a\nb"), ["a\n", "b"]);
 * ```
 */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

// CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks, titles).
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/**
 * Removes ANSI escape sequences (the Deno kernel colours plain-text values).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripAnsi } from "./ipynb.ts";
 * assert.equal(stripAnsi("\x1b[33m42\x1b[39m"), "42");
 * ```
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/**
 * Parses a notebook file's text, checking it is nbformat 4.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNotebook } from "./ipynb.ts";
 * const nb = parseNotebook('{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[]}', "x.ipynb");
 * assert.equal(nb.cells.length, 0);
 * ```
 */
export function parseNotebook(text: string, path: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(`${path}: not JSON (${(e as Error).message})`);
  }
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new NotebookFormatError(`${path}: not an nbformat 4 notebook`);
  }
  nb.cells.forEach((cell, i) => {
    if (!["code", "markdown", "raw"].includes(cell.cell_type)) {
      throw new NotebookFormatError(`${path}: cell ${i} has unknown type ${cell.cell_type}`);
    }
  });
  return nb;
}

/** Reads and parses a notebook file. */
export async function readNotebook(path: string): Promise<Notebook> {
  return parseNotebook(await Deno.readTextFile(path), path);
}

/**
 * Serialises a notebook as Jupyter does (one-space indentation, trailing newline), so that
 * executed copies diff cleanly against what JupyterLab saves.
 */
export function stringifyNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

/** Writes a notebook atomically (temporary file, then rename). */
export async function writeNotebook(path: string, nb: Notebook): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, stringifyNotebook(nb));
  await Deno.rename(tmp, path);
}

/**
 * Largest output kept in an executed copy, in bytes of JSON (a rich bundle) or characters (the
 * text of a stream). A larger one (a chart of years of quarter-hours, a runaway log) would make
 * the notebook too heavy to open: it is replaced by a note with the start of its text.
 */
export const OUTPUT_CAP_BYTES = 20 * 1024 * 1024;

/** Characters of an oversized output's text kept in its note. */
const CAPPED_TEXT_CHARS = 2_000;

/** The note that stands for an output of `size` over the cap, followed by the start of `text`. */
function capNote(size: number, what: string, text: string): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1).replace(".", ",");
  return `[Sortie de ${mb(size)} Mo omise de la copie exécutée (limite : ` +
    `${mb(OUTPUT_CAP_BYTES)} Mo) ; ${what}]\n` + text.slice(0, CAPPED_TEXT_CHARS);
}

function capBundle(data: Record<string, unknown>): Record<string, unknown> {
  const bytes = JSON.stringify(data).length;
  if (bytes <= OUTPUT_CAP_BYTES) return data;
  const text = typeof data["text/plain"] === "string" ? data["text/plain"] : "";
  return { "text/plain": capNote(bytes, `types : ${Object.keys(data).join(", ")}`, text) };
}

function capStream(text: string, name: string): string {
  return text.length <= OUTPUT_CAP_BYTES ? text : capNote(text.length, `flux ${name}`, text);
}

function cleanBundle(raw: Record<string, unknown>): Record<string, unknown> {
  const data = capBundle(raw);
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) {
    // nbformat stores text mime types as line lists; JSON mime types stay objects.
    out[mime] = typeof value === "string"
      ? splitLines(mime === "text/plain" ? stripAnsi(value) : value)
      : value;
  }
  return out;
}

/**
 * Accumulates the outputs of one cell from its iopub messages, handling stream
 * coalescing, `clear_output` (including `wait`) and `update_display_data`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OutputCollector } from "./ipynb.ts";
 * import { newMessage } from "./wire.ts";
 * const c = new OutputCollector();
 * c.add(newMessage("stream", "s", { name: "stdout", text: "a" }));
 * c.add(newMessage("stream", "s", { name: "stdout", text: "b\n" }));
 * assert.deepEqual(c.finish()[0], { output_type: "stream", name: "stdout", text: ["ab\n"] });
 * ```
 */
export class OutputCollector {
  /** Outputs so far, in nbformat form. */
  readonly outputs: Output[] = [];
  #clearPending = false;
  #displayIds = new Map<string, number[]>();

  /** Adds one iopub message of the cell. */
  add(msg: JupyterMessage): void {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case "clear_output":
        if (c.wait) this.#clearPending = true;
        else this.#clear();
        return;
      case "update_display_data":
        for (const i of this.#displayIds.get(c.transient?.display_id) ?? []) {
          const o = this.outputs[i];
          if (o.output_type === "display_data" || o.output_type === "execute_result") {
            o.data = cleanBundle(c.data);
            o.metadata = c.metadata ?? {};
          }
        }
        return;
      case "stream":
        return this.#push({
          output_type: "stream",
          name: c.name,
          text: stripAnsi(String(c.text)),
        });
      case "display_data":
        return this.#push(
          { output_type: "display_data", data: cleanBundle(c.data), metadata: c.metadata ?? {} },
          c.transient?.display_id,
        );
      case "execute_result":
        return this.#push(
          {
            output_type: "execute_result",
            execution_count: c.execution_count ?? null,
            data: cleanBundle(c.data),
            metadata: c.metadata ?? {},
          },
          c.transient?.display_id,
        );
      case "error":
        return this.#push({
          output_type: "error",
          ename: stripAnsi(String(c.ename)),
          evalue: stripAnsi(String(c.evalue)),
          traceback: (c.traceback ?? []).map((l: string) => stripAnsi(l)),
        });
    }
  }

  /** Final outputs, with stream text (capped as a whole) split into nbformat's line lists. */
  finish(): Output[] {
    return this.outputs.map((o) =>
      o.output_type === "stream"
        ? { ...o, text: splitLines(capStream(joinSource(o.text), o.name)) }
        : o
    );
  }

  #clear(): void {
    this.outputs.length = 0;
    this.#displayIds.clear();
    this.#clearPending = false;
  }

  #push(output: Output, displayId?: string): void {
    if (this.#clearPending) this.#clear();
    const last = this.outputs.at(-1);
    if (
      output.output_type === "stream" && last?.output_type === "stream" &&
      last.name === output.name
    ) {
      last.text = joinSource(last.text) + joinSource(output.text);
      return;
    }
    this.outputs.push(output);
    if (displayId) {
      this.#displayIds.set(displayId, [
        ...(this.#displayIds.get(displayId) ?? []),
        this.outputs.length - 1,
      ]);
    }
  }
}
