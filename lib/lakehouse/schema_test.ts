import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  conformFrame,
  deltaTypeOf,
  diffSchemas,
  mergeSchemas,
  polarsTypeOf,
  schemaOfFrame,
} from "./schema.ts";
import { SchemaMismatchError } from "./errors.ts";

Deno.test("polars types map to Spark types and back", () => {
  assert.equal(deltaTypeOf(pl.Int32, "x"), "integer");
  assert.equal(deltaTypeOf(pl.UInt8, "x"), "short");
  assert.equal(deltaTypeOf(pl.Decimal(12, 3), "x"), "decimal(12,3)");
  assert.deepEqual(deltaTypeOf(pl.List(pl.Utf8), "x"), {
    type: "array",
    elementType: "string",
    containsNull: true,
  });
  assert.throws(() => deltaTypeOf(pl.Datetime("ms"), "t"), /without time zone/);
  assert.throws(() => deltaTypeOf(pl.UInt64, "u"), SchemaMismatchError);
  assert.equal(String(polarsTypeOf("decimal(10,2)")), "DataType(Decimal(10,2))");
  assert.equal(String(polarsTypeOf("timestamp_ntz")), "DataType(Datetime(us,))");
});

Deno.test("schema JSON is Spark's StructType", () => {
  const s = schemaOfFrame(
    pl.DataFrame({ id: [1], s: [{ a: "x" }] }).withColumns(pl.col("id").cast(pl.Int64)),
  );
  assert.equal(
    JSON.stringify(s),
    '{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},' +
      '{"name":"s","type":{"type":"struct","fields":[{"name":"a","type":"string",' +
      '"nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}]}',
  );
});

Deno.test("diff, merge and conform", () => {
  const table = schemaOfFrame(pl.DataFrame({ a: [1], b: ["x"] }));
  const frame = schemaOfFrame(pl.DataFrame({ a: ["1"], c: [true] }));
  assert.deepEqual(diffSchemas(table, frame), {
    missing: ["b"],
    extra: ["c"],
    retyped: ["a: double != string"],
  });
  assert.throws(() => mergeSchemas(table, frame), /only adds columns/);
  const merged = mergeSchemas(table, schemaOfFrame(pl.DataFrame({ c: [true] })));
  assert.deepEqual(merged.fields.map((f) => f.name), ["a", "b", "c"]);
  const paris = pl.DataFrame({ t: [new Date("2025-01-01T00:00:00Z")] })
    .withColumns(pl.col("t").cast(pl.Datetime("ms", "UTC")).dt.convertTimeZone("Europe/Paris"));
  const out = conformFrame(paris, schemaOfFrame(paris));
  assert.equal(String(out.getColumn("t").dtype), "DataType(Datetime(us,UTC))");
  assert.equal(
    out.select(pl.col("t").cast(pl.Int64)).getColumn("t").toArray()[0],
    1735689600000000,
  );
});
