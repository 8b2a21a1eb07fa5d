/**
 * Slide decks from executed notebooks: one self-contained HTML file per notebook (reveal.js,
 * its Markdown and speaker-notes plugins and, when the notebook has figures, plotly, all
 * inlined: it opens offline, from a file or a mail attachment), to present results cell by
 * cell.
 *
 * Slides follow RISE's conventions, the notebook's `metadata.slideshow.slide_type` of each cell:
 * `slide` starts a slide, `subslide` a slide below it (reveal.js's vertical slides), `fragment`
 * appears on the next key press, `-` (or no metadata) continues the current slide, `notes` go
 * to the speaker notes (key S), `skip` is left out. A notebook without any slide metadata gets
 * one slide per section: a Markdown cell that opens with a `#` or `##` heading starts a slide,
 * one with a deeper heading a subslide; its `parameters` cells are left out.
 *
 * Code is hidden unless `code: true` (outputs are what is presented); every output shows:
 * plotly figures live (drawn when their slide is shown), HTML (tables), Markdown, images, text
 * and errors.
 *
 * ```sh
 * npx -y deno@2.9.6 task diaporama runs/<run>/05_Gold_Production.ipynb [out.html] [--code]
 * ```
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Cell, joinSource, type Notebook, readNotebook, stripAnsi } from "../runner/ipynb.ts";
import {
  escapeHtml,
  PLOT_CONFIG,
  plotlyScriptTag,
  scriptJson,
  scriptSource,
} from "../viz/_plotly.ts";
import { PLOTLY_MIME } from "../viz/notebook.ts";

/** RISE's slide types (`metadata.slideshow.slide_type`). */
export type SlideType = "slide" | "subslide" | "fragment" | "-" | "notes" | "skip";

const SLIDE_TYPES: readonly string[] = ["slide", "subslide", "fragment", "-", "notes", "skip"];

/** A cell's content on a slide. */
export interface SlideItem {
  readonly html: string;
  /** Shown on a key press (RISE's `fragment`). */
  readonly fragment: boolean;
  /** plotly figures in it. */
  readonly figures: number;
}

/** One reveal.js slide (a vertical slide when it is a subslide). */
export interface Slide {
  readonly items: SlideItem[];
  /** Speaker notes, as HTML. */
  readonly notes: string[];
}

/** Options of {@linkcode notebookSlides} and {@linkcode notebookDeck}. */
export interface DeckOptions {
  /** Show the code of code cells above their outputs (default false). */
  readonly code?: boolean;
  /** The deck's title (default: the notebook's first heading). */
  readonly title?: string;
}

/** A notebook cell's metadata asks for a slide type RISE does not know. */
export class SlideMetadataError extends Error {
  override name = "SlideMetadataError";
}

/**
 * The slide type of a cell from its metadata, or null when it has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slideType } from "./slides.ts";
 * assert.equal(slideType({ cell_type: "code", source: "", metadata: { slideshow: { slide_type: "fragment" } } }), "fragment");
 * assert.equal(slideType({ cell_type: "code", source: "", metadata: {} }), null);
 * assert.throws(() => slideType({ cell_type: "code", id: "c1", source: "", metadata: { slideshow: { slide_type: "diapo" } } }), /c1.*diapo/);
 * ```
 */
export function slideType(cell: Cell): SlideType | null {
  const slideshow = cell.metadata.slideshow as { slide_type?: unknown } | undefined;
  const type = slideshow?.slide_type;
  if (type === undefined) return null;
  if (typeof type !== "string" || !SLIDE_TYPES.includes(type)) {
    throw new SlideMetadataError(
      `cell ${cell.id ?? "?"}: slide_type ${JSON.stringify(type)} is not one of ${
        SLIDE_TYPES.join(", ")
      }`,
    );
  }
  return type as SlideType;
}

/** The slide type a cell gets in a notebook without slide metadata (one slide per section). */
function sectionType(cell: Cell): SlideType {
  const tags = cell.metadata.tags ?? [];
  if (tags.includes("parameters") || tags.includes("injected-parameters")) return "skip";
  if (cell.cell_type !== "markdown") return "-";
  const heading = joinSource(cell.source).trimStart().match(/^(#{1,6})\s/);
  if (!heading) return "-";
  return heading[1].length <= 2 ? "slide" : "subslide";
}

/** Markdown rendered in the page by reveal.js's Markdown plugin (marked). */
function markdownBlock(text: string): string {
  return `<div data-markdown><textarea data-template>${escapeHtml(text)}</textarea></div>`;
}

function pre(text: string, kind: string): string {
  return `<pre class="deck-${kind}">${escapeHtml(stripAnsi(text))}</pre>`;
}

/** One output as HTML, and its number of plotly figures. */
function outputHtml(output: NonNullable<Cell["outputs"]>[number]): [string, number] {
  switch (output.output_type) {
    case "stream":
      return [pre(joinSource(output.text), output.name), 0];
    case "error":
      return [pre(`${output.ename}: ${output.evalue}`, "error"), 0];
    default: {
      const data = output.data;
      const text = (mime: string) => joinSource(data[mime] as string | string[]);
      if (PLOTLY_MIME in data) {
        return [
          `<div class="deck-figure"><script type="application/json">${
            scriptJson(data[PLOTLY_MIME])
          }</script></div>`,
          1,
        ];
      }
      if ("text/html" in data) return [`<div class="deck-html">${text("text/html")}</div>`, 0];
      if ("text/markdown" in data) return [markdownBlock(text("text/markdown")), 0];
      if ("image/png" in data) {
        return [
          `<img class="deck-image" src="data:image/png;base64,${text("image/png").trim()}">`,
          0,
        ];
      }
      if ("image/svg+xml" in data) return [text("image/svg+xml"), 0];
      if ("text/plain" in data) return [pre(text("text/plain"), "text"), 0];
      return ["", 0];
    }
  }
}

/** A cell as slide content, or null when it shows nothing. */
function cellItem(cell: Cell, code: boolean, fragment: boolean): SlideItem | null {
  if (cell.cell_type === "markdown") {
    const source = joinSource(cell.source);
    return source.trim() ? { html: markdownBlock(source), fragment, figures: 0 } : null;
  }
  if (cell.cell_type !== "code") return null;
  const parts: string[] = [];
  let figures = 0;
  const source = joinSource(cell.source);
  if (code && source.trim()) {
    parts.push(`<pre class="deck-code"><code>${escapeHtml(source)}</code></pre>`);
  }
  for (const output of cell.outputs ?? []) {
    const [html, n] = outputHtml(output);
    if (html) parts.push(html);
    figures += n;
  }
  return parts.length ? { html: parts.join("\n"), fragment, figures } : null;
}

/**
 * The slides of a notebook, as reveal.js lays them out: horizontal slides, each a list of
 * vertical slides (the first is the slide itself, the others its subslides).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookSlides } from "./slides.ts";
 * const cell = (source: string, slide_type?: string) => ({
 *   cell_type: "markdown" as const, source,
 *   metadata: slide_type ? { slideshow: { slide_type } } : {},
 * });
 * // RISE metadata: slide, fragment, subslide, notes, skip.
 * const slides = notebookSlides({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
 *   cell("# Titre", "slide"), cell("point", "fragment"), cell("détail", "subslide"),
 *   cell("à dire", "notes"), cell("brouillon", "skip"), cell("# Suite", "slide"),
 * ] });
 * assert.deepEqual(slides.map((h) => h.length), [2, 1]);
 * assert.deepEqual(slides[0][0].items.map((i) => i.fragment), [false, true]);
 * assert.equal(slides[0][1].notes.length, 1);
 * // Without metadata: one slide per # or ## heading, ### opens a subslide.
 * const sections = notebookSlides({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
 *   cell("# A"), cell("texte"), cell("## B"), cell("### B.1"), cell("texte"),
 * ] });
 * assert.deepEqual(sections.map((h) => h.length), [1, 2]);
 * ```
 */
export function notebookSlides(nb: Notebook, options: DeckOptions = {}): Slide[][] {
  const withMetadata = nb.cells.some((c) => slideType(c) !== null);
  const slides: Slide[][] = [];
  const current = (): Slide => {
    if (slides.length === 0) slides.push([{ items: [], notes: [] }]);
    return slides.at(-1)!.at(-1)!;
  };
  for (const cell of nb.cells) {
    const type = withMetadata ? slideType(cell) ?? "-" : sectionType(cell);
    if (type === "skip") continue;
    if (type === "slide") slides.push([{ items: [], notes: [] }]);
    if (type === "subslide") {
      if (slides.length === 0) slides.push([]);
      slides.at(-1)!.push({ items: [], notes: [] });
    }
    const item = cellItem(cell, options.code ?? false, type === "fragment");
    if (!item) continue;
    if (type === "notes") current().notes.push(item.html);
    else current().items.push(item);
  }
  return slides;
}

let revealCache: string | undefined;

/** reveal.js's CSS, white theme, the script and its Markdown and notes plugins, inlined. */
function revealAssets(): string {
  if (revealCache !== undefined) return revealCache;
  // import.meta.resolve gives reveal.js's ES module entry, in dist/ beside the UMD files.
  const dist = dirname(fileURLToPath(import.meta.resolve("reveal.js")));
  const read = (path: string) => Deno.readTextFileSync(join(dist, path));
  revealCache = [
    `<style>${read("reset.css")}\n${read("reveal.css")}\n${read("theme/white.css")}</style>`,
    ...["reveal.js", "plugin/markdown.js", "plugin/notes.js"]
      .map((path) => `<script>${scriptSource(read(path))}</script>`),
  ].join("\n");
  return revealCache;
}

const DECK_CSS = `<style>
:root { --r-main-font-size: 26px; --r-heading1-size: 2em; --r-heading2-size: 1.5em; }
.reveal .slides section { text-align: left; height: 100%; overflow-y: auto; }
.reveal .slides section > section { padding: 0; }
.reveal pre { width: 100%; box-shadow: none; font-size: 0.55em; white-space: pre-wrap; }
.reveal pre.deck-error { color: #b00020; }
.reveal .deck-html table { font-size: 0.55em; margin: 0.5em 0; }
.reveal .deck-html, .reveal .deck-figure { margin: 0.3em 0; }
.reveal .deck-figure { width: 100%; height: 520px; }
.reveal img.deck-image { max-width: 100%; }
</style>`;

/**
 * Draws each figure of the slide shown (plotly needs its final size), once, and keeps the
 * Markdown of notes and outputs rendered like the slides'.
 */
const DECK_SCRIPT = `
const config = ${scriptJson(PLOT_CONFIG)};
function drawFigures(slide) {
  if (!slide || typeof Plotly === "undefined") return;
  for (const div of slide.querySelectorAll(".deck-figure:not([data-drawn])")) {
    const figure = JSON.parse(div.querySelector("script").textContent);
    div.setAttribute("data-drawn", "");
    Plotly.newPlot(div, figure.data, { ...figure.layout, autosize: true }, config);
  }
}
Reveal.initialize({
  hash: true, center: false, width: 1280, height: 800, margin: 0.04,
  slideNumber: "c/t", transition: "none", plugins: [RevealMarkdown, RevealNotes],
}).then(() => drawFigures(Reveal.getCurrentSlide()));
Reveal.on("slidechanged", (event) => drawFigures(event.currentSlide));
`;

/**
 * A notebook as a self-contained reveal.js slide deck (HTML text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookDeck } from "./slides.ts";
 * const html = notebookDeck({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
 *   { cell_type: "markdown", source: "# Bilan\nTexte", metadata: {} },
 * ] });
 * assert.ok(html.startsWith("<!DOCTYPE html>"));
 * assert.ok(html.includes("<title>Bilan</title>"));
 * assert.ok(!/<(script|link)[^>]+(src|href)="http/.test(html));
 * ```
 */
export function notebookDeck(nb: Notebook, options: DeckOptions = {}): string {
  const slides = notebookSlides(nb, options);
  const figures = slides.flat().flatMap((s) => s.items).reduce((n, i) => n + i.figures, 0);
  const title = options.title ?? firstHeading(nb) ?? "Diaporama";
  const section = (slide: Slide) =>
    `<section>${
      slide.items.map((i) => i.fragment ? `<div class="fragment">${i.html}</div>` : i.html)
        .join("\n")
    }${
      slide.notes.length ? `<aside class="notes">${slide.notes.join("\n")}</aside>` : ""
    }</section>`;
  const body = slides.map((vertical) =>
    vertical.length === 1
      ? section(vertical[0])
      : `<section>${vertical.map(section).join("\n")}</section>`
  ).join("\n");
  return [
    "<!DOCTYPE html>",
    `<html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    revealAssets(),
    DECK_CSS,
    figures > 0 ? plotlyScriptTag() : "",
    `</head><body><div class="reveal"><div class="slides">\n${body}\n</div></div>`,
    `<script>${DECK_SCRIPT}</script></body></html>`,
  ].join("\n");
}

function firstHeading(nb: Notebook): string | null {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const match = joinSource(cell.source).match(/^#{1,6}\s+(.+)$/m);
    if (match) return match[1].trim();
  }
  return null;
}

/**
 * Writes the deck of the notebook at `notebookPath` to `outPath` (default: beside it, with
 * `.html` for `.ipynb`); returns the path written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeDeck } from "./slides.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/n.ipynb`, JSON.stringify({ nbformat: 4, nbformat_minor: 5,
 *   metadata: {}, cells: [{ cell_type: "markdown", source: "# A", metadata: {} }] }));
 * assert.equal(await writeDeck(`${dir}/n.ipynb`), `${dir}/n.html`);
 * ```
 */
export async function writeDeck(
  notebookPath: string,
  outPath?: string,
  options: DeckOptions = {},
): Promise<string> {
  const target = outPath ?? notebookPath.replace(/\.ipynb$/, "") + ".html";
  await Deno.writeTextFile(target, notebookDeck(await readNotebook(notebookPath), options));
  return target;
}

/**
 * Writes a deck of each executed notebook of a run folder (`NN_*.ipynb`, notebook 11 aside)
 * into `<run>/diaporamas/`, one `NN_Name.html` each; returns their paths in notebook order.
 * With `reuseFrom` (the decks folder of an earlier run whose notebooks were all reused), its
 * decks are copied instead: the same notebooks give the same decks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeRunDecks } from "./slides.ts";
 * const run = await Deno.makeTempDir();
 * const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "markdown", source: "# A", metadata: {} }] };
 * await Deno.writeTextFile(`${run}/02_B.ipynb`, JSON.stringify(nb));
 * await Deno.writeTextFile(`${run}/11_Pipeline_Complete.ipynb`, JSON.stringify(nb));
 * assert.deepEqual(await writeRunDecks(run), [`${run}/diaporamas/02_B.html`]);
 * // A later run whose notebooks were reused copies the decks.
 * const later = await Deno.makeTempDir();
 * await Deno.copyFile(`${run}/02_B.ipynb`, `${later}/02_B.ipynb`);
 * await writeRunDecks(later, { reuseFrom: `${run}/diaporamas` });
 * assert.equal(
 *   await Deno.readTextFile(`${later}/diaporamas/02_B.html`),
 *   await Deno.readTextFile(`${run}/diaporamas/02_B.html`),
 * );
 * ```
 */
export async function writeRunDecks(
  runDir: string,
  options: { reuseFrom?: string } = {},
): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(runDir)) {
    if (entry.isFile && /^\d\d_.*\.ipynb$/.test(entry.name) && !entry.name.startsWith("11_")) {
      names.push(entry.name);
    }
  }
  const out = join(runDir, "diaporamas");
  await Deno.mkdir(out, { recursive: true });
  const written: string[] = [];
  for (const name of names.sort()) {
    const deck = join(out, name.replace(/\.ipynb$/, ".html"));
    const earlier = options.reuseFrom && join(options.reuseFrom, basename(deck));
    if (earlier && await Deno.stat(earlier).then(() => true, () => false)) {
      await Deno.copyFile(earlier, deck);
      written.push(deck);
    } else written.push(await writeDeck(join(runDir, name), deck));
  }
  return written;
}

if (import.meta.main) {
  const args = Deno.args.filter((a) => a !== "--code");
  if (args.length < 1 || args.length > 2 || args[0] === "--help") {
    console.error("usage: deno task diaporama <notebook exécuté .ipynb> [sortie.html] [--code]");
    Deno.exit(args[0] === "--help" ? 0 : 2);
  }
  // `deno task` runs in the project root; INIT_CWD is where the command was typed.
  const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  const written = await writeDeck(
    resolve(cwd, args[0]),
    args[1] ? resolve(cwd, args[1]) : undefined,
    { code: Deno.args.includes("--code") },
  );
  console.log(`Diaporama : ${written} (${basename(written)}, ouvrir dans un navigateur)`);
}
