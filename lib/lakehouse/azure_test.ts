/**
 * The lakehouse on Azure Blob storage, against Azurite started by the test itself (127.0.0.1, a
 * free port, a temporary folder; stopped at the end, failures included): the storage contract
 * on both implementations, every table operation read back as locally, the golden tables written
 * by Spark uploaded and read back, concurrent writers, a writer killed before its commit, the
 * lock, and credentials kept out of error messages.
 */

import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAzurite } from "../testing/azurite.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { canonicalRows } from "./_golden.ts";
import { Catalog } from "./catalog.ts";
import { acquireLakehouseLock, LakehouseLockedError, LOCK_FILE } from "./lock.ts";
import { loadSnapshot, LOG_DIR } from "./log.ts";
import { readFiles } from "./reader.ts";
import { querySql, withTablesOnDisk } from "./sql.ts";
import { joinLocation, locate, type Storage, StorageLocationError } from "./storage.ts";
import { DeltaTable } from "./table.ts";

const WRITER = fileURLToPath(new URL("./testdata/writer.ts", import.meta.url));
const KERNEL = sharedDataPath("delta-golden", "kernel-golden");
/** Golden tables with binary columns, which nodejs-polars cannot read (see golden_test.ts). */
const BINARY = new Set([
  "data-reader-array-primitives",
  "data-reader-primitives",
  "parquet-all-types",
  "parquet-all-types-legacy-format",
  "table-with-columnmapping-mode-id",
  "table-with-columnmapping-mode-name",
]);

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array | null) => b === null ? null : new TextDecoder().decode(b);

/** The same contract, whichever storage holds `base`. */
async function storageContract(base: string): Promise<void> {
  const { storage, key } = locate(base);
  const k = (name: string) => join(key, name);
  const where = `${storage.kind}: `;
  assert.equal(await storage.read(k("a.json")), null, where + "absent reads null");
  assert.equal(await storage.stat(k("a.json")), null);
  assert.equal(await storage.putIfAbsent(k("a.json"), text("one")), true);
  assert.equal(await storage.putIfAbsent(k("a.json"), text("two")), false, where + "name taken");
  assert.equal(decode(await storage.read(k("a.json"))), "one");
  await storage.put(k("a.json"), text("three"));
  assert.equal(decode(await storage.read(k("a.json"))), "three", where + "put replaces");
  assert.equal(decode(await storage.readRange(k("a.json"), 1, 3)), "hre");
  assert.equal((await storage.stat(k("a.json")))?.size, 5);
  await storage.put(k("sub/b.json"), text("b"), { fresh: true });
  const names = (await storage.list(key)).map((e) => `${e.name}${e.folder ? "/" : ""}`).sort();
  assert.deepEqual(names, ["a.json", "sub/"], where + "one level");
  const all = (await storage.list(key, { recursive: true })).map((e) => e.name).sort();
  assert.deepEqual(all, ["a.json", "sub/b.json"], where + "recursive");
  assert.deepEqual(await storage.list(k("nowhere")), []);
  const v1 = (await storage.readVersioned(k("a.json")))!;
  assert.equal(await storage.replaceIfVersion(k("a.json"), text("four"), v1.version), true);
  assert.equal(await storage.replaceIfVersion(k("a.json"), text("five"), v1.version), false);
  assert.equal(decode(await storage.read(k("a.json"))), "four", where + "compare-and-swap");
  assert.equal(await storage.deleteIfVersion(k("a.json"), v1.version), false);
  const v2 = (await storage.readVersioned(k("a.json")))!;
  assert.equal(await storage.deleteIfVersion(k("a.json"), v2.version), true);
  assert.equal(await storage.delete(k("sub/b.json")), true);
  assert.equal(await storage.delete(k("sub/b.json")), false);
}

const frame = (ids: number[], mw: number, annee = 2025) =>
  pl.DataFrame({ annee: ids.map(() => annee), id: ids, mw: ids.map(() => mw) })
    .withColumns(pl.col("annee").cast(pl.Int32), pl.col("id").cast(pl.Int64));

/** The same writes on a table, whatever its location; the versions it went through. */
async function writeHistory(root: string): Promise<DeltaTable> {
  const t = new DeltaTable(root, {
    partitionColumns: ["annee"],
    keyColumns: ["annee", "id"],
    configuration: { "delta.checkpointInterval": "3" },
  });
  await t.append(frame([1, 2, 3], 10)); // v0
  await t.append(frame([4], 11, 2024)); // v1
  await t.merge(frame([2, 5], 20)); // v2
  await t.replaceWhere(frame([9], 30, 2024), [{ column: "annee", eq: 2024 }]); // v3: checkpoint
  await t.overwrite(frame([1, 2, 3, 4], 40)); // v4
  await t.append(frame([6], 50)); // v5
  return t;
}

async function allVersions(t: DeltaTable): Promise<string[][]> {
  const out: string[][] = [];
  for (let v = 0; v <= await t.version(); v++) {
    out.push(canonicalRows(await t.read({ version: v })));
  }
  return out;
}

function spawnWriter(...args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Uploads a local folder's files under an Azure location, keeping relative names. */
async function upload(dir: string, target: string): Promise<number> {
  const { storage, key } = locate(target);
  const files = await locate(dir).storage.list(dir, { recursive: true });
  await Promise.all(files.map(async (f) => {
    const bytes = await Deno.readFile(join(dir, f.name));
    await storage.put(`${key}/${f.name}`, bytes);
  }));
  return files.length;
}

/** A lock blob held by a process that has ended, on this host. */
async function staleLock(storage: Storage, key: string): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  await storage.put(
    key,
    text(JSON.stringify({
      pid: child.pid,
      host: Deno.hostname(),
      started_at: new Date().toISOString(),
      owner: "a dead run",
      process_start: 1,
      token: crypto.randomUUID(),
    })),
  );
  return child.pid;
}

Deno.test({
  name: "azure: the lakehouse on Azure Blob storage (Azurite)",
  // Azurite's process and the SDK's keep-alive sockets outlive single steps.
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await using azurite = await startAzurite();
  const previous = Deno.env.get("AZURE_STORAGE_CONNECTION_STRING");
  Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString);
  const local = await Deno.makeTempDir();
  try {
    await t.step("storage contract: local folders and Azure blobs behave the same", async () => {
      await storageContract(join(local, "contract"));
      await storageContract("az://contract/some/prefix");
    });

    await t.step("every table operation reads back on Azure as locally", async () => {
      const here = await writeHistory(join(local, "history"));
      const there = await writeHistory("az://lake/history");
      assert.equal(there.root, "az://lake/history");
      assert.deepEqual(await allVersions(there), await allVersions(here));
      assert.deepEqual(
        (await there.history()).map((h) => h.operation),
        (await here.history()).map((h) => h.operation),
      );
      const log = locate(joinLocation(there.root, LOG_DIR));
      const names = (await log.storage.list(log.key)).map((e) => e.name);
      assert.ok(names.includes("00000000000000000003.checkpoint.parquet"), names.join(", "));
      assert.ok(names.includes("_last_checkpoint"));
      // Time travel by timestamp: the blob's time of each commit.
      const v2 = (await there.history()).find((h) => h.version === 2)!;
      assert.deepEqual(
        canonicalRows(await there.read({ timestamp: v2.timestamp })),
        canonicalRows(await there.read({ version: 2 })),
      );
      const changes = await there.changesSince(3);
      const localChanges = await here.changesSince(3);
      assert.deepEqual(canonicalRows(changes.inserted), canonicalRows(localChanges.inserted));
      assert.deepEqual(canonicalRows(changes.deleted), canonicalRows(localChanges.deleted));
      // OPTIMIZE, then VACUUM (retention 0, forced) deletes what no version needs any more.
      const before = canonicalRows(await there.read());
      assert.ok((await there.optimize()) !== null);
      assert.deepEqual(canonicalRows(await there.read()), before);
      const referenced = new Set((await there.files()).map((f) => f.path));
      const vacuumed = await there.vacuum({ retentionHours: 0, force: true });
      assert.ok(vacuumed.files.length > 0);
      for (const f of vacuumed.files) assert.ok(!referenced.has(f), f);
      const { storage, key } = locate(there.root);
      const left = (await storage.list(key, { recursive: true }))
        .filter((e) => !e.name.startsWith("_delta_log/")).map((e) => e.name).sort();
      assert.deepEqual(left, [...referenced].sort());
      assert.deepEqual(canonicalRows(await there.read()), before);
    });

    await t.step(
      "SQL reads Azure tables through the local cache, time travel included",
      async () => {
        const cacheDir = join(local, "cache");
        const definitions = [{ name: "mesures", layer: "silver", partitionColumns: ["annee"] }];
        const sql = "SELECT annee, count(*) AS n, sum(mw) AS mw FROM silver.mesures " +
          "GROUP BY annee ORDER BY annee";
        const results = [];
        for (const root of [join(local, "sql"), "az://lake/sql"]) {
          const catalog = new Catalog(root, definitions);
          await catalog.table("mesures").append(frame([1, 2], 1.5));
          await catalog.table("mesures").append(frame([3], 2.5, 2024));
          results.push([
            (await querySql(catalog, sql, { cacheDir })).toRecords(),
            (await querySql(catalog, 'SELECT count(*) AS n FROM "mesures@v0"', { cacheDir }))
              .toRecords(),
          ]);
        }
        assert.deepEqual(results[1], results[0]);
        assert.deepEqual(results[1][1], [{ n: 2 }]);
        // Tables found in the container without a catalogue (deno task sql on a lakehouse).
        const found = await withTablesOnDisk(new Catalog("az://lake/sql"));
        assert.deepEqual(found.list(), [{ name: "mesures", layer: "silver" }]);
        // Two data files cached (the local table is read in place).
        assert.equal([...Deno.readDirSync(cacheDir)].filter((e) => e.isFile).length, 2);
      },
    );

    await t.step(
      "golden tables written by Spark, uploaded to Azure, read as from disk",
      async () => {
        if (!existsSync(KERNEL)) return; // the golden test names the missing shared folder
        const tables = [...Deno.readDirSync(KERNEL)]
          .map((e) => e.name)
          .filter((n) => !BINARY.has(n) && existsSync(join(KERNEL, n, "expected")))
          .sort();
        assert.ok(tables.length >= 60, `${tables.length} golden tables`);
        const uploaded = await Promise.all(
          tables.map((n) => upload(join(KERNEL, n, "delta"), `az://golden/${n}`)),
        );
        assert.ok(uploaded.every((n) => n > 0));
        for (const name of tables) {
          const disk = await loadSnapshot(join(KERNEL, name, "delta"));
          const blob = await loadSnapshot(`az://golden/${name}`);
          assert.equal(blob.version, disk.version, name);
          assert.deepEqual(
            canonicalRows(await readFiles(blob)),
            canonicalRows(await readFiles(disk)),
            name,
          );
        }
        // Deletion vectors and a partitioned checkpoint through SQL on Azure.
        const catalog = new Catalog("az://golden", [{
          name: "dv",
          layer: "golden",
          path: "dv-partitioned-with-checkpoint",
        }]);
        const rows = await querySql(catalog, "SELECT count(*) AS n FROM dv", {
          cacheDir: join(local, "cache"),
        });
        const disk = await readFiles(
          await loadSnapshot(join(KERNEL, "dv-partitioned-with-checkpoint", "delta")),
        );
        assert.deepEqual(rows.toRecords(), [{ n: disk.height }]);
      },
    );

    await t.step("two concurrent writer processes: every append lands exactly once", async () => {
      const root = "az://lake/concurrent";
      const table = new DeltaTable(root);
      await table.append(pl.DataFrame({ tag: ["seed"], i: [-1] }));
      const n = 8;
      const outputs = await Promise.all(
        ["a", "b"].map((tag) => spawnWriter("append", root, tag, String(n)).output()),
      );
      for (const o of outputs) assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
      const df = await table.read();
      assert.equal(df.height, 2 * n + 1);
      for (const tag of ["a", "b"]) {
        const is = df.filter(pl.col("tag").eq(pl.lit(tag))).getColumn("i").toArray() as number[];
        assert.deepEqual(is.sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
      }
      assert.equal(await table.version(), 2 * n);
    });

    await t.step("a writer killed between its data files and its commit", async () => {
      const root = "az://lake/crash";
      const table = new DeltaTable(root);
      await table.append(pl.DataFrame({ tag: ["ok"], i: [1] }));
      const child = spawnWriter("crash", root);
      const reader = child.stdout.getReader();
      const { value } = await reader.read();
      assert.match(new TextDecoder().decode(value), /files written/);
      child.kill("SIGKILL");
      await child.status;
      reader.releaseLock();
      await child.stdout.cancel();
      await child.stderr.cancel();
      assert.equal(await table.version(), 0);
      assert.deepEqual((await table.read()).getColumn("tag").toArray(), ["ok"]);
      // The orphan is there, unreferenced; VACUUM finds exactly it.
      const { storage, key } = locate(root);
      const data = (await storage.list(key, { recursive: true }))
        .filter((e) => e.name.endsWith(".parquet")).map((e) => e.name);
      const referenced = (await table.files()).map((f) => f.path);
      const orphans = data.filter((f) => !referenced.includes(f));
      assert.equal(orphans.length, 1);
      const dry = await table.vacuum({ retentionHours: 0, force: true, dryRun: true });
      assert.deepEqual(dry.files, orphans);
      await table.vacuum({ retentionHours: 0, force: true });
      assert.equal(await storage.stat(`${key}/${orphans[0]}`), null);
      await table.append(pl.DataFrame({ tag: ["next"], i: [2] }));
      assert.deepEqual((await table.read()).sort("i").getColumn("tag").toArray(), ["ok", "next"]);
    });

    await t.step("lock: one holder at a time, a dead holder's lock taken over once", async () => {
      const dir = "az://lake/locked";
      const lock = await acquireLakehouseLock(dir, { owner: "run-1" });
      assert.equal(lock.path, `${dir}/${LOCK_FILE}`);
      await assert.rejects(
        acquireLakehouseLock(dir),
        (e: unknown) => e instanceof LakehouseLockedError && /run-1/.test(e.message),
      );
      assert.equal(await lock.release(), true);
      const { storage, key } = locate(lock.path);
      assert.equal(await storage.stat(key), null);
      const dead = await staleLock(storage, key);
      const takers = await Promise.allSettled([
        acquireLakehouseLock(dir, { owner: "a" }),
        acquireLakehouseLock(dir, { owner: "b" }),
      ]);
      const won = takers.filter((r) => r.status === "fulfilled");
      assert.equal(won.length, 1);
      const winner = (won[0] as PromiseFulfilledResult<Awaited<typeof lock>>).value;
      assert.equal(winner.tookOverFrom?.pid, dead);
      const lost = takers.find((r) => r.status === "rejected") as PromiseRejectedResult;
      assert.ok(lost.reason instanceof LakehouseLockedError, String(lost.reason));
      assert.equal(await winner.release(), true);
    });

    await t.step("a wrong key fails with the location, never the key, in the message", async () => {
      const key = "V3J vbmcga2V5IGZvciB0ZXN0cw==".replace(" ", "");
      const wrong = azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${key}`);
      Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", wrong);
      try {
        const error = await new DeltaTable("az://lake/history").read().then(
          () => null,
          (e) => e,
        );
        assert.ok(error instanceof StorageLocationError, String(error));
        assert.match(error.message, /az:\/\/lake\/history/);
        assert.ok(!error.message.includes(key));
        assert.ok(!error.message.includes(azurite.connectionString.split("AccountKey=")[1]));
      } finally {
        Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString);
      }
      Deno.env.delete("AZURE_STORAGE_CONNECTION_STRING");
      try {
        assert.throws(() => locate("az://lake/x"), /AZURE_STORAGE_CONNECTION_STRING/);
      } finally {
        Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString);
      }
    });
  } finally {
    if (previous === undefined) Deno.env.delete("AZURE_STORAGE_CONNECTION_STRING");
    else Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", previous);
    await Deno.remove(local, { recursive: true });
  }
});
