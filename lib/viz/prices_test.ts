import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dailyPriceMix } from "../analysis/prices.ts";
import { carbonFootprint, dailyEnergyMix } from "../layers/gold.ts";
import { parseDailyPrices } from "../layers/prices.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { priceSpec } from "./_core_prices.ts";
import { priceFigure, toPriceData } from "./prices.ts";
import { realSilver2025 } from "./_testdata.ts";

Deno.test("the price chart of 2025: every day, negative days marked, follows the dates", () => {
  const silver = realSilver2025().filter(pl.col("jeu_donnees").eq(pl.lit("eco2mix")));
  const daily = dailyPriceMix(
    parseDailyPrices(
      Deno.readTextFileSync(
        sharedDataPath("prices/european_wholesale_electricity_price_data_daily_FRA.csv"),
      ),
      "ember.csv",
    ),
    { mix: dailyEnergyMix(silver), carbon: carbonFootprint(silver), silver },
  );
  const figure = priceFigure(daily);
  const [line, share, negative, high] = figure.data;
  assert.equal((line.x as string[]).length, 206);
  assert.equal((line.x as string[])[0], "2025-01-01");
  assert.deepEqual(line.y, daily.getColumn("prix_eur_mwh").toArray());
  assert.equal(share.yaxis, "y2");
  assert.deepEqual(negative.x, ["2025-05-10", "2025-05-11"]);
  assert.ok((high.x as string[]).length >= 10);
  const subtitle = (figure.layout.title as { subtitle: { text: string } }).subtitle.text;
  const mean = (daily.getColumn("prix_eur_mwh").toArray() as number[])
    .reduce((a, b) => a + b, 0) / daily.height;
  assert.ok(subtitle.includes(`moyenne ${mean.toFixed(1).replace(".", ",")} €/MWh`), subtitle);
  const may = priceSpec(toPriceData(daily, "France"), "2025-05-01", "2025-05-31");
  assert.equal((may.data[0].x as string[]).length, 31);
  assert.equal(priceSpec(null, "", "").data.length, 0);
});
