import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { AnalysisInputError } from "./mod.ts";
import { anomalyScores, DEFAULT_ANOMALY_SERIES, detectAnomalies } from "./anomalies.ts";
import {
  assertClose,
  paris,
  records,
  silverFrame,
  silverTr2025,
} from "../layers/_gold_testdata.ts";

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Independent Hampel filter on weekly slots, as the module doc describes it. */
function hampel(points: readonly { t: number; v: number }[], weeks: number) {
  const slots = new Map<string, number[]>();
  points.forEach((p, i) => {
    const l = paris(p.t);
    const key = `${l.weekday} ${l.hour}:${l.minute}`;
    slots.set(key, [...(slots.get(key) ?? []), i]);
  });
  const expected = new Array<number | null>(points.length).fill(null);
  for (const indices of slots.values()) {
    indices.forEach((_, k) => {
      const window = indices.slice(Math.max(0, k - weeks), k + weeks + 1);
      if (window.length >= weeks + 1) {
        expected[indices[k]] = median(window.map((i) => points[i].v));
      }
    });
  }
  const residual = points.map((p, i) => expected[i] === null ? null : p.v - expected[i]!);
  const byMonth = new Map<string, number[]>();
  points.forEach((p, i) => {
    if (residual[i] === null) return;
    const m = paris(p.t).date.slice(0, 7);
    byMonth.set(m, [...(byMonth.get(m) ?? []), residual[i]!]);
  });
  const scale = new Map(
    [...byMonth].map(([m, r]) => {
      const mid = median(r);
      return [m, 1.4826 * median(r.map((x) => Math.abs(x - mid)))];
    }),
  );
  return points.map((p, i) => ({
    expected: expected[i],
    residual: residual[i],
    score: residual[i] === null ? null : residual[i]! / scale.get(paris(p.t).date.slice(0, 7))!,
  }));
}

Deno.test("anomalies on a synthetic series equal an independent Hampel filter", () => {
  let seed = 7;
  const noise = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return (seed / 2_147_483_648 - 0.5) * 600;
  };
  const start = Date.UTC(2025, 0, 5, 23); // Monday 2025-01-06 00:00 CET
  const spike = start + (3 * 7 + 2) * 86_400_000 + 12 * 3_600_000; // Wednesday 12:00, week 4
  const drop = start + (5 * 7 + 4) * 86_400_000 + 8 * 3_600_000; // Friday 08:00, week 6
  const points = Array.from({ length: 9 * 7 * 48 }, (_, i) => {
    const t = start + i * 1_800_000;
    const l = paris(t);
    let v = 50_000 + 10_000 * Math.sin((2 * Math.PI * (l.hour * 60 + l.minute)) / 1440) +
      (l.weekday >= 6 ? -3_000 : 0) + noise();
    if (t === spike) v += 6_000;
    if (t === drop) v -= 5_000;
    return { t, v };
  });
  const silver = silverFrame(
    points.map((p) => ({
      perimetre: "France",
      timestamp_utc: p.t,
      pas_minutes: 30,
      consommation: p.v,
    })),
  );
  const only = { series: [DEFAULT_ANOMALY_SERIES[0]] };
  const reference = hampel(points, 3);

  const scores = records(anomalyScores(silver, only));
  assert.equal(scores.length, points.length);
  scores.forEach((r, i) => {
    assert.equal((r.timestamp_utc as Date).getTime(), points[i].t);
    if (reference[i].expected === null) assert.equal(r.attendu, null);
    else {
      assertClose(r.attendu, reference[i].expected!, 1e-12, `expected ${i}`);
      assertClose(r.score, reference[i].score!, 1e-9, `score ${i}`);
    }
  });

  const found = records(detectAnomalies(silver, only));
  const expectedFlags = points.filter((_, i) => Math.abs(reference[i].score ?? 0) > 5);
  assert.deepEqual(found.map((r) => (r.timestamp as Date).getTime()), [spike, drop]);
  assert.deepEqual(expectedFlags.map((p) => p.t), [spike, drop]);
  assert.deepEqual(Object.keys(found[0]), [
    "timestamp",
    "jeu_donnees", // kept because the input frame has it
    "perimetre",
    "serie",
    "valeur",
    "attendu",
    "ecart",
    "score",
    "raison",
  ]);
  assert.equal(found[0].serie, "consommation");
  assert.ok((found[0].score as number) > 5 && (found[1].score as number) < -5);
  assert.match(
    found[0].raison as string,
    /^pic de consommation inhabituel : \+\d+ MW \(\+\d+\.\d %\) par rapport à la médiane du même créneau sur ±3 semaines, score \d+\.\d$/,
  );
  assert.match(found[1].raison as string, /^creux de consommation inhabituel : -\d+ MW \(-/);
  // Direction: watching only rises keeps the spike alone.
  const rises = detectAnomalies(silver, {
    series: [{ ...DEFAULT_ANOMALY_SERIES[0], direction: "hausse" }],
  });
  assert.equal(rises.height, 1);
});

Deno.test("anomalies of the 2025 file: public holidays are consumption troughs", () => {
  const anomalies = detectAnomalies(silverTr2025());
  const rows = records(anomalies);
  assert.ok(rows.length > 0);
  for (const r of rows) {
    const score = r.score as number;
    assert.ok(Math.abs(score) > 5);
    assertClose(r.ecart, (r.valeur as number) - (r.attendu as number), 1e-12);
    if (r.serie !== "consommation") assert.ok(score < 0, `${r.serie} rise flagged`);
  }
  const troughDays = new Set(
    rows.filter((r) => r.serie === "consommation" && (r.score as number) < 0)
      .map((r) => paris(r.timestamp as Date).date),
  );
  // 1 May, 8 May, Ascension (29 May), Bastille Day: all working weekdays in 2025.
  for (const holiday of ["2025-05-01", "2025-05-08", "2025-05-29", "2025-07-14"]) {
    assert.ok(troughDays.has(holiday), `${holiday} not flagged`);
  }
  assert.deepEqual(
    anomalies.getColumn("serie").unique().sort().toArray(),
    ["consommation", "nucleaire", "production_totale"],
  );
});

Deno.test("anomalies: bad options and missing columns are typed errors", () => {
  const silver = silverFrame([{ perimetre: "France", timestamp_utc: 0, consommation: 1 }]);
  assert.throws(
    () => detectAnomalies(silver, { weeks: 0 }),
    (e) => e instanceof AnalysisInputError && e.message.includes("weeks must be a positive"),
  );
  assert.throws(
    () => detectAnomalies(silver),
    (e) =>
      e instanceof AnalysisInputError &&
      /lacks column\(s\) production_totale, nucleaire/.test(e.message),
  );
  const constant = silverFrame(
    Array.from({ length: 10 }, (_, i) => ({
      perimetre: "France",
      timestamp_utc: i * 7 * 86_400_000,
      consommation: 5,
    })),
  );
  assert.equal(detectAnomalies(constant, { series: [DEFAULT_ANOMALY_SERIES[0]] }).height, 0);
  assert.equal(
    anomalyScores(constant, { series: [DEFAULT_ANOMALY_SERIES[0]] }).filter(
      pl.col("score").isNotNull(),
    ).height,
    0,
  );
});
