import assert from "node:assert/strict";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { checkpointBytes, retentionMs } from "./checkpoint.ts";

Deno.test("checkpoint Parquet has Spark's MAP/LIST layout and round-trips actions", async () => {
  const bytes = checkpointBytes([
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    {
      add: {
        path: "a=1/f.parquet",
        partitionValues: { a: "1" },
        size: 10,
        modificationTime: 5,
        dataChange: false,
      },
    },
    { txn: { appId: "app", version: 3 } },
  ]);
  const buffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  const schema = parquetSchema(parquetMetadata(buffer));
  const add = schema.children.find((c) => c.element.name === "add")!;
  const pv = add.children.find((c) => c.element.name === "partitionValues")!;
  assert.equal(pv.element.converted_type, "MAP");
  assert.equal(pv.children[0].element.name, "key_value");
  assert.equal(pv.children[0].element.repetition_type, "REPEATED");
  const rows = await parquetReadObjects({ file: buffer });
  assert.equal(rows.length, 3);
  assert.equal(rows[1].add.path, "a=1/f.parquet");
  assert.deepEqual(rows[1].add.partitionValues, { a: "1" });
  assert.equal(rows[1].add.size, 10n);
  assert.equal(rows[2].txn.version, 3n);
  assert.equal(rows[0].protocol.minWriterVersion, 2);
});

Deno.test("retention intervals parse like Delta's", () => {
  assert.equal(retentionMs("interval 7 days"), 604_800_000);
  assert.equal(retentionMs("interval 1 week"), 604_800_000);
  assert.equal(retentionMs("interval 30 minutes"), 1_800_000);
});
