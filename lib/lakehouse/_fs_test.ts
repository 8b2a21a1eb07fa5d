import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dirname, join } from "node:path";
import { durability, putIfAbsent } from "./_fs.ts";
import { commitFileName, LOG_DIR } from "./log.ts";
import { resolveLogPath } from "./partition.ts";
import { DeltaTable } from "./table.ts";

interface Sync {
  kind: "file" | "dir";
  path: string;
  /** Whether the commit being written was already in the log when the sync ran. */
  committed: boolean;
}

/** Runs `fn` with the fsync calls recorded (and still made), noting if `commit` existed then. */
async function recordingSyncs(commit: () => string, fn: () => Promise<void>): Promise<Sync[]> {
  const { syncFile, syncDirectory } = durability;
  const syncs: Sync[] = [];
  const record = (kind: Sync["kind"], path: string) => {
    let committed = true;
    try {
      Deno.statSync(commit());
    } catch {
      committed = false;
    }
    syncs.push({ kind, path, committed });
  };
  durability.syncFile = (path) => (record("file", path), syncFile(path));
  durability.syncDirectory = (path) => (record("dir", path), syncDirectory(path));
  try {
    await fn();
  } finally {
    Object.assign(durability, { syncFile, syncDirectory });
  }
  return syncs;
}

const frame = (years: number[]) =>
  pl.DataFrame({ annee: years, mw: years.map((y) => y / 10) })
    .withColumns(pl.col("annee").cast(pl.Int32));

Deno.test("fs: a write syncs its data files, folders and log entry before it reports success", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const root = join(parent, "silver", "mesures");
    const table = new DeltaTable(root, { partitionColumns: ["annee"] });
    const log = join(root, LOG_DIR);
    for (const [version, years] of [[0, [2024, 2025]], [1, [2025, 2026]]] as const) {
      const syncs = await recordingSyncs(
        () => join(log, commitFileName(version)),
        () => table.append(frame([...years])).then(() => {}),
      );
      const before = (kind: Sync["kind"], path: string) =>
        assert.ok(
          syncs.some((s) => s.kind === kind && s.path === path && !s.committed),
          `${kind} ${path} synced before the commit of version ${version}`,
        );
      const files = async (v: number) => v < 0 ? [] : (await table.snapshot({ version: v })).files;
      const previous = new Set((await files(version - 1)).map((f) => f.path));
      const added = (await files(version)).filter((f) => !previous.has(f.path));
      assert.equal(added.length, 2);
      for (const add of added) {
        const file = resolveLogPath(root, add.path);
        before("file", file);
        before("dir", dirname(file)); // the folder holding the file's name
      }
      // The log entry: its bytes, under a temporary name, then the folder after the link.
      assert.ok(
        syncs.some((s) => s.kind === "file" && dirname(s.path) === log && !s.committed),
        "temporary log entry synced before the link",
      );
      assert.ok(syncs.some((s) => s.kind === "dir" && s.path === log && s.committed));
      if (version === 0) {
        // New folders: the table's (and the layer's), its log and partitions, each in its parent.
        for (const dir of [parent, join(parent, "silver"), root]) before("dir", dir);
      } else {
        before("dir", root); // the new partition annee=2026
      }
    }
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("fs: putIfAbsent syncs the bytes before the link and the folder after it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const target = join(dir, "00000000000000000000.json");
    const syncs = await recordingSyncs(() => target, async () => {
      assert.equal(await putIfAbsent(target, new TextEncoder().encode("{}\n")), true);
    });
    assert.deepEqual(syncs.map((s) => [s.kind, s.committed]), [["file", false], ["dir", true]]);
    assert.match(syncs[0].path, new RegExp(`^${dir}/\\.[0-9a-f-]+\\.tmp$`));
    assert.equal(syncs[1].path, dir);
    // A lost race syncs nothing more than its own temporary file.
    const lost = await recordingSyncs(() => target, async () => {
      assert.equal(await putIfAbsent(target, new TextEncoder().encode("[]\n")), false);
    });
    assert.deepEqual(lost.map((s) => s.kind), ["file"]);
    assert.equal(await Deno.readTextFile(target), "{}\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
