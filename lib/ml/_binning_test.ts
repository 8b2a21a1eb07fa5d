import assert from "node:assert/strict";
import { binFeatures, fitBinEdges, sortFloat64 } from "./_binning.ts";
import { featureMatrix } from "./dataset.ts";
import { mulberry32 } from "./_rng.ts";

Deno.test("few distinct values get one bin each, edges at midpoints", () => {
  const x = featureMatrix({ h: [3, 1, 2, 1, NaN, 3] });
  const edges = fitBinEdges(x, null, 255, mulberry32(0));
  assert.deepEqual([...edges.edges[0]], [1.5, 2.5]);
  const b = binFeatures(edges, x);
  assert.deepEqual([...b.columns[0]], [2, 0, 1, 0, 255, 2]);
  assert.deepEqual([...b.nBins], [3]);
  assert.equal(b.missingBin, 255);
  assert.deepEqual([...b.hasMissing], [1]);
});

Deno.test("many distinct values get quantile bins of about equal size", () => {
  const rng = mulberry32(4);
  const n = 10_000;
  const v = Float64Array.from({ length: n }, () => rng() ** 3); // skewed
  const x = featureMatrix({ v });
  const edges = fitBinEdges(x, null, 16, mulberry32(0));
  assert.equal(edges.edges[0].length, 15);
  const counts = new Int32Array(16);
  for (const b of binFeatures(edges, x).columns[0]) counts[b]++;
  for (const c of counts) assert.ok(Math.abs(c - n / 16) <= 2, `bin count ${c}`);
});

Deno.test("bin b holds exactly the values x with edges[b-1] < x <= edges[b]", () => {
  const rng = mulberry32(9);
  const values = Float64Array.from({ length: 3000 }, () => Math.round(rng() * 500) / 10);
  values[0] = Infinity;
  values[1] = -Infinity;
  const x = featureMatrix({ v: values });
  const edges = fitBinEdges(x, null, 64, mulberry32(0));
  const e = edges.edges[0];
  assert.ok(e.every(Number.isFinite));
  const bins = binFeatures(edges, x).columns[0];
  for (let i = 0; i < values.length; i++) {
    const b = bins[i];
    assert.ok(b === 0 || values[i] > e[b - 1]);
    assert.ok(b === e.length || values[i] <= e[b]);
  }
  assert.equal(bins[0], e.length);
  assert.equal(bins[1], 0);
});

Deno.test("edges are fitted on the given rows only", () => {
  const x = featureMatrix({ v: [0, 1, 2, 100, 200] });
  const edges = fitBinEdges(x, Int32Array.of(0, 1, 2), 255, mulberry32(0));
  assert.deepEqual([...edges.edges[0]], [0.5, 1.5]);
  // Values beyond the training range fall in the last bin.
  assert.deepEqual([...binFeatures(edges, x).columns[0]], [0, 1, 2, 2, 2]);
});

Deno.test("sortFloat64 sorts exactly as Float64Array#sort", () => {
  const rng = mulberry32(11);
  const cases = [
    Float64Array.from({ length: 5000 }, () => (rng() - 0.5) * 1e6),
    Float64Array.from({ length: 5000 }, () => Math.round(rng() * 48) / 2),
    Float64Array.from(
      { length: 3000 },
      (_, i) => [0, -0, Infinity, -Infinity, 1e-310, -1e-310][i % 6],
    ),
    Float64Array.from(
      { length: 2000 },
      () => Math.exp((rng() - 0.5) * 1400) * (rng() < 0.5 ? -1 : 1),
    ),
    new Float64Array(4000).fill(7),
    Float64Array.from({ length: 10 }, () => rng()),
  ];
  for (const values of cases) {
    const expected = values.slice().sort();
    const sorted = sortFloat64(values.slice());
    assert.equal(sorted.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      assert.ok(Object.is(sorted[i], expected[i]), `at ${i}`);
    }
  }
  // A subarray is sorted in place, its neighbours untouched.
  const whole = Float64Array.from({ length: 3000 }, (_, i) => 3000 - i);
  sortFloat64(whole.subarray(1000, 2500));
  assert.equal(whole[999], 2001);
  assert.equal(whole[1000], 501);
  assert.equal(whole[2499], 2000);
  assert.equal(whole[2500], 500);
});
