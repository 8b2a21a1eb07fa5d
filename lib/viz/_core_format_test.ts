import assert from "node:assert/strict";
import {
  baseLayout,
  emptyFigure,
  energyUnit,
  formatDate,
  formatEnergy,
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

Deno.test("French dates and periods", () => {
  const months = Array.from(
    { length: 12 },
    (_, m) => formatDate(`2025-${String(m + 1).padStart(2, "0")}-01`),
  );
  assert.deepEqual(months, [
    "1 janv. 2025",
    "1 févr. 2025",
    "1 mars 2025",
    "1 avr. 2025",
    "1 mai 2025",
    "1 juin 2025",
    "1 juil. 2025",
    "1 août 2025",
    "1 sept. 2025",
    "1 oct. 2025",
    "1 nov. 2025",
    "1 déc. 2025",
  ]);
  assert.equal(periodLabel([]), "aucune date");
  assert.equal(
    periodLabel(["2025-01-01", "2025-01-05", "2025-07-25"]),
    "du 1 janv. 2025 au 25 juil. 2025 (3 jours)",
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
