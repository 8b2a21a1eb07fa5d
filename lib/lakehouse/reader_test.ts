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

Deno.test("columns a file does not hold keep the file's row count", async () => {
  const root = await Deno.makeTempDir();
  try {
    const t = new DeltaTable(join(root, "t"), { partitionColumns: ["annee"] });
    await t.append(pl.DataFrame({ annee: [2024, 2024, 2025], mw: [1, 2, 3] }));
    await t.append(pl.DataFrame({ annee: [2025], mw: [4], note: ["x"] }), { mergeSchema: true });
    const snap = await t.snapshot();
    // Only partition values (no data column read), or only a column older files lack.
    const annee = await readFiles(snap, snap.files, { columns: ["annee"] });
    assert.deepEqual(annee.getColumn("annee").toArray().sort(), [2024, 2024, 2025, 2025]);
    const note = await readFiles(snap, snap.files, { columns: ["note"] });
    assert.deepEqual(note.getColumn("note").toArray().sort(), [null, null, null, "x"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a where on string columns may drop non-matching rows, never a matching one", async () => {
  const root = await Deno.makeTempDir();
  try {
    const t = new DeltaTable(join(root, "t"));
    await t.append(pl.DataFrame({ a: [1, 2, 3] }));
    await t.append(
      pl.DataFrame({ a: [4, 5, 6, 7], b: ["x", "y", null, "x"] }),
      { mergeSchema: true },
    );
    const snap = await t.snapshot();
    const where = [{ column: "b", eq: "x" }, { column: "a", gt: 4 }];
    const read = await readFiles(snap, snap.files, { columns: ["a", "b"], where });
    // The first file lacks b: all its rows; the second: its string condition only.
    assert.deepEqual(read.getColumn("a").toArray().sort(), [1, 2, 3, 4, 7]);
    const all = await t.read();
    assert.deepEqual(
      (await t.read({ where })).toRecords(),
      all.filter(pl.col("b").eq(pl.lit("x")).and(pl.col("a").gt(4))).toRecords(),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
