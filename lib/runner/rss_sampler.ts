/**
 * Peak resident memory of this process between two calls, sampled every 5 ms by a worker:
 * benchmarks and long commands (the backtest) spend their time inside polars' native code,
 * where the main thread cannot sample. Beside the runner, which measures its kernels' memory.
 *
 * @module
 */

// Sampling again on each request: two calls less than 5 ms apart would otherwise report 0.
const SAMPLER = `
let peak = 0;
const sample = () => { peak = Math.max(peak, Deno.memoryUsage().rss); };
setInterval(sample, 5);
self.onmessage = () => { sample(); self.postMessage(peak); peak = 0; };
`;

let sampler: Worker | null = null;

/**
 * Peak RSS (bytes) since the previous call (or since the sampler started).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { peakRss, stopSampler } from "./rss_sampler.ts";
 * await peakRss();
 * assert.ok((await peakRss()) > 0);
 * stopSampler();
 * ```
 */
export function peakRss(): Promise<number> {
  sampler ??= new Worker(
    URL.createObjectURL(new Blob([SAMPLER], { type: "application/javascript" })),
    { type: "module" },
  );
  const worker = sampler;
  return new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data as number);
    worker.postMessage(null);
  });
}

/** Stops the sampler worker (a benchmark's process then exits on its own). */
export function stopSampler(): void {
  sampler?.terminate();
  sampler = null;
}
