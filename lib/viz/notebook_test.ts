import assert from "node:assert/strict";
import { join } from "node:path";
import { PATHS } from "../paths.ts";
import { executeNotebook, readNotebook } from "../runner/mod.ts";
import { consumptionFigure } from "./figures.ts";
import { figureBundle, figureSummary, PLOTLY_MIME, showFigure } from "./notebook.ts";
import { FigureRenderer, launchChromium } from "./render.ts";
import { plotlyLoaderTag } from "./_plotly.ts";
import { frameOf, hourlyRows } from "./_testdata.ts";

const FIGURE = consumptionFigure(
  frameOf(hourlyRows("2025-01-01T00:00:00Z", 24, (i) => ({ consommation: 60_000 + 100 * i }))),
);
const count = (text: string, part: string) => text.split(part).length - 1;

Deno.test("bundle: plotly JSON, HTML with the live script, text summary", () => {
  const bundle = figureBundle(FIGURE, { id: "fig-1" });
  assert.deepEqual(Object.keys(bundle), [PLOTLY_MIME, "text/html", "text/plain"]);
  assert.equal(bundle[PLOTLY_MIME], FIGURE);
  const html = bundle["text/html"] as string;
  assert.ok(html.startsWith('<div id="fig-1" class="eco2mix-figure" style="width:100%"><pre>'));
  assert.equal(count(html, "<script>"), 1);
  assert.ok(!html.includes("plotly.js v4"));
  assert.equal(
    bundle["text/plain"],
    "Consommation électrique – France\n" +
      "du 01/01/2025 au 02/01/2025 (2 jours) · moyennes horaires (heure locale) · " +
      "pic horaire : 62\u202f300 MW le 02/01/2025 à 0 h\n" +
      "- Consommation (scatter, 24 points)",
  );
});

Deno.test("bundle: plotly inlined on demand (size measured), PNG as image and as <img>", () => {
  const png = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
  const bundle = figureBundle(FIGURE, { includePlotly: true, png, id: "f" });
  const html = bundle["text/html"] as string;
  assert.ok(html.includes(plotlyLoaderTag()));
  assert.equal(count(html, "<script>"), 2);
  // Measured: gzipped plotly adds 2.0 MB once, far below the kernel's 4 MB socket buffer; the
  // figure itself a few kB.
  assert.ok(html.length > 1_800_000 && html.length < 2_200_000, `${html.length}`);
  assert.ok((figureBundle(FIGURE)["text/html"] as string).length < 20_000);
  assert.equal(bundle["image/png"], btoa(String.fromCharCode(...png)));
  assert.ok(html.includes(`<img src="data:image/png;base64,${bundle["image/png"]}"`));
});

Deno.test("bundle: text from the data cannot close the script or inject markup", () => {
  const evil = {
    data: [{ type: "bar", name: "</script><script>alert(1)</script>", x: ["<b>"], y: [1] }],
    layout: { title: { text: "<img src=x onerror=alert(1)>" } },
  };
  const html = figureBundle(evil, { id: 'a"b' })["text/html"] as string;
  assert.equal(count(html, "</script>"), 1);
  assert.ok(!html.includes("<img src=x"));
  assert.ok(html.startsWith('<div id="a&quot;b"'));
  assert.ok(html.includes('getElementById("a\\"b")'));
});

Deno.test("summary of an empty figure gives its message", () => {
  const empty = consumptionFigure(
    frameOf([{ at: "2025-01-01T00:00:00Z", consommation: 1 }]).head(0),
  );
  assert.equal(
    figureSummary(empty),
    "Consommation électrique – France\nAucune donnée sur la période choisie",
  );
});

Deno.test("showFigure outside the kernel prints the summary", async () => {
  const printed: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(...args);
  try {
    await showFigure(FIGURE);
  } finally {
    console.log = log;
  }
  assert.deepEqual(printed, [figureSummary(FIGURE)]);
});

Deno.test("in a browser: live plots when scripts run, the image when they do not", async () => {
  const browser = await launchChromium();
  try {
    const renderer = await FigureRenderer.launch(browser);
    const png = await renderer.png(FIGURE, { scale: 1 });
    await renderer.close();
    const first = figureBundle(FIGURE, { includePlotly: true, png, id: "a" });
    const second = figureBundle(FIGURE, { png, id: "b" }); // reuses the page's plotly
    const page = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>` +
      `${first["text/html"]}${second["text/html"]}</body></html>`;

    const trusted = await browser.newPage();
    const errors: string[] = [];
    trusted.on("pageerror", (e) => errors.push(e.message));
    await trusted.setContent(page);
    for (const id of ["a", "b"]) {
      await trusted.waitForSelector(`#${id} .main-svg`);
      assert.equal(await trusted.locator(`#${id} img`).count(), 0);
      assert.equal(await trusted.locator(`#${id} .scatterlayer .js-line`).count(), 1);
    }
    assert.deepEqual(errors, []);

    // An untrusted notebook runs no script: the static image stays, decoded and visible.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const untrusted = await context.newPage();
    await untrusted.setContent(page);
    for (const id of ["a", "b"]) {
      assert.equal(await untrusted.locator(`#${id} .main-svg`).count(), 0);
      const img = untrusted.locator(`#${id} img`);
      await img.waitFor();
      const box = await img.boundingBox();
      assert.ok(box !== null && box.width > 500 && box.height > 300, JSON.stringify(box));
    }
    await context.close();
  } finally {
    await browser.close();
  }
});

Deno.test("in the Deno kernel: plotly once, PNG and text in every bundle", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eco2mix-viz-kernel-" });
  const mod = new URL("./mod.ts", import.meta.url).href;
  const code = (source: string, i: number) => ({
    cell_type: "code",
    id: `c${i}`,
    source,
    metadata: {},
    outputs: [],
    execution_count: null,
  });
  const cells = [
    `import pl from "nodejs-polars";\nimport { consumptionFigure, showFigure } from "${mod}";\n` +
    `const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z"), ` +
    `new Date("2025-01-01T01:00:00Z")], consommation: [60000, 61000] });\n` +
    `await showFigure(consumptionFigure(silver));`,
    `await showFigure(consumptionFigure(silver));`,
  ];
  const input = join(dir, "figures.ipynb");
  await Deno.writeTextFile(
    input,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
      cells: cells.map(code),
    }),
  );
  const output = join(dir, "out.ipynb");
  // The kernel runs in the project root, where deno.json maps "nodejs-polars".
  await executeNotebook(input, { outputPath: output, cwd: PATHS.root, cellTimeoutMs: 120_000 });
  const nb = await readNotebook(output);
  const bundles = nb.cells.map((c) =>
    (c.outputs ?? []).find((o) => o.output_type === "display_data")
  );
  const data = bundles.map((b) => (b as { data: Record<string, unknown> }).data);
  for (const d of data) {
    assert.deepEqual(Object.keys(d).sort(), [PLOTLY_MIME, "image/png", "text/html", "text/plain"]);
    const png = Uint8Array.from(atob(d["image/png"] as string), (c) => c.charCodeAt(0));
    assert.deepEqual(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]); // "PNG"
  }
  const html = data.map((d) => [d["text/html"]].flat().join(""));
  assert.ok(html[0].includes(plotlyLoaderTag()));
  assert.ok(!html[1].includes(plotlyLoaderTag()) && html[1].length < 200_000);
  await Deno.remove(dir, { recursive: true });
});
