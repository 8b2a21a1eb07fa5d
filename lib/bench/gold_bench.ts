/**
 * Gold from silver (every gold table, `buildGold`) and the analyses of lib/analysis on the real
 * files, with the peak RSS of each benchmark.
 *
 * Run: `deno bench -A --v8-flags=--expose-gc lib/bench/gold_bench.ts`
 *
 * Silver is built once per case before the benchmarks (it is silver_bench.ts's subject). Peak
 * RSS is sampled every 5 ms by a worker (the main thread is busy inside polars) and printed at
 * the end: the highest peak of one iteration, silver frames included (they stay in memory, as
 * in a pipeline run). `--expose-gc` lets each iteration start after a collection, so that
 * polars memory held by earlier iterations' garbage handles does not inflate the figure.
 *
 * @module
 */

import type pl from "nodejs-polars";
import {
  consumptionMean24h,
  detectAnomalies,
  mixCo2Correlation,
  mixTrends,
  renewableMean7d,
  weeklyProfile,
} from "../analysis/mod.ts";
import { buildGold, withNationalView } from "../layers/gold.ts";
import { silverRegional2014, silverTr2025 } from "../layers/_gold_testdata.ts";
import { peakRss, stopSampler } from "../runner/rss_sampler.ts";

const peaks = new Map<string, number>();

const CASES: Record<string, pl.DataFrame> = {
  "TR 2025 (19,738 silver rows)": silverTr2025(),
  "12 regional 2014 files (210,240 silver rows + national view)": silverRegional2014(),
};

// What the silver frames alone hold, to read the peaks against.
const baselineRss = Deno.memoryUsage().rss;

const ANALYSES = (silver: pl.DataFrame) => {
  const series = withNationalView(silver);
  return [
    consumptionMean24h(series),
    renewableMean7d(series),
    mixTrends(series),
    detectAnomalies(series),
    weeklyProfile(series),
    mixCo2Correlation(series),
  ];
};

const GROUPS: Record<string, (silver: pl.DataFrame) => unknown> = {
  "gold from silver (buildGold: 8 frames)": buildGold,
  "analyses (rolling, trends, anomalies, profile, correlation)": ANALYSES,
};

for (const [group, run] of Object.entries(GROUPS)) {
  for (const [name, silver] of Object.entries(CASES)) {
    const label = `${group} / ${name}`;
    Deno.bench({
      name,
      group,
      warmup: 1,
      n: 5,
      async fn(b) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((resolve) => setTimeout(resolve, 20)); // let native finalizers run
        await peakRss();
        b.start();
        run(silver);
        b.end();
        peaks.set(label, Math.max(peaks.get(label) ?? 0, await peakRss()));
      },
    });
  }
}

globalThis.addEventListener("unload", () => {
  console.log(`RSS with both silver frames loaded: ${(baselineRss / 2 ** 20).toFixed(0)} MiB`);
  for (const [label, bytes] of peaks) {
    console.log(`peak RSS ${label}: ${(bytes / 2 ** 20).toFixed(0)} MiB`);
  }
  stopSampler();
});
