/**
 * End-to-end in JupyterLab 4.6 (the project's harness, `jupyterlab/`) in headless Chromium, as
 * the customer works: each of the 11 notebooks opened, run top to bottom with the Run menu's
 * "Run All Cells", saved with Ctrl+S, and reopened as a file the server never signed.
 *
 * The pipeline runs on a small input to bound CI time: RTE's real-time file of June 2016 (one
 * month) with the quick training profile, in a temporary lakehouse and model registry.
 * Notebook 11 runs first: it builds the lakehouse by running 01-10 headlessly into a run
 * folder, and those executed copies say how many figures each notebook draws. Then 01-10 are
 * run in JupyterLab on that lakehouse.
 *
 * Checked per notebook: every code cell ran once, in order, with no error output and no page
 * error; every figure output is rendered by plotly's MIME renderer (jupyterlab-plotly), as many
 * as the headless run made; each figure draws live when the mouse enters it; the saved file
 * holds the outputs; reopened untrusted, every figure still shows. Notebook 04 is also
 * restarted and re-run from the Kernel menu. A screenshot of each notebook goes to
 * `runs/ui-tests/jupyterlab/` (ignored by git). The wall time of each step is printed.
 *
 * Opt-in (`ECO2MIX_LAB_UI=1`), not part of `deno task test` yet: on this 2-core machine it failed
 * once at notebook 08 in CI and, run alone, stalled in notebook 10's Run All (its kernel idle,
 * the prompts never settling), cause not found. A test that fails or hangs for an unknown reason
 * would block every change; it returns to the default run once that is understood (issue 17).
 */
/// <reference lib="dom" />
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { PATHS } from "../lib/paths.ts";
import { type Notebook, readNotebook, writeNotebook } from "../lib/runner/ipynb.ts";
import { injectParameters, type ParameterValue } from "../lib/runner/parameters.ts";
import { processesMentioning } from "../lib/runner/_test_checks.ts";
import { JupyterServer } from "../lib/testing/jupyter_server.ts";
import { ensureJupyterLab } from "../lib/testing/jupyterlab.ts";
import { sharedDataPath } from "../lib/testing/shared_data.ts";
import { writeDeck } from "../lib/notebook/slides.ts";
import { launchChromium } from "../lib/viz/render.ts";
import { PLOTLY_MIME } from "../lib/viz/notebook.ts";

const INPUT = "eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls";
const RESTARTED = "04_Analyse_Exploratoire.ipynb";
/** Notebooks whose saved copy is also turned into a slide deck (deno task diaporama). */
const DECKS = [
  "05_Gold_Production.ipynb",
  "08_ML_Prevision_Consommation.ipynb",
  "10_Visualisations.ipynb",
];
/** Notebook 11 runs the ten others: its one long cell is bounded by the runner's timeouts. */
const RUN_ALL_TIMEOUT_MS = 900_000;
const SCREENSHOTS = join(PATHS.runs, "ui-tests", "jupyterlab");

/** The part of JupyterLab's application object (`window.jupyterapp`) the test uses. */
interface LabCell {
  model: {
    type: string;
    executionCount?: number | null;
    trusted: boolean;
    toJSON(): { outputs?: { output_type: string; data?: Record<string, unknown> }[] };
  };
}
interface LabPanel {
  id: string;
  node: HTMLElement;
  context: { ready: Promise<void>; model: { dirty: boolean; toJSON(): Notebook } };
  sessionContext: {
    ready: Promise<void>;
    session: { kernel: { status: string } | null } | null;
    shutdown(): Promise<void>;
  };
  content: { widgets: LabCell[] };
  close(): void;
}
interface LabApp {
  commands: { execute(id: string, args?: unknown): Promise<unknown> };
  shell: { currentWidget: LabPanel | null; activateById(id: string): void };
}
type LabWindow = typeof globalThis & { jupyterapp?: LabApp; __panels?: Map<string, LabPanel> };

/** What a notebook shows once run (or reopened). */
interface NotebookState {
  prompts: (number | null)[];
  errors: string[];
  /** Figure outputs in the notebook's model (the plotly MIME type), and rendered by plotly's renderer. */
  figureOutputs: number;
  rendered: number;
  /** Rendered figures showing a PNG that has loaded, or a live plotly chart. */
  visible: number;
  untrustedCells: number;
}

function figureCount(nb: Notebook): number {
  return nb.cells.flatMap((c) => c.outputs ?? [])
    .filter((o) =>
      (o.output_type === "display_data" || o.output_type === "execute_result") &&
      PLOTLY_MIME in o.data
    ).length;
}

/** A copy of `name` beside the notebooks, hidden, with the parameters it declares among `values`. */
async function preparedCopy(
  name: string,
  stem: string,
  values: Record<string, ParameterValue>,
): Promise<string> {
  const source = await readNotebook(join(PATHS.notebooks, name));
  const { declared } = injectParameters(source, {});
  const names = new Set(declared.map((d) => d.name));
  const own = Object.fromEntries(Object.entries(values).filter(([k]) => names.has(k)));
  const copy = `${stem}-${name}`;
  await writeNotebook(join(PATHS.notebooks, copy), injectParameters(source, own).notebook);
  return copy;
}

async function waitForLab(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as LabWindow).jupyterapp !== undefined, null, {
    timeout: 120_000,
  });
}

/** Opens `path` (relative to the server root) in a notebook tab; waits for its kernel. */
async function open(page: Page, path: string): Promise<void> {
  await page.evaluate(async (path) => {
    const w = globalThis as LabWindow;
    const panel = await w.jupyterapp!.commands.execute("docmanager:open", {
      path,
      factory: "Notebook",
    }) as LabPanel;
    await panel.context.ready;
    await panel.sessionContext.ready;
    w.__panels ??= new Map();
    w.__panels.set(path, panel);
    w.jupyterapp!.shell.activateById(panel.id);
  }, path);
  await page.waitForFunction(
    (path) => {
      const panel = (globalThis as LabWindow).__panels!.get(path)!;
      return panel.sessionContext.session?.kernel?.status === "idle";
    },
    path,
    { timeout: 120_000 },
  );
}

/** Clicks a menu bar entry, then an item of its menu, as a person does. */
async function menu(page: Page, bar: string, item: string): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: new RegExp(`^${bar}$`) }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: new RegExp(`^${item}$`) }).first().click();
}

/** Waits until no cell is queued or running ("[*]") and the kernel is idle. */
async function waitForRun(page: Page, path: string, server: JupyterServer): Promise<void> {
  try {
    await page.waitForFunction(
      (path) => {
        const panel = (globalThis as LabWindow).__panels!.get(path)!;
        const running = [...panel.node.querySelectorAll(".jp-InputPrompt")]
          .some((p) => p.textContent?.includes("*"));
        return !running && panel.sessionContext.session?.kernel?.status === "idle";
      },
      path,
      { timeout: RUN_ALL_TIMEOUT_MS, polling: 500 },
    );
  } catch (error) {
    throw new Error(
      `${path}: Run All did not finish: ${
        (error as Error).message
      }\n--- server log ---\n${await server
        .logTail()}`,
    );
  }
}

function state(page: Page, path: string): Promise<NotebookState> {
  return page.evaluate((path) => {
    const panel = (globalThis as LabWindow).__panels!.get(path)!;
    const code = panel.content.widgets.filter((c) => c.model.type === "code");
    const outputs = code.flatMap((c) => c.model.toJSON().outputs ?? []);
    const rendered = [...panel.node.querySelectorAll<HTMLElement>(".jp-RenderedPlotly")];
    return {
      prompts: code.map((c) => c.model.executionCount ?? null),
      errors: outputs.filter((o) => o.output_type === "error")
        .map((o) => JSON.stringify(o).slice(0, 500)),
      figureOutputs: outputs.filter((o) =>
        o.data !== undefined && "application/vnd.plotly.v1+json" in o.data
      ).length,
      rendered: rendered.length,
      visible: rendered.filter((el) =>
        el.querySelector(".main-svg") !== null ||
        [...el.querySelectorAll("img")].some((img) => img.complete && img.naturalWidth > 0)
      ).length,
      untrustedCells: code.filter((c) => !c.model.trusted).length,
    };
  }, path);
}

/**
 * Enters each figure with the mouse: jupyterlab-plotly shows a bundle's PNG and draws the live
 * chart on mouse enter. Returns how many figures then hold a plotly SVG with drawn marks.
 */
async function hoverFigures(page: Page, path: string): Promise<number> {
  const figures = page.locator(`[id="${await panelId(page, path)}"] .jp-RenderedPlotly`);
  const count = await figures.count();
  for (let i = 0; i < count; i++) {
    const figure = figures.nth(i);
    await figure.scrollIntoViewIfNeeded({ timeout: 10_000 });
    // No actionability wait: a toast or tooltip over a figure must not stall the test.
    await figure.hover({ force: true, timeout: 10_000 });
    await figure.locator(".main-svg").first().waitFor({ timeout: 15_000 });
  }
  return await figures.evaluateAll((els) =>
    els.filter((el) =>
      // Trace paths, heatmap images, sankey links, pie slices: marks of every kind of chart.
      el.querySelectorAll(".main-svg .trace path, .main-svg image, .sankey-link, .slice path")
        .length > 0
    ).length
  );
}

function panelId(page: Page, path: string): Promise<string> {
  return page.evaluate((path) => (globalThis as LabWindow).__panels!.get(path)!.id, path);
}

/** Screenshot of the whole notebook: the viewport is made as tall as its content. */
async function screenshot(page: Page, path: string, file: string): Promise<void> {
  const height = await page.evaluate((path) => {
    const panel = (globalThis as LabWindow).__panels!.get(path)!;
    const outer = panel.node.querySelector(".jp-WindowedPanel-outer") ?? panel.node;
    outer.scrollTo(0, 0);
    return outer.scrollHeight + 200;
  }, path);
  await page.setViewportSize({ width: 1280, height: Math.min(height, 20_000) });
  await page.waitForTimeout(500);
  await page.screenshot({ path: file });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Ctrl+S, then waits until the document is clean. */
async function save(page: Page, path: string): Promise<void> {
  await page.keyboard.press("Control+s");
  await page.waitForFunction(
    (path) => !(globalThis as LabWindow).__panels!.get(path)!.context.model.dirty,
    path,
    { timeout: 60_000 },
  );
}

/** Shuts the notebook's kernel down and closes its tab. */
async function close(page: Page, path: string): Promise<void> {
  await page.evaluate(async (path) => {
    const w = globalThis as LabWindow;
    const panel = w.__panels!.get(path)!;
    await panel.sessionContext.shutdown();
    panel.close();
    w.__panels!.delete(path);
  }, path);
}

type RevealWindow = typeof globalThis & {
  Reveal?: { isReady(): boolean; isLastSlide(): boolean; availableFragments(): { next: boolean } };
};

/**
 * Opens a deck offline, walks through it with the space bar as a presenter does, and returns
 * its slide count and the charts plotly drew (each is drawn when its slide shows).
 */
async function presentDeck(
  browser: Browser,
  deck: string,
): Promise<{ slides: number; drawn: number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const outside: string[] = [];
  page.on("request", (r) => {
    if (!/^(file|data):/.test(r.url())) outside.push(r.url());
  });
  try {
    await page.goto(`file://${deck}`);
    await page.waitForFunction(() => (globalThis as RevealWindow).Reveal?.isReady());
    let slides = 1;
    const atEnd = () =>
      page.evaluate(() => {
        const r = (globalThis as RevealWindow).Reveal!;
        return r.isLastSlide() && !r.availableFragments().next;
      });
    while (!(await atEnd()) && slides < 500) {
      await page.keyboard.press("Space");
      slides++;
    }
    const drawn = await page.evaluate(() =>
      [...document.querySelectorAll(".deck-figure[data-drawn]")]
        .filter((el) => el.querySelector(".main-svg") !== null).length
    );
    assert.deepEqual(outside, [], `${deck} reached out`);
    return { slides, drawn };
  } finally {
    await page.close();
  }
}

function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

Deno.test({
  name: "JupyterLab runs the 11 notebooks in Chromium: Run All, no error, every chart drawn, " +
    "saved and reopened",
  ignore: Deno.env.get("ECO2MIX_LAB_UI") !== "1",
}, async () => {
  const started = performance.now();
  await ensureJupyterLab();
  const tmp = await Deno.makeTempDir({ prefix: "jupyterlab-ui-" });
  const runDir = join(tmp, "run");
  const values: Record<string, ParameterValue> = {
    input_path: sharedDataPath(INPUT),
    allow_download: false,
    lakehouse_dir: join(tmp, "lakehouse"),
    models_dir: join(tmp, "models"),
    report_dir: join(tmp, "rapport"),
    run_dir: runDir,
    profil: "rapide",
  };
  const names = [...Deno.readDirSync(PATHS.notebooks)].map((e) => e.name)
    .filter((n) => /^\d\d_.*\.ipynb$/.test(n)).sort();
  assert.equal(names.length, 11, names.join());
  // Hidden copies beside the notebooks (their `../lib` imports resolve from there), which the
  // pipeline (NN_*.ipynb) and the lint task never see.
  const stem = `.lab-test-${crypto.randomUUID().slice(0, 8)}`;
  const copies = new Map<string, string>();
  for (const name of names) copies.set(name, await preparedCopy(name, stem, values));
  await Deno.mkdir(SCREENSHOTS, { recursive: true });

  let server: JupyterServer | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  const timings: string[] = [];
  try {
    server = await JupyterServer.start({
      root: PATHS.root,
      workDir: join(tmp, "jupyter"),
      frontEnd: "lab",
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(60_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    let step = performance.now();
    await page.goto(`${server.url}lab?token=${encodeURIComponent(server.token)}`);
    await waitForLab(page);
    timings.push(`JupyterLab loaded: ${seconds(step)}`);

    // Notebook 11 first: the pipeline, whose executed copies say what 01-10 must show.
    const order = [names.at(-1)!, ...names.slice(0, -1)];
    for (const name of order) {
      const path = `notebooks/${copies.get(name)}`;
      step = performance.now();
      await open(page, path);
      await menu(page, "Run", "Run All Cells");
      await waitForRun(page, path, server);
      const ran = await state(page, path);
      const what = `${name}: ${JSON.stringify(ran)}`;
      assert.deepEqual(ran.errors, [], what);
      const expectedCells = (await readNotebook(join(PATHS.notebooks, copies.get(name)!))).cells
        .filter((c) => c.cell_type === "code").length;
      assert.deepEqual(ran.prompts, Array.from({ length: expectedCells }, (_, i) => i + 1), what);
      assert.equal(ran.untrustedCells, 0, what);
      // Every figure output is rendered by plotly's renderer and shows.
      assert.equal(ran.rendered, ran.figureOutputs, what);
      assert.equal(ran.visible, ran.rendered, what);
      if (name !== names.at(-1)) {
        const headless = figureCount(await readNotebook(join(runDir, name)));
        assert.equal(ran.figureOutputs, headless, `${what}: ${headless} figures in the run folder`);
      }
      assert.equal(await hoverFigures(page, path), ran.rendered, `${what}: not all drawn live`);
      await screenshot(page, path, join(SCREENSHOTS, name.replace(/\.ipynb$/, ".png")));

      if (name === RESTARTED) {
        // Kernel > Restart Kernel and Run All Cells…, confirmed in JupyterLab's dialog.
        await menu(page, "Kernel", "Restart Kernel and Run All Cells…");
        await page.locator(".jp-Dialog-button.jp-mod-accept").click();
        await page.waitForFunction((path) => {
          const panel = (globalThis as LabWindow).__panels!.get(path)!;
          return panel.content.widgets.some((c) =>
            c.model.type === "code" && c.model.executionCount == null
          );
        }, path).catch(() => {});
        await waitForRun(page, path, server);
        const again = await state(page, path);
        assert.deepEqual(again.errors, [], JSON.stringify(again));
        assert.deepEqual(again.prompts, ran.prompts, "the re-run numbers its cells from 1 again");
        assert.equal(again.rendered, ran.rendered);
      }

      await save(page, path);
      const saved = await readNotebook(join(PATHS.root, path));
      assert.equal(figureCount(saved), ran.figureOutputs, `${name}: the saved file`);
      if (DECKS.includes(name)) {
        const deck = await writeDeck(
          join(PATHS.root, path),
          join(tmp, name.replace(/\.ipynb$/, ".html")),
        );
        const shown = await presentDeck(browser, deck);
        assert.ok(shown.slides > 1, `${name}: ${JSON.stringify(shown)}`);
        assert.equal(shown.drawn, ran.figureOutputs, `${name} deck: ${JSON.stringify(shown)}`);
        timings.push(`${name} deck: ${shown.slides} steps, ${shown.drawn} charts`);
      }
      await close(page, path);

      // The saved outputs as a file the server never signed (sent by a colleague): untrusted.
      const reopened = `${path.replace(/\.ipynb$/, "")}-reopened.ipynb`;
      await writeNotebook(join(PATHS.root, reopened), {
        ...saved,
        metadata: { ...saved.metadata, eco2mix_ui_test: "untrusted copy" },
      });
      await open(page, reopened);
      await page.waitForFunction(
        ([path, n]) => {
          const panel = (globalThis as LabWindow).__panels!.get(path as string)!;
          const images = [
            ...panel.node.querySelectorAll<HTMLImageElement>(".jp-RenderedPlotly img"),
          ];
          return panel.node.querySelectorAll(".jp-RenderedPlotly").length === n &&
            images.every((img) => img.complete);
        },
        [reopened, ran.figureOutputs] as const,
      );
      const untrusted = await state(page, reopened);
      assert.equal(untrusted.untrustedCells, ran.prompts.length, JSON.stringify(untrusted));
      assert.equal(
        untrusted.visible,
        ran.figureOutputs,
        `${name} reopened: ${JSON.stringify(untrusted)}`,
      );
      await close(page, reopened);
      await Deno.remove(join(PATHS.root, reopened));
      timings.push(`${name}: ${seconds(step)} (${ran.figureOutputs} figures)`);
    }
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    const survivors = await server?.stop() ?? [];
    for (const copy of copies.values()) {
      await Deno.remove(join(PATHS.notebooks, copy)).catch(() => {});
      await Deno.remove(join(PATHS.notebooks, copy.replace(/\.ipynb$/, "-reopened.ipynb")))
        .catch(() => {});
    }
    console.log(`JupyterLab UI test, wall time ${seconds(started)}:\n  ${timings.join("\n  ")}`);
    assert.deepEqual(survivors, []);
  }
  assert.deepEqual(await processesMentioning(server!.runtimeDir), []);
  await Deno.remove(tmp, { recursive: true });
});
