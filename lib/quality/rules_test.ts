import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { BALANCE_TOLERANCE_MW, RULES } from "./rules.ts";

const rule = (name: string) => RULES.find((r) => r.name === name)!;

/** Evaluate one rule on a frame: [applies, passes, measure] per row. */
function evaluate(name: string, frame: pl.DataFrame) {
  const r = rule(name);
  return frame.select(
    r.applies.alias("applies"),
    r.passes.alias("passes"),
    r.measure.cast(pl.Float64).alias("measure"),
  ).toRecords();
}

Deno.test("rule names are unique snake_case, with a declared action", () => {
  const names = RULES.map((r) => r.name);
  assert.equal(new Set(names).size, names.length);
  for (const r of RULES) {
    assert.match(r.name, /^[a-z0-9_]+$/);
    assert.ok(["warn", "quarantine", "fail"].includes(r.action));
  }
});

Deno.test("bilan_puissance: residual computed with batteries, tolerance 100 MW", () => {
  const frame = pl.DataFrame({
    consommation: [60_000, 60_000, 60_000],
    production_totale: [58_000, 58_000, null],
    pompage: [-1_000, -1_000, 0],
    ech_physiques: [3_000, 3_150, 0],
    stockage_batterie: [-10, -10, 0],
    destockage_batterie: [10, 10, 0],
  });
  // Row 1: 58000 - 1000 + 3000 - 10 + 10 = 60000 -> residual 0; row 2: 150 > 100.
  assert.deepEqual(evaluate("bilan_puissance", frame), [
    { applies: true, passes: true, measure: 0 },
    { applies: true, passes: false, measure: 150 },
    { applies: false, passes: null, measure: null },
  ]);
  assert.equal(BALANCE_TOLERANCE_MW, 100);
});

Deno.test("somme_gaz: sub-sectors against the total", () => {
  const frame = pl.DataFrame({
    gaz: [1000, 1000],
    gaz_tac: [100, 100],
    gaz_cogen: [200, 200],
    gaz_ccg: [690, 600],
    gaz_autres: [0, 0],
  });
  assert.deepEqual(evaluate("somme_gaz", frame).map((r) => [r.passes, r.measure]), [
    [true, 10],
    [false, 100],
  ]);
});

Deno.test("consommation_plausible: bounds depend on the perimeter", () => {
  const frame = pl.DataFrame({
    perimetre: ["France", "France", "Bretagne", "Bretagne"],
    consommation: [15_000, 60_000, 15_000, 30_000],
  });
  assert.deepEqual(evaluate("consommation_plausible", frame).map((r) => r.passes), [
    false,
    true,
    true,
    false,
  ]);
});

Deno.test("production_positive reports the most negative production", () => {
  const frame = pl.DataFrame({
    fioul: [1, 1],
    charbon: [0, -22],
    gaz: [5, 5],
    thermique: [6, -16],
    nucleaire: [40_000, 40_000],
    eolien: [1, 1],
    solaire: [0, 0],
    hydraulique: [5, 5],
    bioenergies: [1, 1],
  });
  assert.deepEqual(evaluate("production_positive", frame).map((r) => [r.passes, r.measure]), [
    [true, 0],
    [false, -22],
  ]);
});

Deno.test("continuite_temporelle measures the missing minutes per series", () => {
  const t = (s: string) => new Date(`2025-01-01T${s}:00Z`);
  const frame = pl.DataFrame({
    jeu_donnees: ["eco2mix", "eco2mix", "eco2mix", "eco2mix"],
    perimetre: ["France", "France", "France", "Bretagne"],
    timestamp_utc: [t("00:00"), t("00:15"), t("01:15"), t("00:00")],
    pas_minutes: [15, 15, 15, 30],
  });
  assert.deepEqual(evaluate("continuite_temporelle", frame).map((r) => [r.applies, r.measure]), [
    [false, null],
    [true, 0],
    [true, 45],
    [false, null],
  ]);
  // The same in microseconds, as silver reads back from Delta: integer minutes, not µs / 60,000.
  const micro = frame.withColumns(
    pl.col("timestamp_utc").cast(pl.Datetime("us", "UTC")),
    pl.col("pas_minutes").cast(pl.Int32), // as in silver
  );
  const measure = rule("continuite_temporelle").measure;
  const minutes = micro.select(measure.alias("m")).getColumn("m");
  assert.ok(minutes.dtype.equals(pl.Int64), String(minutes.dtype));
  assert.deepEqual(minutes.toArray().map((v) => v === null ? null : Number(v)), [
    null,
    0,
    45,
    null,
  ]);
});

Deno.test("instant_unique counts copies of an instant", () => {
  const t = new Date("2025-01-01T00:00:00Z");
  const frame = pl.DataFrame({
    jeu_donnees: ["eco2mix", "eco2mix", "consommation_brute"],
    perimetre: ["France", "France", "France"],
    timestamp_utc: [t, t, t],
  });
  assert.deepEqual(evaluate("instant_unique", frame).map((r) => [r.passes, r.measure]), [
    [false, 2],
    [false, 2],
    [true, 1],
  ]);
});
