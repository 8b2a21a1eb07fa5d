import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeltaTable } from "./table.ts";
import { Catalog } from "./catalog.ts";
import {
  ConcurrentModificationError,
  InvalidOperationError,
  SchemaMismatchError,
  TransactionAlreadyCommittedError,
  VersionNotFoundError,
} from "./errors.ts";
import { commitFileName, loadSnapshot } from "./log.ts";
import { commit } from "./_commit.ts";
import { type Predicate, predicateExpr } from "./predicate.ts";
import { readFiles } from "./reader.ts";
import { statsMayMatch } from "./stats.ts";

async function withTable(
  fn: (t: DeltaTable, root: string) => Promise<void>,
  options = {},
): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await fn(new DeltaTable(join(root, "t"), options), join(root, "t"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const frame = (ids: number[], mw: number[], annee = 2025) =>
  pl.DataFrame({
    annee: ids.map(() => annee),
    id: ids,
    mw,
  }).withColumns(pl.col("annee").cast(pl.Int32), pl.col("id").cast(pl.Int64));

/** Rows as "annee/id/mw" strings, sorted: an independent, readable form of a table. */
async function rows(t: DeltaTable, version?: number): Promise<string[]> {
  const df = await t.read(version === undefined ? {} : { version });
  return df.toRecords().map((r) => `${r.annee}/${r.id}/${r.mw}`).sort();
}

Deno.test("append, overwrite, merge, replaceWhere: every version reads back exactly", async () => {
  await withTable(async (t) => {
    await t.append(frame([1, 2], [10, 20], 2024)); // v0
    await t.append(frame([3], [30])); // v1
    await t.merge(frame([2, 4], [21, 40], 2024), { keys: ["annee", "id"] }); // v2
    await t.replaceWhere(frame([5], [50]), [{ column: "annee", eq: 2025 }]); // v3
    await t.overwrite(frame([6], [60])); // v4
    assert.deepEqual(await rows(t, 0), ["2024/1/10", "2024/2/20"]);
    assert.deepEqual(await rows(t, 1), ["2024/1/10", "2024/2/20", "2025/3/30"]);
    assert.deepEqual(await rows(t, 2), ["2024/1/10", "2024/2/21", "2024/4/40", "2025/3/30"]);
    assert.deepEqual(await rows(t, 3), ["2024/1/10", "2024/2/21", "2024/4/40", "2025/5/50"]);
    assert.deepEqual(await rows(t), ["2025/6/60"]);
    const ops = (await t.history()).map((h) => `${h.version}:${h.operation}`);
    assert.deepEqual(ops, ["4:WRITE", "3:WRITE", "2:MERGE", "1:WRITE", "0:CREATE TABLE AS SELECT"]);
  }, { partitionColumns: ["annee"] });
});

Deno.test("merge reports updated/inserted and rewrites only files with a matching key", async () => {
  await withTable(async (t) => {
    await t.append(frame([1, 2], [1, 2], 2024));
    await t.append(frame([3], [3], 2025));
    const before = (await t.files()).map((f) => f.path).sort();
    const r = await t.merge(frame([3, 9], [33, 99], 2025));
    assert.equal(r.updated, 1);
    assert.equal(r.inserted, 1);
    const after = (await t.files()).map((f) => f.path);
    // The 2024 file had no matching key: untouched.
    assert.ok(after.includes(before.find((p) => p.startsWith("annee=2024"))!));
    assert.deepEqual(await rows(t), ["2024/1/1", "2024/2/2", "2025/3/33", "2025/9/99"]);
    await assert.rejects(t.merge(frame([7, 7], [1, 2])), InvalidOperationError);
  }, { partitionColumns: ["annee"], keyColumns: ["annee", "id"] });
});

/** A table frame with a series label: rows "annee/id/mw" and their `serie`. */
const seriesFrame = (rows: [number, number, number, string][]) =>
  pl.DataFrame({
    annee: rows.map((r) => r[0]),
    id: rows.map((r) => r[1]),
    mw: rows.map((r) => r[2]),
    serie: rows.map((r) => r[3]),
  }).withColumns(pl.col("annee").cast(pl.Int32), pl.col("id").cast(pl.Int64));

Deno.test("merge onlyChanged + deleteMissing: equal rows stay, a scope's vanished rows go", async () => {
  await withTable(async (t) => {
    await t.append(seriesFrame([[2024, 1, 1, "a"], [2024, 2, 2, "a"]]));
    await t.append(seriesFrame([[2025, 3, 3, "a"], [2025, 4, 4, "b"], [2025, 5, 5, "a"]]));
    await t.append(seriesFrame([[2025, 7, 7, "a"]]));
    const before = (await t.files()).map((f) => f.path);
    // Series "a" of 2025 becomes ids 3 (same), 5 (changed), 6 (new): id 7 left the series.
    const r = await t.merge(
      seriesFrame([[2025, 3, 3, "a"], [2025, 5, 50, "a"], [2025, 6, 6, "a"]]),
      {
        onlyChanged: true,
        deleteMissing: pl.DataFrame({ annee: [2025], serie: ["a"] }),
      },
    );
    assert.deepEqual([r.updated, r.inserted, r.deleted, r.unchanged], [1, 1, 1, 1]);
    assert.deepEqual(await rows(t), [
      "2024/1/1",
      "2024/2/2",
      "2025/3/3",
      "2025/4/4",
      "2025/5/50",
      "2025/6/6",
    ]);
    const after = (await t.files()).map((f) => f.path);
    assert.ok(after.includes(before.find((p) => p.startsWith("annee=2024"))!), "2024 untouched");
    const [merge] = await t.history(1);
    assert.equal(merge.operation, "MERGE");
    assert.equal(merge.operationMetrics?.numTargetRowsDeleted, "1");
    assert.equal(merge.operationMetrics?.numTargetFilesRemoved, "2");
    assert.match(String(merge.operationParameters?.notMatchedBySourcePredicates), /delete/);

    // Nothing differs: no file is rewritten, the commit still records the txn.
    const files = (await t.files()).map((f) => f.path).sort();
    const same = await t.merge(seriesFrame([[2025, 6, 6, "a"]]), {
      onlyChanged: true,
      txns: [{ appId: "etat", version: 1 }],
    });
    assert.deepEqual([same.updated, same.inserted, same.deleted, same.unchanged], [0, 0, 0, 1]);
    assert.deepEqual((await t.files()).map((f) => f.path).sort(), files);
    assert.equal((await t.snapshot()).txns.get("etat")?.version, 1);
  }, { partitionColumns: ["annee"], keyColumns: ["annee", "id"] });
});

Deno.test("merge keys match null-safely; deleteMissing: true replaces the whole table", async () => {
  await withTable(async (t) => {
    const kv = (k: (string | null)[], v: number[]) =>
      pl.DataFrame({ k: pl.Series("k", k, pl.Utf8), v: pl.Series("v", v, pl.Float64) });
    await t.append(kv([null, "x", "y"], [1, 2, 3]));
    const r = await t.merge(kv([null, "x"], [10, 2]), { onlyChanged: true, deleteMissing: true });
    assert.deepEqual([r.updated, r.inserted, r.deleted, r.unchanged], [1, 0, 1, 1]);
    const back = (await t.read()).sort("v").toRecords();
    assert.deepEqual(back, [{ k: "x", v: 2 }, { k: null, v: 10 }]);
    await assert.rejects(
      t.merge(kv(["z"], [1]), { deleteMissing: pl.DataFrame({ inconnue: [1] }) }),
      SchemaMismatchError,
    );
  }, { keyColumns: ["k"] });
});

Deno.test("txn lastUpdated: later than every txn the table holds, whatever the clock", async () => {
  await withTable(async (t) => {
    await t.append(frame([1], [1]));
    const future = Date.now() + 86_400_000;
    await commit({
      root: t.root,
      readVersion: 0,
      actions: [{ txn: { appId: "a", version: 0, lastUpdated: future } }],
      info: { operation: "WRITE", isBlindAppend: true },
    });
    await t.append(frame([2], [2]), { txns: [{ appId: "b", version: 0 }] });
    const txns = (await t.snapshot()).txns;
    assert.equal(txns.get("b")?.lastUpdated, future + 1);
  });
});

Deno.test("replaceWhere on a data column rewrites partially matching files", async () => {
  await withTable(async (t) => {
    await t.append(frame([1, 2, 3, 4], [1, 2, 3, 4]));
    await t.replaceWhere(frame([2, 3], [20, 30]), [{ column: "id", gte: 2, lte: 3 }]);
    assert.deepEqual(await rows(t), ["2025/1/1", "2025/2/20", "2025/3/30", "2025/4/4"]);
    await assert.rejects(
      t.replaceWhere(frame([9], [9]), [{ column: "id", lt: 5 }]),
      InvalidOperationError,
    );
  });
});

Deno.test("time travel by timestamp resolves to the last commit at or before it", async () => {
  await withTable(async (t, root) => {
    await t.append(frame([1], [1]));
    await t.append(frame([2], [2]));
    await t.append(frame([3], [3]));
    const times = [1_700_000_000, 1_700_000_600, 1_700_001_200];
    times.forEach((s, v) => Deno.utimeSync(join(root, "_delta_log", commitFileName(v)), s, s));
    const at = async (s: number) => (await t.read({ timestamp: new Date(s * 1000) })).height;
    assert.equal(await at(1_700_000_000), 1);
    assert.equal(await at(1_700_000_599), 1);
    assert.equal(await at(1_700_000_600), 2);
    assert.equal(await at(1_800_000_000), 3);
    await assert.rejects(at(1_600_000_000), VersionNotFoundError);
    await assert.rejects(t.read({ version: 9 }), VersionNotFoundError);
  });
});

Deno.test("commit log: protocol 1/2, Spark schema, exact stats, escaped partition paths", async () => {
  await withTable(async (t, root) => {
    const df = pl.DataFrame({
      zone: ["A/A", "B B", null],
      big: ["9007199254740993", "-5", null],
      at: [new Date("2025-03-30T01:00:00Z"), new Date("2025-03-30T02:00:00.123Z"), null],
    }).withColumns(
      pl.col("big").cast(pl.Int64),
      pl.col("at").cast(pl.Datetime("ms", "Europe/Paris")),
    );
    await t.append(df);
    const actions = Deno.readTextFileSync(join(root, "_delta_log", commitFileName(0)))
      .trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(actions[1], { protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
    assert.deepEqual(
      JSON.parse(actions[2].metaData.schemaString).fields.map((f: { type: string }) => f.type),
      [
        "string",
        "long",
        "timestamp",
      ],
    );
    const adds = actions.filter((a) => a.add).map((a) => a.add);
    assert.deepEqual(adds.map((a) => a.path.split("/")[0]).sort(), [
      "zone=A%252FA",
      "zone=B%20B",
      "zone=__HIVE_DEFAULT_PARTITION__",
    ]);
    const a = adds.find((a) => a.partitionValues.zone === "A/A");
    // The raw JSON keeps 2^53 + 1 exactly.
    const raw = Deno.readTextFileSync(join(root, "_delta_log", commitFileName(0)));
    assert.ok(raw.includes('\\"big\\":9007199254740993'));
    assert.deepEqual(JSON.parse(a.stats).minValues.at, "2025-03-30T01:00:00.000Z");
    const back = await t.read();
    assert.deepEqual(
      back.sort("big").select(pl.col("big").cast(pl.String)).getColumn("big").toArray(),
      [null, "-5", "9007199254740993"],
    );
    assert.deepEqual(back.schema.at, pl.Datetime("us", "UTC"));
  }, { partitionColumns: ["zone"] });
});

Deno.test("schema enforcement: differing columns are named; mergeSchema adds columns", async () => {
  await withTable(async (t) => {
    await t.append(frame([1], [1]));
    const extra = frame([2], [2]).withColumns(pl.lit("x").alias("note"));
    await assert.rejects(t.append(extra), (e: Error) => {
      assert.ok(e instanceof SchemaMismatchError);
      assert.deepEqual(e.columns, ["note"]);
      assert.match(e.message, /extra columns: note/);
      return true;
    });
    const retyped = frame([2], [2]).withColumns(pl.col("mw").cast(pl.String));
    await assert.rejects(t.append(retyped), /mw: double != string/);
    await assert.rejects(t.append(frame([2], [2]).drop("mw")), /missing columns: mw/);
    await assert.rejects(
      t.append(pl.DataFrame({ "bad name": [1] })),
      SchemaMismatchError,
    );
    const r = await t.append(extra, { mergeSchema: true });
    const snap = await t.snapshot();
    assert.deepEqual(snap.schema.fields.map((f) => f.name), ["annee", "id", "mw", "note"]);
    const commitText = Deno.readTextFileSync(join(t.root, "_delta_log", commitFileName(r.version)));
    assert.ok(commitText.includes('"metaData"'));
    const back = (await t.read()).sort("id").getColumn("note").toArray();
    assert.deepEqual(back, [null, "x"]);
  });
});

Deno.test("column names Spark rejects without column mapping are refused", async () => {
  await withTable(async (t) => {
    for (const name of ["a b", "a,b", "a;b", "a{b", "a}b", "a(b", "a)b", "a\nb", "a\tb", "a=b"]) {
      await assert.rejects(t.append(pl.DataFrame({ [name]: [1] })), SchemaMismatchError, name);
    }
  });
});

Deno.test("checkpoint every 10 commits; snapshot replays from it", async () => {
  await withTable(async (t, root) => {
    for (let i = 0; i < 12; i++) await t.append(frame([i], [i]));
    const last = JSON.parse(Deno.readTextFileSync(join(root, "_delta_log", "_last_checkpoint")));
    assert.equal(last.version, 10);
    assert.equal(last.numOfAddFiles, 11);
    // Without the JSON commits 0..10, only the checkpoint can rebuild the state.
    for (let v = 0; v <= 10; v++) Deno.removeSync(join(root, "_delta_log", commitFileName(v)));
    const snap = await loadSnapshot(root);
    assert.equal(snap.version, 11);
    assert.equal(snap.files.length, 12);
    assert.equal((await t.read()).height, 12);
  });
});

Deno.test("OPTIMIZE bin-packs small files, ZORDER interleaves, data unchanged", async () => {
  await withTable(async (t) => {
    for (let i = 0; i < 6; i++) await t.append(frame([i, i + 10], [i, i]));
    const before = await rows(t);
    const r = await t.optimize();
    assert.ok(r);
    assert.equal((await t.files()).length, 1);
    assert.deepEqual(await rows(t), before);
    const commitActions = (await loadSnapshot(t.root, { version: r.version })).files;
    assert.ok(commitActions.every((f) => f.dataChange === false));
    assert.equal(await t.optimize(), null); // nothing left to compact
    await t.optimize({ zOrderBy: ["id", "mw"] });
    assert.deepEqual(await rows(t), before);
    const h = (await t.history(1))[0];
    assert.equal(h.operation, "OPTIMIZE");
    assert.equal(h.operationParameters?.zOrderBy, '["id","mw"]');
  });
});

Deno.test("VACUUM keeps what time travel needs, refuses short retention unless forced", async () => {
  await withTable(async (t, root) => {
    await t.append(frame([1], [1]));
    await t.overwrite(frame([2], [2]));
    await assert.rejects(t.vacuum({ retentionHours: 1 }), InvalidOperationError);
    assert.deepEqual((await t.vacuum()).files, []); // removed file is within 7 days
    const old = (await t.files({ version: 0 }))[0].path;
    const dry = await t.vacuum({ retentionHours: 0, force: true, dryRun: true });
    assert.deepEqual(dry.files, [old]);
    assert.ok(await Deno.stat(join(root, old)));
    const done = await t.vacuum({ retentionHours: 0, force: true });
    assert.deepEqual(done.files, [old]);
    await assert.rejects(Deno.stat(join(root, old)), Deno.errors.NotFound);
    assert.deepEqual(await rows(t), ["2025/2/2"]);
  });
});

Deno.test("conflicts: overwrite loses to a concurrent append in the same data", async () => {
  await withTable(async (t) => {
    await t.append(frame([1], [1]));
    const snap = await t.snapshot();
    await t.append(frame([2], [2])); // a concurrent writer wins version 1
    const overwriteRead = {
      root: t.root,
      readVersion: snap.version,
      actions: [{ remove: { path: snap.files[0].path, dataChange: true } }],
      info: { operation: "WRITE", isBlindAppend: false },
      reads: () => true,
    };
    await assert.rejects(commit(overwriteRead), ConcurrentModificationError);
    // A blind append from the same stale version simply lands at the next version.
    const blind = await commit({
      root: t.root,
      readVersion: snap.version,
      actions: [],
      info: { operation: "WRITE", isBlindAppend: true },
    });
    assert.equal(blind.version, 2);
    assert.equal(blind.retries, 1);
  });
});

Deno.test("txn: a write whose appId the table already holds commits nothing", async () => {
  await withTable(async (t) => {
    await t.append(frame([1], [1]), { txns: [{ appId: "charge:a", version: 0 }] }); // v0
    const txn = (await t.snapshot()).txns.get("charge:a");
    assert.equal(txn?.version, 0);
    assert.equal(typeof txn?.lastUpdated, "number");
    await assert.rejects(
      t.append(frame([2], [2]), { txns: [{ appId: "charge:a", version: 0 }] }),
      (e: unknown) => e instanceof TransactionAlreadyCommittedError && e.appIds[0] === "charge:a",
    );
    // A later version of the same application is progress, not a repeat.
    await t.append(frame([3], [3]), { txns: [{ appId: "charge:a", version: 1 }] }); // v1
    assert.equal((await t.snapshot()).txns.get("charge:a")?.version, 1);
    assert.deepEqual(await rows(t), ["2025/1/1", "2025/3/3"]);
    await assert.rejects(
      t.append(frame([4], [4]), {
        txns: [{ appId: "x", version: 0 }, { appId: "x", version: 1 }],
      }),
      InvalidOperationError,
    );
    assert.equal(await t.version(), 1);
    const log = await Deno.readTextFile(join(t.root, "_delta_log", commitFileName(1)));
    assert.match(log, /^\{"txn":\{"appId":"charge:a","version":1,"lastUpdated":\d+\}\}$/m);
    // Version 1 was read back from its checkpoint (interval 1): txns survive checkpoints.
    await Deno.stat(join(t.root, "_delta_log", "00000000000000000001.checkpoint.parquet"));
  }, { configuration: { "delta.checkpointInterval": "1" } });
});

Deno.test("txn: a commit that loses the race to a winner with its appId fails, even at creation", async () => {
  await withTable(async (t) => {
    await t.append(frame([1], [1]));
    const read = await t.snapshot(); // v0: what a concurrent writer read
    await t.append(frame([2], [2]), { txns: [{ appId: "charge:b", version: 0 }] }); // wins v1
    const loser = (appId: string) => ({
      root: t.root,
      readVersion: read.version,
      actions: [{ txn: { appId, version: 0 } }],
      info: { operation: "WRITE", isBlindAppend: true },
    });
    await assert.rejects(commit(loser("charge:b")), TransactionAlreadyCommittedError);
    assert.equal(await t.version(), 1);
    // Another application's transaction simply lands after the winner.
    assert.equal((await commit(loser("charge:c"))).version, 2);
    // Creating the table: losing version 0 to a creator with the same appId.
    const created = {
      root: t.root,
      readVersion: -1,
      actions: [{ txn: { appId: "charge:a", version: 0 } }],
      info: { operation: "WRITE" },
    };
    await assert.rejects(commit(created), ConcurrentModificationError);
    const root2 = join(t.root, "..", "t2");
    const t2 = new DeltaTable(root2);
    await t2.append(frame([1], [1]), { txns: [{ appId: "charge:a", version: 0 }] });
    await assert.rejects(commit({ ...created, root: root2 }), TransactionAlreadyCommittedError);
  });
});

Deno.test("txn: concurrent appends with one appId land once and leave no orphan file", async () => {
  await withTable(async (t) => {
    await t.append(frame([0], [0]));
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map((i) =>
        t.append(frame([i], [i]), { txns: [{ appId: "charge:d", version: 0 }] })
      ),
    );
    assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
    for (const o of outcomes) {
      if (o.status === "rejected") assert.ok(o.reason instanceof TransactionAlreadyCommittedError);
    }
    assert.equal((await t.read()).height, 2);
    assert.equal(await t.version(), 1);
    const onDisk = [...Deno.readDirSync(t.root)].filter((e) => e.name.endsWith(".parquet"));
    assert.equal(onDisk.length, (await t.files()).length);
  });
});

const WRITER = fileURLToPath(new URL("./testdata/writer.ts", import.meta.url));

function spawnWriter(...args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("crash safety: a writer killed before committing leaves the table intact", async () => {
  await withTable(async (t, root) => {
    await t.append(pl.DataFrame({ tag: ["ok"], i: [1] }));
    const child = spawnWriter("crash", root);
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    assert.match(new TextDecoder().decode(value), /files written/);
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    await child.stderr.cancel();
    assert.equal(await t.version(), 0);
    assert.deepEqual((await t.read()).getColumn("tag").toArray(), ["ok"]);
    await t.append(pl.DataFrame({ tag: ["next"], i: [2] }));
    assert.deepEqual((await t.read()).sort("i").getColumn("tag").toArray(), ["ok", "next"]);
  });
});

Deno.test("two concurrent writer processes: every append lands exactly once", async () => {
  await withTable(async (t, root) => {
    await t.append(pl.DataFrame({ tag: ["seed"], i: [-1] }));
    const n = 15;
    const children = [
      spawnWriter("append", root, "a", String(n)),
      spawnWriter("append", root, "b", String(n)),
    ];
    const outputs = await Promise.all(children.map((c) => c.output()));
    for (const o of outputs) assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
    const df = await t.read();
    assert.equal(df.height, 2 * n + 1);
    for (const tag of ["a", "b"]) {
      const is = df.filter(pl.col("tag").eq(pl.lit(tag))).getColumn("i").toArray() as number[];
      assert.deepEqual(is.sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
    }
    assert.equal(await t.version(), 2 * n);
  });
});

Deno.test("catalog: tables at <root>/<layer>/<name>, description in metadata", async () => {
  const root = await Deno.makeTempDir();
  try {
    const c = new Catalog(root, [{ name: "mesures", layer: "gold", description: "desc" }]);
    await c.table("mesures").append(frame([1], [1]));
    assert.deepEqual(await c.existing(), ["mesures"]);
    const snap = await loadSnapshot(join(root, "gold", "mesures"));
    assert.equal(snap.metadata.description, "desc");
    assert.equal(snap.metadata.name, "mesures");
    // A name known only at run time (typed string) is checked when used.
    assert.throws(() => c.table("autre" as string), /unknown table autre/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Rows of a frame as sorted JSON lines (a read's order is the files' order). */
const lines = (df: pl.DataFrame) => df.toRecords().map((r) => JSON.stringify(r)).sort();

const SKIP_PREDICATES: Predicate[] = [
  [{ column: "kind", eq: "b" }],
  [{ column: "kind", in: ["a", "c"] }],
  [{ column: "id", gte: 20 }],
  [{ column: "id", lt: 10 }],
  [{ column: "id", gt: 5, lte: 25 }],
  [{ column: "day", gte: "2025-03-01" }],
  [{ column: "annee", eq: 2025 }, { column: "kind", eq: "a" }],
  [{ column: "kind", eq: "z" }],
];

/** A table of five files (two partitions), each of one kind and an id range. */
async function skippingTable(t: DeltaTable): Promise<void> {
  const part = (kind: string, ids: number[], annee: number, day: string) =>
    pl.DataFrame({
      annee: ids.map(() => annee),
      kind: ids.map(() => kind),
      id: ids,
      day: ids.map(() => day),
    }).withColumns(
      pl.col("annee").cast(pl.Int32),
      pl.col("id").cast(pl.Int64),
      pl.col("day").str.strptime(pl.Date, "%Y-%m-%d"),
    );
  await t.create(part("a", [1, 2, 3], 2024, "2024-06-01"));
  await t.append(part("a", [4, 5, 6], 2025, "2025-01-15"));
  await t.append(part("b", [10, 11, null as unknown as number], 2025, "2025-02-01"));
  await t.append(part("c", [20, 30], 2025, "2025-03-10"));
  await t.append(part("b", [7, 21], 2025, "2025-03-01"));
}

Deno.test("read where: files whose stats rule the condition out are skipped, rows unchanged", async () => {
  await withTable(async (t, root) => {
    await skippingTable(t);
    const snap = await loadSnapshot(root);
    const all = await t.read();
    for (const where of SKIP_PREDICATES) {
      let skipped = 0;
      const want = lines(all.filter(predicateExpr(where, snap.schema)));
      assert.deepEqual(lines(await t.read({ where })), want, JSON.stringify(where));
      // Each file in turn is made unreadable: the read succeeds exactly when it skips the file.
      for (const f of snap.files) {
        const path = join(root, decodeURIComponent(f.path));
        const inPartition = where.every((c) =>
          c.column !== "annee" || String(c.eq) === f.partitionValues.annee
        );
        const skips = !inPartition ||
          !statsMayMatch(f, where.filter((c) => c.column !== "annee"), snap.schema);
        await Deno.rename(path, `${path}.away`);
        try {
          if (skips) {
            skipped++;
            assert.deepEqual(lines(await t.read({ where })), want, JSON.stringify(where));
          } else await assert.rejects(t.read({ where }));
        } finally {
          await Deno.rename(`${path}.away`, path);
        }
      }
      // Every predicate above rules out at least one of the five files by partition or stats.
      assert.ok(skipped > 0, `no file skipped for ${JSON.stringify(where)}`);
    }
  }, { partitionColumns: ["annee"] });
});

Deno.test("read where: a log without stats keeps every file", async () => {
  await withTable(async (t, root) => {
    await skippingTable(t);
    const log = join(root, "_delta_log");
    for (const e of Deno.readDirSync(log)) {
      if (!e.name.endsWith(".json")) continue;
      const text = Deno.readTextFileSync(join(log, e.name)).split("\n").map((l) => {
        if (!l.startsWith('{"add"')) return l;
        const a = JSON.parse(l);
        delete a.add.stats;
        return JSON.stringify(a);
      });
      Deno.writeTextFileSync(join(log, e.name), text.join("\n"));
    }
    const snap = await loadSnapshot(root);
    assert.ok(snap.files.every((f) => f.stats === undefined));
    const where: Predicate = [{ column: "kind", eq: "z" }];
    assert.equal((await t.read({ where })).height, 0);
    const path = join(root, decodeURIComponent(snap.files[0].path));
    await Deno.rename(path, `${path}.away`);
    await assert.rejects(t.read({ where }));
  }, { partitionColumns: ["annee"] });
});

Deno.test("fileSplitColumns: no write nor OPTIMIZE puts two kinds in one file", async () => {
  await withTable(async (t, root) => {
    const df = (kinds: string[], ids: number[]) =>
      pl.DataFrame({ annee: ids.map(() => 2025), kind: kinds, id: ids })
        .withColumns(pl.col("annee").cast(pl.Int32), pl.col("id").cast(pl.Int64));
    /** Per file, its distinct kinds (and its partition). */
    const kindsPerFile = async () => {
      const snap = await loadSnapshot(root);
      const out = [];
      for (const f of snap.files) {
        const rows = await readFiles(snap, [f]);
        out.push(`${f.partitionValues.annee}:${rows.getColumn("kind").unique().sort().toArray()}`);
      }
      return out.sort();
    };
    await t.create(df(["a", "b", "a", null as unknown as string], [1, 2, 3, 4]));
    assert.deepEqual(await kindsPerFile(), ["2025:", "2025:a", "2025:b"]);
    // A merge rewriting an "a" file with new "b" rows, a replaceWhere on a data column.
    await t.merge(df(["a", "b"], [1, 5]), { keys: ["kind", "id"] });
    await t.replaceWhere(df(["b"], [6]), [{ column: "id", gte: 6 }]);
    const files = await kindsPerFile();
    assert.ok(files.every((f) => !f.includes(",")), files.join(" "));
    // OPTIMIZE compacts the small files of each kind together, never across kinds.
    await t.optimize();
    assert.deepEqual(await kindsPerFile(), ["2025:", "2025:a", "2025:b"]);
    assert.equal(await t.optimize(), null);
    assert.deepEqual(
      lines(await t.read({ columns: ["kind", "id"] })),
      lines(
        df(["a", "b", "a", null as unknown as string, "b", "b"], [1, 2, 3, 4, 5, 6]).drop("annee"),
      ),
    );
  }, { partitionColumns: ["annee"], fileSplitColumns: ["kind"] });
});

Deno.test("fileSplitColumns: a frame without the split column is refused, naming it", async () => {
  await withTable(async (t) => {
    await assert.rejects(
      () => t.create(pl.DataFrame({ id: [1, 2] })),
      (e: unknown) => e instanceof SchemaMismatchError && /file-split column kind/.test(e.message),
    );
  }, { fileSplitColumns: ["kind"] });
});
