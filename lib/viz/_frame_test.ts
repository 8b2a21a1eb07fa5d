import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { chooseSeries, requireColumns, timeColumn, utcInstant } from "./_frame.ts";

Deno.test("gold's national view is the default perimeter of regional tables", () => {
  const gold = pl.DataFrame({
    perimetre: ["Bretagne", "France (somme des régions)", "Normandie"],
    v: [1, 2, 3],
  });
  const { frame, perimeter } = chooseSeries(gold, "gold", {});
  assert.equal(perimeter, "France (somme des régions)");
  assert.deepEqual(frame.getColumn("v").toArray(), [2]);
  assert.equal(chooseSeries(pl.DataFrame({ v: [1] }), "t", {}).perimeter, "France");
});

Deno.test("time column: timestamp_utc or timestamp, converted to UTC", () => {
  const frame = pl.DataFrame({ timestamp: [new Date("2025-07-01T10:00:00Z")] })
    .withColumns(pl.col("timestamp").dt.convertTimeZone("Europe/Paris"));
  assert.equal(timeColumn(frame, "t"), "timestamp");
  const utc = frame.select(utcInstant(frame, "timestamp").alias("u"));
  assert.ok(utc.getColumn("u").dtype.equals(pl.Datetime("ms", "UTC")));
  assert.deepEqual(utc.getColumn("u").toArray(), [new Date("2025-07-01T10:00:00Z")]);
  assert.throws(() => requireColumns(frame, "gold", ["a", "b"]), {
    name: "VizInputError",
    message: "gold: missing column(s) a, b (columns present: timestamp)",
  });
});
