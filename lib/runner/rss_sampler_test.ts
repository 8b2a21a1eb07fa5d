import assert from "node:assert/strict";
import { peakRss, stopSampler } from "./rss_sampler.ts";

Deno.test("the sampler sees memory allocated between two calls", async () => {
  await peakRss();
  const before = Deno.memoryUsage().rss;
  const block = new Uint8Array(64 * 1024 * 1024).fill(1); // touched, so resident
  await new Promise((r) => setTimeout(r, 50));
  const peak = await peakRss();
  assert.ok(block[block.length - 1] === 1);
  assert.ok(peak >= before, `${peak} < ${before}`);
  stopSampler();
});
