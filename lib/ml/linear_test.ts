import assert from "node:assert/strict";
import { featureMatrix } from "./dataset.ts";
import { fitRidge, ridgeFromJSON } from "./linear.ts";
import { MlInputError, ModelFormatError } from "./errors.ts";
import { mulberry32 } from "./_rng.ts";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} != ${b}`);

Deno.test("OLS recovers an exact linear function", () => {
  const rng = mulberry32(7);
  const n = 200;
  const a = Float64Array.from({ length: n }, () => rng() * 100);
  const b = Float64Array.from({ length: n }, () => rng() * 2 - 1);
  const c = Float64Array.from({ length: n }, () => 50_000 + rng() * 10_000);
  const y = a.map((_, i) => 3 + 2 * a[i] - 0.5 * b[i] + 0.01 * c[i]);
  const model = fitRidge(featureMatrix({ a, b, c }), y, { alpha: 0 });
  close(model.coefficients[0], 2);
  close(model.coefficients[1], -0.5);
  close(model.coefficients[2], 0.01);
  close(model.intercept, 3, 1e-7);
});

Deno.test("ridge with one feature matches the hand-computed solution", () => {
  // x = [-1, 0, 1], y = [0, 1, 2]: mean 0, population std sqrt(2/3).
  // Standardised: z'z = 3, z'y = 2/s, beta = (2/s) / (3 + alpha), w = beta / s = 3 / (3 + alpha).
  const x = featureMatrix({ x: [-1, 0, 1] });
  const standardized = fitRidge(x, [0, 1, 2], { alpha: 1 });
  close(standardized.coefficients[0], 0.75);
  close(standardized.intercept, 1);
  // Raw units: w = x'y / (x'x + alpha) = 2 / 3.
  const raw = fitRidge(x, [0, 1, 2], { alpha: 1, standardize: false });
  close(raw.coefficients[0], 2 / 3);
  close(raw.intercept, 1);
});

Deno.test("ridge with two features matches an independent normal-equation solve", () => {
  const a = [1, 2, 3, 4, 5, 6];
  const b = [2, 1, 4, 3, 6, 8];
  const y = [3, 4, 8, 8, 12, 15];
  const alpha = 0.7;
  // Independent computation in raw units (standardize: false), centred data.
  const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
  const ac = a.map((v) => v - mean(a)), bc = b.map((v) => v - mean(b));
  const yc = y.map((v) => v - mean(y));
  const dot = (u: number[], v: number[]) => u.reduce((s, t, i) => s + t * v[i], 0);
  const [g11, g12, g22] = [dot(ac, ac) + alpha, dot(ac, bc), dot(bc, bc) + alpha];
  const [r1, r2] = [dot(ac, yc), dot(bc, yc)];
  const det = g11 * g22 - g12 * g12;
  const w1 = (r1 * g22 - r2 * g12) / det;
  const w2 = (g11 * r2 - g12 * r1) / det;
  const model = fitRidge(featureMatrix({ a, b }), y, { alpha, standardize: false });
  close(model.coefficients[0], w1);
  close(model.coefficients[1], w2);
  close(model.intercept, mean(y) - w1 * mean(a) - w2 * mean(b));
});

Deno.test("collinear features with alpha 0 give the minimum-norm solution", () => {
  const a = [0, 1, 2, 3];
  const model = fitRidge(featureMatrix({ a, a2: a.map((v) => 2 * v) }), [1, 3, 5, 7], {
    alpha: 0,
    standardize: false,
  });
  // y = 1 + 2a = 1 + w1 a + w2 (2a): minimum norm w = (2/5, 4/5).
  close(model.coefficients[0], 0.4);
  close(model.coefficients[1], 0.8);
  const [p] = model.predict(featureMatrix({ a: [10], a2: [20] }));
  close(p, 21);
});

Deno.test("a constant feature gets a zero coefficient", () => {
  const model = fitRidge(featureMatrix({ k: [5, 5, 5], t: [0, 1, 2] }), [1, 2, 3], { alpha: 0 });
  assert.equal(model.coefficients[0], 0);
  close(model.coefficients[1], 1);
});

Deno.test("predict selects features by name and returns NaN for missing values", () => {
  const model = fitRidge(featureMatrix({ a: [0, 1, 2, 3], b: [1, 0, 1, 0] }), [0, 2, 4, 6], {
    alpha: 0,
  });
  const out = model.predict(featureMatrix({ b: [0, 1], extra: [9, 9], a: [5, NaN] }));
  close(out[0], 10);
  assert.ok(Number.isNaN(out[1]));
  assert.throws(() => model.predict(featureMatrix({ a: [1] })), /feature 'b' is required/);
});

Deno.test("training on NaN features or targets names the row", () => {
  assert.throws(
    () => fitRidge(featureMatrix({ a: [1, NaN, 3] }), [1, 2, 3]),
    /feature 'a' row 1 is NaN/,
  );
  assert.throws(() => fitRidge(featureMatrix({ a: [1, 2, 3] }), [1, Infinity, 3]), MlInputError);
  assert.throws(() => fitRidge(featureMatrix({ a: [1, 2] }), [1, 2], { alpha: -1 }), /alpha/);
});

Deno.test("JSON round trip gives identical predictions", () => {
  const rng = mulberry32(3);
  const a = Float64Array.from({ length: 50 }, () => rng());
  const b = Float64Array.from({ length: 50 }, () => rng() * 1e4);
  const y = a.map((v, i) => Math.sin(v * 7) + b[i] * 1e-3 + rng());
  const model = fitRidge(featureMatrix({ a, b }), y, { alpha: 0.3 });
  const copy = ridgeFromJSON(JSON.parse(JSON.stringify(model)));
  assert.deepEqual(copy.predict(featureMatrix({ a, b })), model.predict(featureMatrix({ a, b })));
  assert.deepEqual(copy.params, { alpha: 0.3, standardize: true });
  assert.throws(() => ridgeFromJSON({ format: "x" }, "m.json"), ModelFormatError);
  const broken = { ...model.toJSON(), featureNames: ["a"] };
  assert.throws(() => ridgeFromJSON(broken, "m.json"), /m.json: coefficients/);
});
