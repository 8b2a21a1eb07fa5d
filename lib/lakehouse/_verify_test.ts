import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { Catalog } from "./catalog.ts";
import { DataFileCorruptError } from "./errors.ts";
import { commitFileName, LOG_DIR } from "./log.ts";
import { querySql } from "./sql.ts";

// A silver-like table of 400 rows in two files (partitions 2024 and 2025).
const ROWS = 400;

async function withTable(
  fn: (catalog: Catalog, file: (year: number) => Promise<string>) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "verify_test_" });
  try {
    const catalog = new Catalog(root, [
      { name: "mesures", layer: "silver", partitionColumns: ["annee"] },
    ]);
    await catalog.table("mesures").append(
      pl.DataFrame({
        annee: Array.from({ length: ROWS }, (_, i) => (i < ROWS / 2 ? 2024 : 2025)),
        id: Array.from({ length: ROWS }, (_, i) => i),
        mw: Array.from({ length: ROWS }, (_, i) => i * 1.5),
      }).withColumns(pl.col("annee").cast(pl.Int32), pl.col("id").cast(pl.Int64)),
    );
    const file = async (year: number) => {
      const files = await catalog.table("mesures").files();
      return files.find((f) => f.partitionValues.annee === String(year))!.path;
    };
    await fn(catalog, file);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Both read paths fail with the typed error naming the table, version and file. */
async function assertBothPathsRefuse(catalog: Catalog, file: string, difference: RegExp) {
  const check = (e: unknown) => {
    assert.ok(e instanceof DataFileCorruptError, String(e));
    assert.equal(e.table, catalog.pathOf("mesures"));
    assert.equal(e.version, 0);
    assert.equal(e.file, file);
    assert.match(e.message, /\(version 0\): data file annee=2025\/part-.* does not match/);
    assert.match(e.message, difference);
    return true;
  };
  await assert.rejects(catalog.table("mesures").read(), check);
  // Even when the query would not read the file's rows.
  await assert.rejects(catalog.table("mesures").read({ columns: ["annee"] }), check);
  await assert.rejects(querySql(catalog, "SELECT count(*) AS n FROM mesures"), check);
}

Deno.test("verify: a data file overwritten by another Parquet file is refused on both read paths", async () => {
  await withTable(async (catalog, file) => {
    const rel = await file(2025);
    const path = join(catalog.pathOf("mesures"), rel);
    const before = (await Deno.stat(path)).size;
    // What a `COPY ... TO` over the file did: one row of something else.
    pl.DataFrame({ autre: [1] }).writeParquet(path, { compression: "zstd" });
    const after = (await Deno.stat(path)).size;
    assert.notEqual(after, before);
    await assertBothPathsRefuse(
      catalog,
      rel,
      new RegExp(`size on disk ${after} bytes, add\\.size ${before}$`),
    );
  });
});

Deno.test("verify: a truncated data file is refused on both read paths", async () => {
  await withTable(async (catalog, file) => {
    const rel = await file(2025);
    const path = join(catalog.pathOf("mesures"), rel);
    const size = (await Deno.stat(path)).size;
    await Deno.truncate(path, Math.floor(size / 2));
    await assertBothPathsRefuse(
      catalog,
      rel,
      new RegExp(`size on disk ${Math.floor(size / 2)} bytes, add\\.size ${size}$`),
    );
  });
});

/** Rewrites the commit of version 0 with `edit` applied to the add action of `rel`. */
async function editAdd(
  catalog: Catalog,
  rel: string,
  edit: (add: Record<string, unknown>) => void,
) {
  const log = join(catalog.pathOf("mesures"), LOG_DIR, commitFileName(0));
  const lines = (await Deno.readTextFile(log)).trim().split("\n").map((l) => JSON.parse(l));
  const action = lines.find((a) => decodeURIComponent(a.add?.path ?? "") === rel);
  assert.ok(action, `add of ${rel}`);
  edit(action.add);
  await Deno.writeTextFile(log, lines.map((a) => JSON.stringify(a)).join("\n") + "\n");
}

Deno.test("verify: a row count that differs from stats.numRecords is refused on both read paths", async () => {
  await withTable(async (catalog, file) => {
    const rel = await file(2025);
    const path = join(catalog.pathOf("mesures"), rel);
    // Another file of other rows, whose size the log then records: only the rows differ.
    pl.DataFrame({ id: [1, 2, 3], mw: [1.5, 2.5, 3.5] }).writeParquet(path, {
      compression: "zstd",
    });
    const size = (await Deno.stat(path)).size;
    await editAdd(catalog, rel, (add) => add.size = size);
    await assertBothPathsRefuse(
      catalog,
      rel,
      new RegExp(`3 rows in the Parquet footer, stats\\.numRecords ${ROWS / 2}$`),
    );
  });
});

Deno.test("verify: a file whose last bytes are not a Parquet footer is refused", async () => {
  await withTable(async (catalog, file) => {
    const rel = await file(2025);
    const path = join(catalog.pathOf("mesures"), rel);
    const bytes = await Deno.readFile(path);
    bytes.fill(0, bytes.length - 4);
    await Deno.writeFile(path, bytes);
    await assertBothPathsRefuse(catalog, rel, /no Parquet footer/);
  });
});

Deno.test("verify: a missing data file is refused on both read paths", async () => {
  await withTable(async (catalog, file) => {
    const rel = await file(2025);
    await Deno.remove(join(catalog.pathOf("mesures"), rel));
    await assertBothPathsRefuse(catalog, rel, /the file is missing \(.*annee=2025\/part-/);
  });
});

Deno.test("verify: without stats (optional in the protocol) the size alone is checked", async () => {
  await withTable(async (catalog, file) => {
    const rel = await file(2025);
    await editAdd(catalog, rel, (add) => delete add.stats);
    const df = await catalog.table("mesures").read({ columns: ["annee"] });
    assert.equal(df.height, ROWS); // rows of a partition-only read come from the footer
    const n = await querySql(catalog, "SELECT count(*) AS n FROM mesures WHERE annee = 2025");
    assert.equal(Number(n.getColumn("n").toArray()[0]), ROWS / 2);
    await Deno.truncate(join(catalog.pathOf("mesures"), rel), 100);
    await assertBothPathsRefuse(catalog, rel, /size on disk 100 bytes/);
  });
});
