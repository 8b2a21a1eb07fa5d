/**
 * Read + bronze + silver throughput on the real files, with peak RSS.
 *
 * Run: `deno bench -A --v8-flags=--expose-gc lib/bench/silver_bench.ts`
 *
 * Peak RSS is sampled every 5 ms by a worker thread (the main thread is busy inside polars, so
 * a timer on it would never fire) and printed per benchmark when the run ends: the highest
 * peak of one iteration. polars memory is freed only when V8 collects the JavaScript handles,
 * so without `--expose-gc` (a collection before each iteration) garbage of earlier iterations
 * inflates the figure.
 *
 * @module
 */

import { readEco2mixFile } from "../eco2mix/mod.ts";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { peakRss, stopSampler } from "../runner/rss_sampler.ts";

const peaks = new Map<string, number>();

const CASES: Record<string, string[]> = {
  "TR 2025 (19,968 rows)": ["eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls"],
  "12 regional 2014 files (420,480 rows)": [...REGIONAL_2014],
  "consommation history 2012-2025 (242,544 rows)": [
    "eco2mix/odre/consommation-quotidienne-brute.csv.gz",
  ],
};

for (const [name, paths] of Object.entries(CASES)) {
  // File bytes are loaded once: the benchmark measures parsing, not the disk.
  const files = paths.map((p) => ({ name: p, bytes: Deno.readFileSync(sharedDataPath(p)) }));
  Deno.bench({
    name,
    group: "read + bronze + silver",
    warmup: 1,
    n: 5,
    async fn(b) {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((resolve) => setTimeout(resolve, 20)); // let native finalizers run
      await peakRss();
      b.start();
      const tables = files.flatMap((f) => readEco2mixFile(f.bytes, f.name));
      const bronze = toBronze(tables, { ingestedAt: new Date() });
      const { silver } = toSilver(bronze);
      b.end();
      if (silver.height === 0) throw new Error("empty silver");
      peaks.set(name, Math.max(peaks.get(name) ?? 0, await peakRss()));
    },
  });
}

globalThis.addEventListener("unload", () => {
  for (const [name, bytes] of peaks) {
    console.log(`peak RSS ${name}: ${(bytes / 2 ** 20).toFixed(0)} MiB`);
  }
  stopSampler();
});
