/**
 * Row-for-row comparison of two versions of a table built by different routes, e.g. an
 * incremental update and a rebuild from scratch.
 *
 * Why a tolerance on floating-point columns only: polars sums a group's values in partial sums
 * whose boundaries depend on the size of the frame, so the same rows aggregated within a week of
 * data or within a year can differ in the last bits (a few 1e-16 relative). Everything else
 * (keys, counts, flags, text, dates) must be equal exactly, and so must nulls.
 *
 * @module
 */

import assert from "node:assert/strict";
import pl from "nodejs-polars";

/** Options of {@linkcode assertSameRows}. */
export interface SameRowsOptions {
  /** Named in the failure messages. */
  label?: string;
  /** Largest relative difference of two float cells (default 1e-12), on max(1, |expected|). */
  relative?: number;
  /** Columns left out of the comparison (e.g. ingestion times, which differ by design). */
  ignore?: readonly string[];
}

const isFloat = (t: pl.DataType) => t.equals(pl.Float64) || t.equals(pl.Float32);

/**
 * Asserts that `actual` and `expected` hold the same rows (in any order): the same columns, the
 * same cells, floats within a relative tolerance. Rows are matched after sorting on the
 * non-float columns, which must identify them (a table's keys are never floats here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { assertSameRows } from "./same_rows.ts";
 * const a = pl.DataFrame({ day: ["b", "a"], mwh: [0.1 + 0.2, 1] });
 * assertSameRows(a, pl.DataFrame({ day: ["a", "b"], mwh: [1, 0.3] }));
 * assert.throws(() => assertSameRows(a, pl.DataFrame({ day: ["a", "b"], mwh: [1, 0.4] })), /mwh/);
 * ```
 */
export function assertSameRows(
  actual: pl.DataFrame,
  expected: pl.DataFrame,
  options: SameRowsOptions = {},
): void {
  const label = options.label ?? "table";
  const relative = options.relative ?? 1e-12;
  const columns = expected.columns.filter((c) => !options.ignore?.includes(c));
  assert.deepEqual(
    actual.columns.filter((c) => !options.ignore?.includes(c)),
    columns,
    `${label}: columns`,
  );
  assert.equal(actual.height, expected.height, `${label}: rows`);
  const floats = columns.filter((c) => isFloat(expected.getColumn(c).dtype));
  const exact = columns.filter((c) => !floats.includes(c));
  assert.equal(
    expected.select(...exact).unique().height,
    expected.height,
    `${label}: the non-float columns do not identify the rows`,
  );
  const sort = (df: pl.DataFrame) => df.select(...columns).sort(exact);
  const [a, e] = [sort(actual), sort(expected)];
  assert.ok(a.select(...exact).frameEqual(e.select(...exact), true), `${label}: non-float cells`);
  for (const c of floats) {
    const pair = pl.DataFrame([a.getColumn(c).alias("a"), e.getColumn(c).alias("e")]);
    const [x, y] = [pl.col("a"), pl.col("e")];
    const close = x.isNull().and(y.isNull())
      .or(x.isNan().and(y.isNan()))
      .or(x.minus(y).abs().ltEq(y.abs().clip(1, Number.MAX_VALUE).mul(relative)));
    const bad = pair.withRowIndex("row").filter(close.fillNull(false).not());
    assert.equal(
      bad.height,
      0,
      `${label}: column ${c} differs on ${bad.height} row(s), e.g. ` +
        JSON.stringify(bad.head(1).toRecords()[0]),
    );
  }
}
