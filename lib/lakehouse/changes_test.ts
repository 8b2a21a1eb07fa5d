import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { DeltaTable } from "./table.ts";
import { tableChanges } from "./changes.ts";
import { DeltaError, InvalidOperationError } from "./errors.ts";

async function withTable(fn: (t: DeltaTable) => Promise<void>, options = {}): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await fn(new DeltaTable(join(root, "t"), options));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const frame = (annee: number, ids: number[], mw: (number | null)[]) =>
  pl.DataFrame({
    annee: pl.Series("annee", ids.map(() => annee), pl.Int32),
    id: pl.Series("id", ids, pl.Int64),
    mw: pl.Series("mw", mw, pl.Float64),
  });

const text = (df: pl.DataFrame) =>
  df.toRecords().map((r) => `${r.annee}/${r.id}/${r.mw}${r.note ? `/${r.note}` : ""}`).sort();

Deno.test("changes: an update is one deleted and one inserted row; untouched files are not read", async () => {
  await withTable(async (t) => {
    await t.append(frame(2024, [1, 2], [1, null])); // v0
    await t.append(frame(2025, [3, 4], [3, 4])); // v1
    await t.merge(frame(2025, [3, 5], [30, 5]), { onlyChanged: true }); // v2
    await t.merge(frame(2024, [2], [null]), { onlyChanged: true }); // v3: null equals null
    const c = await tableChanges(t.root, 1);
    assert.deepEqual([c.fromVersion, c.toVersion], [1, 3]);
    assert.deepEqual(text(c.inserted), ["2025/3/30", "2025/5/5"]);
    assert.deepEqual(text(c.deleted), ["2025/3/3"]);
    // The 2024 file is shared by both versions: only the two 2025 files were read.
    assert.equal(c.filesRead, 2);
    assert.deepEqual(text((await t.changesSince(3)).inserted), []);
    await assert.rejects(tableChanges(t.root, 3, 1), InvalidOperationError);
  }, { partitionColumns: ["annee"], keyColumns: ["annee", "id"] });
});

Deno.test("changes: OPTIMIZE cancels out; a column added in between reads as null", async () => {
  await withTable(async (t) => {
    await t.append(frame(2025, [1], [1]));
    await t.append(frame(2025, [2], [2]));
    await t.optimize();
    assert.equal((await tableChanges(t.root, 1)).inserted.height, 0);
    assert.equal((await tableChanges(t.root, 1)).deleted.height, 0);
    await t.append(frame(2025, [3], [3]).withColumn(pl.lit("x").alias("note")), {
      mergeSchema: true,
    });
    const c = await tableChanges(t.root, 0);
    assert.deepEqual(text(c.inserted), ["2025/2/2", "2025/3/3/x"]);
    assert.deepEqual(c.inserted.columns, ["annee", "id", "mw", "note"]);
    await t.overwrite(pl.DataFrame({ autre: [1] }), { overwriteSchema: true });
    await assert.rejects(tableChanges(t.root, 0), InvalidOperationError);
  });
});

Deno.test("changes: files VACUUM deleted make the older version unreadable", async () => {
  await withTable(async (t) => {
    await t.append(frame(2025, [1], [1]));
    await t.overwrite(frame(2025, [2], [2]));
    await t.vacuum({ retentionHours: 0, force: true });
    await assert.rejects(tableChanges(t.root, 0), DeltaError);
  });
});
