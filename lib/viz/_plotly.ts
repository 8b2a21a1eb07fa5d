/**
 * plotly.js for pages without network: its minified bundle read from node_modules (it cannot
 * be imported under Deno, it needs `window`), a French locale, the plot config, and escaping of
 * JSON and scripts inlined into HTML.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { gzipSync } from "fflate";
import { VizEnvironmentError } from "./errors.ts";

let cached: string | undefined;
let loader: string | undefined;

/**
 * The text of plotly.min.js (4.8 MB), read once per process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plotlySource } from "./_plotly.ts";
 * assert.ok(plotlySource().includes("plotly.js v4.1.2"));
 * ```
 */
export function plotlySource(): string {
  if (cached !== undefined) return cached;
  let path: string;
  try {
    path = fileURLToPath(import.meta.resolve("plotly.js-dist-min"));
    cached = Deno.readTextFileSync(path);
  } catch (error) {
    throw new VizEnvironmentError(
      `plotly.js-dist-min is not installed (run \`deno install\` in the project root): ${
        (error as Error).message
      }`,
    );
  }
  return cached;
}

/**
 * Registers the French locale (month and day names, decimal comma, modebar labels) and makes it
 * the default: dates on axes and in hovers read `janv. 2025`, `lun. 6`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FRENCH_LOCALE_SCRIPT } from "./_plotly.ts";
 * const names: string[] = [];
 * new Function("Plotly", FRENCH_LOCALE_SCRIPT)({
 *   register: (m: { name: string }) => names.push(m.name),
 *   setPlotConfig: () => {},
 * });
 * assert.equal(names[0], "fr");
 * ```
 */
export const FRENCH_LOCALE_SCRIPT = `Plotly.register({moduleType:"locale",name:"fr",dictionary:{
"Autoscale":"Échelle automatique","Box Select":"Sélection rectangulaire",
"Click to enter Colorscale title":"Cliquer pour saisir le titre de l'échelle",
"Compare data on hover":"Comparer les données au survol",
"Double-click on legend to isolate one trace":"Double-cliquer sur la légende pour isoler une série",
"Double-click to zoom back out":"Double-cliquer pour dézoomer",
"Download plot as a png":"Télécharger en PNG","Download plot":"Télécharger le graphique",
"Lasso Select":"Sélection au lasso","Pan":"Translation","Reset axes":"Réinitialiser les axes",
"Reset":"Réinitialiser","Show closest data on hover":"Donnée la plus proche au survol",
"Toggle Spike Lines":"Lignes de repère","Zoom in":"Zoom avant","Zoom out":"Zoom arrière",
"Zoom":"Zoom"},format:{days:["dimanche","lundi","mardi","mercredi","jeudi","vendredi","samedi"],
shortDays:["dim.","lun.","mar.","mer.","jeu.","ven.","sam."],
months:["janvier","février","mars","avril","mai","juin","juillet","août","septembre","octobre",
"novembre","décembre"],shortMonths:["janv.","févr.","mars","avr.","mai","juin","juil.","août",
"sept.","oct.","nov.","déc."],date:"%d/%m/%Y",decimal:",",thousands:"\\u202f"}});
Plotly.setPlotConfig({locale:"fr"});`;

/**
 * The config every plot gets: French, no logo, resizes with its container.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PLOT_CONFIG } from "./_plotly.ts";
 * assert.equal(PLOT_CONFIG.locale, "fr");
 * ```
 */
export const PLOT_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  locale: "fr",
  displaylogo: false,
  responsive: true,
  toImageButtonOptions: { format: "png", scale: 2 },
});

/**
 * A value as JSON safe inside a `<script>` element: `<` escaped so that no `</script>` or
 * `<!--` can end the element early, and the two line separators JavaScript rejects in strings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scriptJson } from "./_plotly.ts";
 * assert.equal(scriptJson("</script>"), '"\\u003c/script>"');
 * ```
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * JavaScript source safe inside a `<script>` element (`</script` cannot end it early).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scriptSource } from "./_plotly.ts";
 * assert.equal(scriptSource('s = "</script>"'), 's = "<\\/script>"');
 * ```
 */
export function scriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1");
}

/**
 * A `<script>` element that defines `window.Plotly` in French (plotly inlined, 4.8 MB).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plotlyScriptTag } from "./_plotly.ts";
 * assert.ok(plotlyScriptTag().startsWith("<script>"));
 * ```
 */
export function plotlyScriptTag(): string {
  return `<script>${scriptSource(plotlySource())}\n${FRENCH_LOCALE_SCRIPT}</script>`;
}

/**
 * The global that {@linkcode plotlyLoaderTag}'s script sets: a promise settled once
 * `window.Plotly` is defined.
 */
export const PLOTLY_LOADING = "eco2mixPlotly";

/**
 * A `<script>` element that defines `window.Plotly` in French, as {@linkcode plotlyScriptTag}
 * does, from plotly gzipped and base64-encoded: 2.0 MB instead of 4.8 MB. The browser inflates
 * it (`DecompressionStream`) asynchronously, so `Plotly` is defined later, and
 * `window[PLOTLY_LOADING]` is the promise to wait for. Nothing is done when the page already
 * has plotly or is loading it. Compressed once per process (0.4 s).
 *
 * Meant for notebook outputs: the Deno kernel (2.9) can splice another message (its `idle`
 * status) into an output larger than its socket's buffer (4 MB here) while the front end reads
 * slowly, as on a busy machine, and JupyterLab then drops that output as invalid JSON and never
 * sees the end of the cell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plotlyLoaderTag, PLOTLY_LOADING } from "./_plotly.ts";
 * const tag = plotlyLoaderTag();
 * assert.ok(tag.startsWith("<script>") && tag.includes(`window.${PLOTLY_LOADING}=`));
 * assert.ok(tag.length < 2_200_000, `${tag.length}`);
 * ```
 */
export function plotlyLoaderTag(): string {
  if (loader !== undefined) return loader;
  const source = new TextEncoder().encode(`${plotlySource()}\n${FRENCH_LOCALE_SCRIPT}`);
  // No timestamp in the gzip header: the same output in every kernel, run after run.
  const packed = base64(gzipSync(source, { level: 9, mtime: 0 }));
  // Base64 holds no character that could end the element or the string.
  loader = `<script>(function(){if(window.Plotly||window.${PLOTLY_LOADING})return;` +
    `var b=atob("${packed}"),a=new Uint8Array(b.length);` +
    `for(var i=0;i<b.length;i++)a[i]=b.charCodeAt(i);` +
    `window.${PLOTLY_LOADING}=new Response(new Blob([a]).stream()` +
    `.pipeThrough(new DecompressionStream("gzip"))).text().then(function(s){` +
    // A script element runs the source as the plain <script> of plotlyScriptTag would.
    `var e=document.createElement("script");e.text=s;document.head.appendChild(e);});` +
    `})();</script>`;
  return loader;
}

/**
 * Text escaped for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeHtml } from "./_plotly.ts";
 * assert.equal(escapeHtml('<a title="x">'), "&lt;a title=&quot;x&quot;&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * Base64 of bytes, in chunks (`String.fromCharCode` takes a bounded number of arguments).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { base64 } from "./_plotly.ts";
 * assert.equal(base64(new Uint8Array([80, 78, 71])), "UE5H");
 * ```
 */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
