import assert from "node:assert/strict";
import { dayNumberOfDate, localDayNumber, parisInstant } from "./calendar.ts";
import {
  assignSplits,
  consumptionFeatures,
  featureNames,
  type HorizonName,
  HORIZONS,
  knownRteJ1,
  LAG_DAYS,
  measuredInstants,
  MIN_TEMPERATURE_DAYS,
  rteJ1Publication,
  scrambledTemperatures,
  testPeriodStart,
  trainingStart,
} from "./features.ts";
import { mulberry32 } from "../ml/mod.ts";
import { HALF_HOUR_MS, type HalfHourlySeries, seriesFromColumns, slotInstant } from "./series.ts";
import { tempoPublication } from "./tempo.ts";
import {
  type DailyTemperature,
  FORECAST_TEMPERATURE_FEATURES,
  TEMPERATURE_FEATURES,
} from "./weather.ts";

const START = Date.UTC(2025, 2, 1); // spans the spring DST change of 30 March
const DAYS = 45;
const N = DAYS * 48;

/** A random series with holes, wind and solar, a Tempo calendar and temperatures. */
function world(seed: number) {
  const rng = mulberry32(seed);
  const instants = Array.from({ length: N }, (_, i) => START + i * HALF_HOUR_MS);
  const noisy = (base: number) => instants.map(() => (rng() < 0.01 ? null : base * (1 + rng())));
  const series = seriesFromColumns(instants, {
    consommation: noisy(50_000),
    eolien: noisy(5_000),
    solaire: noisy(2_000),
  }, 1);
  const firstDay = dayNumberOfDate("2025-02-20");
  const temperature: DailyTemperature = {
    firstDay,
    tmoy: Float64Array.from({ length: 60 }, () => 20 * rng()),
    tmin: Float64Array.from({ length: 60 }, () => 10 * rng()),
    tmax: Float64Array.from({ length: 60 }, () => 20 + 10 * rng()),
    interpole: new Uint8Array(60),
  };
  const tempo = new Map(
    Array.from({ length: 60 }, (_, d) => [firstDay + d, Math.floor(3 * rng())] as [number, number]),
  );
  return { series, temperature, tempo };
}

/**
 * Copy of `w` where everything measured after `t` (and the temperatures of `t`'s day and later)
 * is replaced by other random values; or every daily mean temperature raised by 5 °C.
 */
function scrambledAfter(w: ReturnType<typeof world>, t: number, what: "measured" | "weather") {
  const rng = mulberry32(99);
  const series: HalfHourlySeries = {
    ...w.series,
    consommation: w.series.consommation.slice(),
    eolien: w.series.eolien.slice(),
    solaire: w.series.solaire.slice(),
  };
  let temperature: DailyTemperature = { ...w.temperature, tmoy: w.temperature.tmoy.slice() };
  const tempo = new Map(w.tempo);
  if (what === "measured") {
    for (let i = 0; i < N; i++) {
      if (slotInstant(series, i) <= t) continue;
      series.consommation[i] = 40_000 + 1_000 * rng();
      series.eolien[i] = 1_000 * rng();
      series.solaire[i] = NaN;
    }
    // A Tempo colour published after t changes too, and the temperatures of days not over.
    for (const day of tempo.keys()) if (tempoPublication(day) > t) tempo.set(day, 3);
    temperature = scrambledTemperatures(temperature, localDayNumber(t), rng);
  } else {
    for (let d = 0; d < temperature.tmoy.length; d++) temperature.tmoy[d] += 5;
  }
  return { series, temperature, tempo };
}

const TARGETS = Array.from(
  { length: N - 8 * 48 + 48 },
  (_, k) => START + (8 * 48 + k) * HALF_HOUR_MS,
);

function features(w: ReturnType<typeof world>, horizon: HorizonName) {
  return consumptionFeatures(w.series, horizon, TARGETS, {
    temperature: w.temperature,
    tempo: w.tempo,
  });
}

for (const horizon of ["h1", "j1"] as const) {
  Deno.test(`${horizon}: no feature uses a measurement after its row's cut-off`, () => {
    const w = world(7);
    const base = features(w, horizon);
    // Cut instants on every kind of day, DST included, at various times of day.
    const cuts = [
      Date.UTC(2025, 2, 12, 9, 30),
      Date.UTC(2025, 2, 29, 23, 0),
      Date.UTC(2025, 2, 30, 10, 0),
      Date.UTC(2025, 3, 8, 16, 30),
    ];
    let checked = 0;
    let changedAfter = 0;
    // The observed temperatures are the upper-bound inputs: known after the fact only.
    const honest = base.x.names.flatMap((n, j) =>
      (TEMPERATURE_FEATURES as readonly string[]).includes(n) ? [] : [j]
    );
    for (const cut of cuts) {
      const other = features(scrambledAfter(w, cut, "measured"), horizon);
      for (let i = 0; i < TARGETS.length; i++) {
        const same = honest.every((j) => Object.is(base.x.columns[j][i], other.x.columns[j][i]));
        if (base.cutoffMs[i] <= cut) {
          assert.ok(
            same,
            `row ${new Date(TARGETS[i]).toISOString()}, cut ${new Date(cut).toISOString()}`,
          );
          checked++;
        } else if (!same) changedAfter++;
      }
    }
    // The scrambling does reach the rows whose cut-off is later: the check can fail.
    assert.ok(checked > 1000 && changedAfter > 1000, `${checked} ${changedAfter}`);
  });
}

Deno.test("RTE's J-1: known one hour ahead, never at the day-ahead cut-off, nothing published later", () => {
  const rng = mulberry32(5);
  const instants = Array.from({ length: N }, (_, i) => START + i * HALF_HOUR_MS);
  const j1 = instants.map(() => 50_000 * (1 + rng()));
  const series = seriesFromColumns(instants, { consommation: j1, prevision_j1: j1 }, 1);
  const h1 = consumptionFeatures(series, "h1", TARGETS);
  const known = knownRteJ1(series, h1);
  // Every h1 cut-off (from 23:00 the day before) follows the publication (16:00 the day before).
  // (The last day's targets lie after the series: no J-1.)
  const expected = (k: number) => (k < N ? j1[k] : NaN);
  assert.ok(known.atTarget.every((v, i) => Object.is(v, expected(i + 8 * 48))));
  assert.ok(known.atCutoff.every((v, i) => Object.is(v, expected(i + 8 * 48 - 2))));
  const j1Rows = consumptionFeatures(series, "j1", TARGETS);
  assert.ok(knownRteJ1(series, j1Rows).atTarget.every(Number.isNaN));
  // J-1 of the days published after a cut replaced: the rows cut off before it keep theirs.
  for (const cut of [Date.UTC(2025, 2, 12, 9, 30), Date.UTC(2025, 2, 29, 23, 0)]) {
    const other = knownRteJ1({
      ...series,
      prevision_j1: series.prevision_j1.map((v, i) =>
        rteJ1Publication(localDayNumber(slotInstant(series, i))) > cut ? v + 1 : v
      ),
    }, h1);
    let before = 0;
    let changedAfter = 0;
    h1.cutoffMs.forEach((c, i) => {
      const same = other.atTarget[i] === known.atTarget[i] &&
        other.atCutoff[i] === known.atCutoff[i];
      if (c <= cut) {
        assert.ok(same, new Date(h1.epochMs[i]).toISOString());
        before++;
      } else if (!same) changedAfter++;
    });
    assert.ok(before > 48 && changedAfter > 48, `${before} ${changedAfter}`);
  }
});

Deno.test("only the temperature features read the weather, observed and forecast", () => {
  const w = world(3);
  for (const horizon of ["h1", "j1"] as const) {
    const base = features(w, horizon);
    const other = features(scrambledAfter(w, -Infinity, "weather"), horizon);
    const changed = base.x.names.filter((_, j) =>
      !base.x.columns[j].every((v, i) => Object.is(v, other.x.columns[j][i]))
    );
    // Every daily mean was raised by 5 °C: differences between days do not move (the 60 days
    // are too few for a seasonal normal: the forecast is the last day observed, raised too),
    // but differences of heating degrees do, as days cross the 15 °C threshold.
    const moved = [
      "temperature",
      "temperature_veille",
      "temperature_lissee",
      "degres_chauffe",
      "degres_climatisation",
      "ecart_degres_chauffe",
      "ecart_degres_chauffe_lisses",
      "ecart_degres_chauffe_7j",
      "ecart_degres_chauffe_lisses_7j",
    ];
    // Day-ahead, the forecast of D and D-1 is D-2 observed: no change of heating degrees against
    // D-1 and D-2 at all (against the week before, days still cross the threshold).
    const forecast = horizon === "j1" ? moved.filter((n) => n !== "ecart_degres_chauffe") : moved;
    assert.deepEqual(changed, [...moved, ...forecast.map((n) => `${n}_prevision`)]);
    assert.ok(
      changed.every((n) =>
        [...TEMPERATURE_FEATURES, ...FORECAST_TEMPERATURE_FEATURES].includes(n as never)
      ),
    );
  }
});

/** A series whose value at slot i is 100 000 + i: every lag value says which slot it read. */
function indexSeries(days: number): HalfHourlySeries {
  const instants = Array.from({ length: days * 48 }, (_, i) => START + i * HALF_HOUR_MS);
  return seriesFromColumns(instants, { consommation: instants.map((_, i) => 100_000 + i) }, 1);
}

function row(set: ReturnType<typeof consumptionFeatures>, i: number): Record<string, number> {
  return Object.fromEntries(set.x.names.map((n, j) => [n, set.x.columns[j][i]]));
}

Deno.test("h1 lags and rolling means, by slot", () => {
  const series = indexSeries(20);
  const target = START + 500 * HALF_HOUR_MS;
  const f = row(consumptionFeatures(series, "h1", [target]), 0);
  assert.equal(f.lag_1h, 100_498);
  assert.equal(f.lag_1h30, 100_497);
  assert.equal(f.lag_2h, 100_496);
  assert.equal(f.lag_24h, 100_452);
  assert.equal(f.lag_25h, 100_450);
  assert.equal(f.lag_168h, 100_164);
  // Mean of slots 451..498 (the 24 h ending at the cut-off, slot 498) and of 163..498.
  assert.equal(f.moyenne_24h, 100_000 + (451 + 498) / 2);
  assert.equal(f.moyenne_7j, 100_000 + (163 + 498) / 2);
});

Deno.test("j1 uses the last day known at 12:00 the day before", () => {
  const series = indexSeries(20);
  const day = dayNumberOfDate("2025-03-12"); // CET: noon is 11:00 UTC
  const morning = parisInstant(day, 9 * 60);
  const evening = parisInstant(day, 18 * 60);
  const set = consumptionFeatures(series, "j1", [morning, evening]);
  const slot = (t: number) => (t - START) / HALF_HOUR_MS;
  const cutoffSlot = slot(parisInstant(day - 1, 12 * 60));
  assert.deepEqual([...set.cutoffMs], [parisInstant(day - 1, 720), parisInstant(day - 1, 720)]);
  const [m, e] = [row(set, 0), row(set, 1)];
  assert.equal(m.derniere_valeur, 100_000 + cutoffSlot);
  assert.equal(e.derniere_valeur, 100_000 + cutoffSlot);
  // 09:00 yesterday is before the cut-off; 18:00 yesterday is not: two days back.
  assert.equal(m.lag_meme_heure, 100_000 + slot(morning) - 48);
  assert.equal(e.lag_meme_heure, 100_000 + slot(evening) - 96);
  assert.equal(e.lag_48h, 100_000 + slot(evening) - 96);
  assert.equal(m.moyenne_24h, 100_000 + cutoffSlot - 23.5);
  assert.deepEqual(featureNames("j1").filter((n) => n.startsWith("lag")), [
    "lag_meme_heure",
    "lag_48h",
    "lag_168h",
  ]);
});

Deno.test("the j1 cut-off of every instant of a DST day is noon the day before", () => {
  const day = dayNumberOfDate("2025-03-30");
  for (let t = parisInstant(day, 0); t < parisInstant(day + 1, 0); t += HALF_HOUR_MS) {
    assert.equal(HORIZONS.j1.cutoff(t), Date.UTC(2025, 2, 29, 11), new Date(t).toISOString());
  }
});

Deno.test("j1 rows say how much the days around the target are off work; h1 rows do not", () => {
  // May 2025: Thursdays 1, 8 and 29 (Ascension) are holidays, the Fridays after them bridges.
  const instants = Array.from(
    { length: 40 * 48 },
    (_, i) => Date.UTC(2025, 3, 25) + i * HALF_HOUR_MS,
  );
  const series = seriesFromColumns(instants, { consommation: instants.map(() => 50_000) }, 1);
  const at = (date: string) => parisInstant(dayNumberOfDate(date), 10 * 60);
  const dates = ["2025-05-02", "2025-05-03", "2025-05-07", "2025-05-09", "2025-05-31"];
  const set = consumptionFeatures(series, "j1", dates.map(at));
  const column = (name: string) => [...set.x.columns[set.x.names.indexOf(name)]];
  assert.deepEqual(column("ferie_veille"), [1, 0.5, 0, 1, 0.5]);
  assert.deepEqual(column("ferie_avant_veille"), [0, 1, 0, 0, 1]);
  assert.deepEqual(column("ferie_j7"), [0, 0, 0, 0.5, 0]);
  assert.deepEqual(column("ferie_lendemain"), [0, 0, 1, 0, 0]);
  // Every instant of a local day gets that day's values.
  const sunday = dayNumberOfDate("2025-04-27"); // the week after Easter Monday, 21 April
  const day = Array.from({ length: 48 }, (_, k) => parisInstant(sunday + 1, 0) + k * HALF_HOUR_MS);
  const monday = consumptionFeatures(series, "j1", day);
  assert.ok(monday.x.columns[monday.x.names.indexOf("ferie_j7")].every((v) => v === 1));
  assert.ok(monday.x.columns[monday.x.names.indexOf("ferie_veille")].every((v) => v === 0));
  assert.ok(!featureNames("h1").some((n) => n.startsWith("ferie")));
});

Deno.test("training rows start with the temperatures only when they cover a year before the cut-off", () => {
  const day = 86_400_000;
  const seriesStart = Date.UTC(2012, 0, 1);
  const temperatureDay = Date.UTC(2016, 0, 1) / day;
  const withTemperature = Date.UTC(2016, 0, 1 + LAG_DAYS);
  const whole = seriesStart + LAG_DAYS * day;
  const yearLater = Date.UTC(2016, 0, 1) + MIN_TEMPERATURE_DAYS * day;
  assert.equal(trainingStart(seriesStart, temperatureDay, yearLater), withTemperature);
  assert.equal(trainingStart(seriesStart, temperatureDay, yearLater - 1), whole);
  // Temperatures older than the series: the series' own start.
  assert.equal(
    trainingStart(Date.UTC(2020, 0, 1), temperatureDay, yearLater),
    Date.UTC(2020, 0, 9),
  );
});

Deno.test("rolling means need 90 % of their window; targets after the data are forecastable", () => {
  const instants = Array.from({ length: 20 * 48 }, (_, i) => START + i * HALF_HOUR_MS);
  const values = instants.map((_, i) => (i >= 400 && i < 404 ? null : 1000 + i));
  const series = seriesFromColumns(instants, { consommation: values }, 1);
  // Cut-off at slot 420: the 48-slot window 373..420 misses 4 slots (44 / 48 kept): a mean.
  const f = row(consumptionFeatures(series, "h1", [START + 422 * HALF_HOUR_MS]), 0);
  let sum = 0;
  for (let s = 373; s <= 420; s++) if (s < 400 || s >= 404) sum += 1000 + s;
  assert.equal(f.moyenne_24h, sum / 44);
  // One more missing slot (43 / 48 < 90 %) and the mean is unknown.
  const holes = instants.map((_, i) => (i >= 400 && i < 405 ? null : 1000 + i));
  const g = row(
    consumptionFeatures(seriesFromColumns(instants, { consommation: holes }, 1), "h1", [
      START + 422 * HALF_HOUR_MS,
    ]),
    0,
  );
  assert.ok(Number.isNaN(g.moyenne_24h));
  // Tomorrow's forecast: the target is after the data, the features are known.
  const last = instants.at(-1)!;
  const next = consumptionFeatures(series, "j1", [last + 20 * HALF_HOUR_MS]);
  assert.ok(Number.isNaN(next.target[0]));
  assert.ok(Number.isFinite(row(next, 0).lag_168h));
});

Deno.test("targets must be on the grid and increasing", () => {
  const series = indexSeries(10);
  assert.throws(() => consumptionFeatures(series, "h1", [START + 60_000]), /not on :00\/:30/);
  assert.throws(
    () => consumptionFeatures(series, "h1", [START + HALF_HOUR_MS, START]),
    /not increasing at row 1/,
  );
});

Deno.test("splits: test = the last 20 % of eCO2mix measurements, a gap before it", () => {
  const series = indexSeries(30);
  const targets = measuredInstants(series, START + 8 * 86_400_000);
  const set = consumptionFeatures(series, "j1", targets);
  const start = testPeriodStart(set);
  const measured = targets.length;
  assert.equal(start, targets[measured - Math.round(0.2 * measured)]);
  const splits = assignSplits(set, start);
  const first = splits.indexOf("test");
  assert.equal(targets[first], start);
  // No training target after the first test row's cut-off.
  const lastTrain = splits.lastIndexOf("entrainement");
  assert.ok(targets[lastTrain] <= set.cutoffMs[first]);
  assert.ok(targets[lastTrain + 1] > set.cutoffMs[first]);
  assert.ok(splits.slice(lastTrain + 1, first).every((s) => s === "ecart"));
  assert.ok(splits.slice(first).every((s) => s === "test"));
});
