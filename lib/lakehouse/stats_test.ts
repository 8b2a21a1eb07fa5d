import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { computeStats, statsMayMatch } from "./stats.ts";
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

const field = (name: string, type: string, metadata: Record<string, unknown> = {}) => ({
  name,
  type,
  nullable: true,
  metadata,
});
const addWith = (stats: unknown) => ({
  path: "a.parquet",
  partitionValues: {},
  size: 1,
  modificationTime: 0,
  dataChange: true,
  stats: typeof stats === "string" ? stats : JSON.stringify(stats),
});

Deno.test("statsMayMatch: skips exactly when min/max rule every value out", () => {
  const schema = {
    type: "struct" as const,
    fields: [field("n", "long"), field("s", "string"), field("d", "date")],
  };
  const add = addWith({
    numRecords: 3,
    minValues: { n: 10, s: "eco2mix", d: "2025-01-01" },
    maxValues: { n: 20, s: "eco2mix", d: "2025-03-31" },
    nullCount: { n: 0, s: 0, d: 1 },
  });
  const may = (where: Parameters<typeof statsMayMatch>[1]) => statsMayMatch(add, where, schema);
  assert.equal(may([{ column: "s", eq: "eco2mix" }]), true);
  assert.equal(may([{ column: "s", eq: "consommation_brute" }]), false);
  assert.equal(may([{ column: "s", in: ["a", "eco2mix"] }]), true);
  assert.equal(may([{ column: "s", in: ["a", "b"] }]), false);
  assert.equal(may([{ column: "n", gt: 19 }]), true);
  assert.equal(may([{ column: "n", gt: 20 }]), false);
  assert.equal(may([{ column: "n", gte: 20 }]), true);
  assert.equal(may([{ column: "n", gte: 21n }]), false);
  assert.equal(may([{ column: "n", lt: 11 }]), true);
  assert.equal(may([{ column: "n", lt: 10 }]), false);
  assert.equal(may([{ column: "n", lte: 9 }]), false);
  // A fractional literal is truncated by the row filter's cast: no skipping on it.
  assert.equal(may([{ column: "n", gt: 20.5 }]), true);
  assert.equal(may([{ column: "d", gte: new Date("2025-04-01T00:00:00Z") }]), false);
  assert.equal(may([{ column: "d", lt: "2025-01-02" }]), true);
  // One excluding condition of the conjunction is enough.
  assert.equal(may([{ column: "n", eq: 15 }, { column: "s", eq: "x" }]), false);
  // A column without stats, or not in the schema's data columns, keeps the file.
  assert.equal(statsMayMatch(addWith({ numRecords: 1 }), [{ column: "n", eq: 1 }], schema), true);
  assert.equal(statsMayMatch({ ...add, stats: undefined }, [{ column: "n", eq: 1 }], schema), true);
  assert.equal(statsMayMatch(addWith("not json"), [{ column: "n", eq: 1 }], schema), true);
});

Deno.test("statsMayMatch: keeps files whose stats cannot be compared exactly", () => {
  const schema = {
    type: "struct" as const,
    fields: [
      field("big", "long"),
      field("f", "float"),
      field("x", "double"),
      field("dec", "decimal(10,2)"),
      field("s", "string"),
      field("c", "string", { __COLLATIONS: { c: "spark.UTF8_LCASE" } }),
    ],
  };
  const long = "a".repeat(32);
  const add = addWith(
    '{"numRecords":2,"minValues":{"big":9007199254740993,"f":1.5,"x":1.5,"dec":1.10,' +
      `"s":"${long}","c":"a"},"maxValues":{"big":9007199254740995,"f":2.5,"x":2.5,"dec":2.20,` +
      `"s":"${long}","c":"a"}}`,
  );
  const may = (where: Parameters<typeof statsMayMatch>[1]) => statsMayMatch(add, where, schema);
  // JSON.parse rounds longs past 2^53: the bound proves nothing.
  assert.equal(may([{ column: "big", eq: 9007199254740994n }]), true);
  assert.equal(may([{ column: "f", eq: 3 }]), true);
  assert.equal(may([{ column: "dec", eq: 3 }]), true);
  assert.equal(may([{ column: "c", eq: "b" }]), true);
  // A max cut at the prefix length may sort below the true max ("aaa…ab"): only the min bounds.
  assert.equal(may([{ column: "s", eq: `${long}b` }]), true);
  assert.equal(may([{ column: "s", lt: "a" }]), false);
  // Our writer's truncated max ends with U+10FFFF, a true upper bound.
  const tied = addWith({ minValues: { s: long }, maxValues: { s: `${long}\u{10FFFF}` } });
  assert.equal(statsMayMatch(tied, [{ column: "s", eq: `${long}b` }], schema), true);
  assert.equal(statsMayMatch(tied, [{ column: "s", gt: `ab` }], schema), false);
  // Doubles: polars matches NaN with gt/gte, which a writer's max may leave out.
  assert.equal(may([{ column: "x", gt: 3 }]), true);
  assert.equal(may([{ column: "x", eq: 3 }]), false);
  assert.equal(may([{ column: "x", lt: 1.5 }]), false);
  assert.equal(may([{ column: "x", eq: Number.NaN }]), true);
});

Deno.test("statsMayMatch: strings compare by code point, timestamps allow for ms truncation", () => {
  const schema = {
    type: "struct" as const,
    fields: [field("s", "string"), field("t", "timestamp"), field("u", "timestamp_ntz")],
  };
  // U+FF61 sorts before U+1F600 by code point (and in UTF-8), after it in UTF-16 units.
  const add = addWith({
    minValues: { s: "\uFF61", t: "2025-01-01T01:00:00.000+01:00", u: "2025-01-01T00:00:00.000" },
    maxValues: { s: "\uFF61", t: "2025-01-01T00:00:00.123Z", u: "2025-01-01T00:00:00.123" },
  });
  const may = (where: Parameters<typeof statsMayMatch>[1]) => statsMayMatch(add, where, schema);
  assert.equal(may([{ column: "s", lt: "\u{1F600}" }]), true);
  assert.equal(may([{ column: "s", gt: "\u{1F600}" }]), false);
  // The max 00:00:00.123 may stand for 00:00:00.123999.
  assert.equal(may([{ column: "t", gt: "2025-01-01T00:00:00.123500Z" }]), true);
  assert.equal(may([{ column: "t", gte: "2025-01-01T00:00:00.124Z" }]), false);
  assert.equal(may([{ column: "t", lt: new Date("2025-01-01T00:00:00Z") }]), false);
  assert.equal(may([{ column: "u", gt: "2025-01-01 00:00:00.124" }]), false);
  // A timestamp bound without a zone (or an NTZ bound with one) is ambiguous: kept.
  const odd = addWith({ minValues: { t: "2025-01-01T00:00:00.000" } });
  assert.equal(statsMayMatch(odd, [{ column: "t", lt: "2024-01-01T00:00:00Z" }], schema), true);
});

Deno.test("statsMayMatch: column mapping reads the stats of the physical name", () => {
  const schema = {
    type: "struct" as const,
    fields: [field("n", "long", { "delta.columnMapping.physicalName": "col-1" })],
  };
  const add = addWith({ minValues: { "col-1": 1 }, maxValues: { "col-1": 2 } });
  assert.equal(
    statsMayMatch(add, [{ column: "n", eq: 5 }], schema, { columnMapping: "name" }),
    false,
  );
  assert.equal(statsMayMatch(add, [{ column: "n", eq: 5 }], schema), true);
});
