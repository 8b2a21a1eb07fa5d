import assert from "node:assert/strict";
import { mixPieFigure } from "./figures.ts";
import { frameOf } from "./_testdata.ts";
import { closeSharedRenderer, RENDERER_URL_ENV, shareRenderer } from "./shared_renderer.ts";

const PIE = mixPieFigure(frameOf([
  { at: "2025-01-01T00:00:00Z", nucleaire: 30_000, solaire: 10_000 },
]));

/** Runs `code` in a new Deno process (a nested kernel's situation): its stdout, or its error. */
async function child(code: string, env: Record<string, string>): Promise<string> {
  const module = new URL("./shared_renderer.ts", import.meta.url).href;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import * as r from "${module}";\n${code}`],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (!output.success) throw new Error(text.decode(output.stderr));
  return text.decode(output.stdout).trim();
}

Deno.test("a kernel started by the run draws its figures with the run's renderer", async () => {
  try {
    await using service = shareRenderer();
    const local = await (await import("./shared_renderer.ts")).sharedRenderer();
    const here = await local.png(PIE, { width: 400, height: 300, scale: 1 });
    const [signature, size, remote] = JSON.parse(
      await child(
        `const renderer = await r.sharedRenderer();
        const png = await renderer.png(${
          JSON.stringify(PIE)
        }, { width: 400, height: 300, scale: 1 });
        const svg = await renderer.svg(${JSON.stringify(PIE)});
        // The nested process launched no browser of its own: closing it closes nothing.
        console.log(JSON.stringify([new TextDecoder().decode(png.subarray(1, 4)), png.length,
          svg.startsWith("<svg") && renderer.constructor === Object]));`,
        { [RENDERER_URL_ENV]: service.url },
      ),
    );
    assert.equal(signature, "PNG");
    // The same page drew both: the same bytes as this process's own image.
    assert.equal(size, here.length);
    assert.equal(remote, true);
  } finally {
    await closeSharedRenderer();
  }
});

Deno.test("the run's renderer says why a figure failed, in the nested kernel", async () => {
  try {
    await using service = shareRenderer();
    const message = await child(
      `await r.sharedRenderer()
        .then((x) => x.png({ data: [], layout: { title: { text: "Cassée" } } }, { width: -5 }))
        .then(() => console.log("drawn"), (e) => console.log(e.name + ": " + e.message));`,
      { [RENDERER_URL_ENV]: service.url },
    );
    assert.match(message, /^ChromiumError: plotly could not draw the figure "Cassée"/);
  } finally {
    await closeSharedRenderer();
  }
});

Deno.test("only figures sent with the token are drawn", async () => {
  await using service = shareRenderer();
  const origin = new URL(service.url).origin;
  for (const url of [`${origin}/png`, `${origin}/x/png`, `${service.url}/pdf`]) {
    const response = await fetch(url, { method: "POST", body: "{}" });
    await response.body?.cancel();
    assert.equal(response.status, 404, url);
  }
  const get = await fetch(`${service.url}/png`);
  await get.body?.cancel();
  assert.equal(get.status, 404);
});

Deno.test("a renderer that went away is a ChromiumError naming the variable", async () => {
  const service = shareRenderer();
  const url = service.url;
  await service.close();
  assert.equal(Deno.env.get(RENDERER_URL_ENV), undefined);
  const message = await child(
    `await r.sharedRenderer().then((x) => x.png({ data: [], layout: {} }))
      .then(() => console.log("drawn"), (e) => console.log(e.name + ": " + e.message));`,
    { [RENDERER_URL_ENV]: url },
  );
  assert.match(message, new RegExp(`^ChromiumError: .*${RENDERER_URL_ENV}.* did not answer`));
});
