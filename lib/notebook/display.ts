/**
 * Notebook display glue: Markdown and tables shown as rich outputs inside the Deno kernel,
 * and as plain text anywhere else, so lib code and tests can call it outside a notebook.
 *
 * @module
 */

import pl from "nodejs-polars";
import { inKernel, SKIPPED_STEP_MIME, type SkippedStep } from "../runner/progress.ts";
import { digitsFor, formatDate, formatNumber, formatParisDateTime } from "./format.ts";

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

/** Options of {@linkcode table}. */
export interface TableOptions {
  /** The sentence shown instead of a table without rows (French). */
  empty?: string;
  /** Rows written into the notebook (default 1 000; the count says how many there are). */
  maxRows?: number;
}

/** Rows of the text form of a table (the HTML form scrolls through `maxRows`). */
const TEXT_ROWS = 20;

/**
 * Shows a table: a polars DataFrame or an array of records, for a French reader: numbers with a
 * decimal comma and the decimals their unit needs (see `digitsFor` in `format.ts`), instants in
 * Paris local time (a `_utc` column is renamed accordingly), dates as `jj/mm/aaaa`, booleans as
 * oui / non. Every row up to `maxRows` is in a scrollable HTML table, and the count says
 * "n lignes" or "n lignes affichées sur N"; a table without rows is a sentence.
 *
 * @example
 * ```ts
 * import { table } from "./display.ts";
 * await table([{ source: "nucleaire", part_pct: 68.2 }]);
 * await table([], { empty: "Aucune anomalie sur la période." });
 * ```
 */
export async function table(data: pl.DataFrame | Row[], options: TableOptions = {}): Promise<void> {
  const df = Array.isArray(data) ? (data.length ? pl.readRecords(data) : pl.DataFrame()) : data;
  if (df.height === 0) {
    await md(options.empty ?? "Aucune ligne : le tableau est vide pour ces données.");
    return;
  }
  const bundle = tableBundle(df, options);
  if (inKernel()) await Deno.jupyter.display(bundle, { raw: true });
  else console.log(bundle["text/plain"]);
}

/**
 * The display bundle of a non-empty table (HTML and text; see {@linkcode table}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { tableBundle } from "./display.ts";
 * const bundle = tableBundle(pl.DataFrame({ consommation_mw: [45123.456], mape_pct: [0.76612] }));
 * assert.match(bundle["text/html"], /<td>45\u202f123<\/td><td>0,766<\/td>/);
 * assert.match(bundle["text/plain"], /1 ligne$/);
 * ```
 */
export function tableBundle(
  df: pl.DataFrame,
  options: TableOptions = {},
): { "text/html": string; "text/plain": string } {
  const shown = Math.min(df.height, options.maxRows ?? 1000);
  const head = df.head(shown);
  const columns = df.columns.map((name) => displayColumn(head.getColumn(name)));
  const count = shown === df.height
    ? `${formatNumber(df.height, 0)} ligne${df.height > 1 ? "s" : ""}`
    : `${formatNumber(shown, 0)} lignes affichées sur ${formatNumber(df.height, 0)}`;
  const row = (cells: string[], tag: string) =>
    `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join("")}</tr>`;
  const body = Array.from({ length: shown }, (_, i) => row(columns.map((c) => c.cells[i]), "td"));
  const html = `<div style="max-height:36em;overflow:auto">` +
    `<table class="dataframe"><thead>${row(columns.map((c) => c.header), "th")}</thead>` +
    `<tbody>${body.join("")}</tbody></table></div><p><em>${count}</em></p>`;
  const textRows = Math.min(shown, TEXT_ROWS);
  const widths = columns.map((c) =>
    Math.max(c.header.length, ...c.cells.slice(0, textRows).map((v) => v.length))
  );
  const line = (cells: string[]) => cells.map((v, j) => v.padEnd(widths[j])).join("  ").trimEnd();
  const text = [
    line(columns.map((c) => c.header)),
    ...Array.from({ length: textRows }, (_, i) => line(columns.map((c) => c.cells[i]))),
    ...(textRows < df.height ? ["…"] : []),
    count,
  ].join("\n");
  return { "text/html": html, "text/plain": text };
}

/** A column's header and cells as the reader sees them. */
function displayColumn(series: pl.Series): { header: string; cells: string[] } {
  const name = series.name;
  const type = series.dtype;
  const values = series.toArray() as unknown[];
  if (type.variant === "Datetime") {
    // Instants with a time zone are shown in Paris time; naive ones are wall-clock times.
    const zoned = Boolean((type as unknown as { timeZone?: string }).timeZone);
    const format = zoned ? formatParisDateTime : (d: Date) =>
      formatDate(d) + " " +
      d.toISOString().slice(11, 16);
    return {
      header: zoned
        ? name.replace(/_utc$/, "") + (name.endsWith("_utc") ? " (heure de Paris)" : "")
        : name,
      cells: values.map((v) => (v instanceof Date ? format(v) : "")),
    };
  }
  if (type.equals(pl.Date)) {
    return { header: name, cells: values.map((v) => (v instanceof Date ? formatDate(v) : "")) };
  }
  const digits = digitsFor(name);
  return {
    header: name,
    cells: values.map((v) => {
      if (v === null || v === undefined) return "";
      if (typeof v === "number") return formatNumber(v, Number.isInteger(v) ? 0 : digits);
      if (typeof v === "bigint") return formatNumber(Number(v), 0);
      if (typeof v === "boolean") return v ? "oui" : "non";
      if (v instanceof Date) return formatParisDateTime(v);
      return typeof v === "string" ? v : JSON.stringify(v);
    }),
  };
}
