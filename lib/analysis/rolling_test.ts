import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { AnalysisInputError } from "./mod.ts";
import { consumptionMean24h, renewableMean7d, rollingExtremes, rollingMean } from "./rolling.ts";
import { assertClose, records, silverFrame, silverTr2025 } from "../layers/_gold_testdata.ts";

type Step = { t: number; pas: number; v: number | null };

/** Trailing time-weighted mean over (t - hours, t], by brute force. */
function trailing(steps: readonly Step[], at: number, hours: number) {
  const inside = steps.filter((s) => s.t > at - hours * 3_600_000 && s.t <= at && s.v !== null);
  const minutes = inside.reduce((a, s) => a + s.pas, 0);
  return {
    mean: inside.reduce((a, s) => a + s.v! * s.pas, 0) / minutes,
    coverage: 100 * minutes / (hours * 60),
  };
}

function stepsOf(frame: pl.DataFrame, column: string): Step[] {
  return records(frame, "timestamp_utc", "pas_minutes", column).map((r) => ({
    t: (r.timestamp_utc as Date).getTime(),
    pas: r.pas_minutes as number,
    v: r[column] as number | null,
  }));
}

Deno.test("24 h consumption mean on the 2025 file equals a brute-force trailing mean", () => {
  const silver = silverTr2025();
  const out = consumptionMean24h(silver);
  assert.equal(out.height, silver.height);
  const steps = stepsOf(silver, "consommation");
  const rows = records(out);
  for (const i of [0, 1, 95, 96, 500, 8_000, 8_260, 19_737]) {
    const expected = trailing(steps, steps[i].t, 24);
    assert.equal((rows[i].timestamp_utc as Date).getTime(), steps[i].t);
    assertClose(rows[i].consommation_moyenne_24h_mw, expected.mean, 1e-12, `row ${i}`);
    assertClose(rows[i].couverture_24h_pct, expected.coverage, 1e-12, `coverage ${i}`);
  }
  assert.equal(rows[0].couverture_24h_pct, 100 / 96);
  assert.equal(rows[95].couverture_24h_pct, 100);
  // The spring-forward day has no 02:00-02:45 rows: 24 real hours still hold 96 steps.
  const afterSwitch = rows.findIndex((r) =>
    (r.timestamp_utc as Date).getTime() === Date.UTC(2025, 2, 30, 12)
  );
  assert.equal(rows[afterSwitch].couverture_24h_pct, 100);
});

Deno.test("7-day renewable mean on the 2025 file", () => {
  const silver = silverTr2025();
  const rows = records(renewableMean7d(silver));
  const steps = stepsOf(silver, "renouvelables_total");
  for (const i of [10, 671, 672, 12_345]) {
    const expected = trailing(steps, steps[i].t, 168);
    assertClose(rows[i].renouvelables_moyenne_7j_mw, expected.mean, 1e-12, `row ${i}`);
    assertClose(rows[i].couverture_7j_pct, expected.coverage, 1e-12, `coverage ${i}`);
  }
  assert.equal(rows[671].couverture_7j_pct, 100);
});

Deno.test("rolling mean: steps weigh by their length, holes lower the coverage", () => {
  const h = 3_600_000;
  const silver = silverFrame([
    // Two half-hours, then a one-hour hole, then quarter-hours; another perimeter alongside.
    { perimetre: "A", timestamp_utc: 0, pas_minutes: 30, consommation: 100 },
    { perimetre: "A", timestamp_utc: h / 2, pas_minutes: 30, consommation: 200 },
    { perimetre: "A", timestamp_utc: 2 * h, pas_minutes: 15, consommation: 400 },
    { perimetre: "A", timestamp_utc: 2.25 * h, pas_minutes: 15, consommation: null },
    { perimetre: "A", timestamp_utc: 2.5 * h, pas_minutes: 15, consommation: 800 },
    { perimetre: "B", timestamp_utc: 2.5 * h, pas_minutes: 15, consommation: 1 },
  ]);
  const out = rollingMean(silver, { column: "consommation", hours: 3 });
  const a = records(out.filter(pl.col("perimetre").eq(pl.lit("A"))));
  const last = a[a.length - 1];
  // (100×30 + 200×30 + 400×15 + 800×15) / 90 minutes, over a 180-minute window.
  assert.equal(last.consommation_moyenne_3h_mw, 27_000 / 90);
  assert.equal(last.couverture_3h_pct, 50);
  assert.equal(a[3].consommation_moyenne_3h_mw, 15_000 / 75); // the null step adds nothing
  const b = records(out.filter(pl.col("perimetre").eq(pl.lit("B"))));
  assert.equal(b[0].consommation_moyenne_3h_mw, 1);
});

Deno.test("rolling mean: a missing column is a typed error", () => {
  assert.throws(
    () => consumptionMean24h(silverFrame([{ perimetre: "A", timestamp_utc: 0, gaz: 1 }])),
    (e) => e instanceof AnalysisInputError && e.message.includes("lacks column(s) consommation"),
  );
});

Deno.test("rolling extremes skip windows that are not covered enough", () => {
  const r = pl.DataFrame({
    perimetre: ["A", "A", "A", "A", "B"],
    timestamp_utc: [1, 2, 3, 4, 1],
    m: [1, 9, 4, 6, 3],
    c: [10, 100, 99.5, 100, 100],
  });
  assert.deepEqual(records(rollingExtremes(r, "m", "c")), [
    { perimetre: "A", minimum_mw: 4, instant_minimum: 3, maximum_mw: 9, instant_maximum: 2 },
    { perimetre: "B", minimum_mw: 3, instant_minimum: 1, maximum_mw: 3, instant_maximum: 1 },
  ]);
});
