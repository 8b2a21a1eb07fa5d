import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { buildGold } from "../layers/gold.ts";
import { asSilverLike } from "./_gold_input.ts";
import { co2Figure, consumptionFigure, mixPieFigure, productionFigure } from "./figures.ts";
import { toHourly } from "./hourly.ts";
import { realSilver2025 } from "./_testdata.ts";

Deno.test("gold's merged fall-back hour becomes two real hours; a spring 2 h is an error", () => {
  const gold = pl.DataFrame({
    perimetre: ["France", "France", "France"],
    date: ["2025-10-26", "2025-10-26", "2025-10-26"],
    heure: [1, 2, 3],
    source_energie: ["nucleaire", "nucleaire", "nucleaire"],
    production_moyenne_mw: [40_000, 39_000, 38_000],
    energie_mwh: [40_000, 78_000, 38_000],
  }).withColumns(pl.col("date").str.strptime(pl.Date, "%Y-%m-%d"));
  const df = asSilverLike(gold, "production_par_source_horaire");
  assert.deepEqual(df.getColumn("timestamp_utc").toArray(), [
    new Date("2025-10-25T23:00:00Z"), // 01:00 CEST
    new Date("2025-10-26T00:00:00Z"), // 02:00 CEST
    new Date("2025-10-26T01:00:00Z"), // 02:00 CET
    new Date("2025-10-26T02:00:00Z"), // 03:00 CET
  ]);
  const h = toHourly(gold);
  assert.deepEqual(h.hour, [1, 2, 2, 3]);
  // Energy of the merged hour is kept: 2 h x 39 000 MW = gold's 78 000 MWh.
  assert.equal(
    h.series.nucleaire.reduce<number>((a, v, i) => a + (v ?? 0) * h.duration[i], 0),
    156_000,
  );
  const spring = pl.DataFrame({ date: ["2025-03-30"], heure: [2], taux_co2_gkwh: [20] });
  assert.throws(() => asSilverLike(spring, "empreinte_carbone"), {
    name: "VizInputError",
    message: "empreinte_carbone: row 0 (date 2025-03-30, heure 2) is not a local hour that " +
      "exists in Europe/Paris (spring DST change)",
  });
});

Deno.test("figures from the real gold tables match the figures from silver", () => {
  const silver = realSilver2025();
  const gold = buildGold(silver);
  // Mix: gold's hourly means x 1 h give the same energies as silver's 15-minute rows.
  const fromSilver = mixPieFigure(silver).data[0];
  const fromGold = mixPieFigure(gold.production_par_source_horaire).data[0];
  assert.deepEqual(fromGold.labels, fromSilver.labels);
  (fromGold.values as number[]).forEach((v, i) => {
    const s = (fromSilver.values as number[])[i];
    assert.ok(Math.abs(v - s) <= 1e-9 * Math.max(1, s), `${fromSilver.labels}[${i}]: ${v} vs ${s}`);
  });
  const stack = productionFigure(gold.production_par_source_horaire);
  assert.equal(stack.data.length, 8); // no consumption in this table: sources only
  // Consumption: consommation_previsions has the same instants and values as silver.
  assert.deepEqual(
    consumptionFigure(gold.consommation_previsions).data.map((t) => t.y),
    consumptionFigure(silver).data.map((t) => t.y),
  );
  // CO2: hourly points are gold's taux_co2_gkwh of each local hour.
  const co2 = co2Figure(gold.empreinte_carbone, { maxHourlyDays: 400 });
  const first = gold.empreinte_carbone.sort(["date", "heure"]).head(3).getColumn("taux_co2_gkwh")
    .toArray();
  assert.deepEqual((co2.data[0].y as number[]).slice(0, 3), first);
});
