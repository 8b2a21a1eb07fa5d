import assert from "node:assert/strict";
import {
  heatmapSpec,
  mixCo2ScatterSpec,
  mixPieSpec,
  sankeySpec,
  solarProfileSpec,
  windSpec,
} from "./_core_figures.ts";
import { toHourly } from "./hourly.ts";
import { frameOf, hourlyRows } from "./_testdata.ts";

Deno.test("heatmap on DST days: no 2 h in spring, both 2 h averaged in autumn", () => {
  // 2025-03-30 local: 23 hours from 23:00Z the day before; 2025-10-26: 25 hours from 22:00Z.
  const spring = hourlyRows("2025-03-29T23:00:00Z", 23, (i) => ({ consommation: 1_000 + i }));
  const autumn = hourlyRows("2025-10-25T22:00:00Z", 25, (i) => ({ consommation: 2_000 + i }));
  const fig = heatmapSpec(toHourly(frameOf([...spring, ...autumn])));
  const z = fig.data[0].z as (number | null)[][];
  assert.deepEqual(fig.data[0].x, ["2025-03-30", "2025-10-26"]);
  assert.deepEqual([z[1][0], z[2][0], z[3][0]], [1_001, null, 1_002]);
  // Autumn: 00:00Z = 02:00 CEST (row 2) and 01:00Z = 02:00 CET (row 3).
  assert.deepEqual([z[1][1], z[2][1], z[3][1]], [2_001, (2_002 + 2_003) / 2, 2_004]);
  assert.equal(z[23][1], 2_024);
});

Deno.test("k-hour buckets: heatmap rows every k hours", () => {
  const rows = hourlyRows("2024-12-31T23:00:00Z", 24, (i) => ({ consommation: i }));
  const h = toHourly(frameOf(rows), { stepHours: 3 });
  const fig = heatmapSpec(h);
  assert.deepEqual(fig.data[0].y, [0, 3, 6, 9, 12, 15, 18, 21]);
  assert.deepEqual((fig.data[0].z as number[][]).map((r) => r[0]), [1, 4, 7, 10, 13, 16, 19, 22]);
});

Deno.test("regional data: the fossil total stands for the missing fuel split", () => {
  const h = toHourly(frameOf([
    {
      at: "2014-06-01T10:00:00Z",
      perimetre: "Bretagne",
      thermique: 100,
      eolien: 300,
      nucleaire: 0,
    },
  ]));
  const pie = mixPieSpec(h).data[0];
  assert.deepEqual(pie.labels, ["Nucléaire", "Éolien", "Thermique fossile"]);
  assert.deepEqual(pie.values, [0, 300, 100]);
  assert.deepEqual(pie.textposition, ["none", "inside", "inside"]);
});

Deno.test("solar over more than 12 months: each calendar month pooled across years", () => {
  const rows = Array.from({ length: 14 }, (_, m) => ({
    at: new Date(Date.UTC(2024, m, 15, 11)).toISOString(),
    pas_minutes: 60,
    solaire: 1_000 * (m + 1),
  }));
  const fig = solarProfileSpec(toHourly(frameOf(rows)));
  assert.equal(fig.data.length, 12);
  assert.equal(fig.data[0].name, "janvier");
  assert.deepEqual(fig.data[0].y, [(1_000 + 13_000) / 2]); // January 2024 and 2025
  assert.deepEqual(fig.data[11].y, [12_000]);
  assert.match(
    String((fig.layout.title as { subtitle: { text: string } }).subtitle.text),
    /toutes années/,
  );
});

Deno.test("mix vs CO2 over a long period: one point per day", () => {
  const rows = hourlyRows("2024-12-31T23:00:00Z", 24 * 60, (i) => ({
    nucleaire: 900,
    gaz: 100 + (Math.floor(i / 24) % 10) * 10,
    taux_co2: 40 + (Math.floor(i / 24) % 10) * 4,
  }));
  const fig = mixCo2ScatterSpec(toHourly(frameOf(rows)), { maxHourlyDays: 30 });
  assert.equal((fig.data[0].x as number[]).length, 60);
  assert.equal(fig.data[0].name, "Jours");
  assert.ok(Math.abs((fig.data[0].x as number[])[1] - (100 * 110) / 1_010) < 1e-12);
  assert.equal((fig.data[0].y as number[])[1], 44);
});

Deno.test("Sankey: battery discharge flows in, charge flows out", () => {
  const h = toHourly(frameOf([{
    at: "2025-01-01T00:00:00Z",
    nucleaire: 1_000,
    consommation: 990,
    stockage_batterie: -40,
    destockage_batterie: 30,
  }]));
  const sankey = sankeySpec(h).data[0] as {
    node: { label: string[] };
    link: { source: number[]; target: number[]; value: number[] };
  };
  const links = sankey.link.value.map((v, i) =>
    `${sankey.node.label[sankey.link.source[i]]}>${sankey.node.label[sankey.link.target[i]]}=${v}`
  );
  assert.deepEqual(links, [
    "Nucléaire>Réseau=1",
    "Déstockage batteries>Réseau=0.03",
    "Réseau>Consommation=0.99",
    "Réseau>Stockage batteries=0.04",
  ]);
});

Deno.test("wind with the onshore column only", () => {
  const fig = windSpec(toHourly(frameOf([{ at: "2025-01-01T00:00:00Z", eolien_terrestre: 5 }])));
  assert.deepEqual(fig.data.map((t) => t.name), ["Éolien terrestre"]);
  assert.match(
    String((fig.layout.title as { subtitle: { text: string } }).subtitle.text),
    /part en mer : 0,0 %/,
  );
});
