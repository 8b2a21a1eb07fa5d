import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { MissingSilverError, refreshGold } from "./gold_step.ts";
import { refreshSilver } from "./silver_step.ts";
import { ingestFiles } from "./ingest.ts";
import { GOLD_TABLES, type LakehouseCatalog, openCatalog } from "./catalog.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { assertSameRows } from "../testing/same_rows.ts";
import { join } from "node:path";

const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
const regional = (region: string) =>
  sharedDataPath(`eco2mix/regional/eCO2mix_RTE_${region}_Annuel-Definitif_2014.xls`);

/** Every gold table, rows sorted on all columns. */
async function goldTables(catalog: LakehouseCatalog): Promise<Record<string, pl.DataFrame>> {
  const out: Record<string, pl.DataFrame> = {};
  for (const name of GOLD_TABLES) {
    const df = await catalog.table(name).read();
    out[name] = df.sort(df.columns);
  }
  return out;
}

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
  await assert.rejects(refreshGold(openCatalog(await Deno.makeTempDir())), MissingSilverError);
});

Deno.test("a day more of silver: gold recomputes its week, replaces it, equal to a full rebuild", async () => {
  const root = await Deno.makeTempDir();
  const catalog = openCatalog(root);
  const current = join(root, "eCO2mix_RTE_En-cours-TR.xls");
  const download = await Deno.readFile(TR_2025);
  await Deno.writeFile(current, growingFileVersion(download, { days: 60 }));
  await ingestFiles(catalog, [current, regional("Bretagne"), regional("Normandie")]);
  await refreshSilver(catalog);
  const first = await refreshGold(catalog);
  assert.equal(first.mode, "complet");
  const regions2014 = (t: Record<string, pl.DataFrame>) =>
    t.production_par_source_horaire.filter(pl.col("date").dt.year().eq(2014));
  const before = await goldTables(catalog);

  // Day 61 (Sunday 2 March 2025) is measured now; day 60's last rows are revised: the week of
  // 24 February to 2 March is recomputed (future rows stay out of silver).
  await Deno.writeFile(current, growingFileVersion(download, { days: 61 }));
  await ingestFiles(catalog, [current]);
  await refreshSilver(catalog);
  const next = await refreshGold(catalog);
  assert.equal(next.mode, "incremental");
  assert.deepEqual(
    next.days.map((d) => d.toISOString().slice(0, 10)),
    [
      "2025-02-24",
      "2025-02-25",
      "2025-02-26",
      "2025-02-27",
      "2025-02-28",
      "2025-03-01",
      "2025-03-02",
    ],
  );
  const after = await goldTables(catalog);
  assert.ok(regions2014(after).frameEqual(regions2014(before)), "2014 untouched");
  // The days of that week replaced in the daily mix; the episodes recomputed whole.
  const recomputed = Object.fromEntries(next.recomputed.map((r) => [r.table, r.rows]));
  assert.equal(recomputed.mix_energetique_quotidien, 7);
  assert.equal(recomputed.episodes_echanges, after.episodes_echanges.height);
  const [write] = await catalog.table("mix_energetique_quotidien").history(1);
  assert.match(String(write.operationParameters?.predicate), /date IN/);
  // Frames: the tables as stored.
  assert.equal(
    next.frames.mix_energetique_quotidien.height,
    after.mix_energetique_quotidien.height,
  );

  const full = await refreshGold(catalog, { full: true });
  assert.equal(full.mode, "complet");
  const rebuilt = await goldTables(catalog);
  for (const name of GOLD_TABLES) assertSameRows(after[name], rebuilt[name], { label: name });
  assert.equal((await refreshGold(catalog)).mode, "a_jour");

  // A third region: the national view of every day changes, everything is rebuilt.
  await ingestFiles(catalog, [regional("PACA")]);
  await refreshSilver(catalog);
  const region = await refreshGold(catalog);
  assert.equal(region.mode, "complet");
  assert.match(region.reason, /régions/);
  // Other options: another state, rebuilt.
  assert.equal((await refreshGold(catalog, { nationalView: false })).mode, "complet");
});
