import assert from "node:assert/strict";
import { dashboardFigures, dashboardKpis } from "./_core_dashboard.ts";
import { toHourly } from "./hourly.ts";
import { frameOf, hourlyRows } from "./_testdata.ts";

const NNBSP = "\u202f";
// 3-4 January 2025, local hours 0-23.
const H = toHourly(frameOf(hourlyRows("2025-01-02T23:00:00Z", 48, (i) => ({
  consommation: 60_000 + 100 * i,
  nucleaire: 45_000,
  eolien: 5_000,
  gaz: 10_000,
  taux_co2: i < 24 ? 40 : 80,
  ech_comm_suisse: -2_000,
}))));

Deno.test("key figures: energy, peak, shares, production-weighted CO2, net exchanges", () => {
  const kpis = dashboardKpis(H);
  const energy = 48 * 60_000 + 100 * (47 * 48) / 2; // MWh
  assert.deepEqual(kpis.map((k) => k.label), [
    "Consommation",
    "Pic de consommation",
    "Part renouvelable",
    "Part nucléaire",
    "Intensité carbone",
    "Solde des échanges",
  ]);
  assert.equal(kpis[0].value, `${(energy / 1e6).toFixed(1).replace(".", ",")} TWh`);
  assert.equal(kpis[1].value, `64${NNBSP}700 MW`);
  assert.equal(kpis[1].detail, "moyenne horaire, le 04/01/2025 à 23 h");
  assert.equal(kpis[2].value, "8,3 %"); // 5 / 60
  assert.equal(kpis[3].value, "75,0 %");
  assert.equal(kpis[4].value, "60,0 gCO₂/kWh"); // constant production: plain mean of 40 and 80
  // A negative value with the minus sign (U+2212), as the report's prose writes it.
  assert.equal(kpis[5].value, "\u221296,0 GWh");
  assert.equal(kpis[5].detail, "exportateur net (échanges commerciaux)");
});

Deno.test("dashboard figures follow the chosen dates", () => {
  const data = { hourly: H, predictions: null, importance: null };
  const all = dashboardFigures(data, "", "");
  const saturday = dashboardFigures(data, "2025-01-04", "2025-01-04");
  assert.equal((all.consommation.data[0].x as string[]).length, 48);
  assert.deepEqual((saturday.consommation.data[0].x as string[])[0], "2025-01-04 00:00");
  assert.deepEqual(saturday.heatmap.data[0].x, ["2025-01-04"]);
  // Hover numbers go through the axes' hoverformat, which plotly writes with U+2212: no
  // hovertemplate formats an x or y value itself (d3 would write a hyphen-minus).
  for (const [id, fig] of Object.entries(all)) {
    for (const trace of fig.data) {
      const template = String(trace.hovertemplate ?? "");
      assert.doesNotMatch(template, /%\{[xy]:/, `${id}: ${template}`);
    }
  }
  assert.equal(
    (saturday.predictions.layout.annotations as { text: string }[])[0].text,
    "Aucune prévision sur la période choisie",
  );
});
