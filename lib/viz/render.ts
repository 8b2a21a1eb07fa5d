/**
 * Figures -> PNG or SVG images through headless Chromium (playwright-core driving Debian's
 * `chromium`), for the report and for notebook outputs that must survive untrusted reopening.
 *
 * One browser page holds plotly once (parsing 4.8 MB of JavaScript costs about half a second);
 * every image after that is one `Plotly.toImage` call, so a report's twenty figures cost little
 * more than one. The page loads plotly as a script file that playwright serves from this process
 * (no network): the same script inlined into `setContent`'s HTML took twice as long to load (11 s
 * against 6 s at load 12 on two cores, most of a notebook's first figure). The browser runs with
 * networking off (FACTS.md: otherwise it floods the closed network) and a fresh profile directory
 * that playwright creates and removes.
 *
 * @module
 */

import type { Browser, Page } from "playwright-core";
import { join } from "node:path";
import type { Figure } from "./_core_data.ts";
import { ChromiumError } from "./errors.ts";
import { FRENCH_LOCALE_SCRIPT, PLOT_CONFIG, plotlySource, scriptJson } from "./_plotly.ts";

/**
 * Chromium's path: `$ECO2MIX_CHROMIUM`, else Debian's `/usr/bin/chromium`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chromiumPath } from "./render.ts";
 * assert.ok(chromiumPath().endsWith("chromium"));
 * ```
 */
export function chromiumPath(): string {
  return Deno.env.get("ECO2MIX_CHROMIUM") ?? "/usr/bin/chromium";
}

/**
 * Flags of every launch: headless, no sandbox (containers), no GPU, and no background network
 * traffic. Playwright adds `--user-data-dir` with a new empty temporary profile itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHROMIUM_ARGS } from "./render.ts";
 * assert.ok(CHROMIUM_ARGS.includes("--disable-background-networking"));
 * ```
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches headless Chromium, or throws a {@linkcode ChromiumError} saying how to install it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { launchChromium } from "./render.ts";
 * const browser = await launchChromium();
 * assert.ok(browser.isConnected());
 * await browser.close();
 * ```
 */
export async function launchChromium(): Promise<Browser> {
  const path = chromiumPath();
  try {
    Deno.statSync(path);
  } catch {
    throw new ChromiumError(
      `Chromium not found at ${path}: install it (Debian: apt-get install -y chromium) or set ` +
        "ECO2MIX_CHROMIUM to its path",
    );
  }
  // Loaded here, not with the module: a notebook run by notebook 11 draws through the shared
  // renderer and never launches a browser, and the import costs each kernel about 0.5 s of CPU.
  const { chromium } = await import("playwright-core");
  try {
    return await chromium.launch({ executablePath: path, args: [...CHROMIUM_ARGS] });
  } catch (error) {
    throw new ChromiumError(`Chromium at ${path} failed to start: ${(error as Error).message}`);
  }
}

/**
 * Whether headless Chromium is installed (the notebook display adds an image only then).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasChromium } from "./render.ts";
 * assert.equal(typeof hasChromium(), "boolean");
 * ```
 */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(chromiumPath()).isFile;
  } catch {
    return false;
  }
}

/** Size of an exported image (CSS pixels; `scale` multiplies the bitmap). */
export interface ImageOptions {
  /** Width in CSS pixels (default 1000). */
  readonly width?: number;
  /** Height in CSS pixels (default: the figure's `layout.height`, else 500). */
  readonly height?: number;
  /** Pixel ratio of PNG images (default 2: sharp in print). */
  readonly scale?: number;
}

const RENDER_TIMEOUT_MS = 60_000;

/** The renderer page's address: never resolved, the page's requests are answered by playwright. */
const PAGE_URL = "http://eco2mix.invalid/";
const PLOTLY_URL = `${PAGE_URL}plotly.js`;

/**
 * What draws figures as images: a {@linkcode FigureRenderer} of this process, or the pipeline
 * run's shared one reached from a nested notebook's kernel (`shared_renderer.ts`).
 */
export interface ImageRenderer {
  /** The figure as a PNG image. */
  png(figure: Figure, options?: ImageOptions): Promise<Uint8Array>;
  /** The figure as an SVG document. */
  svg(figure: Figure, options?: ImageOptions): Promise<string>;
  /** Releases what this renderer holds. */
  close(): Promise<void>;
}

/**
 * A headless page with plotly loaded, turning figures into images one after another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FigureRenderer } from "./render.ts";
 * const renderer = await FigureRenderer.launch();
 * try {
 *   const png = await renderer.png({ data: [{ type: "bar", x: ["a"], y: [1] }], layout: {} });
 *   assert.equal(new TextDecoder().decode(png.subarray(1, 4)), "PNG"); // the PNG signature
 * } finally {
 *   await renderer.close();
 * }
 * ```
 */
export class FigureRenderer implements ImageRenderer {
  readonly #browser: Browser;
  readonly #page: Page;
  readonly #ownsBrowser: boolean;
  readonly #errors: string[] = [];

  private constructor(browser: Browser, page: Page, ownsBrowser: boolean) {
    this.#browser = browser;
    this.#page = page;
    this.#ownsBrowser = ownsBrowser;
    page.on("pageerror", (error) => this.#errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") this.#errors.push(message.text());
    });
  }

  /**
   * Opens a page with plotly in `browser`, or in a new Chromium that {@linkcode close} stops.
   */
  static async launch(browser?: Browser): Promise<FigureRenderer> {
    const owned = browser === undefined;
    const b = browser ?? await launchChromium();
    try {
      // The script of plotlyScriptTag, as a file of the page (see the module doc).
      const plotly = `${plotlySource()}\n${FRENCH_LOCALE_SCRIPT}`;
      const page = await b.newPage();
      page.setDefaultTimeout(RENDER_TIMEOUT_MS);
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url === PAGE_URL) {
          return route.fulfill({
            contentType: "text/html; charset=utf-8",
            body: `<!DOCTYPE html><html><head><meta charset="utf-8">` +
              `<script src="${PLOTLY_URL}"></script></head><body></body></html>`,
          });
        }
        if (url === PLOTLY_URL) {
          return route.fulfill({ contentType: "text/javascript; charset=utf-8", body: plotly });
        }
        return route.abort();
      });
      await page.goto(PAGE_URL);
      return new FigureRenderer(b, page, owned);
    } catch (error) {
      if (owned) await b.close();
      throw new ChromiumError(`could not load plotly in Chromium: ${(error as Error).message}`);
    }
  }

  /** The figure as a PNG image. */
  async png(figure: Figure, options: ImageOptions = {}): Promise<Uint8Array> {
    const url = await this.#toImage(figure, "png", options);
    return Uint8Array.from(atob(url.slice(url.indexOf(",") + 1)), (c) => c.charCodeAt(0));
  }

  /** The figure as an SVG document (text and lines stay vector; heatmaps are embedded bitmaps). */
  async svg(figure: Figure, options: ImageOptions = {}): Promise<string> {
    const url = await this.#toImage(figure, "svg", options);
    return decodeURIComponent(url.slice(url.indexOf(",") + 1));
  }

  async #toImage(figure: Figure, format: "png" | "svg", options: ImageOptions): Promise<string> {
    const width = options.width ?? 1000;
    const height = options.height ?? (figure.layout.height as number | undefined) ?? 500;
    const args = scriptJson({
      figure: { data: figure.data, layout: { ...figure.layout, width, height } },
      image: { format, width, height, scale: format === "png" ? options.scale ?? 2 : 1 },
      config: PLOT_CONFIG,
    });
    this.#errors.length = 0;
    try {
      // The figure travels as JSON text: playwright's argument serialisation is slower on
      // large arrays than JSON.parse in the page.
      return await this.#page.evaluate(`(() => {
        const a = JSON.parse(${JSON.stringify(args)});
        return Plotly.toImage({ data: a.figure.data, layout: a.figure.layout, config: a.config },
          a.image);
      })()`) as string;
    } catch (error) {
      throw new ChromiumError(
        `plotly could not draw the figure "${titleOf(figure)}": ${(error as Error).message}` +
          (this.#errors.length > 0 ? ` (page errors: ${this.#errors.join("; ")})` : ""),
      );
    }
  }

  /** Closes the page, and the browser when this renderer launched it. */
  async close(): Promise<void> {
    await this.#page.close().catch(() => {});
    if (this.#ownsBrowser) await this.#browser.close();
  }
}

function titleOf(figure: Figure): string {
  const title = figure.layout.title as { text?: string } | string | undefined;
  return typeof title === "string" ? title : title?.text ?? "sans titre";
}

/**
 * Writes each figure as `<dir>/<name>.png` (or `.svg`) with one browser, and returns the paths
 * in the order given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exportFigures } from "./render.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = await exportFigures({ essai: { data: [{ type: "bar", x: ["a"], y: [1] }], layout: {} } }, dir);
 * assert.ok(paths[0].endsWith("/essai.png"));
 * assert.ok(Deno.statSync(paths[0]).size > 1000);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function exportFigures(
  figures: Record<string, Figure>,
  dir: string,
  options: ImageOptions & {
    format?: "png" | "svg";
    /** A renderer to draw with (left open); default: one launched and closed here. */
    renderer?: ImageRenderer;
  } = {},
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const renderer = options.renderer ?? await FigureRenderer.launch();
  try {
    const paths: string[] = [];
    for (const [name, figure] of Object.entries(figures)) {
      const path = join(dir, `${name}.${options.format ?? "png"}`);
      if (options.format === "svg") {
        await Deno.writeTextFile(path, await renderer.svg(figure, options));
      } else await Deno.writeFile(path, await renderer.png(figure, options));
      paths.push(path);
    }
    return paths;
  } finally {
    if (!options.renderer) await renderer.close();
  }
}
