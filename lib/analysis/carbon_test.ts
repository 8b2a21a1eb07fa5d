import assert from "node:assert/strict";
import { carbonExtremeHours, carbonHourProfile } from "./carbon.ts";
import { AnalysisInputError } from "./mod.ts";
import { carbonFootprint } from "../layers/gold.ts";
import { assertClose, isoDate, records, silverTr2025, sumBy } from "../layers/_gold_testdata.ts";

let footprint: ReturnType<typeof carbonFootprint> | undefined;
const footprint2025 = () => footprint ??= carbonFootprint(silverTr2025());

Deno.test("hour-of-day carbon profile: production-weighted, ranked from the cleanest", () => {
  const hours = records(footprint2025());
  const tonnes = sumBy(hours, (r) => String(r.heure), (r) => r.co2_total_tonnes as number);
  const mwh = sumBy(hours, (r) => String(r.heure), (r) => r.production_totale_mwh as number);
  const profile = records(carbonHourProfile(footprint2025()));
  assert.equal(profile.length, 24);
  const rates = profile.map((r) => r.taux_co2_moyen_gkwh as number);
  assert.deepEqual(
    profile.map((r) => r.rang_plus_propre),
    Array.from({ length: 24 }, (_, i) => i + 1),
  );
  assert.deepEqual(rates, [...rates].sort((a, b) => a - b));
  for (const r of profile) {
    const h = String(r.heure);
    assertClose(r.taux_co2_moyen_gkwh, 1000 * tonnes.get(h)! / mwh.get(h)!, 1e-12, h);
  }
  // Midday solar makes early afternoon cleaner than the evening peak.
  const rank = new Map(profile.map((r) => [r.heure, r.rang_plus_propre as number]));
  assert.ok(rank.get(13)! < rank.get(19)!);
});

Deno.test("extreme hours: the n lowest and highest rates, ties in time order", () => {
  const hours = records(footprint2025())
    .map((r) => ({ key: `${isoDate(r.date)} ${r.heure}`, rate: r.taux_co2_gkwh as number }));
  const byTime = (a: { key: string }, b: { key: string }) =>
    a.key.localeCompare(b.key, "en", { numeric: true });
  const lowest = [...hours].sort((a, b) => a.rate - b.rate || byTime(a, b)).slice(0, 5);
  const highest = [...hours].sort((a, b) => b.rate - a.rate || byTime(a, b)).slice(0, 5);
  const ends = records(carbonExtremeHours(footprint2025(), { n: 5 }));
  assert.equal(ends.length, 10);
  const pick = (classement: string) =>
    ends.filter((r) => r.classement === classement)
      .map((r) => ({ key: `${isoDate(r.date)} ${r.heure}`, rate: r.taux_co2_gkwh }));
  assert.deepEqual(pick("plus_propres"), lowest);
  assert.deepEqual(pick("plus_carbonees"), highest);
  assert.throws(
    () => carbonExtremeHours(footprint2025(), { n: 0 }),
    (e) => e instanceof AnalysisInputError,
  );
});
