import assert from "node:assert/strict";
import {
  baseLayout,
  emptyFigure,
  energyUnit,
  formatDate,
  formatEnergy,
  formatLocal,
  formatNumber,
  formatValue,
  periodLabel,
  resolutionNote,
  withAlpha,
} from "./_core_format.ts";
import * as libFormat from "../notebook/format.ts";

const NNBSP = "\u202f";

Deno.test("French numbers: lib's formatter, fixed decimals, minus sign, no negative zero", () => {
  // The figures print numbers with the formatter of the tables and the prose, not a copy of it.
  assert.equal(formatNumber, libFormat.formatNumber);
  assert.equal(formatValue(0, 0), "0");
  assert.equal(formatValue(2.5, 2), "2,50");
  // Thousands spaced from 10 000 on, as in the prose.
  assert.equal(formatValue(999.95, 1), "1000,0");
  assert.equal(formatValue(1234567.891, 2), `1${NNBSP}234${NNBSP}567,89`);
  assert.equal(formatValue(-0.04, 1), "0,0");
  assert.equal(formatValue(-1500, 0), "\u22121500");
  assert.equal(formatValue(-15000.4, 0), `\u221215${NNBSP}000`);
  for (const v of [-0.5, -3.25, -1e6, -12345.678]) {
    assert.equal(formatValue(v, 2), libFormat.formatNumber(v, 2, { fixed: true }));
    assert.ok(!formatValue(v, 2).includes("-"), formatValue(v, 2));
  }
  assert.equal(formatValue(null, 1), "–");
  assert.equal(formatValue(NaN, 1), "–");
  assert.equal(formatValue(Infinity, 1), "–");
});

Deno.test("dates as the report writes them: lib's formatDate, jj/mm/aaaa", () => {
  assert.equal(formatDate, libFormat.formatDate);
  const firsts = Array.from({ length: 12 }, (_, m) => `2025-${String(m + 1).padStart(2, "0")}-01`);
  assert.deepEqual(
    firsts.map(formatLocal),
    firsts.map((d) => libFormat.formatDate(new Date(`${d}T00:00:00Z`))),
  );
  assert.equal(formatLocal("2025-12-31"), "31/12/2025");
  // A local date and time: the same style as lib's Paris instants (formatParisDateTime).
  assert.equal(formatLocal("2025-07-25 16:15"), "25/07/2025 16:15");
  assert.equal(
    formatLocal("2025-07-25 16:15"),
    libFormat.formatParisDateTime(Date.UTC(2025, 6, 25, 14, 15)),
  );
  assert.equal(periodLabel([]), "aucune date");
  assert.equal(periodLabel(["2025-03-09"]), "le 09/03/2025");
  assert.equal(
    periodLabel(["2025-01-01", "2025-01-05", "2025-07-25"]),
    "du 01/01/2025 au 25/07/2025 (3 jours)",
  );
});

Deno.test("energy units switch at 1 GWh and 1 TWh", () => {
  assert.deepEqual(energyUnit(999.9), { unit: "MWh", factor: 1 });
  assert.deepEqual(energyUnit(1_000), { unit: "GWh", factor: 1e-3 });
  assert.deepEqual(energyUnit(-2e6), { unit: "TWh", factor: 1e-6 });
  assert.equal(formatEnergy(-44_812_345), "\u221244,8 TWh");
  assert.equal(formatEnergy(512.34), "512,3 MWh");
  assert.equal(resolutionNote("heure", 1), "moyennes horaires (heure locale)");
});

Deno.test("layout defaults, empty figures, colours with alpha", () => {
  const layout = baseLayout("Titre", "sous-titre", { margin: { l: 1 }, hovermode: "closest" });
  assert.deepEqual(layout.title, {
    text: "Titre",
    subtitle: { text: "sous-titre", font: { size: 12, color: "#5C677D" } },
    x: 0.01,
    xanchor: "left",
    font: { size: 17 },
  });
  assert.deepEqual(layout.margin, { l: 1 }); // the chart's own keys win
  assert.equal(layout.hovermode, "closest");
  const empty = emptyFigure("Titre", "Aucune donnée");
  assert.deepEqual(empty.data, []);
  assert.equal((empty.layout.annotations as { text: string }[])[0].text, "Aucune donnée");
  assert.equal(withAlpha("#000000", 1), "rgba(0,0,0,1)");
  assert.equal(withAlpha("#E4A701", 0.45), "rgba(228,167,1,0.45)");
});
