import assert from "node:assert/strict";
import { mixCo2Correlation } from "./correlation.ts";
import { withNationalView } from "../layers/gold.ts";
import {
  assertClose,
  pearson,
  records,
  silverFrame,
  silverRegional2014,
  silverTr2025,
} from "../layers/_gold_testdata.ts";

Deno.test("mix shares vs CO2 on the 2025 file equal an independent Pearson", () => {
  const silver = silverTr2025();
  const rows = records(
    silver,
    "taux_co2",
    "production_totale",
    "gaz",
    "nucleaire",
    "fossiles_total",
  )
    .map((r) => r as Record<string, number>);
  const y = rows.map((r) => r.taux_co2);
  const share = (c: string) => rows.map((r) => 100 * r[c] / r.production_totale);
  const out = new Map(records(mixCo2Correlation(silver)).map((r) => [r.variable, r]));
  assert.equal(out.size, 10);
  for (const c of ["gaz", "nucleaire", "fossiles_total"]) {
    const r = out.get(`part_${c}_pct`)!;
    assertClose(r.correlation_pearson, pearson(share(c), y), 1e-9, c);
    assert.equal(r.nb_pas, rows.length);
  }
  // The fossil share drives the rate; wind and solar push it down.
  assert.ok((out.get("part_fossiles_total_pct")!.correlation_pearson as number) > 0.9);
  assert.ok((out.get("part_renouvelables_total_pct")!.correlation_pearson as number) < 0);
  const first = records(mixCo2Correlation(silver))[0];
  assert.ok(["part_fossiles_total_pct", "part_gaz_pct"].includes(first.variable as string));
});

Deno.test("correlation: constant shares give null, regions without a rate give no row", () => {
  const silver = silverFrame(
    [10, 20, 30].map((gaz, i) => ({
      perimetre: "France",
      timestamp_utc: i * 900_000,
      production_totale: 100,
      gaz,
      charbon: 0,
      taux_co2: gaz * 4 + 1,
    })),
  );
  const out = new Map(records(mixCo2Correlation(silver)).map((r) => [r.variable, r]));
  assert.equal(out.get("part_charbon_pct")!.correlation_pearson, null);
  assertClose(out.get("part_gaz_pct")!.correlation_pearson, 1, 1e-12);
  assert.equal(mixCo2Correlation(withNationalView(silverRegional2014())).height, 0);
});
