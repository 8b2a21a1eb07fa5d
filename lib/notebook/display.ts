/**
 * Notebook display glue: Markdown and tables shown as rich outputs inside the Deno kernel,
 * and as plain text anywhere else, so lib code and tests can call it outside a notebook.
 *
 * @module
 */

import pl from "nodejs-polars";
import { inKernel } from "../runner/progress.ts";

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
    await Deno.jupyter.display({ "text/markdown": text, "text/plain": text }, { raw: true });
  } else console.log(text);
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
