import assert from "node:assert/strict";
import { join } from "node:path";
import { createLakehouseLayout, StorageLocationError } from "./layout.ts";

Deno.test("the three layer folders are created, and creating again changes nothing", async () => {
  const root = join(await Deno.makeTempDir(), "lake");
  const layout = await createLakehouseLayout(root);
  assert.deepEqual(layout.layers, {
    bronze: join(root, "bronze"),
    silver: join(root, "silver"),
    gold: join(root, "gold"),
  });
  await Deno.writeTextFile(join(root, "silver", "keep"), "x");
  await createLakehouseLayout(root);
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name).sort(), [
    "bronze",
    "gold",
    "silver",
  ]);
  assert.equal(await Deno.readTextFile(join(root, "silver", "keep")), "x");
});

Deno.test("a cloud URL is refused with the way around", async () => {
  await assert.rejects(
    createLakehouseLayout("abfss://lake@account.dfs.core.windows.net/eco2mix"),
    (e: unknown) => e instanceof StorageLocationError && /mount/.test(e.message),
  );
});
