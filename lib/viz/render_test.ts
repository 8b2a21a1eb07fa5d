import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { mixPieFigure } from "./figures.ts";
import { ChromiumError } from "./errors.ts";
import { exportFigures, FigureRenderer, launchChromium } from "./render.ts";
import { frameOf } from "./_testdata.ts";

/** Width and height of a PNG, read from its IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

/** Number of pixels of a PNG within 3 levels of an `#RRGGBB` colour, decoded by the browser. */
function countColor(page: Page, png: Uint8Array, hex: string): Promise<number> {
  const b64 = btoa(Array.from(png, (b) => String.fromCharCode(b)).join(""));
  // Browser code as text: this project type-checks without the DOM library.
  return page.evaluate(`(async () => {
    const img = new Image();
    img.src = "data:image/png;base64,${b64}";
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, img.width, img.height).data;
    const n = parseInt("${hex.slice(1)}", 16);
    const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    let count = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i] - r) <= 3 && Math.abs(px[i + 1] - g) <= 3 && Math.abs(px[i + 2] - b) <= 3) {
        count++;
      }
    }
    return count;
  })()`) as Promise<number>;
}

const PIE = mixPieFigure(frameOf([
  { at: "2025-01-01T00:00:00Z", nucleaire: 30_000, solaire: 10_000 },
]));

Deno.test("PNG export draws the figure in the palette colours, at the asked size", async () => {
  const browser = await launchChromium();
  try {
    const renderer = await FigureRenderer.launch(browser);
    const png = await renderer.png(PIE, { width: 600, height: 400, scale: 2 });
    assert.deepEqual(Array.from(png.subarray(0, 8)), [137, 80, 78, 71, 13, 10, 26, 10]);
    assert.deepEqual(pngSize(png), [1200, 800]);
    const page = await browser.newPage();
    // 3/4 of the donut is nuclear yellow, 1/4 solar orange.
    const nuclear = await countColor(page, png, "#E4A701");
    const solar = await countColor(page, png, "#F27406");
    assert.ok(solar > 5_000, `solar pixels: ${solar}`);
    assert.ok(nuclear > 2.5 * solar && nuclear < 3.5 * solar, `${nuclear} vs ${solar}`);
    const svg = await renderer.svg(PIE, { width: 600, height: 400 });
    assert.match(svg, /^<svg/);
    assert.match(svg, /Mix de production électrique – France/);
    assert.match(svg, /Nucléaire/);
    // The same renderer draws figure after figure.
    const again = await renderer.png({ data: [{ type: "bar", x: ["a"], y: [1] }], layout: {} });
    assert.deepEqual(pngSize(again), [2000, 1000]);
    await renderer.close();
  } finally {
    await browser.close();
  }
});

Deno.test("a figure plotly rejects is a ChromiumError naming it", async () => {
  const renderer = await FigureRenderer.launch();
  try {
    await assert.rejects(
      renderer.png({ data: [], layout: { title: { text: "Cassée" } }, bogus: 1 } as never, {
        width: -5,
      }),
      (error: Error) => error instanceof ChromiumError && /"Cassée"/.test(error.message),
    );
  } finally {
    await renderer.close();
  }
});

Deno.test("exportFigures writes one image per figure with one browser", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = await exportFigures({ mix: PIE, mix_svg: PIE }, dir, { width: 500 });
    assert.deepEqual(paths, [`${dir}/mix.png`, `${dir}/mix_svg.png`]);
    assert.deepEqual(pngSize(await Deno.readFile(paths[0])), [1000, 1000]);
    const svg = await exportFigures({ mix: PIE }, dir, { format: "svg" });
    assert.match(await Deno.readTextFile(svg[0]), /^<svg/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exportFigures draws with a renderer it is given and leaves it open", async () => {
  const renderer = await FigureRenderer.launch();
  const dir = await Deno.makeTempDir();
  try {
    const [path] = await exportFigures({ mix: PIE }, dir, { width: 500, renderer });
    assert.deepEqual(pngSize(await Deno.readFile(path)), [1000, 1000]);
    assert.deepEqual(pngSize(await renderer.png(PIE, { width: 500 })), [1000, 1000]);
  } finally {
    await renderer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing Chromium fails with how to install it", async () => {
  const previous = Deno.env.get("ECO2MIX_CHROMIUM");
  Deno.env.set("ECO2MIX_CHROMIUM", "/nonexistent/chromium");
  try {
    await assert.rejects(launchChromium(), {
      name: "ChromiumError",
      message: "Chromium not found at /nonexistent/chromium: install it (Debian: apt-get " +
        "install -y chromium) or set ECO2MIX_CHROMIUM to its path",
    });
  } finally {
    if (previous === undefined) Deno.env.delete("ECO2MIX_CHROMIUM");
    else Deno.env.set("ECO2MIX_CHROMIUM", previous);
  }
});
