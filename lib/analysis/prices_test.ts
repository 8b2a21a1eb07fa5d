import assert from "node:assert/strict";
import { dailyPriceMix, priceCorrelations } from "./prices.ts";
import { carbonFootprint, dailyEnergyMix } from "../layers/gold.ts";
import { parseDailyPrices } from "../layers/prices.ts";
import { assertClose, paris, pearson, records, silverTr2025 } from "../layers/_gold_testdata.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const FILE = "prices/european_wholesale_electricity_price_data_daily_FRA.csv";

/** The file's French prices by ISO date, read independently. */
function filePrices(): Map<string, number> {
  const lines = Deno.readTextFileSync(sharedDataPath(FILE)).trim().split("\n").slice(1);
  return new Map(lines.map((l) => l.split(",")).map((f) => [f[2], Number(f[3])]));
}

function daily2025() {
  const silver = silverTr2025();
  const prices = parseDailyPrices(Deno.readTextFileSync(sharedDataPath(FILE)), "ember.csv");
  return {
    silver,
    daily: dailyPriceMix(prices, {
      mix: dailyEnergyMix(silver),
      carbon: carbonFootprint(silver),
      silver,
    }),
  };
}

Deno.test("daily prices of January-July 2025 beside consumption, mix and CO2", () => {
  const { silver, daily } = daily2025();
  const rows = records(daily);
  const byFile = filePrices();
  // Every local day of the real-time file has a price (the file has no gap in 2025).
  assert.equal(rows.length, 206);
  // Independent daily sums over the silver steps.
  const steps = records(
    silver,
    "timestamp_utc",
    "pas_minutes",
    "consommation",
    "taux_co2",
    "production_totale",
  );
  const perDay = new Map<string, { c: number; co2: number; p: number }>();
  for (const s of steps) {
    const day = paris(s.timestamp_utc as Date).date;
    const acc = perDay.get(day) ?? { c: 0, co2: 0, p: 0 };
    const h = (s.pas_minutes as number) / 60;
    if (s.consommation !== null) acc.c += (s.consommation as number) * h;
    if (s.taux_co2 !== null && s.production_totale !== null) {
      acc.co2 += (s.taux_co2 as number) * (s.production_totale as number) * h;
      acc.p += (s.production_totale as number) * h;
    }
    perDay.set(day, acc);
  }
  for (const r of rows) {
    const day = (r.date as Date).toISOString().slice(0, 10);
    assert.equal(r.prix_eur_mwh, byFile.get(day), day);
    const expected = perDay.get(day)!;
    assertClose(r.consommation_mwh, expected.c, 1e-9, `consumption ${day}`);
    assertClose(r.taux_co2_gkwh, expected.co2 / expected.p, 1e-9, `CO2 ${day}`);
  }
  // Categories: negative days are the file's, the tails hold about 5 % of the days each.
  const negative = rows.filter((r) => r.categorie_prix === "negatif")
    .map((r) => (r.date as Date).toISOString().slice(0, 10));
  const inPeriod = rows.map((r) => (r.date as Date).toISOString().slice(0, 10));
  assert.deepEqual(negative, inPeriod.filter((d) => byFile.get(d)! < 0));
  assert.deepEqual(negative, ["2025-05-10", "2025-05-11"]);
  const high = rows.filter((r) => r.categorie_prix === "tres_eleve");
  assert.ok(high.length >= 10 && high.length <= 11, `${high.length}`);
  const cheapestHigh = Math.min(...high.map((r) => r.prix_eur_mwh as number));
  assert.ok(
    rows.every((r) =>
      r.categorie_prix === "tres_eleve" || (r.prix_eur_mwh as number) < cheapestHigh
    ),
  );
});

Deno.test("price correlations equal an independent Pearson over the complete days", () => {
  const { daily } = daily2025();
  const complete = records(daily).filter((r) => r.jour_complet);
  const correlations = records(priceCorrelations(daily));
  assert.deepEqual(correlations.map((c) => c.variable), [
    "consommation_gwh",
    "part_nucleaire_pct",
    "part_renouvelables_pct",
    "part_fossiles_pct",
    "taux_co2_gkwh",
  ]);
  const y = complete.map((r) => r.prix_eur_mwh as number);
  const columns: Record<string, (r: Record<string, unknown>) => number> = {
    consommation_gwh: (r) => (r.consommation_mwh as number) / 1000,
    part_nucleaire_pct: (r) => r.part_nucleaire_pct as number,
    part_renouvelables_pct: (r) => r.part_renouvelables_pct as number,
    part_fossiles_pct: (r) => r.part_fossiles_pct as number,
    taux_co2_gkwh: (r) => r.taux_co2_gkwh as number,
  };
  for (const c of correlations) {
    const x = complete.map(columns[c.variable as string]);
    const r = pearson(x, y);
    assertClose(c.correlation_pearson, r, 1e-9, c.variable as string);
    const sd = (v: number[]) => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    };
    assertClose(c.pente, r * sd(y) / sd(x), 1e-9, `${c.variable} slope`);
    assert.equal(c.nb_jours, complete.length);
  }
  // In 2025 the price rises with demand and fossil output and falls with renewables.
  const r = (v: string) =>
    correlations.find((c) => c.variable === v)!.correlation_pearson as number;
  assert.ok(r("consommation_gwh") > 0.5 && r("part_fossiles_pct") > 0.5);
  assert.ok(r("part_renouvelables_pct") < -0.5);
});
