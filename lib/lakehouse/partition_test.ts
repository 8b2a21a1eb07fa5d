import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  canonicalPath,
  encodeLogPath,
  escapePartitionValue,
  formatTimestampMicros,
  parseTimestampMicros,
  partitionDirectory,
  partitionValueExpr,
  resolveLogPath,
  unescapePartitionValue,
} from "./partition.ts";

Deno.test("escaping follows Spark's escapePathName, + and space kept", () => {
  assert.equal(escapePartitionValue("a/b:c=d%e#f?g"), "a%2Fb%3Ac%3Dd%25e%23f%3Fg");
  assert.equal(escapePartitionValue("B B+é"), "B B+é");
  assert.equal(escapePartitionValue("\u0001{[]^*'\"\\"), "%01%7B%5B%5D%5E%2A%27%22%5C");
  assert.equal(unescapePartitionValue("a%2Fb%3Ac"), "a/b:c");
});

Deno.test("log paths encode the directory once more (golden data-reader-escaped-chars)", () => {
  assert.equal(encodeLogPath(`_2=${escapePartitionValue("bar+%21")}/f`), "_2=bar+%252521/f");
  assert.equal(resolveLogPath("/t", "_2=bar+%252521/f"), "/t/_2=bar+%2521/f");
  assert.equal(
    partitionDirectory([["a", null], ["b", "x/y"]]),
    "a=__HIVE_DEFAULT_PARTITION__/b=x%2Fy",
  );
  assert.equal(encodeLogPath("é"), "%C3%A9");
});

Deno.test("absolute and file: URIs canonicalise to one key", () => {
  const k = canonicalPath("/t", "/some/path");
  assert.equal(canonicalPath("/t", "file:/some/path"), k);
  assert.equal(canonicalPath("/t", "file:///some/path"), k);
  assert.throws(() => resolveLogPath("/t", "s3://bucket/x"), /reads only local/);
});

Deno.test("timestamp partition values parse and format exactly", () => {
  assert.equal(parseTimestampMicros("2020-01-01 08:09:10.001"), 1577866150001000n);
  assert.equal(parseTimestampMicros("2020-01-01T09:09:10.001+01:00"), 1577866150001000n);
  assert.equal(parseTimestampMicros("1969-12-31 23:59:59.999999"), -1n);
  assert.equal(formatTimestampMicros(1577866150001002n), "2020-01-01T08:09:10.001002Z");
  assert.throws(() => parseTimestampMicros("yesterday"), /invalid timestamp/);
});

Deno.test("partition value expressions are typed", () => {
  const df = pl.DataFrame({ _: [0] }).select(
    partitionValueExpr("2021-01-02", "date").alias("d"),
    partitionValueExpr("12.50", "decimal(5,2)").alias("dec"),
    partitionValueExpr(null, "integer").alias("n"),
    partitionValueExpr("false", "boolean").alias("b"),
  );
  assert.equal(String(df.getColumn("d").dtype), "DataType(Date)");
  assert.equal(df.select(pl.col("d").cast(pl.String)).getColumn("d").toArray()[0], "2021-01-02");
  assert.equal(df.select(pl.col("dec").cast(pl.String)).getColumn("dec").toArray()[0], "12.50");
  assert.equal(df.getColumn("n").toArray()[0], null);
  assert.equal(df.getColumn("b").toArray()[0], false);
});
