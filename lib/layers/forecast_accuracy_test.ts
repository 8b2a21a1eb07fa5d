import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { forecastAccuracy, worstForecastHours } from "./forecast_accuracy.ts";
import { consumptionForecasts, GoldInputError } from "./gold.ts";
import {
  assertClose,
  byKey,
  paris,
  records,
  rowsOf,
  silverFrame,
  silverTr2025,
} from "./_gold_testdata.ts";

Deno.test("forecasts: RTE's J-1 MAPE over the 2025 file, computed independently", () => {
  const silver = silverTr2025();
  const rows = rowsOf(silver, "consommation", "prevision_j1", "prevision_j")
    .filter((r) => r.consommation !== null && r.prevision_j1 !== null);
  const ape = rows.map((r) => Math.abs(r.consommation! - r.prevision_j1!) / r.consommation!);
  const mape = 100 * ape.reduce((a, b) => a + b) / ape.length;
  assert.equal(mape.toFixed(2), "1.78"); // FACTS.md
  const table = consumptionForecasts(silver);
  assert.equal(table.height, rows.length);
  const accuracy = forecastAccuracy(table);
  const overall = records(
    accuracy.filter(
      pl.col("dimension").eq(pl.lit("global")).and(pl.col("horizon").eq(pl.lit("j1"))),
    ),
  )[0];
  assertClose(overall.mape_pct, mape, 1e-9, "mape");
  assert.equal(overall.nb_pas, rows.length);
  const errors = rows.map((r) => r.consommation! - r.prevision_j1!);
  assertClose(overall.mae_mw, errors.reduce((a, b) => a + Math.abs(b), 0) / errors.length, 1e-9);
  assertClose(
    overall.rmse_mw,
    Math.sqrt(errors.reduce((a, b) => a + b * b, 0) / errors.length),
    1e-9,
  );
  assertClose(overall.biais_mw, errors.reduce((a, b) => a + b) / errors.length, 1e-9);

  // By local hour and by month, for one modality each.
  const at19 = rows.filter((r) => paris(r.timestamp_utc).hour === 19);
  const mape19 = 100 * at19.reduce(
    (a, r) => a + Math.abs(r.consommation! - r.prevision_j1!) / r.consommation!,
    0,
  ) / at19.length;
  const m = byKey(
    accuracy.filter(pl.col("horizon").eq(pl.lit("j1"))),
    (r) => `${r.dimension}/${r.modalite}`,
  );
  assertClose(m.get("heure/19")!.mape_pct, mape19, 1e-9, "hour 19");
  const march = rows.filter((r) => paris(r.timestamp_utc).date.startsWith("2025-03"));
  assertClose(
    m.get("mois/2025-03")!.biais_mw,
    march.reduce((a, r) => a + r.consommation! - r.prevision_j1!, 0) / march.length,
    1e-9,
    "march",
  );
  const mondays = rows.filter((r) =>
    new Date(`${paris(r.timestamp_utc).date}T00:00:00Z`).getUTCDay() === 1
  );
  assert.equal(m.get("jour_semaine/1-lundi")!.nb_pas, mondays.length);
  assert.equal(accuracy.filter(pl.col("dimension").eq(pl.lit("heure"))).height, 2 * 24);
});

Deno.test("forecasts: worst hours are the hours of highest mean absolute error, ranked", () => {
  const table = consumptionForecasts(silverTr2025());
  const worst = records(
    worstForecastHours(table, { n: 5 }).filter(pl.col("horizon").eq(pl.lit("j1"))),
  );
  assert.deepEqual(worst.map((r) => r.rang), [1, 2, 3, 4, 5]);
  const rows = records(table, "timestamp", "erreur_j1_pct") as {
    timestamp: Date;
    erreur_j1_pct: number;
  }[];
  const hourly = new Map<number, number[]>();
  for (const r of rows) {
    const hour = Math.floor(r.timestamp.getTime() / 3_600_000) * 3_600_000;
    hourly.set(hour, [...(hourly.get(hour) ?? []), Math.abs(r.erreur_j1_pct)]);
  }
  const ranked = [...hourly.entries()]
    .map(([hour, e]) => ({ hour, mean: e.reduce((a, b) => a + b) / e.length }))
    .sort((a, b) => b.mean - a.mean);
  for (let i = 0; i < 5; i++) {
    assert.equal((worst[i].heure_debut_utc as Date).getTime(), ranked[i].hour);
    assertClose(worst[i].erreur_absolue_moyenne_pct, ranked[i].mean, 1e-9);
  }
});

Deno.test("input errors: a frame other than consommation_previsions, a bad n", () => {
  const good = silverFrame([
    { perimetre: "France", timestamp_utc: "2025-01-01T00:00:00Z", consommation: 1 },
    { perimetre: "France", timestamp_utc: "2025-01-01T00:15:00Z", consommation: 2 },
  ]);
  assert.throws(
    () => worstForecastHours(consumptionForecasts(good), { n: 0 }),
    (e) => e instanceof GoldInputError && e.message.includes("n must be a positive integer"),
  );
  assert.throws(
    () => forecastAccuracy(good),
    (e) => e instanceof GoldInputError && /consommation_previsions frame/.test(e.message),
  );
});
