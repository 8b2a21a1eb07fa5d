import assert from "node:assert/strict";
import { readEco2mix } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { MlInputError } from "../ml/mod.ts";
import { readConsumptionHistory } from "./reference.ts";
import {
  dailyMeans,
  HALF_HOUR_MS,
  levelShift,
  seriesFromColumns,
  seriesFromSilver,
  seriesLength,
  slotIndex,
  SOURCE_REAL_TIME,
  spliceSeries,
} from "./series.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");

async function realTime() {
  const table = readEco2mix(await Deno.readFile(TR_2025), "TR_2025.xls");
  const { silver } = toSilver(toBronze([table], { ingestedAt: new Date(0) }));
  return seriesFromSilver(silver, "eco2mix", SOURCE_REAL_TIME)!;
}

Deno.test("the real-time file on the half-hour grid: :00 and :30 rows, DST fillers out", async () => {
  const series = await realTime();
  // Independent count on the raw file: measured rows at :00 and :30, minus the two rows of the
  // non-existent 02:00-02:30 of 30 March (RTE's fillers).
  const lines = new TextDecoder("windows-1252").decode(await Deno.readFile(TR_2025)).split("\n");
  const rows = lines.slice(1).map((l) => l.split("\t")).filter((f) =>
    f.length > 5 && f[4] !== "" && /:(00|30)$/.test(f[3])
  );
  const fillers = rows.filter((f) => f[2] === "2025-03-30" && /^02:/.test(f[3])).length;
  assert.equal(fillers, 2);
  const measured = series.consommation.filter((v) => !Number.isNaN(v)).length;
  assert.equal(measured, rows.length - fillers);
  assert.equal(series.startMs, Date.UTC(2024, 11, 31, 23)); // midnight in Paris
  // 14 June 2025 at 12:30 in Paris (10:30 UTC): the file's value.
  const june14 = rows.find((f) => f[2] === "2025-06-14" && f[3] === "12:30")!;
  const slot = slotIndex(series, Date.UTC(2025, 5, 14, 10, 30));
  assert.equal(series.consommation[slot], Number(june14[4]));
  assert.equal(series.prevision_j1[slot], Number(june14[5]));
  assert.ok(series.source.every((s) => s === SOURCE_REAL_TIME));
});

Deno.test("the ODRÉ history runs about 1 GW (2.1 %) above the real-time file in 2025", async () => {
  const history = await readConsumptionHistory(
    sharedDataPath("eco2mix/odre/consommation-quotidienne-brute.csv.gz"),
  );
  const shift = levelShift(history, await realTime());
  // FACTS.md: "about 1 GW (~2.1 %) above the real-time file's Consommation on the same
  // half-hours of 2025".
  assert.ok(shift.n > 9_800, String(shift.n));
  assert.ok(
    shift.meanMw > 900 && shift.meanMw < 1_100,
    String(shift.meanMw),
  );
  assert.ok(
    shift.meanPct > 2 && shift.meanPct < 2.2,
    String(shift.meanPct),
  );
});

Deno.test("rows on the grid only; a slot given twice is an error", () => {
  const t0 = Date.UTC(2025, 0, 1);
  assert.throws(
    () => seriesFromColumns([t0, t0], { consommation: [1, 2] }),
    (e: unknown) =>
      e instanceof MlInputError && /two rows at 2025-01-01T00:00:00.000Z/.test(e.message),
  );
  assert.throws(() => seriesFromColumns([t0 + 60_000], { consommation: [1] }), /no row at :00/);
  const s = seriesFromColumns([t0 + HALF_HOUR_MS, t0], { consommation: [2, 1], eolien: [null, 5] });
  assert.deepEqual([...s.consommation], [1, 2]);
  assert.deepEqual([...s.eolien], [5, NaN]);
  assert.ok(Number.isNaN(s.solaire[0]));
});

Deno.test("splicing: history before the real-time data only, real-time level kept", () => {
  const t = (h: number) => Date.UTC(2025, 0, 1, h);
  const history = seriesFromColumns(
    [t(0), t(1), t(2), t(9)],
    { consommation: [10, 11, 12, 19] },
    0,
  );
  const real = seriesFromColumns([t(2), t(3)], { consommation: [20, 21] }, 1);
  const s = spliceSeries(history, real)!;
  assert.equal(seriesLength(s), 7);
  assert.deepEqual([...s.consommation], [10, NaN, 11, NaN, 20, NaN, 21]);
  assert.deepEqual([...s.source], [0, 0, 0, 0, 1, 1, 1]);
  assert.equal(spliceSeries(null, real), real);
  assert.equal(spliceSeries(history, null), history);
});

Deno.test("daily means keep complete local days only, DST days at 46 and 50 half-hours", () => {
  const start = Date.UTC(2025, 2, 28, 23); // 29 March, midnight in Paris
  const spring = Array.from({ length: 48 + 46 }, (_, i) => start + i * HALF_HOUR_MS);
  const means = dailyMeans(seriesFromColumns(spring, { consommation: spring.map((_, i) => i) }));
  // 29 March: slots 0..47; 30 March (23 h): slots 48..93.
  assert.deepEqual([...means.values()], [23.5, (48 + 93) / 2]);
});
