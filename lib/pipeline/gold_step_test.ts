import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EmptySilverError, refreshGold } from "./gold_step.ts";
import { refreshSilver } from "./silver_step.ts";
import { ingestFiles } from "./ingest.ts";
import { openCatalog } from "./catalog.ts";
import { GOLD_TABLES } from "../layers/gold.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");

Deno.test("gold tables are written from silver and read back identically", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await ingestFiles(catalog, [TR_2016]);
  await refreshSilver(catalog);
  const report = await refreshGold(catalog);
  assert.deepEqual(report.tables.map((t) => t.table), [...GOLD_TABLES]);
  for (const name of GOLD_TABLES) {
    const back = await catalog.table(name).read();
    assert.equal(back.height, report.frames[name].height, name);
  }
  // The day's nuclear energy: an independent sum over the raw file's quarter-hours.
  const lines = new TextDecoder("windows-1252").decode(Deno.readFileSync(TR_2016)).split("\n");
  const header = lines[0].split("\t");
  const nuclear = header.indexOf("Nucléaire");
  const june1 = lines.map((l) => l.split("\t")).filter((f) => f[2] === "2016-06-01");
  const expectedMwh = june1.reduce((t, f) => t + Number(f[nuclear]) * 0.25, 0);
  const mix = await catalog.table("mix_energetique_quotidien").read();
  const day = mix.filter(pl.col("date").dt.strftime("%Y-%m-%d").eq(pl.lit("2016-06-01")));
  assert.deepEqual(day.getColumn("nucleaire_total_mwh").toArray(), [expectedMwh]);
  assert.deepEqual(day.getColumn("jour_complet").toArray(), [true]);
});

Deno.test("gold without silver is a clear error", async () => {
  await assert.rejects(refreshGold(openCatalog(await Deno.makeTempDir())), EmptySilverError);
});
