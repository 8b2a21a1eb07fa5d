/**
 * One pipeline stage, run in its own process by `bench.ts` so that its peak memory is its
 * own: `deno run -A lib/bench/stage.ts <stage> <lakehouse dir> [input files...]`. Prints one
 * JSON line `{ "wall_s": …, "peak_rss_mb": … }`.
 *
 * @module
 */

import { openCatalog } from "../pipeline/catalog.ts";
import { ingestFiles } from "../pipeline/ingest.ts";
import { refreshSilver } from "../pipeline/silver_step.ts";
import { refreshGold } from "../pipeline/gold_step.ts";

/** The stages, in pipeline order; each reads what the previous one wrote. */
export const STAGES: Record<string, (lakehouse: string, inputs: string[]) => Promise<unknown>> = {
  bronze: (lakehouse, inputs) => ingestFiles(openCatalog(lakehouse), inputs),
  silver: (lakehouse) => refreshSilver(openCatalog(lakehouse)),
  gold: (lakehouse) => refreshGold(openCatalog(lakehouse)),
};

function peakRssMb(): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    return kb ? Math.round(Number(kb) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

if (import.meta.main) {
  const [stage, lakehouse, ...inputs] = Deno.args;
  const run = STAGES[stage];
  if (!run) throw new Error(`unknown stage ${stage} (known: ${Object.keys(STAGES).join(", ")})`);
  const t0 = performance.now();
  await run(lakehouse, inputs);
  const wall = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ wall_s: wall, peak_rss_mb: peakRssMb() }));
}
