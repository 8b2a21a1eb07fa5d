import assert from "node:assert/strict";
import {
  loadNationalConsumption,
  oneHourAheadProblem,
  parisOffsetMs,
} from "./_consumption_testdata.ts";

const HOUR = 3_600_000;

Deno.test("Paris offset follows the EU summer-time rule", () => {
  // 2025: summer time from 2025-03-30 01:00 UTC to 2025-10-26 01:00 UTC.
  assert.equal(parisOffsetMs(Date.UTC(2025, 2, 30, 0, 59)), HOUR);
  assert.equal(parisOffsetMs(Date.UTC(2025, 2, 30, 1, 0)), 2 * HOUR);
  assert.equal(parisOffsetMs(Date.UTC(2025, 9, 26, 0, 59)), 2 * HOUR);
  assert.equal(parisOffsetMs(Date.UTC(2025, 9, 26, 1, 0)), HOUR);
  assert.equal(parisOffsetMs(Date.UTC(2012, 2, 25, 1, 0)), 2 * HOUR);
});

Deno.test("national history loads on a regular grid with the published yearly energy", async () => {
  const { epochMs, consumption } = await loadNationalConsumption();
  assert.equal(epochMs[0], Date.parse("2011-12-31T23:00:00Z"));
  assert.equal(epochMs[epochMs.length - 1], Date.parse("2025-10-31T22:30:00Z"));
  for (let i = 1; i < epochMs.length; i++) assert.equal(epochMs[i] - epochMs[i - 1], HOUR / 2);
  // Slots without a row: the summer-time hour of each autumn change (2 half-hours x 14 years)
  // and the three local midnights listed in SOURCES.md.
  assert.equal(consumption.filter(Number.isNaN).length, 31);
  // Yearly energy by local year, in TWh, against SOURCES.md (which sums every file row,
  // including the two spring-forward copies: hence the 0.1 TWh tolerance).
  const published: Record<number, number> = {
    2012: 486.60,
    2016: 480.32,
    2020: 445.62,
    2024: 441.55,
  };
  const sums = new Map<number, number>();
  consumption.forEach((mw, i) => {
    if (Number.isNaN(mw)) return;
    const year = new Date(epochMs[i] + parisOffsetMs(epochMs[i])).getUTCFullYear();
    sums.set(year, (sums.get(year) ?? 0) + (mw * 0.5) / 1e6);
  });
  for (const [year, twh] of Object.entries(published)) {
    assert.ok(Math.abs(sums.get(Number(year))! - twh) < 0.1, `${year}: ${sums.get(Number(year))}`);
  }
});

Deno.test("one-hour-ahead features are lags of the series in local time", async () => {
  const series = await loadNationalConsumption();
  const problem = oneHourAheadProblem(series);
  const column = (name: string) => problem.x.columns[problem.x.names.indexOf(name)];
  // A row in summer: 2024-07-01 12:00 Paris = 10:00 UTC, a Monday.
  const t = Date.UTC(2024, 6, 1, 10);
  const row = problem.epochMs.indexOf(t);
  const slot = series.epochMs.indexOf(t);
  assert.equal(column("heure")[row], 12);
  assert.equal(column("minute")[row], 0);
  assert.equal(column("jour_semaine")[row], 0);
  assert.equal(column("mois")[row], 7);
  assert.equal(column("jour_annee")[row], 183); // leap year
  assert.equal(problem.y[row], series.consumption[slot]);
  assert.equal(column("lag_1h")[row], series.consumption[slot - 2]);
  assert.equal(column("lag_24h")[row], series.consumption[slot - 48]);
  assert.equal(column("lag_168h")[row], series.consumption[slot - 336]);
  let sum = 0;
  for (let k = 2; k < 50; k++) sum += series.consumption[slot - k];
  assert.ok(Math.abs(column("moyenne_24h")[row] - sum / 48) < 1e-9);
  assert.equal(problem.persistence[row], series.consumption[slot - 2]);
  assert.ok(problem.x.columns.every((c) => c.every(Number.isFinite)));
});

Deno.test("recent lags and the corrected persistence", async () => {
  const series = await loadNationalConsumption();
  const problem = oneHourAheadProblem(series, { recentLags: true });
  assert.equal(problem.x.names.length, 15);
  const t = Date.UTC(2024, 6, 1, 10);
  const row = problem.epochMs.indexOf(t);
  const slot = series.epochMs.indexOf(t);
  const value = (name: string) => problem.x.columns[problem.x.names.indexOf(name)][row];
  const c = series.consumption;
  assert.equal(value("lag_1h30"), c[slot - 3]);
  assert.equal(value("lag_23h30"), c[slot - 47]);
  assert.equal(value("persistance_corrigee"), c[slot - 2] + c[slot - 48] - c[slot - 50]);
});
