import assert from "node:assert/strict";
import { Catalog } from "./catalog.ts";

Deno.test("catalog resolves paths and rejects duplicates", () => {
  const c = new Catalog("/lake", [
    { name: "brut", layer: "bronze" },
    { name: "agrege", layer: "gold", path: "gold/agrege_v2", partitionColumns: ["annee"] },
  ]);
  assert.equal(c.pathOf("brut"), "/lake/bronze/brut");
  assert.equal(c.pathOf("agrege"), "/lake/gold/agrege_v2");
  assert.deepEqual(c.table("agrege").options.partitionColumns, ["annee"]);
  assert.throws(() => c.define({ name: "brut", layer: "silver" }), /defined twice/);
  assert.deepEqual(c.list().map((d) => d.name), ["brut", "agrege"]);
});

Deno.test("createLayout makes one folder per layer, idempotently, keeping contents", async () => {
  const root = `${await Deno.makeTempDir()}/lake`;
  const catalog = new Catalog(root, [
    { name: "a", layer: "bronze" },
    { name: "b", layer: "silver" },
    { name: "c", layer: "silver" },
  ]);
  assert.deepEqual(await catalog.createLayout(), {
    bronze: `${root}/bronze`,
    silver: `${root}/silver`,
  });
  await Deno.writeTextFile(`${root}/silver/keep`, "x");
  await catalog.createLayout();
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name).sort(), ["bronze", "silver"]);
  assert.equal(await Deno.readTextFile(`${root}/silver/keep`), "x");
});
