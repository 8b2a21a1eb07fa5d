import assert from "node:assert/strict";
import { join } from "node:path";
import { commitFileName, loadSnapshot, parseCommit } from "./log.ts";
import { CorruptLogError, NotADeltaTableError } from "./errors.ts";

Deno.test("a malformed commit line is reported with file and line", () => {
  assert.throws(() => parseCommit('{"txn":{}}\n{oops\n', "00.json"), /00\.json:2: invalid JSON/);
});

Deno.test("replay: remove after add, gap in versions, missing log folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    const log = join(root, "_delta_log");
    await Deno.mkdir(log);
    const meta = {
      id: "x",
      format: { provider: "parquet", options: {} },
      schemaString: '{"type":"struct","fields":[]}',
      partitionColumns: [],
      configuration: {},
    };
    const write = (v: number, actions: unknown[]) =>
      Deno.writeTextFile(
        join(log, commitFileName(v)),
        actions.map((a) => JSON.stringify(a)).join("\n"),
      );
    await write(0, [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      { metaData: meta },
      {
        add: { path: "a%20b", partitionValues: {}, size: 1, modificationTime: 0, dataChange: true },
      },
    ]);
    await write(1, [{ remove: { path: `file://${root}/a%20b`, dataChange: true } }, {
      add: { path: "c", partitionValues: {}, size: 1, modificationTime: 0, dataChange: true },
    }]);
    const snap = await loadSnapshot(root);
    assert.deepEqual(snap.files.map((f) => f.path), ["c"]);
    assert.equal((await loadSnapshot(root, { version: 0 })).files[0].path, "a%20b");
    await write(3, [{ commitInfo: {} }]);
    await assert.rejects(loadSnapshot(root), CorruptLogError);
    await assert.rejects(loadSnapshot(join(root, "nope")), NotADeltaTableError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
