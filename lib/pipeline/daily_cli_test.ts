import assert from "node:assert/strict";
import { ingestFiles } from "./ingest.ts";
import { openCatalog } from "./catalog.ts";
import { refreshSilver } from "./silver_step.ts";
import { latestSilverInstant } from "./daily_cli.ts";
import type { Manifest } from "../runner/manifest.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");

Deno.test("the daily job's data age: the latest silver instant of the run's lakehouse", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = { parameters: { lakehouse_dir: dir } } as unknown as Manifest;
    // No silver yet: unknown, not an error.
    assert.equal(await latestSilverInstant(manifest), null);
    const catalog = openCatalog(dir);
    await ingestFiles(catalog, [TR_2016]);
    await refreshSilver(catalog);
    // The June 2016 file's last line with a consumption: 25 June 09:45 Paris time.
    assert.equal(
      (await latestSilverInstant(manifest))?.toISOString(),
      "2016-06-25T07:45:00.000Z",
    );
    // ODRÉ's history (reference data, up to 2025) says nothing of the inputs' freshness.
    await ingestFiles(catalog, [
      sharedDataPath("eco2mix/odre/consommation-quotidienne-brute.csv.gz"),
    ]);
    await refreshSilver(catalog);
    assert.equal(
      (await latestSilverInstant(manifest))?.toISOString(),
      "2016-06-25T07:45:00.000Z",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
