/**
 * Imported for its effect, first among the imports of a notebook that shows figures: in the
 * Deno kernel, loading this module starts what the notebook's first `showFigure` would otherwise
 * wait for, without waiting itself: the kernel's shared renderer (headless Chromium with plotly
 * loaded, 6-17 s measured at load 10-12 on two cores; nothing to start when notebook 11 serves
 * its own, see `shared_renderer.ts`) and plotly gzipped for the first figure's
 * output. The pipeline's runner loads a notebook's modules while the notebook before it runs
 * (`lib/runner/warm_kernel.ts`), so both are ready when the notebook starts; run by hand, they
 * proceed while its first cells read the tables.
 *
 * Outside a kernel (tests, scripts) importing it does nothing. A failed launch is forgotten
 * here: the first figure launches again and reports the error in its cell.
 *
 * @module
 */

import { inKernel } from "../runner/progress.ts";
import { plotlyLoaderTag } from "./_plotly.ts";
import { hasChromium } from "./render.ts";
import { sharedRenderer } from "./shared_renderer.ts";

if (inKernel()) {
  if (hasChromium()) sharedRenderer().catch(() => {});
  // After the launch has started: the compression holds this thread for a few tenths of a second.
  setTimeout(() => {
    try {
      plotlyLoaderTag();
    } catch {
      // plotly missing: the first figure says so in its cell.
    }
  }, 0);
}
