/**
 * Notebook display glue: Markdown and tables shown as rich outputs inside the Deno kernel,
 * and as plain text anywhere else, so lib code and tests can call it outside a notebook.
 *
 * @module
 */

import pl from "nodejs-polars";
import { inKernel, SKIPPED_STEP_MIME, type SkippedStep } from "../runner/progress.ts";

export type { SkippedStep };

type Row = Record<string, unknown>;

/**
 * Shows Markdown text (numbers in it must come from the data, formatted by the caller).
 *
 * @example
 * ```ts
 * import { md } from "./display.ts";
 * await md("**Consommation moyenne** : 45 000 MW");
 * ```
 */
export async function md(text: string): Promise<void> {
  if (inKernel()) {
    await Deno.jupyter.display(
      { "text/markdown": text, "text/html": markdownToHtml(text), "text/plain": text },
      { raw: true },
    );
  } else console.log(text);
}

/** A line of Markdown rewritten in place, see {@linkcode liveMd}. */
export interface LiveMd {
  /** Shows `text` in place of the previous one. */
  show(text: string): Promise<void>;
}

/**
 * A Markdown line shown once and then rewritten in place: the progress of a long cell (the
 * executed copy keeps the last text). Outside the kernel nothing is printed: the caller shows
 * the outcome when the work ends.
 *
 * @example
 * ```ts
 * import { liveMd } from "./display.ts";
 * const progress = liveMd();
 * for (let fit = 1; fit <= 3; fit++) await progress.show(`ajustement ${fit}/3`);
 * ```
 */
export function liveMd(): LiveMd {
  const displayId = `live-${crypto.randomUUID()}`;
  let shown = false;
  return {
    async show(text: string) {
      if (!inKernel()) return;
      const data = { "text/markdown": text, "text/html": markdownToHtml(text), "text/plain": text };
      const type = shown ? "update_display_data" : "display_data";
      shown = true;
      await Deno.jupyter.broadcast(type, {
        data,
        metadata: {},
        transient: { display_id: displayId },
      });
    },
  };
}

/**
 * Says in the notebook that a step was skipped and why, and records it for the runner, which
 * lists it in the run manifest. Outside the kernel it prints the sentence.
 *
 * @example
 * ```ts
 * import { skipped } from "./display.ts";
 * await skipped({ step: "classification du mix", reason: "une seule classe observée" });
 * ```
 */
export async function skipped(s: SkippedStep): Promise<void> {
  const text = `**Étape ignorée — ${s.step}** : ${s.reason}`;
  if (inKernel()) {
    await Deno.jupyter.display(
      {
        "text/markdown": text,
        "text/html": markdownToHtml(text),
        "text/plain": text,
        [SKIPPED_STEP_MIME]: { step: s.step, reason: s.reason },
      },
      { raw: true },
    );
  } else console.log(text);
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

/**
 * The small Markdown subset the notebooks' computed sentences use (paragraphs, `- ` lists,
 * bold, inline code) as HTML. The classic Notebook shows `text/markdown` only in trusted
 * notebooks; sanitized HTML still shows when an executed copy is reopened untrusted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markdownToHtml } from "./display.ts";
 * assert.equal(
 *   markdownToHtml("- **a** `b`\n- c"),
 *   "<ul><li><strong>a</strong> <code>b</code></li><li>c</li></ul>",
 * );
 * ```
 */
export function markdownToHtml(text: string): string {
  const blocks: string[] = [];
  let items: string[] = [];
  const flush = () => {
    if (items.length) blocks.push(`<ul>${items.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`);
    items = [];
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("- ")) items.push(line.slice(2));
    else {
      flush();
      if (line.trim()) blocks.push(`<p>${inline(line)}</p>`);
    }
  }
  flush();
  return blocks.join("");
}

/**
 * Shows a table: a polars DataFrame or an array of records (converted column-wise).
 *
 * @example
 * ```ts
 * import { table } from "./display.ts";
 * await table([{ source: "nucleaire", part_pct: 68.2 }]);
 * ```
 */
export async function table(data: pl.DataFrame | Row[]): Promise<void> {
  const df = forDisplay(Array.isArray(data) ? pl.readRecords(data) : data);
  if (inKernel()) await Deno.jupyter.display(df);
  else console.log(df.toString());
}

/**
 * Dates and datetimes as ISO text: the kernel's table rendering serialises them as `{}` in its
 * JSON bundle.
 */
function forDisplay(df: pl.DataFrame): pl.DataFrame {
  return df.select(...df.columns.map((name) => {
    const type = df.getColumn(name).dtype;
    if (type.equals(pl.Date)) return pl.col(name).dt.strftime("%Y-%m-%d").alias(name);
    if (type.variant === "Datetime") {
      return pl.col(name).dt.strftime("%Y-%m-%dT%H:%M:%S%z").alias(name);
    }
    return pl.col(name);
  }));
}
