/**
 * One figure renderer per process, and one per pipeline run.
 *
 * Loading plotly into a Chromium page is the cost of a notebook's first image: 4-5 s measured
 * at load 4 on two cores (parsing and running 4.8 MB of JavaScript), plus 1.3 s to start the
 * browser; each image after that takes 0.3-0.5 s. A pipeline run has six notebooks with
 * figures, each in its own kernel, and each paid it: it was most of the first figure cell of
 * notebooks 08 and 10 (10.5 s and 8.7 s on a next-day run; 2.1 s and 0.9 s now). So the kernel of
 * notebook 11, which runs the others, serves its own renderer to them:
 * {@linkcode shareRenderer} listens on 127.0.0.1 under a random token and puts its address in
 * `ECO2MIX_RENDERER_URL`, which the nested kernels inherit; their {@linkcode sharedRenderer}
 * then sends figures there instead of starting a browser. Only figures go through it (JSON in,
 * image out): the token keeps other local users from driving the browser.
 *
 * @module
 */

import type { Figure } from "./_core_data.ts";
import { ChromiumError } from "./errors.ts";
import { FigureRenderer, type ImageOptions, type ImageRenderer } from "./render.ts";

/** The variable giving nested kernels the address of the run's renderer. */
export const RENDERER_URL_ENV = "ECO2MIX_RENDERER_URL";

/** Longest wait for one image from the run's renderer (its own render timeout is 60 s). */
const REMOTE_TIMEOUT_MS = 120_000;

let local: Promise<FigureRenderer> | undefined;
let closeOnUnload = false;
/** The address this process serves its renderer at, if it does: its own figures stay local. */
let served: string | undefined;

function localRenderer(): Promise<FigureRenderer> {
  if (local === undefined) {
    local = FigureRenderer.launch();
    local.catch(() => (local = undefined));
    if (!closeOnUnload) {
      closeOnUnload = true;
      globalThis.addEventListener("unload", () => void closeSharedRenderer());
    }
  }
  return local;
}

/**
 * The renderer of this process: the pipeline run's when `ECO2MIX_RENDERER_URL` names one (a
 * notebook run by notebook 11), else a Chromium launched at the first call and closed by
 * {@linkcode closeSharedRenderer} or when the process unloads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeSharedRenderer, sharedRenderer } from "./shared_renderer.ts";
 * const a = await sharedRenderer();
 * assert.equal(a, await sharedRenderer());
 * await closeSharedRenderer();
 * ```
 */
export function sharedRenderer(): Promise<ImageRenderer> {
  const url = Deno.env.get(RENDERER_URL_ENV);
  return url && url !== served ? Promise.resolve(remoteRenderer(url)) : localRenderer();
}

/**
 * Closes the renderer this process launched, if any.
 *
 * @example
 * ```ts
 * import { closeSharedRenderer } from "./shared_renderer.ts";
 * await closeSharedRenderer(); // nothing to close: no-op
 * ```
 */
export async function closeSharedRenderer(): Promise<void> {
  const current = local;
  local = undefined;
  if (current) await (await current).close();
}

/** The run's renderer as served by {@linkcode shareRenderer}. */
export interface SharedRendererService extends AsyncDisposable {
  /** Its address (with the token), also in `ECO2MIX_RENDERER_URL` while it serves. */
  readonly url: string;
  /** Stops serving and removes the variable; the renderer itself stays this process's. */
  close(): Promise<void>;
}

/** What a client sends: the figure, the image format and size. */
interface ImageRequest {
  figure: Figure;
  options: ImageOptions;
}

/**
 * Serves this process's renderer to the kernels it starts from now on (see the module doc).
 * Chromium is launched at the first image asked, not here: nothing waits for it. Images are
 * drawn one at a time, in the order asked, so that a page error is reported with its figure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RENDERER_URL_ENV, shareRenderer } from "./shared_renderer.ts";
 * {
 *   await using service = shareRenderer();
 *   // A kernel started now inherits the address.
 *   assert.equal(Deno.env.get(RENDERER_URL_ENV), service.url);
 * }
 * assert.equal(Deno.env.get(RENDERER_URL_ENV), undefined);
 * ```
 */
export function shareRenderer(): SharedRendererService {
  const token = crypto.randomUUID();
  let queue: Promise<unknown> = Promise.resolve();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const format = new URL(request.url).pathname.match(new RegExp(`^/${token}/(png|svg)$`))
        ?.[1];
      if (request.method !== "POST" || !format) return new Response(null, { status: 404 });
      const { figure, options } = await request.json() as ImageRequest;
      const image = queue.then(async () => {
        const renderer = await localRenderer();
        return format === "png"
          ? new Blob([await renderer.png(figure, options) as Uint8Array<ArrayBuffer>])
          : await renderer.svg(figure, options);
      });
      queue = image.catch(() => {});
      try {
        return new Response(await image);
      } catch (error) {
        return new Response((error as Error).message, { status: 500 });
      }
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/${token}`;
  served = url;
  Deno.env.set(RENDERER_URL_ENV, url);
  const close = async () => {
    if (Deno.env.get(RENDERER_URL_ENV) === url) Deno.env.delete(RENDERER_URL_ENV);
    if (served === url) served = undefined;
    await server.shutdown();
  };
  return { url, close, [Symbol.asyncDispose]: close };
}

/** A client of the run's renderer at `url`; it holds nothing, so closing it does nothing. */
function remoteRenderer(url: string): ImageRenderer {
  const draw = async (format: "png" | "svg", figure: Figure, options: ImageOptions = {}) => {
    let response: Response;
    try {
      response = await fetch(`${url}/${format}`, {
        method: "POST",
        body: JSON.stringify({ figure, options } satisfies ImageRequest),
        signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ChromiumError(
        `the pipeline run's figure renderer (${RENDERER_URL_ENV}) did not answer: ` +
          (error as Error).message,
      );
    }
    if (!response.ok) throw new ChromiumError(await response.text());
    return response;
  };
  return {
    png: async (figure, options) =>
      new Uint8Array(await (await draw("png", figure, options)).arrayBuffer()),
    svg: async (figure, options) => await (await draw("svg", figure, options)).text(),
    close: () => Promise.resolve(),
  };
}
