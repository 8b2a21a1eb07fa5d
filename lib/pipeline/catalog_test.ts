import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { GOLD_PERIODS } from "../layers/gold.ts";
import {
  catalogOverview,
  GOLD_TABLES,
  openCatalog,
  StorageLocationError,
  TABLE,
  TABLE_NAMES,
  TABLES,
} from "./catalog.ts";

Deno.test("every table has a layer among bronze/silver/gold and a description", () => {
  for (const t of TABLES) {
    assert.ok(["bronze", "silver", "gold"].includes(t.layer), t.name);
    assert.ok((t.description ?? "").length > 20, t.name);
    assert.match(t.name, /^[a-z][a-z0-9_]*$/);
  }
});

Deno.test("openCatalog: a relative root resolved, Azure locations kept, others refused", () => {
  assert.ok(openCatalog("lake").root.startsWith("/"));
  const env = Deno.env.toObject();
  Deno.env.set("AZURE_STORAGE_ACCOUNT", "compte");
  Deno.env.set("AZURE_STORAGE_KEY", btoa("not a real key"));
  Deno.env.delete("AZURE_STORAGE_CONNECTION_STRING");
  try {
    const catalog = openCatalog("abfss://lake@compte.dfs.core.windows.net/eco2mix");
    assert.equal(catalog.root, "az://lake/eco2mix");
    assert.equal(catalog.pathOf("eco2mix_silver"), "az://lake/eco2mix/silver/eco2mix_silver");
    assert.throws(
      () => openCatalog("abfss://lake@autre.dfs.core.windows.net/eco2mix"),
      (e: unknown) => e instanceof StorageLocationError && /account autre/.test(e.message),
    );
    Deno.env.delete("AZURE_STORAGE_ACCOUNT");
    assert.throws(
      () => openCatalog("az://lake/eco2mix"),
      (e: unknown) => e instanceof StorageLocationError && /AZURE_STORAGE_/.test(e.message),
    );
  } finally {
    for (const name of ["AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY"]) {
      if (env[name] === undefined) Deno.env.delete(name);
      else Deno.env.set(name, env[name]);
    }
    if (env.AZURE_STORAGE_CONNECTION_STRING !== undefined) {
      Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", env.AZURE_STORAGE_CONNECTION_STRING);
    }
  }
  assert.throws(() => openCatalog("s3://bucket/lake"), StorageLocationError);
});

Deno.test("catalogOverview reports version, last operation, files and rows of each table", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const quarantine = catalog.table("quarantaine");
  const rows = (n: number) =>
    pl.DataFrame({ source_file: Array(n).fill("f.xls"), source_line: [...Array(n).keys()] });
  await quarantine.append(rows(3));
  await quarantine.append(rows(2));
  const overview = await catalogOverview(catalog);
  const q = overview.find((o) => o.table === "quarantaine")!;
  assert.equal(q.existe, true);
  assert.equal(q.version, 1);
  assert.equal(q.derniere_operation, "WRITE");
  assert.equal(q.fichiers, 2);
  assert.equal(q.lignes, 5);
  assert.ok(q.octets > 0);
  const s = overview.find((o) => o.table === "eco2mix_silver")!;
  assert.deepEqual([s.existe, s.version, s.fichiers, s.partitions], [false, null, 0, "annee"]);
});

Deno.test("eco2mix_silver: the eCO2mix rows and the history never share a file", async () => {
  const root = await Deno.makeTempDir();
  try {
    const silver = openCatalog(root).table(TABLE.eco2mix_silver);
    const sets = ["consommation_brute", "eco2mix", "consommation_brute", "eco2mix"];
    await silver.overwrite(
      pl.DataFrame({
        annee: sets.map(() => 2025),
        jeu_donnees: sets,
        perimetre: sets.map(() => "France"),
        consommation_mw: [1, 2, 3, 4],
      }).withColumns(pl.col("annee").cast(pl.Int32)),
    );
    const files = await silver.files();
    assert.deepEqual(files.map((f) => f.numRecords), [2, 2]);
    // So that a reader of the eCO2mix rows skips the history's file by its stats.
    const eco2mix = await silver.read({ where: [{ column: "jeu_donnees", eq: "eco2mix" }] });
    assert.deepEqual(eco2mix.getColumn("consommation_mw").toArray(), [2, 4]);
    await Deno.remove(join(root, "silver", "eco2mix_silver", files[0].path));
    assert.equal(
      (await silver.read({ where: [{ column: "jeu_donnees", eq: "eco2mix" }] })).height,
      2,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("GOLD_TABLES: every table the gold layer builds, gold in the catalogue, in its order", () => {
  assert.deepEqual([...GOLD_TABLES].sort(), Object.keys(GOLD_PERIODS).sort());
  const gold = TABLES.filter((t) => t.layer === "gold").map((t) => t.name);
  assert.deepEqual(GOLD_TABLES, gold.filter((n) => (GOLD_TABLES as string[]).includes(n)));
});

Deno.test("TABLE and TABLE_NAMES: one name per table of the catalogue, each unique", () => {
  assert.deepEqual(TABLE_NAMES, TABLES.map((t) => t.name));
  assert.equal(new Set(TABLE_NAMES).size, TABLES.length);
  assert.deepEqual(Object.values(TABLE), TABLE_NAMES);
});
