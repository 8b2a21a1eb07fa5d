import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { weekendEffect, weeklyProfile } from "./seasonality.ts";
import {
  assertClose,
  paris,
  records,
  silverFrame,
  silverTr2025,
} from "../layers/_gold_testdata.ts";

type R = { timestamp_utc: Date; pas_minutes: number; consommation: number };

Deno.test("weekly profile of the 2025 file, by local weekday and hour", () => {
  const silver = silverTr2025();
  const profile = weeklyProfile(silver);
  assert.equal(profile.height, 7 * 24);
  const rows = records(silver, "timestamp_utc", "pas_minutes", "consommation") as unknown as R[];
  const at = (weekday: number, hour: number) =>
    rows.filter((r) => {
      const l = paris(r.timestamp_utc);
      return l.weekday === weekday && l.hour === hour;
    });
  for (
    const [weekday, hour, name] of [[1, 19, "lundi"], [7, 4, "dimanche"], [
      6,
      13,
      "samedi",
    ]] as const
  ) {
    const steps = at(weekday, hour);
    const row = records(
      profile.filter(pl.col("jour_semaine").eq(weekday).and(pl.col("heure").eq(hour))),
    )[0];
    assert.equal(row.nom_jour, name);
    assert.equal(row.nb_pas, steps.length);
    assertClose(
      row.moyenne_mw,
      steps.reduce((a, r) => a + r.consommation, 0) / steps.length,
      1e-12,
    );
    assert.equal(row.max_mw, Math.max(...steps.map((r) => r.consommation)));
  }
});

Deno.test("weekend effect of the 2025 file: negative, recomputed from the rows", () => {
  const silver = silverTr2025();
  const rows = records(silver, "timestamp_utc", "pas_minutes", "consommation") as unknown as R[];
  const mean = (keep: (weekday: number) => boolean) => {
    const kept = rows.filter((r) => keep(paris(r.timestamp_utc).weekday));
    return kept.reduce((a, r) => a + r.consommation * r.pas_minutes, 0) /
      kept.reduce((a, r) => a + r.pas_minutes, 0);
  };
  const week = mean((d) => d <= 5);
  const weekend = mean((d) => d >= 6);
  const effect = records(weekendEffect(silver))[0];
  assertClose(effect.moyenne_semaine_mw, week, 1e-12);
  assertClose(effect.moyenne_weekend_mw, weekend, 1e-12);
  assertClose(effect.effet_weekend_pct, 100 * (weekend - week) / week, 1e-9);
  assertClose(effect.moyenne_dimanche_mw, mean((d) => d === 7), 1e-12);
  assert.ok((effect.effet_weekend_pct as number) < 0);
  // 2025-01-01 (Wednesday) … 2025-07-25 (Friday): 148 working days, 58 weekend days.
  assert.deepEqual([effect.nb_jours_semaine, effect.nb_jours_weekend], [148, 58]);
});

Deno.test("seasonality uses local time: a summer 17:00 UTC step is hour 19", () => {
  const silver = silverFrame([
    { perimetre: "France", timestamp_utc: "2025-07-07T17:00:00Z", pas_minutes: 15, solaire: 4_000 },
    { perimetre: "France", timestamp_utc: "2025-07-12T10:00:00Z", pas_minutes: 15, solaire: 9_000 },
  ]);
  const profile = records(weeklyProfile(silver, { column: "solaire" }));
  assert.deepEqual(profile.map((r) => [r.jour_semaine, r.heure]), [[1, 19], [6, 12]]);
  const effect = records(weekendEffect(silver, { column: "solaire" }))[0];
  assert.equal(effect.effet_weekend_pct, 125); // solar has no weekend drop: sign matters
  assert.equal(effect.moyenne_dimanche_mw, null);
});
