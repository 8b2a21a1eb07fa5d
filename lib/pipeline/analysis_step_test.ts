import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { refreshAnomalies } from "./analysis_step.ts";
import { refreshSilver } from "./silver_step.ts";
import { ingestFiles } from "./ingest.ts";
import { openCatalog } from "./catalog.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

Deno.test("anomalies of the 2025 file are stored, public holidays among the troughs", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await ingestFiles(catalog, [
    sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls"),
  ]);
  await refreshSilver(catalog);
  const written = await refreshAnomalies(catalog);
  const stored = await catalog.table("anomalies").read();
  assert.equal(stored.height, written.anomalies.height);
  assert.ok(stored.height > 0);
  // 1 May (Labour Day, a Thursday in 2025) must come out as unusually low consumption.
  const mayDay = stored.filter(
    pl.col("serie").eq(pl.lit("consommation"))
      .and(
        pl.col("timestamp").dt.convertTimeZone("Europe/Paris").dt.strftime("%m-%d").eq(
          pl.lit("05-01"),
        ),
      ),
  );
  assert.ok(mayDay.height > 0);
  assert.ok((mayDay.getColumn("ecart").toArray() as number[]).every((e) => e < 0));
  // Grouped into events: the 1 May trough is one row naming the holiday.
  const events = await catalog.table("evenements_anomalies").read();
  assert.equal(events.height, written.events.height);
  assert.ok(events.height > 0 && events.height < stored.height);
  const mayEvent = events.filter(
    pl.col("serie").eq(pl.lit("consommation")).and(
      pl.col("debut_utc").dt.convertTimeZone("Europe/Paris").dt.strftime("%m-%d").eq(
        pl.lit("05-01"),
      ),
    ),
  ).toRecords();
  assert.equal(mayEvent.length, 1);
  assert.match(String(mayEvent[0].cause_probable), /^jour férié \(jeudi 1er mai 2025\)/);
  assert.ok((mayEvent[0].ecart_energie_mwh as number) < 0);
});
