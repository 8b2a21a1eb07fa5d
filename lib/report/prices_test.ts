import assert from "node:assert/strict";
import { dailyPriceMix, priceCorrelations } from "../analysis/prices.ts";
import { carbonFootprint, dailyEnergyMix } from "../layers/gold.ts";
import { parseDailyPrices } from "../layers/prices.ts";
import { records, silverTr2016 } from "../layers/_gold_testdata.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { extremePriceDays, priceDriverTable, priceNarrative, priceOverview } from "./prices.ts";

const FILE = "prices/european_wholesale_electricity_price_data_daily_FRA.csv";

Deno.test("prices of June 2016 for a presenter: overview, extreme days, drivers, sentence", () => {
  const silver = silverTr2016();
  const daily = dailyPriceMix(
    parseDailyPrices(Deno.readTextFileSync(sharedDataPath(FILE)), "ember.csv"),
    { mix: dailyEnergyMix(silver), carbon: carbonFootprint(silver), silver },
  );
  // Independent: the file's lines of 1-25 June 2016.
  const june = Deno.readTextFileSync(sharedDataPath(FILE)).trim().split("\n")
    .map((l) => l.split(",")).filter((f) => f[2] >= "2016-06-01" && f[2] <= "2016-06-25")
    .map((f) => ({ date: f[2].split("-").reverse().join("/"), price: Number(f[3]) }));
  const overview = priceOverview(daily)!;
  assert.equal(overview.days, june.length);
  assert.equal(overview.start, "01/06/2016");
  assert.equal(overview.end, "25/06/2016");
  const mean = june.reduce((t, d) => t + d.price, 0) / june.length;
  assert.ok(Math.abs(overview.mean - mean) < 1e-9);
  const sorted = [...june].sort((a, b) => a.price - b.price);
  assert.deepEqual(overview.min, sorted[0]);
  assert.deepEqual(overview.max, sorted.at(-1));

  const extremes = records(extremePriceDays(daily));
  assert.ok(extremes.length > 0);
  assert.deepEqual(
    extremes.map((r) => r.prix_eur_mwh),
    [...extremes.map((r) => r.prix_eur_mwh as number)].sort((a, b) => a - b),
  );
  assert.ok(
    extremes.every((r) => ["très bas", "très élevé", "négatif"].includes(r.categorie as string)),
  );
  assert.ok(extremes.every((r) => /^\d\d\/06\/2016$/.test(r.date as string)));

  const correlations = priceCorrelations(daily);
  const drivers = records(priceDriverTable(correlations));
  assert.deepEqual(
    drivers.map((d) => Math.abs(d.correlation as number)),
    [...drivers.map((d) => Math.abs(d.correlation as number))].sort((a, b) => b - a),
  );
  const fr = (x: number, d: number) =>
    x.toLocaleString("fr-FR", { minimumFractionDigits: d, maximumFractionDigits: d });
  const sentence = priceNarrative(daily, correlations);
  assert.ok(
    sentence.startsWith(
      `Sur ${june.length} jours, du 01/06/2016 au 25/06/2016, le prix de gros moyen est de ` +
        `${fr(mean, 1)} €/MWh, de ${fr(sorted[0].price, 1)} €/MWh (${sorted[0].date}) à `,
    ),
    sentence,
  );
  assert.match(sentence, /aucun jour à prix négatif\. Le prix varie d'abord avec (la|l')/);
  assert.match(sentence, /une corrélation ne dit pas la cause\.$/);
  assert.equal(
    priceNarrative(daily.head(0), correlations.head(0)),
    "Aucun prix de gros ne couvre la période des données.",
  );
});
