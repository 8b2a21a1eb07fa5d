/**
 * Golden tests: Delta tables written by Spark, Databricks and delta-rs (shared data
 * `delta-golden/`, see its README) read back exactly.
 */

import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sharedDataPath } from "../testing/shared_data.ts";
import { canonicalRows, readParquetFolder } from "./_golden.ts";
import {
  CorruptLogError,
  NotADeltaTableError,
  UnsupportedFeatureError,
  VersionNotFoundError,
} from "./errors.ts";
import { loadSnapshot } from "./log.ts";
import { readFiles } from "./reader.ts";
import { type Predicate, predicateExpr, type Scalar } from "./predicate.ts";
import { statsMayMatch } from "./stats.ts";
import { DeltaTable } from "./table.ts";

const KERNEL = sharedDataPath("delta-golden", "kernel-golden");
const DELTA_RS = sharedDataPath("delta-golden", "delta-rs");
const KERNEL_DATA = sharedDataPath("delta-golden", "kernel-data");

/** Tables with binary columns: nodejs-polars 0.25 cannot hand Binary data to JavaScript. */
const UNSUPPORTED_BINARY = [
  "data-reader-array-primitives",
  "data-reader-primitives",
  "parquet-all-types",
  "parquet-all-types-legacy-format",
  "table-with-columnmapping-mode-id",
  "table-with-columnmapping-mode-name",
];

/**
 * Timestamp partition values without a zone (`2021-09-08 11:11:11`) are read as UTC, as the
 * protocol and the kernel-timestamp-* tables expect; this table's expected rows were produced
 * in the writer's US-Pacific session (UTC-7 in September), so only that column differs, by 7 h.
 */
const PACIFIC_PARTITION_TABLE = "data-reader-partition-values";

async function readTable(dir: string): Promise<pl.DataFrame> {
  return await readFiles(await loadSnapshot(dir));
}

// One test per table, listed at load time. Without the shared data (the test task then skips
// the tests reading it) the list is empty, and the count test names the missing folder.
const expectedTables = (existsSync(KERNEL) ? [...Deno.readDirSync(KERNEL)] : [])
  .map((e) => e.name)
  .filter((n) => {
    try {
      return Deno.statSync(join(KERNEL, n, "expected")).isDirectory;
    } catch {
      return false;
    }
  })
  .sort();

Deno.test("golden: 68 tables ship expected rows", () => {
  assert.equal(expectedTables.length, 68, `tables with expected rows in ${KERNEL}`);
});

for (const name of expectedTables) {
  if (UNSUPPORTED_BINARY.includes(name)) {
    Deno.test(`golden: ${name} refuses binary columns with a typed error`, async () => {
      await assert.rejects(readTable(join(KERNEL, name, "delta")), UnsupportedFeatureError);
    });
    continue;
  }
  Deno.test(`golden: ${name} reads exactly the expected rows`, async () => {
    const got = await readTable(join(KERNEL, name, "delta"));
    const want = readParquetFolder(join(KERNEL, name, "expected"));
    assert.deepEqual([...got.columns].sort(), [...want.columns].sort());
    if (name === PACIFIC_PARTITION_TABLE) {
      const shift = (df: pl.DataFrame) =>
        df.select(pl.col("as_timestamp").cast(pl.Datetime("us")).cast(pl.Int64).alias("t"))
          .getColumn("t").toArray() as number[];
      const g = shift(got.sort("as_int")), w = shift(want.sort("as_int"));
      g.forEach((t, i) => t !== null && assert.equal(w[i] - t, 7 * 3600 * 1e6));
      assert.deepEqual(
        canonicalRows(got.drop("as_timestamp")),
        canonicalRows(want.drop("as_timestamp")),
      );
      return;
    }
    assert.deepEqual(canonicalRows(got), canonicalRows(want));
  });
}

const negatives: [string, new (...a: never[]) => Error][] = [
  ["deltalog-invalid-protocol-version", UnsupportedFeatureError],
  ["deltalog-state-reconstruction-without-metadata", CorruptLogError],
  ["deltalog-state-reconstruction-without-protocol", CorruptLogError],
  ["deltalog-state-reconstruction-from-checkpoint-missing-metadata", CorruptLogError],
  ["deltalog-state-reconstruction-from-checkpoint-missing-protocol", CorruptLogError],
  ["no-delta-log-folder", NotADeltaTableError],
  ["versions-not-contiguous", CorruptLogError],
];
for (const [name, error] of negatives) {
  Deno.test(`golden negative: ${name} raises ${error.name}`, async () => {
    const dir = join(KERNEL, name);
    const root = (() => {
      try {
        return Deno.statSync(join(dir, "delta")).isDirectory ? join(dir, "delta") : dir;
      } catch {
        return dir;
      }
    })();
    await assert.rejects(loadSnapshot(root), error);
  });
}

Deno.test("golden: log-only tables replay to the documented files", async () => {
  const files = async (dir: string) => (await loadSnapshot(dir)).files.map((f) => f.path).sort();
  const cp = await loadSnapshot(join(KERNEL, "checkpoint", "delta"));
  assert.equal(cp.version, 14);
  assert.deepEqual(cp.files.map((f) => f.path), ["15"]);
  assert.deepEqual(
    await files(join(KERNEL, "delete-re-add-same-file-different-transactions", "delta")),
    ["bar", "foo"],
  );
  for (const v of ["normal-a", "normal-b", "special-a", "special-b"]) {
    assert.deepEqual(await files(join(KERNEL, `canonicalized-paths-${v}`, "delta")), []);
  }
  assert.equal((await loadSnapshot(join(DELTA_RS, "checkpoints_vacuumed"))).version, 12);
  assert.equal((await loadSnapshot(join(DELTA_RS, "latest_not_checkpointed"))).version, 3);
  assert.equal(
    (await loadSnapshot(join(KERNEL_DATA, "with_checkpoint_no_last_checkpoint"))).version,
    3,
  );
  const txns = (await loadSnapshot(join(KERNEL_DATA, "app-txn-checkpoint"))).txns;
  assert.deepEqual(
    Object.fromEntries([...txns].map(([k, t]) => [k, t.version])),
    { "my-app": 3, "my-app2": 2 },
  );
});

Deno.test("golden: delta-rs tables read the documented values", async () => {
  const simple = await readTable(join(DELTA_RS, "simple_table"));
  assert.deepEqual((simple.getColumn("id").toArray() as number[]).sort(), [5, 7, 9]);
  const parted = await readTable(join(DELTA_RS, "delta-0.8.0-partitioned"));
  assert.deepEqual(
    parted.sort("value").toRecords().map((r) => [r.value, r.year, r.month, r.day].join("/")),
    [
      "1/2020/1/1",
      "2/2020/2/3",
      "3/2020/2/5",
      "4/2021/4/5",
      "5/2021/12/4",
      "6/2021/12/20",
      "7/2021/12/20",
    ],
  );
  const special = await loadSnapshot(join(DELTA_RS, "delta-0.8.0-special-partition"));
  assert.deepEqual(special.files.map((f) => f.partitionValues.x).sort(), ["A/A", "B B"]);
  const nullPart = await readTable(join(DELTA_RS, "delta-0.8.0-null-partition"));
  assert.deepEqual(nullPart.sort("v").toRecords().map((r) => [r.k, r.v]), [["A", 1], [null, 2]]);
  // INT96 up to year 9999: polars alone would wrap these past 2262.
  const edge = await readTable(join(DELTA_RS, "table_with_edge_timestamps"));
  const big = edge.sort("SOME_VALUE").select(pl.col("BIG_DATE").dt.strftime("%Y-%m-%d"))
    .getColumn("BIG_DATE").toArray();
  assert.deepEqual(big, ["9999-12-31", "9999-12-30"]);
  const dv = await readTable(join(DELTA_RS, "table-with-dv-small"));
  assert.deepEqual((dv.getColumn("value").toArray() as number[]).sort((a, b) => a - b), [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
  ]);
});

Deno.test("golden: time travel by timestamp on simple_table (commit file times)", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const log = join(tmp, "_delta_log");
    await Deno.mkdir(log);
    const mtimes = [1588398451, 1588484851, 1588571251, 1588657651, 1588744051];
    for (let v = 0; v < 5; v++) {
      const name = `${String(v).padStart(20, "0")}.json`;
      await Deno.copyFile(join(DELTA_RS, "simple_table", "_delta_log", name), join(log, name));
      await Deno.utime(join(log, name), mtimes[v], mtimes[v]);
    }
    const at = async (iso: string) =>
      (await loadSnapshot(tmp, { timestamp: new Date(iso) })).version;
    assert.equal(await at("2020-05-02T22:47:31-07:00"), 1);
    assert.equal(await at("2020-05-02T23:47:31-07:00"), 1);
    assert.equal(await at("2020-05-03T22:47:31-07:00"), 2);
    assert.equal(await at("2020-05-25T22:47:31-07:00"), 4);
    await assert.rejects(at("2020-05-01T00:47:31-07:00"), VersionNotFoundError);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

/** Column types whose stats data skipping compares (see `statsMayMatch`). */
const SKIPPING_TYPES = [
  "byte",
  "short",
  "integer",
  "long",
  "double",
  "string",
  "date",
  "timestamp",
];

Deno.test("golden: reads with a where on data columns equal the filtered full read", async () => {
  let skipped = 0;
  let tables = 0;
  for (const name of expectedTables) {
    if (UNSUPPORTED_BINARY.includes(name)) continue;
    const root = join(KERNEL, name, "delta");
    const snap = await loadSnapshot(root);
    const parts = snap.metadata.partitionColumns;
    const columns = snap.schema.fields
      .filter((f) => typeof f.type === "string" && SKIPPING_TYPES.includes(f.type))
      .filter((f) => !parts.includes(f.name))
      .slice(0, 3);
    if (!columns.length || !snap.files.length) continue;
    tables++;
    const all = await readFiles(snap);
    const table = new DeltaTable(root);
    for (const f of columns) {
      const values = all.getColumn(f.name).dropNulls().sort().toArray() as Scalar[];
      if (!values.length) continue;
      const mid = values[Math.floor(values.length / 2)];
      const wheres: Predicate[] = [
        [{ column: f.name, eq: mid }],
        [{ column: f.name, gt: mid }],
        [{ column: f.name, lte: values[0] }],
        [{ column: f.name, in: [values[0], values.at(-1)!] }],
      ];
      for (const where of wheres) {
        const want = canonicalRows(all.filter(predicateExpr(where, snap.schema)));
        const got = await table.read({ where });
        assert.deepEqual(canonicalRows(got), want, `${name} ${JSON.stringify(where)}`);
        skipped += snap.files.filter((a) => !statsMayMatch(a, where, snap.schema)).length;
      }
    }
  }
  // Spark's stats do let some files of these tables be skipped.
  assert.ok(tables > 0 && skipped > 0, `${skipped} files skipped in ${tables} tables`);
});
