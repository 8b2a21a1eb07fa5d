import assert from "node:assert/strict";
import {
  deriveSeed,
  mulberry32,
  randomInt,
  sampleWithoutReplacement,
  shuffleInPlace,
} from "./_rng.ts";

Deno.test("mulberry32 is deterministic and uniform", () => {
  const a = mulberry32(42), b = mulberry32(42);
  const n = 100_000;
  let sum = 0;
  const buckets = new Int32Array(10);
  for (let i = 0; i < n; i++) {
    const v = a();
    assert.equal(v, b());
    assert.ok(v >= 0 && v < 1);
    sum += v;
    buckets[Math.floor(v * 10)]++;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01);
  for (const count of buckets) assert.ok(Math.abs(count - n / 10) < n / 100);
  assert.notEqual(mulberry32(1)(), mulberry32(2)());
});

Deno.test("derived seeds differ per stream and are stable", () => {
  const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(0, i)));
  assert.equal(seeds.size, 1000);
  assert.equal(deriveSeed(5, 3), deriveSeed(5, 3));
  assert.notEqual(deriveSeed(5, 3), deriveSeed(6, 3));
});

Deno.test("shuffle is a permutation and sampling gives distinct sorted values", () => {
  const rng = mulberry32(1);
  const v = shuffleInPlace(Int32Array.from({ length: 50 }, (_, i) => i), rng);
  assert.deepEqual([...v].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  const s = sampleWithoutReplacement(rng, 20, 7);
  assert.equal(new Set(s).size, 7);
  assert.deepEqual([...s], [...s].sort((x, y) => x - y));
  for (let i = 0; i < 1000; i++) {
    const r = randomInt(rng, 3);
    assert.ok(r === 0 || r === 1 || r === 2);
  }
});
