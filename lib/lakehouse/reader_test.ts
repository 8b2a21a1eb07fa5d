import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { emptyFrame, readFiles } from "./reader.ts";
import { DeltaTable } from "./table.ts";

Deno.test("empty frame carries the table types", () => {
  const df = emptyFrame({
    type: "struct",
    fields: [
      { name: "t", type: "timestamp", nullable: true, metadata: {} },
      { name: "d", type: "decimal(9,3)", nullable: true, metadata: {} },
    ],
  });
  assert.equal(df.height, 0);
  assert.equal(String(df.getColumn("t").dtype), "DataType(Datetime(us,UTC))");
  assert.equal(String(df.getColumn("d").dtype), "DataType(Decimal(9,3))");
});

Deno.test("files written before a column was added read it as null", async () => {
  const root = await Deno.makeTempDir();
  try {
    const t = new DeltaTable(join(root, "t"));
    await t.append(pl.DataFrame({ a: [1] }));
    await t.append(pl.DataFrame({ a: [2], b: ["x"] }), { mergeSchema: true });
    const snap = await t.snapshot();
    const df = (await readFiles(snap, snap.files, { columns: ["b", "a"] })).sort("a");
    assert.deepEqual(df.columns, ["b", "a"]);
    assert.deepEqual(df.getColumn("b").toArray(), [null, "x"]);
    await assert.rejects(readFiles(snap, snap.files, { columns: ["zz"] }), /column zz/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
