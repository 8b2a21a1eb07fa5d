/// <reference lib="dom" />
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Cell, Notebook } from "../runner/ipynb.ts";
import { launchChromium } from "../viz/render.ts";
import { PLOTLY_MIME } from "../viz/notebook.ts";
import { notebookDeck, notebookSlides, SlideMetadataError, writeDeck } from "./slides.ts";

type RevealWindow = typeof globalThis & {
  Reveal: {
    isReady(): boolean;
    getTotalSlides(): number;
    getIndices(): { h: number; v: number; f?: number };
    isLastSlide(): boolean;
    availableFragments(): { prev: boolean; next: boolean };
  };
};

function markdown(source: string, slide_type?: string): Cell {
  return {
    cell_type: "markdown",
    source,
    metadata: slide_type ? { slideshow: { slide_type } } : {},
  };
}

function figureCell(title: string, slide_type?: string): Cell {
  return {
    cell_type: "code",
    source: `await showFigure(${JSON.stringify(title)});`,
    metadata: slide_type ? { slideshow: { slide_type } } : {},
    execution_count: 1,
    outputs: [{
      output_type: "display_data",
      metadata: {},
      data: {
        [PLOTLY_MIME]: {
          data: [{ type: "bar", x: ["a", "b"], y: [3, 4] }],
          layout: { title: { text: title } },
        },
        "text/html": "<div>fallback</div>",
        "text/plain": title,
      },
    }],
  };
}

/** RISE metadata of every kind: 3 slides, the second with a subslide. */
const RISE: Notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    markdown("# Bilan électrique", "slide"),
    markdown("- premier point", "fragment"),
    markdown("Ce que je dirai", "notes"),
    markdown("## Consommation", "slide"),
    figureCell("Consommation horaire", "-"),
    markdown("### Détail", "subslide"),
    figureCell("Production par filière", "fragment"),
    {
      cell_type: "code",
      source: "const brouillon = 1;",
      metadata: { slideshow: { slide_type: "skip" } },
      outputs: [{ output_type: "stream", name: "stdout", text: "BROUILLON" }],
    },
    markdown("## Conclusion", "slide"),
    {
      cell_type: "code",
      source: "table(x)",
      metadata: {},
      execution_count: 2,
      outputs: [{
        output_type: "execute_result",
        execution_count: 2,
        metadata: {},
        data: { "text/html": "<table><tr><td>42</td></tr></table>", "text/plain": "42" },
      }],
    },
  ],
};

Deno.test("notebookSlides follows RISE's slide types", () => {
  const slides = notebookSlides(RISE);
  assert.deepEqual(slides.map((h) => h.length), [1, 2, 1]);
  assert.deepEqual(slides[0][0].items.map((i) => i.fragment), [false, true]);
  assert.equal(slides[0][0].notes.length, 1);
  assert.deepEqual(slides[1].map((v) => v.items.reduce((n, i) => n + i.figures, 0)), [1, 1]);
  assert.ok(!JSON.stringify(slides).includes("BROUILLON"));
  // Code is shown only on request.
  assert.ok(!JSON.stringify(slides).includes("showFigure"));
  assert.ok(JSON.stringify(notebookSlides(RISE, { code: true })).includes("showFigure"));
});

Deno.test("notebookSlides refuses an unknown slide type, naming the cell", () => {
  const nb: Notebook = {
    ...RISE,
    cells: [{ ...markdown("# A"), id: "c9", metadata: { slideshow: { slide_type: "page" } } }],
  };
  assert.throws(
    () => notebookSlides(nb),
    (e) => e instanceof SlideMetadataError && /c9/.test(e.message),
  );
});

Deno.test("a deck opens offline in Chromium: slide count, charts drawn, keyboard navigation", async () => {
  const dir = await Deno.makeTempDir({ prefix: "slides-" });
  await Deno.writeTextFile(join(dir, "rise.ipynb"), JSON.stringify(RISE));
  const deck = await writeDeck(join(dir, "rise.ipynb"));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`file://${deck}`);
    await page.waitForFunction(() => (globalThis as RevealWindow).Reveal?.isReady());
    assert.equal(
      await page.evaluate(() => (globalThis as RevealWindow).Reveal.getTotalSlides()),
      4,
    );
    // Markdown rendered, notes kept out of the slide.
    assert.equal(await page.locator(".present h1").textContent(), "Bilan électrique");
    assert.equal(await page.locator("aside.notes").first().isVisible(), false);

    // Space walks through fragments, slides and subslides, as a presenter does.
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      const at = await page.evaluate(() => {
        const r = (globalThis as RevealWindow).Reveal;
        return { ...r.getIndices(), last: r.isLastSlide() && !r.availableFragments().next };
      });
      seen.push(`${at.h}.${at.v}.${at.f ?? "-"}`);
      if (at.last) break;
      await page.keyboard.press("Space");
    }
    assert.deepEqual(seen, ["0.0.-1", "0.0.0", "1.0.-", "1.1.-1", "1.1.0", "2.0.-"]);
    // Arrow keys too: back left to the second slide, down to its subslide.
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowDown");
    assert.deepEqual(
      await page.evaluate(() => (globalThis as RevealWindow).Reveal.getIndices().v),
      1,
    );

    // Every chart was drawn by plotly when its slide was shown.
    const drawn = await page.evaluate(() =>
      [...document.querySelectorAll(".deck-figure")].map((el) =>
        el.querySelectorAll(".main-svg .trace path").length
      )
    );
    assert.equal(drawn.length, 2);
    assert.ok(drawn.every((marks) => marks > 0), JSON.stringify(drawn));
    assert.ok(await page.locator(".deck-html td", { hasText: "42" }).count() === 1);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:")), []);
  } finally {
    await browser.close();
  }
  // A deck without figures does not carry plotly.
  assert.ok(!notebookDeck({ ...RISE, cells: RISE.cells.slice(0, 3) }).includes("Plotly.register"));
  await Deno.remove(dir, { recursive: true });
});
