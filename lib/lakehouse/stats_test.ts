import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { computeStats } from "./stats.ts";
import { schemaOfFrame } from "./schema.ts";

Deno.test("stats: exact 64-bit ints, decimals, dates, timestamps in ms, nested nullCount", () => {
  const df = pl.DataFrame({
    big: ["9007199254740993", "-9007199254740993"],
    dec: ["1.10", "-2.25"],
    d: ["2025-03-30", "2025-01-01"],
    t: [new Date("2025-03-30T01:00:00.123Z"), null],
    s: [{ a: 1, b: "x" }, { a: null, b: "y" }],
  }).withColumns(
    pl.col("big").cast(pl.Int64),
    pl.col("dec").cast(pl.Decimal(5, 2)),
    pl.col("d").cast(pl.Date),
    pl.col("t").cast(pl.Datetime("us", "UTC")),
  );
  assert.equal(
    computeStats(df, schemaOfFrame(df)),
    '{"numRecords":2,' +
      '"minValues":{"big":-9007199254740993,"dec":-2.25,"d":"2025-01-01",' +
      '"t":"2025-03-30T01:00:00.123Z","s":{"a":1,"b":"x"}},' +
      '"maxValues":{"big":9007199254740993,"dec":1.10,"d":"2025-03-30",' +
      '"t":"2025-03-30T01:00:00.123Z","s":{"a":1,"b":"y"}},' +
      '"nullCount":{"big":0,"dec":0,"d":0,"t":1,"s":{"a":1,"b":0}}}',
  );
});

Deno.test("stats: NaN columns get no min/max, long strings are truncated safely", () => {
  const long = "x".repeat(40);
  const df = pl.DataFrame({ f: [1.5, NaN], s: [long, "a"] });
  const stats = JSON.parse(computeStats(df, schemaOfFrame(df)));
  assert.equal(stats.minValues.f, undefined);
  assert.equal(stats.minValues.s, "a");
  assert.equal(stats.maxValues.s, "x".repeat(32) + "\u{10FFFF}");
  assert.ok(stats.maxValues.s > long);
});

Deno.test("stats: only the first indexed columns get stats", () => {
  const df = pl.DataFrame({ a: [1], b: [2] });
  assert.equal(
    computeStats(df, schemaOfFrame(df), 1),
    '{"numRecords":1,"minValues":{"a":1},"maxValues":{"a":1},"nullCount":{"a":0}}',
  );
});
