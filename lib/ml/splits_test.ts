import assert from "node:assert/strict";
import { checkChronological, chronologicalSplit, rollingOriginSplits } from "./splits.ts";
import { MlInputError } from "./errors.ts";

Deno.test("chronological 80/20 split with and without gap", () => {
  assert.deepEqual(chronologicalSplit(1000), {
    train: { start: 0, end: 800 },
    test: { start: 800, end: 1000 },
  });
  assert.deepEqual(chronologicalSplit(1000, { gap: 48 }), {
    train: { start: 0, end: 752 },
    test: { start: 800, end: 1000 },
  });
  assert.deepEqual(chronologicalSplit(10, { testFraction: 0.25 }).test, { start: 7, end: 10 });
  assert.throws(() => chronologicalSplit(10, { gap: 8 }), /no training row/);
  assert.throws(() => chronologicalSplit(10, { testFraction: 1 }), MlInputError);
});

Deno.test("rolling origin: expanding windows, consecutive test folds, gap", () => {
  const folds = rollingOriginSplits(100, { nFolds: 4, testSize: 10, gap: 3 });
  assert.deepEqual(
    folds.map((f) => [f.fold, f.train.start, f.train.end, f.test.start, f.test.end]),
    [
      [0, 0, 57, 60, 70],
      [1, 0, 67, 70, 80],
      [2, 0, 77, 80, 90],
      [3, 0, 87, 90, 100],
    ],
  );
  // Default test size n / (k + 1), as scikit-learn's TimeSeriesSplit.
  const defaults = rollingOriginSplits(23, { nFolds: 5 });
  // scikit-learn: test_size = 23 // 6 = 3, test starts range(23 - 15, 23, 3).
  assert.deepEqual(defaults.map((f) => [f.train.end, f.test.start, f.test.end]), [
    [8, 8, 11],
    [11, 11, 14],
    [14, 14, 17],
    [17, 17, 20],
    [20, 20, 23],
  ]);
  // Every test row comes after every training row of its fold, and test folds do not overlap.
  for (const f of rollingOriginSplits(1000, { nFolds: 7, gap: 11 })) {
    assert.ok(f.train.end + 11 === f.test.start);
    assert.ok(f.train.start === 0);
  }
});

Deno.test("rolling origin with a sliding window and bad sizes", () => {
  const folds = rollingOriginSplits(100, { nFolds: 2, testSize: 20, maxTrainSize: 30 });
  assert.deepEqual(folds.map((f) => f.train), [{ start: 30, end: 60 }, { start: 50, end: 80 }]);
  assert.throws(() => rollingOriginSplits(10, { nFolds: 5, testSize: 2 }), /cannot hold/);
  assert.throws(
    () => rollingOriginSplits(100, { nFolds: 5, testSize: 10, minTrainSize: 60 }),
    /at least 60 training rows/,
  );
  assert.throws(() => rollingOriginSplits(100, { nFolds: 0 }), /nFolds/);
});

Deno.test("timestamps must strictly increase; the row at fault is named", () => {
  const t = [0, 1800e3, 3600e3, 3600e3];
  assert.throws(() => checkChronological(t), /row 3 \(1970-01-01T01:00:00.000Z\) follows row 2/);
  assert.throws(() => chronologicalSplit(4, { epochMs: t }), MlInputError);
  assert.throws(() => rollingOriginSplits(4, { nFolds: 1, epochMs: [0, 1] }), /2 timestamps/);
  assert.throws(() => checkChronological([0, NaN]), /row 1 \(NaN\)/);
  checkChronological([]);
});
