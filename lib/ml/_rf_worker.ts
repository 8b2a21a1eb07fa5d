/**
 * Web Worker growing a share of a random forest's trees: receives `{ task, trees }`, answers
 * `{ trees, featureGains }` (typed arrays transferred) or `{ error }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { growTrees, type RfTask } from "./_rf_trees.ts";

self.onmessage = (event: MessageEvent<{ task: RfTask; trees: number[] }>) => {
  try {
    const grown = growTrees(event.data.task, event.data.trees);
    const transfer = [
      ...grown.trees.flatMap((t) => [
        t.feature.buffer,
        t.bin.buffer,
        t.missingLeft.buffer,
        t.left.buffer,
        t.value.buffer,
      ]),
      ...grown.featureGains.map((g) => g.buffer),
    ] as ArrayBuffer[];
    self.postMessage(grown, { transfer });
  } catch (error) {
    self.postMessage({
      error: error instanceof Error ? error.stack ?? error.message : String(error),
    });
  }
};
