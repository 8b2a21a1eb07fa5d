/**
 * End-to-end in a real front end: Debian's classic Jupyter Notebook server runs
 * 10_Visualisations.ipynb with the Deno kernel in headless Chromium, as an analyst would
 * ("Run All"), on a lakehouse built from the 2025 real-time file.
 *
 * Checked in the page: every code cell ran, no error output, and every figure was drawn by
 * plotly (its script ran: the output of a freshly executed cell is trusted). Then the same
 * outputs reopened as an untrusted notebook (no script runs) still show every figure, as the
 * PNG each figure carries.
 *
 * Needs `jupyter notebook` (Debian's jupyter-notebook, installed by .ci/run) and Chromium;
 * without them the test fails and says what to install.
 */
/// <reference lib="dom" />
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import type { Browser, Page } from "playwright-core";
import { PATHS } from "../lib/paths.ts";
import { openCatalog } from "../lib/pipeline/catalog.ts";
import { ingestFiles } from "../lib/pipeline/ingest.ts";
import { refreshSilver } from "../lib/pipeline/silver_step.ts";
import { refreshGold } from "../lib/pipeline/gold_step.ts";
import { refreshAnomalies } from "../lib/pipeline/analysis_step.ts";
import { type Notebook, readNotebook, writeNotebook } from "../lib/runner/ipynb.ts";
import { injectParameters } from "../lib/runner/parameters.ts";
import { processesMentioning } from "../lib/runner/_test_checks.ts";
import { JupyterServer, notebookVersion } from "../lib/testing/jupyter_server.ts";
import { sharedDataPath } from "../lib/testing/shared_data.ts";
import { launchChromium } from "../lib/viz/render.ts";

const NOTEBOOK = "10_Visualisations.ipynb";
/** The charts of notebook 10 outside its ML section (which has no model in this lakehouse). */
const MIN_FIGURES = 13;
const KERNEL_READY_TIMEOUT_MS = 60_000;
const RUN_ALL_TIMEOUT_MS = 180_000;

/** The part of the classic Notebook's page API (`window.Jupyter`) the test uses. */
interface ClassicCell {
  cell_type: string;
  /** A number once run, `"*"` while queued or running, null/undefined before. */
  input_prompt_number?: number | string | null;
  output_area?: { trusted: boolean };
}
interface ClassicNotebook {
  _fully_loaded: boolean;
  kernel_busy: boolean;
  trusted: boolean;
  kernel: { info_reply: { protocol_version?: string } } | null;
  get_cells(): ClassicCell[];
  execute_all_cells(): void;
  toJSON(): Notebook;
}
type ClassicWindow = typeof globalThis & { Jupyter?: { notebook?: ClassicNotebook } };

/** A figure output as found in the page. */
interface FigureState {
  title: string;
  /** plotly drew it: the div got plotly's class. */
  plotly: boolean;
  /** Traces plotly shows (not hidden, not legend-only). */
  visible: number;
  /** Cartesian traces (scatter, bar) among them, and the trace groups drawn in the SVG. */
  cartesian: number;
  drawnTraces: number;
  /** Drawn marks: trace paths, heatmap images, sankey links. */
  marks: number;
  /** Static fallbacks left in the div (image or text summary). */
  fallbacks: number;
}

/** Bronze, silver, gold and anomalies of the 2025 real-time file, as notebooks 02-06 make them. */
async function buildLakehouse(dir: string): Promise<void> {
  const catalog = openCatalog(dir);
  await ingestFiles(catalog, [
    sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls"),
  ]);
  await refreshSilver(catalog);
  await refreshGold(catalog);
  await refreshAnomalies(catalog);
}

async function waitForKernel(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const nb = (globalThis as ClassicWindow).Jupyter?.notebook;
      return nb?._fully_loaded === true && nb.kernel?.info_reply.protocol_version !== undefined;
    },
    null,
    { timeout: KERNEL_READY_TIMEOUT_MS },
  );
}

/** "Run All", then waits until no cell is queued or running and the kernel is idle. */
async function runAll(page: Page, server: JupyterServer): Promise<void> {
  await page.evaluate(() => (globalThis as ClassicWindow).Jupyter!.notebook!.execute_all_cells());
  try {
    // execute_all_cells marks every code cell "*" at once, so an idle kernel before the first
    // "busy" status does not end the wait early.
    await page.waitForFunction(
      () => {
        const nb = (globalThis as ClassicWindow).Jupyter!.notebook!;
        return !nb.kernel_busy && nb.get_cells().every((c) => c.input_prompt_number !== "*");
      },
      null,
      { timeout: RUN_ALL_TIMEOUT_MS, polling: 250 },
    );
  } catch (error) {
    const prompts = await page.evaluate(() =>
      (globalThis as ClassicWindow).Jupyter!.notebook!.get_cells()
        .filter((c) => c.cell_type === "code").map((c) => c.input_prompt_number)
    ).catch(() => "unavailable");
    throw new Error(
      `Run All did not finish: ${(error as Error).message}\nprompts: ${JSON.stringify(prompts)}\n` +
        `--- server log ---\n${await server.logTail()}`,
    );
  }
}

/** Every figure output of the page (`lib/viz` wraps each in a `.eco2mix-figure` div). */
function figures(page: Page): Promise<FigureState[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll(".eco2mix-figure")].map((el) => {
      const traces = ((el as unknown as { _fullData?: { type: string; visible: unknown }[] })
        ._fullData ?? []).filter((t) => t.visible === true);
      return {
        title: el.querySelector(".gtitle")?.textContent ?? el.textContent?.slice(0, 80) ?? "",
        plotly: el.classList.contains("js-plotly-plot"),
        visible: traces.length,
        cartesian: traces.filter((t) => t.type === "scatter" || t.type === "bar").length,
        drawnTraces: el.querySelectorAll(".cartesianlayer g.trace").length,
        marks: el.querySelectorAll(".main-svg .trace path, .main-svg image, .sankey-link").length,
        fallbacks: el.querySelectorAll(":scope > img, :scope > pre").length,
      };
    })
  );
}

/** Screenshot of the whole notebook (the classic page scrolls inside `#site`, not the window). */
async function screenshot(page: Page, path: string): Promise<void> {
  const height = await page.evaluate(() =>
    document.querySelector("#notebook-container")!.scrollHeight + 200
  );
  await page.setViewportSize({ width: 1280, height: Math.min(height, 30_000) });
  await page.screenshot({ path });
}

Deno.test("Jupyter Notebook runs 10_Visualisations in Chromium: no error, every chart drawn", async () => {
  const version = await notebookVersion();
  // Notebook 7 is JupyterLab-based: no `window.Jupyter.notebook` to drive.
  assert.match(version, /^6\./, `the classic Notebook 6 is needed, found ${version}`);

  const tmp = await Deno.makeTempDir({ prefix: "jupyter-ui-" });
  const lakehouse = join(tmp, "lakehouse");
  await buildLakehouse(lakehouse);
  const silver = await openCatalog(lakehouse).table("eco2mix_silver").read();
  const instants = silver.filter(pl.col("perimetre").eq(pl.lit("France"))).height;

  // The copies live beside the notebooks (their `../lib` imports resolve from there) under
  // hidden names that the pipeline (NN_*.ipynb) and the lint task never see.
  const stem = `.ui-test-${crypto.randomUUID()}`;
  const copy = `${stem}.ipynb`;
  const untrustedCopy = `${stem}-untrusted.ipynb`;
  const { notebook, unknown } = injectParameters(
    await readNotebook(join(PATHS.notebooks, NOTEBOOK)),
    { lakehouse_dir: lakehouse },
  );
  assert.deepEqual(unknown, [], `${NOTEBOOK} no longer declares lakehouse_dir`);
  await writeNotebook(join(PATHS.notebooks, copy), notebook);

  let server: JupyterServer | undefined;
  let browser: Browser | undefined;
  let survivors: string[] = [];
  const pageErrors: string[] = [];
  try {
    server = await JupyterServer.start({ root: PATHS.root, workDir: join(tmp, "jupyter") });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(60_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(server.notebookUrl(`notebooks/${copy}`));
    await waitForKernel(page);
    await runAll(page, server);

    const state = await page.evaluate(() => {
      const nb = (globalThis as ClassicWindow).Jupyter!.notebook!;
      const code = nb.get_cells().filter((c) => c.cell_type === "code");
      // The copy was never signed, so it opened untrusted; toJSON re-derives the notebook's
      // flag from its cells, as the page does before saving.
      const json = nb.toJSON();
      return {
        trusted: nb.trusted,
        prompts: code.map((c) => c.input_prompt_number),
        untrustedOutputs: code.filter((c) => c.output_area?.trusted !== true).length,
        errorOutputs: json.cells.flatMap((c) => c.outputs ?? [])
          .filter((o) => o.output_type === "error")
          .map((o) => o.output_type === "error" ? `${o.ename}: ${o.evalue}` : ""),
        errorElements: document.querySelectorAll(".output_error").length,
        // The classic Notebook shows a script that throws while appended as this class.
        scriptErrors: [...document.querySelectorAll(".output_area .js-error")]
          .map((e) => e.textContent),
        text: (document.querySelector("#notebook-container") as HTMLElement).innerText,
      };
    });
    await screenshot(page, join(tmp, "10_Visualisations.png"));

    assert.deepEqual(state.errorOutputs, []);
    assert.equal(state.errorElements, 0);
    assert.deepEqual(state.scriptErrors, []);
    assert.equal(pageErrors.length, 0, pageErrors.join("\n"));
    // Every code cell ran, in order, once: the parameters cell, the injected one, and the rest.
    assert.deepEqual(state.prompts, state.prompts.map((_, i) => i + 1));
    assert.equal(notebook.cells.filter((c) => c.cell_type === "code").length, state.prompts.length);
    // Live outputs are trusted: their scripts (plotly) run.
    assert.equal(state.trusted, true);
    assert.equal(state.untrustedOutputs, 0);
    // The notebook read the temporary lakehouse: the count it prints is that of its silver.
    assert.ok(
      state.text.includes(
        `Périmètre représenté : France (${instants.toLocaleString("fr-FR")} instants)`,
      ),
      state.text.slice(0, 2000),
    );

    const drawn = await figures(page);
    assert.ok(drawn.length >= MIN_FIGURES, `${drawn.length} figures: ${JSON.stringify(drawn)}`);
    for (const figure of drawn) {
      const what = JSON.stringify(figure);
      assert.ok(figure.plotly, `not drawn by plotly: ${what}`);
      assert.ok(figure.visible > 0 && figure.marks > 0, `nothing drawn: ${what}`);
      assert.ok(figure.drawnTraces >= figure.cartesian, `traces missing: ${what}`);
      assert.equal(figure.fallbacks, 0, `static fallback left: ${what}`);
    }
    assert.equal(new Set(drawn.map((f) => f.title)).size, drawn.length, "a chart is repeated");

    // The same outputs in a notebook the server never signed (a file received from a
    // colleague, a fresh clone): the classic Notebook runs none of their scripts. The metadata
    // mark keeps the copy's signature different from any autosave of the first copy.
    const executed = await page.evaluate(() =>
      (globalThis as ClassicWindow).Jupyter!.notebook!.toJSON()
    );
    await writeNotebook(join(PATHS.notebooks, untrustedCopy), {
      ...executed,
      metadata: { ...executed.metadata, eco2mix_ui_test: "untrusted copy" },
    });
    const reopened = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    reopened.setDefaultTimeout(60_000);
    reopened.on("pageerror", (error) => pageErrors.push(error.message));
    await reopened.goto(server.notebookUrl(`notebooks/${untrustedCopy}`));
    await reopened.waitForFunction(() => {
      const images = [...document.querySelectorAll<HTMLImageElement>(".eco2mix-figure img")];
      return (globalThis as ClassicWindow).Jupyter?.notebook?._fully_loaded === true &&
        images.length > 0 && images.every((img) => img.complete);
    });
    const untrusted = await reopened.evaluate(() => ({
      trusted: (globalThis as ClassicWindow).Jupyter!.notebook!.trusted,
      plotly: document.querySelectorAll(".js-plotly-plot").length,
      images: [...document.querySelectorAll<HTMLImageElement>(".eco2mix-figure img")]
        .map((img) => [img.naturalWidth, img.naturalHeight]),
    }));
    await screenshot(reopened, join(tmp, "10_Visualisations_untrusted.png"));
    assert.equal(untrusted.trusted, false);
    assert.equal(untrusted.plotly, 0);
    // Each figure still shows, as its PNG (1000 x 500 by default in lib/viz).
    assert.equal(untrusted.images.length, drawn.length);
    for (const [width, height] of untrusted.images) assert.ok(width >= 500 && height >= 300);
    assert.equal(pageErrors.length, 0, pageErrors.join("\n"));
  } finally {
    await browser?.close();
    survivors = await server?.stop() ?? [];
    for (const name of [copy, untrustedCopy]) {
      await Deno.remove(join(PATHS.notebooks, name)).catch(() => {});
    }
  }
  // Every kernel (and the Chromium it launched for the PNGs) ended with the server.
  assert.deepEqual(survivors, []);
  assert.deepEqual(await processesMentioning(server!.runtimeDir), []);
  await Deno.remove(lakehouse, { recursive: true });
});
