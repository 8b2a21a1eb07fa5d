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
 * Every wait is bounded and, when it runs out, names the notebook and the cell or figure it
 * waited for. Run All is followed cell by cell: it fails at the first error output or page
 * error, when a dialog waits for an answer, when no cell finishes for
 * {@linkcode CELL_TIMEOUT_MS}, or when the server has seen the kernel idle for
 * {@linkcode STALL_MS} while a cell still waits for its reply (a request, reply or output
 * lost). The server, its kernels, the processes they started and Chromium are stopped whatever
 * happens, and any of them still alive fails the test.
 *
 * Part of `deno task test` (5 to 6.5 minutes on the shared 2-core machine); `ECO2MIX_LAB_UI=0`
 * skips it.
 */
/// <reference lib="dom" />
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { PATHS } from "../lib/paths.ts";
import { type Notebook, readNotebook, stripAnsi, writeNotebook } from "../lib/runner/ipynb.ts";
import { injectParameters, type ParameterValue } from "../lib/runner/parameters.ts";
import { JupyterServer } from "../lib/testing/jupyter_server.ts";
import { ensureJupyterLab } from "../lib/testing/jupyterlab.ts";
import { sharedDataPath } from "../lib/testing/shared_data.ts";
import { writeDeck } from "../lib/notebook/slides.ts";
import { launchChromium } from "../lib/viz/render.ts";
import { PLOTLY_MIME } from "../lib/viz/notebook.ts";

const INPUT = "eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls";
const PIPELINE = "11_Pipeline_Complete.ipynb";
const RESTARTED = "04_Analyse_Exploratoire.ipynb";
/** Notebooks whose saved copy is also turned into a slide deck (deno task diaporama). */
const DECKS = [
  "05_Gold_Production.ipynb",
  "08_ML_Prevision_Consommation.ipynb",
  "10_Visualisations.ipynb",
];
/** Longest a cell of 01-10 may run (the slowest takes seconds to a minute here). */
const CELL_TIMEOUT_MS = 300_000;
/** Notebook 11's one long cell runs the ten others: it is bounded by the runner's timeouts. */
const PIPELINE_CELL_TIMEOUT_MS = 900_000;
/** Kernel idle, as the server sees it, while a cell still waits for its reply. */
const STALL_MS = 60_000;
/** Opening a notebook until its kernel is idle; a reopened notebook showing its figures. */
const OPEN_TIMEOUT_MS = 120_000;
/** Any other evaluation in the page (they have no timeout of their own). */
const PAGE_TIMEOUT_MS = 30_000;
/** A figure drawn live once the mouse entered it (plotly.js loads on the first one). */
const DRAW_TIMEOUT_MS = 30_000;
const POLL_MS = 500;
const SERVER_POLL_MS = 5_000;
const SCREENSHOTS = join(PATHS.runs, "ui-tests", "jupyterlab");

/** The part of JupyterLab's application object (`window.jupyterapp`) the test uses. */
interface LabOutput {
  type: string;
  toJSON(): { output_type: string; ename?: string; evalue?: string };
}
interface Signal<T> {
  connect(slot: (sender: unknown, args: T) => void): void;
}
interface LabCell {
  model: {
    type: string;
    executionCount?: number | null;
    trusted: boolean;
    stateChanged: Signal<{ name: string; newValue: unknown }>;
    sharedModel: { getSource(): string };
    outputs?: { length: number; get(index: number): LabOutput };
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
    statusChanged: Signal<string>;
    shutdown(): Promise<void>;
  };
  content: { widgets: LabCell[] };
  close(): void;
}
interface LabApp {
  commands: { execute(id: string, args?: unknown): Promise<unknown> };
  shell: { currentWidget: LabPanel | null; activateById(id: string): void };
}
/** A Run All followed in the page: code cells (by position) given an execution count since. */
interface RunTracker {
  done: Set<number>;
  statuses: string[];
}
type LabWindow = typeof globalThis & {
  jupyterapp?: LabApp;
  __panels?: Map<string, LabPanel>;
  __runs?: Map<string, RunTracker>;
};

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

/** How far a Run All has gone. */
interface RunProgress {
  codeCells: number;
  done: number;
  /** The first code cell not run yet (1-based among code cells) and its first line. */
  pending: { index: number; source: string } | null;
  /** The kernel's status as the page knows it. */
  kernel: string;
  statuses: string[];
  errors: string[];
  /** The text of a dialog waiting for an answer, if any. */
  dialog: string | null;
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

/** `promise`, or an error naming `what` after `ms` (page evaluations have no timeout). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `promise`, whose error (a Playwright timeout) begins with what was awaited. */
async function named<T>(what: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Opens `path` (relative to the server root) in a notebook tab; waits for its kernel. */
async function open(page: Page, path: string, label: string): Promise<void> {
  await within(
    OPEN_TIMEOUT_MS,
    `${label}: opening ${path}`,
    page.evaluate(async (path) => {
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
    }, path),
  );
  await named(
    `${label}: the kernel of ${path} is not idle`,
    page.waitForFunction(
      (path) => {
        const panel = (globalThis as LabWindow).__panels!.get(path)!;
        return panel.sessionContext.session?.kernel?.status === "idle";
      },
      path,
      { timeout: OPEN_TIMEOUT_MS, polling: POLL_MS },
    ),
  );
}

/** Clicks a menu bar entry, then an item of its menu, as a person does. */
async function menu(page: Page, bar: string, item: string): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: new RegExp(`^${bar}$`) }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: new RegExp(`^${item}$`) }).first().click();
}

/**
 * Starts following a run of `path`: from now on, each code cell given an execution count (its
 * reply arrived) and each kernel status are recorded in the page.
 */
async function beginRun(page: Page, path: string): Promise<void> {
  await page.evaluate((path) => {
    const w = globalThis as LabWindow;
    w.__runs ??= new Map();
    const connected = w.__runs.has(path);
    w.__runs.set(path, { done: new Set(), statuses: [] });
    if (connected) return;
    const panel = w.__panels!.get(path)!;
    panel.content.widgets.filter((c) => c.model.type === "code").forEach((cell, i) =>
      cell.model.stateChanged.connect((_, change) => {
        if (change.name === "executionCount" && change.newValue != null) {
          w.__runs!.get(path)?.done.add(i);
        }
      })
    );
    panel.sessionContext.statusChanged.connect((_, status) =>
      w.__runs!.get(path)?.statuses.push(status)
    );
  }, path);
}

function progress(page: Page, path: string): Promise<RunProgress> {
  return page.evaluate((path) => {
    const w = globalThis as LabWindow;
    const panel = w.__panels!.get(path)!;
    const run = w.__runs!.get(path)!;
    const code = panel.content.widgets.filter((c) => c.model.type === "code");
    const pending = code.findIndex((_, i) => !run.done.has(i));
    const errors: string[] = [];
    code.forEach((cell, i) => {
      const outputs = cell.model.outputs!;
      for (let o = 0; o < outputs.length; o++) {
        if (outputs.get(o).type !== "error") continue;
        const { ename, evalue } = outputs.get(o).toJSON();
        errors.push(`cell ${i + 1}: ${ename}: ${evalue}`.slice(0, 500));
      }
    });
    return {
      codeCells: code.length,
      done: run.done.size,
      pending: pending < 0 ? null : {
        index: pending + 1,
        source: code[pending].model.sharedModel.getSource().split("\n")[0].slice(0, 100),
      },
      kernel: panel.sessionContext.session?.kernel?.status ?? "no kernel",
      statuses: run.statuses,
      errors,
      dialog: document.querySelector<HTMLElement>(".jp-Dialog")?.innerText.replace(/\s+/g, " ")
        .trim().slice(0, 300) ?? null,
    };
  }, path);
}

/**
 * Runs `trigger` (menu clicks that run every cell) and follows the run until every code cell has
 * its reply and the kernel is idle. Fails at the first error output or page error (a kernel
 * message JupyterLab could not read is one: the outputs after it are lost), at a dialog waiting
 * for an answer, when no cell completes for `cellTimeoutMs`, or when the server has seen the
 * kernel idle for {@linkcode STALL_MS} while a cell still waits for its reply. Returns the
 * kernel statuses seen.
 */
async function runAll(
  page: Page,
  server: JupyterServer,
  nb: { path: string; label: string; pageErrors: string[] },
  trigger: () => Promise<void>,
  cellTimeoutMs: number,
): Promise<string[]> {
  const { path, label, pageErrors } = nb;
  await beginRun(page, path);
  await trigger();
  let done = -1;
  let progressedAt = Date.now();
  let serverCheckedAt = 0;
  let idleSince: number | null = null;
  for (;;) {
    const p = await within(PAGE_TIMEOUT_MS, `${label}: Run All's progress`, progress(page, path));
    if (p.errors.length > 0) {
      throw new Error(`${label}: error output in Run All:\n${stripAnsi(p.errors.join("\n"))}`);
    }
    if (p.pending === null && p.kernel === "idle") return p.statuses;
    const where = p.pending
      ? `cell ${p.pending.index}/${p.codeCells} (${JSON.stringify(p.pending.source)})`
      : "the last cell";
    const stuck = async (why: string) => {
      const kernels = await within(PAGE_TIMEOUT_MS, "GET api/kernels", server.kernels())
        .then((ks) => ks.map((k) => k.execution_state).join(", "), (e) => e.message);
      return new Error(
        `${label}: Run All stopped at ${where}: ${why} (kernel in the page: ${p.kernel}, on ` +
          `the server: ${kernels}; ${p.done} of ${p.codeCells} code cells done)\n` +
          `--- server log ---\n${await server.logTail()}`,
      );
    };
    if (pageErrors.length > 0) throw await stuck(`page error: ${pageErrors.join("\n")}`);
    if (p.dialog !== null) throw await stuck(`a dialog waits for an answer: ${p.dialog}`);
    const now = Date.now();
    if (p.done > done) {
      done = p.done;
      progressedAt = now;
    }
    if (now - progressedAt > cellTimeoutMs) {
      throw await stuck(`no cell finished in ${cellTimeoutMs / 1000} s`);
    }
    // The server's view, every few seconds: it sees the kernel's statuses even when the page
    // has lost some.
    if (now - serverCheckedAt >= SERVER_POLL_MS) {
      serverCheckedAt = now;
      const idle = (await within(PAGE_TIMEOUT_MS, "GET api/kernels", server.kernels()))
        .every((k) => k.execution_state === "idle");
      idleSince = idle ? idleSince ?? now : null;
    }
    if (idleSince !== null && now - idleSince > STALL_MS) {
      throw await stuck(
        `the kernel has been idle for ${STALL_MS / 1000} s, the cell's reply never came`,
      );
    }
    await sleep(POLL_MS);
  }
}

function state(page: Page, path: string): Promise<NotebookState> {
  return within(
    PAGE_TIMEOUT_MS,
    `reading ${path} in the page`,
    page.evaluate((path) => {
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
    }, path),
  );
}

/**
 * Scrolls `figure` (its PNG while it shows one) to the middle of the viewport until its place
 * holds still, and returns the point to hover; "drawn" once the live chart is there.
 *
 * Why it must wait: JupyterLab lays a cell out only when it comes into view (its default
 * windowing mode, `contentVisibility`, renders cells as placeholders first and at idle time,
 * late on a busy machine), and a live chart is not as tall as its PNG (360 px against 500 here),
 * so each figure drawn moves every later one, even while the pointer rests over it (which
 * then enters, and draws, whatever figure slides under it). A point computed once, before the
 * layout settles, can end up outside the viewport.
 */
function settleInView(figure: Element): Promise<{ x: number; y: number } | "drawn" | "moving"> {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  return (async () => {
    let last = "";
    for (let i = 0; i < 100; i++) {
      if (figure.querySelector(".main-svg") !== null) return "drawn";
      const img = figure.querySelector("img.plot-img");
      const target = img && getComputedStyle(img).display !== "none" ? img : figure;
      target.scrollIntoView({ block: "center", inline: "center" });
      await frame();
      await frame();
      const r = target.getBoundingClientRect();
      const x = Math.round(r.left + r.width / 2);
      const y = Math.round(r.top + r.height / 2);
      const box = [r.left, r.top, r.width, r.height].join();
      const inside = r.width > 0 && r.height > 0 && x > 0 && y > 0 && x < innerWidth &&
        y < innerHeight;
      if (box === last && inside) return { x, y };
      last = box;
    }
    return "moving";
  })();
}

/**
 * Enters each figure with the mouse: jupyterlab-plotly shows a bundle's PNG and draws the live
 * chart when the mouse enters it. Returns how many figures then hold a plotly SVG with drawn
 * marks.
 */
async function drawFigures(page: Page, path: string, label: string): Promise<number> {
  const figures = page.locator(`[id="${await panelId(page, path)}"] .jp-RenderedPlotly`);
  const count = await figures.count();
  for (let i = 0; i < count; i++) {
    const figure = figures.nth(i);
    const what = `${label}: figure ${i + 1}/${count}`;
    const point = await within(
      PAGE_TIMEOUT_MS,
      `${what}: scrolling it into view`,
      figure.evaluate(settleInView),
    );
    if (point === "drawn") continue;
    if (point === "moving") throw new Error(`${what}: its place never held still in the viewport`);
    // From outside every figure, so that the move enters this one whatever was hovered before.
    await page.mouse.move(1, 1);
    await page.mouse.move(point.x, point.y);
    try {
      await figure.locator(".main-svg").first().waitFor({ timeout: DRAW_TIMEOUT_MS });
      // Out again: the figures that move up as this one shrinks must not slide under it.
      await page.mouse.move(1, 1);
    } catch (error) {
      const under = await page.evaluate(({ x, y }) => {
        const el = document.elementFromPoint(x, y);
        return el ? `<${el.tagName.toLowerCase()} class="${el.className}">` : "nothing";
      }, point);
      throw new Error(
        `${what}: not drawn live ${DRAW_TIMEOUT_MS / 1000} s after the mouse entered it at ` +
          `(${point.x}, ${point.y}), over ${under}: ${(error as Error).message}`,
      );
    }
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
async function save(page: Page, path: string, label: string): Promise<void> {
  await page.keyboard.press("Control+s");
  await named(
    `${label}: Ctrl+S did not save ${path}`,
    page.waitForFunction(
      (path) => !(globalThis as LabWindow).__panels!.get(path)!.context.model.dirty,
      path,
      { timeout: PAGE_TIMEOUT_MS * 2, polling: POLL_MS },
    ),
  );
}

/**
 * Shuts the notebook's kernel down and closes its tab. A tab with unsaved changes would ask
 * "Save your work" in a dialog that blocks every later click: with `discard`, for a copy only
 * read, the changes JupyterLab made itself (it may rewrite a file it did not write, e.g. when
 * it renders untrusted outputs) are dropped; otherwise unsaved changes fail the test.
 */
async function close(
  page: Page,
  path: string,
  label: string,
  { discard = false } = {},
): Promise<void> {
  const dirty = await within(
    PAGE_TIMEOUT_MS,
    `${label}: closing ${path}`,
    page.evaluate(async ([path, discard]) => {
      const w = globalThis as LabWindow;
      const panel = w.__panels!.get(path as string)!;
      const model = panel.context.model;
      if (model.dirty && !discard) return true;
      model.dirty = false;
      await panel.sessionContext.shutdown();
      panel.close();
      w.__panels!.delete(path as string);
      w.__runs?.delete(path as string);
      return false;
    }, [path, discard] as const),
  );
  assert.equal(dirty, false, `${label}: ${path} has unsaved changes at closing`);
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
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  const outside: string[] = [];
  page.on("request", (r) => {
    if (!/^(file|data):/.test(r.url())) outside.push(r.url());
  });
  try {
    await page.goto(`file://${deck}`);
    await named(
      `${deck}: reveal.js did not start`,
      page.waitForFunction(() => (globalThis as RevealWindow).Reveal?.isReady() === true, null, {
        timeout: PAGE_TIMEOUT_MS,
        polling: POLL_MS,
      }),
    );
    let slides = 1;
    const atEnd = () =>
      within(
        PAGE_TIMEOUT_MS,
        `${deck}: slide ${slides}`,
        page.evaluate(() => {
          const r = (globalThis as RevealWindow).Reveal!;
          return r.isLastSlide() && !r.availableFragments().next;
        }),
      );
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
  return ((performance.now() - start) / 1000).toFixed(1);
}

Deno.test({
  name: "JupyterLab runs the 11 notebooks in Chromium: Run All, no error, every chart drawn, " +
    "saved and reopened",
  ignore: Deno.env.get("ECO2MIX_LAB_UI") === "0",
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
  assert.equal(names.at(-1), PIPELINE);
  // Hidden copies beside the notebooks (their `../lib` imports resolve from there), which the
  // pipeline (NN_*.ipynb) and the lint task never see.
  const stem = `.lab-test-${crypto.randomUUID().slice(0, 8)}`;
  const copies = new Map<string, string>();
  for (const name of names) copies.set(name, await preparedCopy(name, stem, values));
  await Deno.mkdir(SCREENSHOTS, { recursive: true });

  let server: JupyterServer | undefined;
  let browser: Browser | undefined;
  let passed = false;
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
    await named(
      "JupyterLab did not start in the page",
      page.waitForFunction(() => (globalThis as LabWindow).jupyterapp !== undefined, null, {
        timeout: OPEN_TIMEOUT_MS,
        polling: POLL_MS,
      }),
    );
    timings.push(`JupyterLab loaded: ${seconds(step)} s`);

    // Notebook 11 first: the pipeline, whose executed copies say what 01-10 must show.
    for (const name of [PIPELINE, ...names.slice(0, -1)]) {
      const path = `notebooks/${copies.get(name)}`;
      const times: string[] = [];
      const lap = (what: string) => {
        times.push(`${what} ${seconds(step)}`);
        step = performance.now();
      };
      const notebookStart = step = performance.now();
      await open(page, path, name);
      lap("open");
      await runAll(
        page,
        server,
        { path, label: name, pageErrors },
        () => menu(page, "Run", "Run All Cells"),
        name === PIPELINE ? PIPELINE_CELL_TIMEOUT_MS : CELL_TIMEOUT_MS,
      );
      lap("run");
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
      if (name !== PIPELINE) {
        const headless = figureCount(await readNotebook(join(runDir, name)));
        assert.equal(ran.figureOutputs, headless, `${what}: ${headless} figures in the run folder`);
      }
      assert.equal(
        await drawFigures(page, path, name),
        ran.rendered,
        `${what}: not all drawn live`,
      );
      lap("draw");
      await screenshot(page, path, join(SCREENSHOTS, name.replace(/\.ipynb$/, ".png")));
      lap("screenshot");

      if (name === RESTARTED) {
        // Kernel > Restart Kernel and Run All Cells…, confirmed in JupyterLab's dialog.
        const restarted = { path, label: `${name} restarted`, pageErrors };
        const statuses = await runAll(page, server, restarted, async () => {
          await menu(page, "Kernel", "Restart Kernel and Run All Cells…");
          await page.locator(".jp-Dialog-button.jp-mod-accept").click();
          await page.locator(".jp-Dialog").waitFor({ state: "detached" });
        }, CELL_TIMEOUT_MS);
        assert.ok(statuses.includes("restarting"), `${name}: no restart in ${statuses}`);
        const again = await state(page, path);
        assert.deepEqual(again.errors, [], JSON.stringify(again));
        assert.deepEqual(again.prompts, ran.prompts, "the re-run numbers its cells from 1 again");
        assert.equal(again.rendered, ran.rendered);
        lap("restart and re-run");
      }

      await save(page, path, name);
      const saved = await readNotebook(join(PATHS.root, path));
      assert.equal(figureCount(saved), ran.figureOutputs, `${name}: the saved file`);
      lap("save");
      if (DECKS.includes(name)) {
        const deck = await writeDeck(
          join(PATHS.root, path),
          join(tmp, name.replace(/\.ipynb$/, ".html")),
        );
        const shown = await presentDeck(browser, deck);
        assert.ok(shown.slides > 1, `${name}: ${JSON.stringify(shown)}`);
        assert.equal(shown.drawn, ran.figureOutputs, `${name} deck: ${JSON.stringify(shown)}`);
        lap(`deck (${shown.slides} steps, ${shown.drawn} charts)`);
      }
      await close(page, path, name);

      // The saved outputs as a file the server never signed (sent by a colleague): untrusted.
      const reopened = `${path.replace(/\.ipynb$/, "")}-reopened.ipynb`;
      await writeNotebook(join(PATHS.root, reopened), {
        ...saved,
        metadata: { ...saved.metadata, eco2mix_ui_test: "untrusted copy" },
      });
      await open(page, reopened, `${name} reopened`);
      await named(
        `${name} reopened: ${ran.figureOutputs} figures do not all show`,
        page.waitForFunction(
          ([path, n]) => {
            const panel = (globalThis as LabWindow).__panels!.get(path as string)!;
            const images = [
              ...panel.node.querySelectorAll<HTMLImageElement>(".jp-RenderedPlotly img"),
            ];
            return panel.node.querySelectorAll(".jp-RenderedPlotly").length === n &&
              images.every((img) => img.complete);
          },
          [reopened, ran.figureOutputs] as const,
          { timeout: OPEN_TIMEOUT_MS, polling: POLL_MS },
        ),
      );
      const untrusted = await state(page, reopened);
      assert.equal(untrusted.untrustedCells, ran.prompts.length, JSON.stringify(untrusted));
      assert.equal(
        untrusted.visible,
        ran.figureOutputs,
        `${name} reopened: ${JSON.stringify(untrusted)}`,
      );
      await close(page, reopened, `${name} reopened`, { discard: true });
      await Deno.remove(join(PATHS.root, reopened));
      lap("reopened");
      timings.push(
        `${name}: ${seconds(notebookStart)} s (${ran.figureOutputs} figures; ${times.join(", ")})`,
      );
    }
    assert.deepEqual(pageErrors, []);
    passed = true;
  } finally {
    // Chromium, then the server with its kernels and whatever they started, even on failure.
    const left: string[] = [];
    if (browser) {
      await within(PAGE_TIMEOUT_MS, "closing Chromium", browser.close())
        .catch((e) => left.push(e.message));
    }
    left.push(...await server?.stop() ?? []);
    for (const copy of copies.values()) {
      await Deno.remove(join(PATHS.notebooks, copy)).catch(() => {});
      await Deno.remove(join(PATHS.notebooks, copy.replace(/\.ipynb$/, "-reopened.ipynb")))
        .catch(() => {});
    }
    console.log(
      `JupyterLab UI test, wall time ${seconds(started)} s:\n  ${timings.join("\n  ")}` +
        (passed ? "" : `\nKept for inspection: ${tmp} (server log: jupyter/server.log)`),
    );
    if (left.length > 0) {
      const message = `still running after the test, killed:\n${left.join("\n")}`;
      if (passed) assert.fail(message);
      console.error(message);
    }
  }
  await Deno.remove(tmp, { recursive: true });
});
