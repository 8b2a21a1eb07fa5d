import assert from "node:assert/strict";
import { join } from "node:path";
import { refreshPrices } from "./price_step.ts";
import { refreshGold } from "./gold_step.ts";
import { refreshSilver } from "./silver_step.ts";
import { ingestFiles } from "./ingest.ts";
import { openCatalog } from "./catalog.ts";
import { PRICE_STEP, PriceFileError } from "../layers/prices.ts";
import { ReferenceDataError } from "../forecasting/mod.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const PRICES = sharedDataPath("prices/european_wholesale_electricity_price_data_daily_FRA.csv");
const NAME = "european_wholesale_electricity_price_data_daily_FRA.csv";

async function lakehouseOf(file: string) {
  const catalog = openCatalog(await Deno.makeTempDir());
  await ingestFiles(catalog, [sharedDataPath(file)]);
  await refreshSilver(catalog);
  await refreshGold(catalog);
  return catalog;
}

/** A reference folder holding `text` as the price file, below a sub-folder. */
async function referenceWith(text: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "prix"));
  await Deno.writeTextFile(join(dir, "prix", NAME), text);
  return dir;
}

Deno.test("prices of June 2016: found under the reference folder, stored, then cleared", async () => {
  const catalog = await lakehouseOf("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
  const done = await refreshPrices(catalog, { referenceDir: sharedDataPath() });
  assert.equal(done.kind, "done");
  if (done.kind !== "done") return;
  assert.equal(done.file, NAME);
  assert.equal(done.perimeter, "France");
  assert.equal(done.sha256.length, 64);
  const spot = await catalog.table("prix_spot_quotidiens").read();
  const daily = await catalog.table("prix_mix_quotidien").read();
  assert.equal(spot.height, 4137);
  assert.equal(daily.height, 25); // 1-25 June 2016
  // The days' prices are the file's (independent reading of its lines).
  const lines = new Map(
    Deno.readTextFileSync(PRICES).trim().split("\n").slice(1).map((l) => l.split(","))
      .map((f) => [f[2], Number(f[3])]),
  );
  for (const r of daily.toRecords() as Record<string, unknown>[]) {
    assert.equal(r.prix_eur_mwh, lines.get((r.date as Date).toISOString().slice(0, 10)));
  }

  // Without a price file the step is skipped, says why, and leaves no stale price.
  const empty = await Deno.makeTempDir();
  const skipped = await refreshPrices(catalog, { referenceDir: empty });
  assert.deepEqual(skipped.kind === "skipped" && [skipped.step, skipped.reason], [
    PRICE_STEP,
    "aucun fichier de prix quotidiens (european_wholesale_electricity_price_data_daily….csv, " +
    `données Ember) dans le dossier de référence ${empty}`,
  ]);
  assert.equal((await catalog.table("prix_spot_quotidiens").read()).height, 0);
  const cleared = await catalog.table("prix_mix_quotidien").read();
  assert.equal(cleared.height, 0);
  assert.deepEqual(cleared.columns, daily.columns);
});

Deno.test("prices that do not cover the data, two files, a bad file", async () => {
  const catalog = await lakehouseOf("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
  // Only the 2015 lines of the real file: nothing in June 2016.
  const lines = Deno.readTextFileSync(PRICES).split("\n");
  const only2015 = [lines[0], ...lines.filter((l) => l.includes(",2015-"))].join("\n") + "\n";
  const result = await refreshPrices(catalog, { referenceDir: await referenceWith(only2015) });
  assert.equal(result.kind, "skipped");
  assert.equal(
    result.kind === "skipped" && result.reason,
    "aucun prix ne couvre la période des données (du 01/06/2016 au 25/06/2016) ; le fichier " +
      `${NAME} couvre du 01/01/2015 au 31/12/2015`,
  );
  assert.equal((await catalog.table("prix_spot_quotidiens").read()).height, 365);
  assert.equal((await catalog.table("prix_mix_quotidien").read()).height, 0);

  const two = await referenceWith(only2015);
  await Deno.writeTextFile(
    join(two, "european_wholesale_electricity_price_data_daily.csv"),
    only2015,
  );
  await assert.rejects(refreshPrices(catalog, { referenceDir: two }), ReferenceDataError);

  const bad = await referenceWith(only2015.replace(",2015-03-02,", ",2015-03-32,"));
  await assert.rejects(
    refreshPrices(catalog, { referenceDir: bad }),
    (e) => e instanceof PriceFileError && e.message.startsWith(`${NAME}:`) && e.line > 1,
  );
});
