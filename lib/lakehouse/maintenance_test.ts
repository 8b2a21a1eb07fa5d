import assert from "node:assert/strict";
import { binPack } from "./maintenance.ts";

const file = (size: number) => ({
  path: `f${size}`,
  size,
  partitionValues: {},
  modificationTime: 0,
  dataChange: true,
});

Deno.test("bin packing groups small files up to the target, skips big and lone files", () => {
  const bins = binPack([file(60), file(10), file(500), file(30), file(50), file(45)], 100);
  assert.deepEqual(
    bins.map((b) => b.map((f) => f.size)),
    [[10, 30, 45], [50]].filter((b) => b.length > 1),
  );
  assert.deepEqual(binPack([file(10)], 100), []);
});
