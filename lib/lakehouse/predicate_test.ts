import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { describePredicate, predicateExpr } from "./predicate.ts";
import { schemaOfFrame } from "./schema.ts";

Deno.test("predicates compare typed values; nulls never match", () => {
  const df = pl.DataFrame({
    d: ["2025-01-01", "2025-01-15", "2025-02-01", null],
    t: [0, 1, 2, 3].map((h) => new Date(Date.UTC(2025, 0, 1, h))),
    k: ["a", "b", "c", "d"],
  }).withColumns(pl.col("d").cast(pl.Date), pl.col("t").cast(pl.Datetime("us", "UTC")));
  const schema = schemaOfFrame(df);
  const keys = (p: Parameters<typeof predicateExpr>[0]) =>
    df.filter(predicateExpr(p, schema)).getColumn("k").toArray();
  assert.deepEqual(keys([{ column: "d", gte: "2025-01-01", lt: "2025-02-01" }]), ["a", "b"]);
  assert.deepEqual(keys([{ column: "d", gte: new Date("2025-01-10T00:00:00Z") }]), ["b", "c"]);
  assert.deepEqual(keys([{ column: "t", gt: "2025-01-01T01:00:00Z" }]), ["c", "d"]);
  assert.deepEqual(keys([{ column: "k", in: ["a", "d"] }, { column: "d", lte: "2030-01-01" }]), [
    "a",
  ]);
  assert.equal(describePredicate([{ column: "k", in: ["o'k"] }]), "k IN ('o''k')");
});
