/**
 * Web Worker building a share of the features' histograms of a tree node, for the grower's
 * multi-threaded mode. All buffers are SharedArrayBuffers set up once; each node is one
 * command in a shared Int32Array (see `CTRL` in _histogram.ts), waited on with Atomics: no
 * message per node.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { CTRL, type HistogramWorkerInit, nodeHistograms } from "./_histogram.ts";

self.onmessage = (event: MessageEvent<HistogramWorkerInit>) => {
  const { ctrl, rows, nFeatures, bins, partition, og, oh, pool } = event.data;
  Atomics.store(ctrl, CTRL.ready, 1);
  Atomics.notify(ctrl, CTRL.ready);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.command, seen);
    const command = Atomics.load(ctrl, CTRL.command);
    if (command < 0) break;
    if (command === seen) continue;
    seen = command;
    nodeHistograms(
      rows,
      nFeatures,
      ctrl[CTRL.featureFirst],
      ctrl[CTRL.featureStride],
      partition,
      ctrl[CTRL.start],
      ctrl[CTRL.rows],
      og,
      oh,
      pool[ctrl[CTRL.slot]],
      bins,
    );
    Atomics.store(ctrl, CTRL.done, command);
    Atomics.notify(ctrl, CTRL.done);
  }
  self.close();
};
