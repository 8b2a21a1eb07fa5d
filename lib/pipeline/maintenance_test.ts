import assert from "node:assert/strict";
import { maintainLayer } from "./maintenance.ts";
import { refreshGold } from "./gold_step.ts";
import { refreshSilver } from "./silver_step.ts";
import { ingestFiles } from "./ingest.ts";
import { GOLD_TABLES, openCatalog } from "./catalog.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");

Deno.test("gold maintenance compacts small files with ZORDER BY date, keeping rows and recent files", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await ingestFiles(catalog, [TR_2016]);
  await refreshSilver(catalog);
  await refreshGold(catalog);
  await refreshGold(catalog, { full: true }); // a second rebuild leaves removed files on disk
  // Three appends make four small files of the daily mix.
  const mixTable = catalog.table("mix_energetique_quotidien");
  const day = await mixTable.read();
  for (let i = 0; i < 3; i++) await mixTable.append(day);
  const before = await mixTable.read();
  assert.equal((await mixTable.files()).length, 4);

  const result = await maintainLayer(catalog, "gold");
  assert.deepEqual(
    result.map((r) => r.table),
    [...GOLD_TABLES, "anomalies"].filter((t) => result.some((r) => r.table === t)),
  );
  const mix = result.find((r) => r.table === "mix_energetique_quotidien")!;
  assert.deepEqual([mix.zorder, mix.fichiers_avant, mix.fichiers_apres], ["date", 4, 1]);
  assert.equal(mix.fichiers_supprimes, 0); // younger than the 7-day retention
  const after = await mixTable.read();
  assert.equal(after.height, 4 * day.height);
  assert.ok(after.sort("date").frameEqual(before.sort("date")));
  // Z-ordered by date: the single file's rows come out in date order.
  const dates = after.getColumn("date").toArray() as unknown as Date[];
  assert.ok(dates.every((d, i) => i === 0 || dates[i - 1] <= d));
});
