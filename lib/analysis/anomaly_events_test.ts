import assert from "node:assert/strict";
import { AnalysisInputError } from "./mod.ts";
import { anomalyScores, DEFAULT_ANOMALY_SERIES, detectAnomalies } from "./anomalies.ts";
import { anomalyEvents, calendarCause } from "./anomaly_events.ts";
import {
  assertClose,
  paris,
  records,
  silverFrame,
  silverTr2025,
} from "../layers/_gold_testdata.ts";

interface Step {
  serie: string;
  t: number;
  ecart: number;
}

/** Independent grouping, as the module doc states it: same series, same side, gap <= max. */
function groupSteps(steps: readonly Step[], stepMs: number, gapMs: number): Step[][] {
  const sorted = [...steps].sort((a, b) => a.serie.localeCompare(b.serie) || a.t - b.t);
  const events: Step[][] = [];
  for (const s of sorted) {
    const current = events.at(-1);
    const last = current?.at(-1);
    if (
      current && last && last.serie === s.serie && Math.sign(last.ecart) === Math.sign(s.ecart) &&
      s.t - (last.t + stepMs) <= gapMs
    ) current.push(s);
    else events.push([s]);
  }
  return events;
}

Deno.test("anomaly events of the 2025 file equal an independent grouping of the anomalies", () => {
  const silver = silverTr2025();
  const anomalies = records(detectAnomalies(silver)).map((r) => ({
    serie: r.serie as string,
    t: (r.timestamp as Date).getTime(),
    ecart: r.ecart as number,
  }));
  const quarter = 15 * 60_000;
  const expected = groupSteps(anomalies, quarter, 180 * 60_000);
  const events = records(anomalyEvents(silver));
  assert.equal(events.length, expected.length);
  // Far fewer rows than anomalous steps: that is the point.
  assert.ok(events.length * 5 < anomalies.length, `${events.length} of ${anomalies.length}`);

  const scores = records(anomalyScores(silver)).filter((r) => r.ecart !== null);
  const byKey = new Map(expected.map((e) => [`${e[0].serie} ${e[0].t}`, e]));
  for (const ev of events) {
    const steps = byKey.get(`${ev.serie} ${(ev.debut_utc as Date).getTime()}`);
    assert.ok(steps, `no expected event for ${ev.serie} at ${ev.debut_utc}`);
    const start = steps[0].t;
    const end = steps.at(-1)!.t + quarter;
    assert.equal((ev.fin_utc as Date).getTime(), end);
    assert.equal(ev.nb_pas_anormaux, steps.length);
    assert.equal(ev.duree_heures, (end - start) / 3_600_000);
    assert.equal(ev.sens, steps[0].ecart > 0 ? "hausse" : "baisse");
    // Energy over every step of the span, flagged or not (15-minute steps).
    const energy = scores.filter((r) =>
      r.serie === ev.serie && (r.timestamp_utc as Date).getTime() >= start &&
      (r.timestamp_utc as Date).getTime() < end
    ).reduce((sum, r) => sum + (r.ecart as number) / 4, 0);
    assertClose(ev.ecart_energie_mwh, energy, 1e-9, `energy ${ev.serie} ${start}`);
    assert.ok(Math.sign(energy) === Math.sign(steps[0].ecart), "energy on the event's side");
    const peak = steps.reduce((a, b) => Math.abs(b.ecart) > Math.abs(a.ecart) ? b : a);
    assert.ok(Math.abs(ev.pic_score as number) > 5);
    assert.ok(steps.some((s) => s.t === (ev.pic_utc as Date).getTime()));
    assert.ok(Math.abs(ev.pic_ecart_mw as number) <= Math.abs(peak.ecart) + 1e-9);
  }

  // 1 May 2025 (Thursday) and the bridge day after: one consumption trough with both causes.
  const mayDay = events.find((e) =>
    e.serie === "consommation" && paris(e.debut_utc as Date).date === "2025-05-01"
  );
  assert.ok(mayDay);
  assert.equal(mayDay.sens, "baisse");
  assert.equal(paris(mayDay.fin_utc as Date).date, "2025-05-02");
  assert.equal(
    mayDay.cause_probable,
    "jour férié (jeudi 1er mai 2025), pont (vendredi 2 mai 2025)",
  );
  assert.equal(mayDay.libelle, "creux de consommation inhabituel");
  // The largest event of the period by energy is that one.
  const largest = events.reduce((a, b) =>
    Math.abs(b.ecart_energie_mwh as number) > Math.abs(a.ecart_energie_mwh as number) ? b : a
  );
  assert.equal(largest, mayDay);
  // Holidays of 2025 falling on weekdays, listed by hand: every consumption trough starting on
  // one names it; consumption peaks (cold, heat) have no calendar cause.
  const holidays = ["2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09"];
  for (const e of events.filter((e) => e.serie === "consommation")) {
    const day = paris(e.debut_utc as Date).date;
    if (holidays.includes(day)) assert.match(e.cause_probable as string, /^jour férié \(/);
    if (e.sens === "hausse") assert.equal(e.cause_probable, null, `peak of ${day}`);
  }
});

Deno.test("anomaly events: no gap allowed splits events at every quiet step", () => {
  const silver = silverTr2025();
  const series = [DEFAULT_ANOMALY_SERIES[0]];
  const tight = records(anomalyEvents(silver, { series, maxGapMinutes: 0 }));
  const loose = records(anomalyEvents(silver, { series }));
  // Scores computed once by the caller give the same events.
  assert.deepEqual(
    records(anomalyEvents(silver, { series, scores: anomalyScores(silver, { series }) })),
    loose,
  );
  assert.ok(tight.length > loose.length);
  const steps = records(detectAnomalies(silver, { series }));
  assert.equal(
    tight.reduce((n, e) => n + (e.nb_pas_anormaux as number), 0),
    steps.length,
  );
  // Without gaps, an event's anomalous steps fill it: duration = steps × 15 minutes.
  for (const e of tight) assert.equal(e.duree_heures, (e.nb_pas_anormaux as number) / 4);
});

Deno.test("anomaly events: calendar causes, empty input and bad options", () => {
  // Ascension 2025 (Thursday 29 May) and the bridge Friday, as two separate spans.
  assert.equal(
    calendarCause(Date.UTC(2025, 4, 29, 6), Date.UTC(2025, 4, 29, 18)),
    "jour férié (jeudi 29 mai 2025)",
  );
  assert.equal(
    calendarCause(Date.UTC(2025, 4, 30, 6), Date.UTC(2025, 4, 30, 9)),
    "pont (vendredi 30 mai 2025)",
  );
  // 31 Dec 2024 23:30 UTC is already 1 January in Paris.
  assert.equal(
    calendarCause(Date.UTC(2024, 11, 31, 23, 30), Date.UTC(2024, 11, 31, 23, 45)),
    "jour férié (mercredi 1er janvier 2025)",
  );
  const flat = silverFrame(
    Array.from({ length: 10 }, (_, i) => ({
      perimetre: "France",
      timestamp_utc: i * 7 * 86_400_000,
      consommation: 5,
    })),
  );
  const none = anomalyEvents(flat, { series: [DEFAULT_ANOMALY_SERIES[0]] });
  assert.equal(none.height, 0);
  assert.ok(none.columns.includes("cause_probable"));
  assert.throws(
    () => anomalyEvents(flat, { series: [DEFAULT_ANOMALY_SERIES[0]], maxGapMinutes: -1 }),
    (e) => e instanceof AnalysisInputError && e.message.includes("maxGapMinutes"),
  );
  assert.throws(
    () => anomalyEvents(flat.drop("pas_minutes"), { series: [DEFAULT_ANOMALY_SERIES[0]] }),
    (e) => e instanceof AnalysisInputError && e.message.includes("pas_minutes"),
  );
});
