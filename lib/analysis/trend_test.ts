import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { mixTrends, monthlyMix } from "./trend.ts";
import { withNationalView } from "../layers/gold.ts";
import {
  assertClose,
  paris,
  records,
  silverFrame,
  silverRegional2014,
  silverTr2025,
  sumBy,
} from "../layers/_gold_testdata.ts";

/** Ordinary least squares of y on x = 0, 1, 2…: [slope, intercept, r²]. */
function ols(y: readonly number[]): [number, number, number] {
  const n = y.length;
  const x = y.map((_, i) => i);
  const mx = (n - 1) / 2;
  const my = y.reduce((a, b) => a + b) / n;
  const sxy = x.reduce((a, xi, i) => a + (xi - mx) * (y[i] - my), 0);
  const sxx = x.reduce((a, xi) => a + (xi - mx) ** 2, 0);
  const syy = y.reduce((a, yi) => a + (yi - my) ** 2, 0);
  return [sxy / sxx, my - (sxy / sxx) * mx, sxy ** 2 / (sxx * syy)];
}

Deno.test("monthly mix and trends of the 2025 file, recomputed from the rows", () => {
  const silver = silverTr2025();
  type R = {
    timestamp_utc: Date;
    pas_minutes: number;
    renouvelables_total: number;
    production_totale: number;
    eolien_offshore: number;
  };
  const rows = records(
    silver,
    "timestamp_utc",
    "pas_minutes",
    "renouvelables_total",
    "production_totale",
    "eolien_offshore",
  ) as unknown as R[];
  const month = (r: R) => paris(r.timestamp_utc).date.slice(0, 7);
  const renewable = sumBy(rows, month, (r) => r.renouvelables_total * r.pas_minutes);
  const production = sumBy(rows, month, (r) => r.production_totale * r.pas_minutes);
  const offshore = sumBy(rows, month, (r) => r.eolien_offshore * r.pas_minutes);
  const minutes = sumBy(rows, month, (r) => r.pas_minutes);
  const months = [...minutes.keys()].sort();
  assert.deepEqual(months, [
    "2025-01",
    "2025-02",
    "2025-03",
    "2025-04",
    "2025-05",
    "2025-06",
    "2025-07",
  ]);
  const share = months.map((m) => 100 * renewable.get(m)! / production.get(m)!);
  const offshoreMw = months.map((m) => offshore.get(m)! / minutes.get(m)!);

  const monthly = records(monthlyMix(silver));
  monthly.forEach((r, i) => {
    assert.equal(r.annee_mois, months[i]);
    assertClose(r.part_renouvelables_pct, share[i], 1e-12, months[i]);
    assertClose(r.eolien_offshore_moyen_mw, offshoreMw[i], 1e-12, months[i]);
  });
  // March 2025 lost an hour to DST and is complete; July stops on the 25th at 15:15.
  assert.equal(monthly[2].couverture_pct, 100);
  assertClose(monthly[6].couverture_pct, 100 * (24 * 96 + 62) * 15 / (31 * 1440), 1e-12);

  const trends = new Map(records(mixTrends(silver)).map((r) => [r.serie, r]));
  const [slope, intercept, r2] = ols(share);
  const renewableTrend = trends.get("part_renouvelables")!;
  assert.equal(renewableTrend.unite, "points de %/mois");
  assertClose(renewableTrend.pente_par_mois, slope, 1e-9, "slope");
  assertClose(renewableTrend.valeur_initiale, intercept, 1e-9, "intercept");
  assertClose(renewableTrend.r2, r2, 1e-9, "r2");
  assert.deepEqual(
    [renewableTrend.nb_mois, renewableTrend.premier_mois, renewableTrend.dernier_mois],
    [7, "2025-01", "2025-07"],
  );
  const offshoreTrend = trends.get("eolien_offshore")!;
  assert.equal(offshoreTrend.unite, "MW/mois");
  assertClose(offshoreTrend.pente_par_mois, ols(offshoreMw)[0], 1e-9, "offshore slope");
});

Deno.test("trends leave out thin months and series never published", () => {
  const rows = ["2025-01-15", "2025-02-15", "2025-03-15", "2025-04-15"].flatMap((d, i) =>
    Array.from({ length: i === 3 ? 1 : 48 * 27 }, (_, k) => ({
      perimetre: "France",
      timestamp_utc: Date.parse(`${d}T00:00:00Z`) + k * 1_800_000 - 14 * 86_400_000,
      pas_minutes: 30,
      renouvelables_total: [20, 22, 24, 90][i],
      production_totale: 100,
    }))
  );
  const silver = silverFrame(rows);
  const trend = records(mixTrends(silver));
  assert.equal(trend.length, 1); // no offshore values: no offshore row
  assertClose(trend[0].pente_par_mois, 2, 1e-9); // April (1 half-hour) is left out
  assert.equal(trend[0].nb_mois, 3);
  assert.equal(records(mixTrends(silver, { minCoveragePct: 0 }))[0].nb_mois, 4);
  assert.equal(mixTrends(silver, { minMonths: 4 }).height, 0);
});

Deno.test("regional 2014: one renewable-share trend per region and for France", () => {
  const trends = mixTrends(withNationalView(silverRegional2014()));
  assert.equal(trends.height, 13);
  assert.deepEqual(trends.getColumn("serie").unique().toArray(), ["part_renouvelables"]);
  assert.equal(trends.filter(pl.col("nb_mois").eq(12)).height, 13);
});
