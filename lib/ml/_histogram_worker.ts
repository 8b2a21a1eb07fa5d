/**
 * Web Worker building a share of the features' histograms of a tree node, for the grower's
 * multi-threaded mode. All buffers are SharedArrayBuffers set up once; each node is one
 * command in a shared Int32Array (see `CTRL` in _histogram.ts), waited on with Atomics: no
 * message per node.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { CTRL, featureHistogram, type HistogramWorkerInit, makeLanes } from "./_histogram.ts";

self.onmessage = (event: MessageEvent<HistogramWorkerInit>) => {
  const { ctrl, columns, bins, partition, og, oh, pool } = event.data;
  const lanes = makeLanes(bins, oh.length > 0);
  Atomics.store(ctrl, CTRL.ready, 1);
  Atomics.notify(ctrl, CTRL.ready);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.command, seen);
    const command = Atomics.load(ctrl, CTRL.command);
    if (command < 0) break;
    if (command === seen) continue;
    seen = command;
    const out = pool[ctrl[CTRL.slot]];
    const start = ctrl[CTRL.start];
    const m = ctrl[CTRL.rows];
    const identity = ctrl[CTRL.identity] === 1;
    const stride = ctrl[CTRL.featureStride];
    for (let f = ctrl[CTRL.featureFirst]; f < columns.length; f += stride) {
      featureHistogram(
        columns[f],
        partition,
        start,
        m,
        identity,
        og,
        oh,
        out,
        f * bins,
        bins,
        lanes,
      );
    }
    Atomics.store(ctrl, CTRL.done, command);
    Atomics.notify(ctrl, CTRL.done);
  }
  self.close();
};
