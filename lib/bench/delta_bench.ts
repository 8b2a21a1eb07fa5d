/**
 * Benchmarks of the Delta table layer: `deno bench -A lib/bench/delta_bench.ts`.
 *
 * - commit overhead of a small append (one-row frame: data file + stats + commit);
 * - snapshot load of a table with 1,000 commits (checkpoints every 10);
 * - OPTIMIZE of 1,000 small files.
 */

import pl from "nodejs-polars";
import { join } from "node:path";
import { DeltaTable } from "../lakehouse/table.ts";
import { commit } from "../lakehouse/_commit.ts";
import { loadSnapshot } from "../lakehouse/log.ts";
import { writeDataFiles } from "../lakehouse/_write.ts";
import { schemaOfFrame } from "../lakehouse/schema.ts";

const tmp = await Deno.makeTempDir();
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));

const row = pl.DataFrame({ jour: ["2025-01-01"], mw: [1.5] });
const small = new DeltaTable(join(tmp, "small"));
await small.append(row);

Deno.bench("append one row (write Parquet + stats + commit)", async () => {
  await small.append(row);
});

// A 1,000-commit log: each commit adds one (log-only) file; checkpoints every 10 commits.
const long = new DeltaTable(join(tmp, "long"));
await long.append(row);
for (let v = 1; v < 1000; v++) {
  await commit({
    root: long.root,
    readVersion: v - 1,
    actions: [{
      add: {
        path: `part-${v}.parquet`,
        partitionValues: {},
        size: 500,
        modificationTime: Date.now(),
        dataChange: true,
        stats: '{"numRecords":1}',
      },
    }],
    info: { operation: "WRITE", isBlindAppend: true },
  });
}

Deno.bench("snapshot load, 1,000 commits (checkpoint 990 + 9 JSON)", async () => {
  const snap = await loadSnapshot(long.root);
  if (snap.files.length !== 1000) throw new Error("wrong replay");
});

Deno.bench("snapshot load, 1,000 commits, JSON only (no checkpoint)", async (b) => {
  const root = join(tmp, "json-only");
  await Deno.remove(root, { recursive: true }).catch(() => {});
  await Deno.mkdir(join(root, "_delta_log"), { recursive: true });
  for await (const e of Deno.readDir(join(long.root, "_delta_log"))) {
    if (e.name.endsWith(".json")) {
      await Deno.copyFile(join(long.root, "_delta_log", e.name), join(root, "_delta_log", e.name));
    }
  }
  b.start();
  const snap = await loadSnapshot(root);
  b.end();
  if (snap.files.length !== 1000) throw new Error("wrong replay");
});

const many = pl.DataFrame({
  id: Array.from({ length: 100_000 }, (_, i) => i),
  mw: Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 1000 / 10),
});

Deno.bench("OPTIMIZE 1,000 small files (100 rows each)", { n: 3, warmup: 0 }, async (b) => {
  const t = new DeltaTable(join(tmp, `opt-${crypto.randomUUID()}`));
  await t.append(many.head(1));
  const snap = await t.snapshot();
  const adds = await writeDataFiles(t.root, many, schemaOfFrame(many), [], {
    maxRowsPerFile: 100,
  });
  await commit({
    root: t.root,
    readVersion: snap.version,
    actions: adds.map((add) => ({ add })),
    info: { operation: "WRITE", isBlindAppend: true },
  });
  b.start();
  await t.optimize();
  b.end();
  if ((await t.files()).length !== 1) throw new Error("not compacted");
});
