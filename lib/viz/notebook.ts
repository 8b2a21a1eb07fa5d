/**
 * Figures in notebooks: one MIME bundle that every Jupyter front end renders.
 *
 * - `application/vnd.plotly.v1+json`: the figure itself, drawn live by JupyterLab's plotly
 *   extension, VS Code and nteract.
 * - `text/html`: a `<div>` holding a static image (or a text summary), and a script that draws
 *   the live figure into it with plotly inlined. The classic Notebook, nbconvert's HTML and a
 *   JupyterLab without the plotly extension render it; plotly is inlined in the first figure of
 *   the kernel session only (`plotly: "once"`), later figures reuse `window.Plotly` of the
 *   page. It is inlined gzipped, 2.0 MB instead of 4.8 (the browser inflates it): the Deno
 *   kernel can corrupt an output larger than its socket buffer (4 MB), see `plotlyLoaderTag`.
 * - `image/png`: the same figure drawn by headless Chromium, when installed. A reopened,
 *   untrusted notebook runs no script, but sanitizers keep `<img>` with data URIs (JupyterLab
 *   and the classic Notebook both do): the reader still sees the chart, static.
 * - `text/plain`: title, period and traces, for terminals and logs.
 *
 * Importing this module outside the kernel is safe: only {@linkcode showFigure} touches
 * `Deno.jupyter`, and only after checking it is inside the kernel.
 *
 * @module
 */

import { inKernel } from "../runner/progress.ts";
import type { Figure } from "./_core_data.ts";
import {
  base64,
  escapeHtml,
  PLOT_CONFIG,
  PLOTLY_LOADING,
  plotlyLoaderTag,
  scriptJson,
} from "./_plotly.ts";
import { hasChromium } from "./render.ts";
import { sharedRenderer } from "./shared_renderer.ts";

/**
 * The plotly MIME type of JupyterLab's extension.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PLOTLY_MIME } from "./notebook.ts";
 * assert.equal(PLOTLY_MIME, "application/vnd.plotly.v1+json");
 * ```
 */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Options of {@linkcode figureBundle}. */
export interface BundleOptions {
  /** Inline plotly.js in the HTML (needed once per page). Default false. */
  readonly includePlotly?: boolean;
  /** A PNG rendering of the figure (static fallback). */
  readonly png?: Uint8Array;
  /** Element id of the figure's div (default: a random UUID). */
  readonly id?: string;
}

/**
 * A text summary of a figure: title, subtitle, and each trace with its number of points.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { figureSummary } from "./notebook.ts";
 * const text = figureSummary({
 *   data: [{ type: "scatter", name: "Consommation", y: [1, 2, 3] }],
 *   layout: { title: { text: "Consommation", subtitle: { text: "moyennes horaires" } } },
 * });
 * assert.equal(text, "Consommation\nmoyennes horaires\n- Consommation (scatter, 3 points)");
 * ```
 */
export function figureSummary(figure: Figure): string {
  const title = figure.layout.title as { text?: string; subtitle?: { text?: string } } | undefined;
  const lines = [title?.text ?? "Figure"];
  if (title?.subtitle?.text) lines.push(title.subtitle.text);
  const annotations = (figure.layout.annotations ?? []) as { text?: string }[];
  if (figure.data.length === 0 && annotations[0]?.text) lines.push(annotations[0].text);
  for (const trace of figure.data) {
    const values = (trace.y ?? trace.values ?? trace.z ??
      (trace.link as { value?: unknown[] } | undefined)?.value ?? trace.x ?? []) as unknown[];
    const name = (trace.name as string | undefined) ?? (trace.type as string);
    lines.push(`- ${name} (${trace.type}, ${values.length} points)`);
  }
  return lines.join("\n");
}

/**
 * The MIME bundle of a figure (see the module doc for each entry). Pure: no kernel, no browser.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { figureBundle, PLOTLY_MIME } from "./notebook.ts";
 * const fig = { data: [{ type: "bar", x: ["a"], y: [1] }], layout: { title: { text: "Essai" } } };
 * const bundle = figureBundle(fig, { id: "f1" });
 * assert.equal(bundle[PLOTLY_MIME], fig);
 * assert.ok((bundle["text/html"] as string).startsWith('<div id="f1"'));
 * assert.equal(bundle["text/plain"], "Essai\n- bar (bar, 1 points)");
 * ```
 */
export function figureBundle(figure: Figure, options: BundleOptions = {}): Record<string, unknown> {
  const id = options.id ?? `eco2mix-${crypto.randomUUID()}`;
  const summary = figureSummary(figure);
  const height = (figure.layout.height as number | undefined) ?? 480;
  const png = options.png ? base64(options.png) : undefined;
  const fallback = png
    ? `<img src="data:image/png;base64,${png}" alt="${escapeHtml(summary)}" style="max-width:100%">`
    : `<pre>${escapeHtml(summary)}</pre>`;
  // The script replaces the static fallback only when plotly is there, or once it is loaded;
  // otherwise (plotly not in the page, scripts not run) the image or the summary stays.
  const draw = `<script>(function(){var el=document.getElementById(${scriptJson(id)});` +
    `if(!el)return;function draw(){if(!window.Plotly)return;var f=${scriptJson(figure)};` +
    `el.innerHTML="";el.style.height="${height}px";` +
    `window.Plotly.newPlot(el,f.data,f.layout,${scriptJson(PLOT_CONFIG)});}` +
    `if(window.Plotly)draw();else if(window.${PLOTLY_LOADING})window.${PLOTLY_LOADING}.then(draw);` +
    `})();</script>`;
  const bundle: Record<string, unknown> = {
    [PLOTLY_MIME]: figure,
    "text/html": `<div id="${escapeHtml(id)}" class="eco2mix-figure" style="width:100%">` +
      `${fallback}</div>${options.includePlotly ? plotlyLoaderTag() : ""}${draw}`,
    "text/plain": summary,
  };
  if (png) bundle["image/png"] = png;
  return bundle;
}

/** Options of {@linkcode showFigure}. */
export interface ShowOptions {
  /**
   * `"once"` (default): inline plotly in the first figure of the kernel session; `"always"`:
   * in every figure (outputs that must stand alone); `"never"`: rely on the plotly extension.
   */
  readonly plotly?: "once" | "always" | "never";
  /** Add a PNG rendering (headless Chromium): `"auto"` (default) when Chromium is installed. */
  readonly image?: boolean | "auto";
}

let plotlyShown = false;

/**
 * Shows a figure in the Deno kernel as a {@linkcode figureBundle}; outside the kernel, prints its
 * text summary.
 *
 * @example
 * ```ts
 * import { showFigure } from "./notebook.ts";
 * await showFigure({ data: [{ type: "bar", x: ["a"], y: [1] }], layout: {} }); // prints outside a kernel
 * ```
 */
export async function showFigure(figure: Figure, options: ShowOptions = {}): Promise<void> {
  if (!inKernel()) {
    console.log(figureSummary(figure));
    return;
  }
  const mode = options.plotly ?? "once";
  const includePlotly = mode === "always" || (mode === "once" && !plotlyShown);
  const wantImage = options.image ?? "auto";
  const png = wantImage === true || (wantImage === "auto" && hasChromium())
    ? await (await sharedRenderer()).png(figure, { scale: 1 })
    : undefined;
  await Deno.jupyter.display(figureBundle(figure, { includePlotly, png }), { raw: true });
  if (includePlotly) plotlyShown = true;
}
