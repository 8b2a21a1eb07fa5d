import assert from "node:assert/strict";
import { sharedDataPath } from "../testing/shared_data.ts";
import { ReferenceDataError } from "./_reference_error.ts";
import { dateOfDayNumber, dayNumberOfDate } from "./calendar.ts";
import { scrambledTemperatures } from "./features.ts";
import { mulberry32 } from "../ml/mod.ts";
import {
  type DailyTemperature,
  FORECAST_TEMPERATURE_FEATURES,
  forecastTemperatureFeatures,
  nationalTemperature,
  REGION_WEIGHTS,
  temperatureFeatures,
  TemperatureOutlook,
  temperatureRows,
} from "./weather.ts";

const HEADER = "ID;Date;Code INSEE région;Région;TMin (°C);TMax (°C);TMoy (°C)";
const CODES = Object.keys(REGION_WEIGHTS);

Deno.test("the weights are the 2014 consumption of each region's definitive file", async () => {
  const files: Record<string, string> = {
    "11": "Ile-de-France",
    "24": "Centre-Val-de-Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand-Est",
    "52": "Pays-de-la-Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "PACA",
  };
  assert.deepEqual(Object.keys(files).sort(), CODES.sort());
  let total = 0;
  for (const [code, name] of Object.entries(files)) {
    const path = sharedDataPath(`eco2mix/regional/eCO2mix_RTE_${name}_Annuel-Definitif_2014.xls`);
    const lines = new TextDecoder("iso-8859-1").decode(await Deno.readFile(path)).split("\n");
    let mwh = 0;
    for (const line of lines.slice(1)) {
      const v = line.split("\t")[4];
      if (v !== undefined && /^-?\d+$/.test(v)) mwh += Number(v) * 0.5;
    }
    assert.equal(REGION_WEIGHTS[code].mwh, mwh, name);
    total += mwh;
  }
  // SOURCES.md: the 12 regions sum to 462.35 TWh, ODRÉ's national 2014 total.
  assert.equal(Math.round(total / 1e4) / 100, 462.35);
});

Deno.test("national temperature of the real file: weighted means, Corsica out, 28 days filled", async () => {
  const text = await Deno.readTextFile(
    sharedDataPath("weather/temperature-quotidienne-regionale.csv"),
  );
  const daily = nationalTemperature(text, "temperature-quotidienne-regionale.csv");
  assert.equal(dateOfDayNumber(daily.firstDay), "2016-01-01");
  assert.equal(dateOfDayNumber(daily.firstDay + daily.tmoy.length - 1), "2025-11-29");
  // An independent weighted mean of 1 January 2016 (Corsica, code 94, excluded).
  let sum = 0;
  let weight = 0;
  for (const line of text.split("\r\n")) {
    const f = line.split(";");
    if (f[1] !== "01/01/16" || f[2] === "94") continue;
    sum += REGION_WEIGHTS[f[2]].mwh * Number(f[6]);
    weight += REGION_WEIGHTS[f[2]].mwh;
  }
  assert.ok(Math.abs(daily.tmoy[0] - sum / weight) < 1e-12);
  // SOURCES.md §7: 28 days are missing for every region; each is interpolated.
  const filled = temperatureRows(daily).filter((r) => r.interpole);
  assert.equal(filled.length, 28);
  assert.ok(filled.some((r) => r.date === "2024-12-30"));
  const at = (date: string) => daily.tmoy[dayNumberOfDate(date) - daily.firstDay];
  assert.ok(Math.abs(at("2024-03-31") - (at("2024-03-30") + at("2024-04-01")) / 2) < 1e-12);
  assert.ok(daily.tmoy.every(Number.isFinite));
});

function csv(rows: string[]): string {
  return `\uFEFF${HEADER}\r\n${rows.join("\r\n")}\r\n`;
}

function fullDay(date: string, t: number): string[] {
  return CODES.map((code) => `x-${code};${date};${code};r;${t - 4};${t + 4};${t}`);
}

Deno.test("a day without every region is missing; long holes stay NaN", () => {
  const partial = fullDay("03/01/25", 8).slice(1);
  const days = [
    ...fullDay("01/01/25", 2),
    ...partial,
    ...fullDay("04/01/25", 8),
    ...fullDay("20/01/25", 10),
  ];
  const daily = nationalTemperature(csv(days), "t.csv");
  // 2 January (absent) and 3 January (partial) are interpolated between 2 and 8 °C.
  assert.deepEqual([...daily.tmoy.slice(0, 4)], [2, 4, 6, 8]);
  assert.deepEqual([...daily.interpole.slice(0, 4)], [0, 1, 1, 0]);
  // 5-19 January: 15 days, more than a week: not filled.
  assert.ok(Number.isNaN(daily.tmoy[4]) && daily.interpole[4] === 0);
  assert.equal(daily.tmoy[19], 10);
});

Deno.test("malformed temperature files name the file and line", () => {
  const bad = (text: string, pattern: RegExp) =>
    assert.throws(
      () => nationalTemperature(text, "t.csv"),
      (e: unknown) => e instanceof ReferenceDataError && pattern.test(e.message),
    );
  bad("a;b\r\n", /t\.csv: line 1: not ODRÉ's temperature-quotidienne-regionale/);
  bad(csv(["x;2025-01-01;11;r;1;2;3"]), /t\.csv: line 2: bad date "2025-01-01"/);
  bad(csv(["x;01/01/25;99;r;1;2;3"]), /line 2: unknown region code "99"/);
  bad(csv(["x;01/01/25;11;r;1;2;chaud"]), /line 2: temperature is not a number/);
  bad(csv(["x;01/01/25;11;r;1;2;3", "x;01/01/25;11;r;1;2;3"]), /line 3: region 11 given twice/);
});

Deno.test("heating degree changes: the target day against the two days before it", () => {
  const daily: DailyTemperature = {
    firstDay: dayNumberOfDate("2025-01-01"),
    tmoy: Float64Array.of(10, 8, 4, 12, 18, 20, 22),
    tmin: Float64Array.of(5, 4, 0, 8, 12, 14, 16),
    tmax: Float64Array.of(15, 12, 8, 16, 24, 26, 28),
    interpole: new Uint8Array(7),
  };
  const noon = (day: number) => Date.UTC(2025, 0, 1 + day, 11);
  const f = temperatureFeatures([noon(1), noon(3), noon(6)], daily);
  // 4 January: 15 - 12 = 3 heating degrees against (15 - 4 + 15 - 8) / 2 = 9.
  assert.equal(f.ecart_degres_chauffe[1], 3 - 9);
  // Smoothed by hand: 10, 9.6, 8.48, 9.184.
  const smoothedChange = (15 - 9.184) - ((15 - 8.48) + (15 - 9.6)) / 2;
  assert.ok(Math.abs(f.ecart_degres_chauffe_lisses[1] - smoothedChange) < 1e-12);
  // No heating on 7 January nor on the two days before: no change.
  assert.equal(f.ecart_degres_chauffe[2], 0);
  // 2 January: the day before the series is unknown.
  assert.ok(Number.isNaN(f.ecart_degres_chauffe[0]));
  // Seven days of history are missing for every instant of this series.
  assert.ok(f.ecart_degres_chauffe_7j.every(Number.isNaN));
});

Deno.test("heating degree changes against the seven days before: D-1 and D-8 count half", () => {
  // 1 to 9 January: heating degrees 15 - tmoy = 1, 2, ..., 8, then 0 on the 9th.
  const tmoy = Float64Array.of(14, 13, 12, 11, 10, 9, 8, 7, 15);
  const daily: DailyTemperature = {
    firstDay: dayNumberOfDate("2025-01-01"),
    tmoy,
    tmin: tmoy.map((t) => t - 3),
    tmax: tmoy.map((t) => t + 3),
    interpole: new Uint8Array(tmoy.length),
  };
  const f = temperatureFeatures([Date.UTC(2025, 0, 9, 11)], daily);
  // D = 9 January: (8 / 2 + 7 + 6 + 5 + 4 + 3 + 2 + 1 / 2) / 7 = 4.5 heating degrees before.
  assert.equal(f.ecart_degres_chauffe_7j[0], 0 - 4.5);
  // The 24-hour form on the same day: (8 + 7) / 2.
  assert.equal(f.ecart_degres_chauffe[0], 0 - 7.5);
  assert.ok(Number.isFinite(f.ecart_degres_chauffe_lisses_7j[0]));
});

Deno.test("temperature features of an instant: its local day, the days before, degrees", () => {
  const daily: DailyTemperature = {
    firstDay: dayNumberOfDate("2025-06-01"),
    tmoy: Float64Array.from({ length: 10 }, (_, d) => 10 + 2 * d), // 10, 12, ..., 28
    tmin: Float64Array.from({ length: 10 }, (_, d) => 5 + d),
    tmax: Float64Array.from({ length: 10 }, (_, d) => 20 + d),
    interpole: new Uint8Array(10),
  };
  // 2025-06-08 at 23:30 UTC is 01:30 on 9 June in Paris: day index 8, mean 26 °C.
  const f = temperatureFeatures([Date.UTC(2025, 5, 8, 23, 30), Date.UTC(2025, 4, 31, 12)], daily);
  assert.equal(f.temperature[0], 26);
  assert.equal(f.temperature_min[0], 13);
  assert.equal(f.temperature_max[0], 28);
  assert.equal(f.temperature_veille[0], 24);
  assert.equal(f.degres_chauffe[0], 0);
  assert.equal(f.degres_climatisation[0], 6);
  assert.equal(f.ecart_temperature_veille[0], 2);
  assert.equal(f.ecart_temperature_2j[0], 4);
  assert.equal(f.ecart_temperature_7j[0], 14);
  // Smoothed by hand: s0 = 10, s(d) = 0.8 s(d-1) + 0.2 t(d).
  let s = 10;
  for (let d = 1; d <= 8; d++) s = 0.8 * s + 0.2 * (10 + 2 * d);
  assert.ok(Math.abs(f.temperature_lissee[0] - s) < 1e-12);
  // Before the series: unknown.
  assert.ok(Number.isNaN(f.temperature[1]) && Number.isNaN(f.degres_chauffe[1]));
});

Deno.test("the hourly temperature follows the diurnal shape between Tmin at 06:00 and Tmax at 15:00", () => {
  const daily: DailyTemperature = {
    firstDay: dayNumberOfDate("2025-07-01"),
    tmoy: Float64Array.of(20, 22, 24),
    tmin: Float64Array.of(12, 14, 16),
    tmax: Float64Array.of(28, 30, 32),
    interpole: new Uint8Array(3),
  };
  // 2 July in Paris (CEST, UTC+2): 06:00, 10:30, 15:00, 03:00 and 21:00 local.
  const local = (h: number, m = 0) => Date.UTC(2025, 6, 2, h - 2, m);
  const f = temperatureFeatures([local(6), local(10, 30), local(15), local(3), local(21)], daily);
  const [t6, t1030, t15, t3, t21] = f.temperature_horaire;
  assert.equal(t6, 14);
  assert.ok(Math.abs(t1030 - 22) < 1e-12); // half-way up the morning ramp
  assert.equal(t15, 30);
  // 03:00: 12 h into the 15-h fall from yesterday's 28 °C to today's 14 °C.
  assert.ok(Math.abs(t3 - (28 + (14 - 28) * (1 - Math.cos((Math.PI * 12) / 15)) / 2)) < 1e-12);
  // 21:00: 6 h into the fall from today's 30 °C to tomorrow's 16 °C.
  assert.ok(Math.abs(t21 - (30 + (16 - 30) * (1 - Math.cos((Math.PI * 6) / 15)) / 2)) < 1e-12);
  assert.equal(f.degres_climatisation_horaire[2], 6);
  assert.equal(f.degres_climatisation_horaire[0], 0);
});

/** The national temperatures of the shared ODRÉ file. */
async function realTemperatures(): Promise<DailyTemperature> {
  const path = sharedDataPath("weather/temperature-quotidienne-regionale.csv");
  return nationalTemperature(
    await Deno.readTextFile(path),
    "temperature-quotidienne-regionale.csv",
  );
}

Deno.test("the temperature forecast of a cut-off reads no day after it, on the real file", async () => {
  const daily = await realTemperatures();
  const outlook = new TemperatureOutlook(daily);
  // Cut-offs in the first half-year (no normal yet), in winter 2021 and in summer 2025.
  for (const date of ["2016-06-10", "2021-12-12", "2025-07-01"]) {
    const k = dayNumberOfDate(date);
    const other = new TemperatureOutlook(scrambledTemperatures(daily, k + 1, mulberry32(k)));
    for (let day = k - 10; day <= k + 5; day++) {
      for (const kind of ["tmoy", "tmin", "tmax"] as const) {
        assert.equal(outlook.at(kind, k, day), other.at(kind, k, day), `${date} ${kind} ${day}`);
      }
      assert.equal(outlook.smoothed(k, day), other.smoothed(k, day));
    }
    // The scrambled days do change what is known one day later.
    assert.notEqual(outlook.at("tmoy", k + 1, k + 1), other.at("tmoy", k + 1, k + 1));
  }
});

Deno.test("forecast features: the days over at the cut-off observed, later days forecast", () => {
  const firstDay = dayNumberOfDate("2025-01-01");
  const tmoy = Float64Array.from({ length: 20 }, (_, d) => d);
  const daily = { firstDay, tmoy, tmin: tmoy.map((t) => t - 3), tmax: tmoy.map((t) => t + 3) };
  // Day 10 is interpolated: at the end of day 10, day 9 is the last one observed.
  const interpole = new Uint8Array(20);
  interpole[10] = 1;
  const outlook = new TemperatureOutlook({ ...daily, interpole });
  assert.equal(outlook.lastObserved(firstDay + 10), firstDay + 9);
  assert.equal(outlook.at("tmoy", firstDay + 10, firstDay + 10), 9); // persistence: no normal yet
  // A j1 row of day 12 (cut-off at noon on day 11): day 10 is interpolated, so day 9's values
  // stand for days 10 to 13.
  const target = Date.UTC(2025, 0, 13, 9); // 10:00 in Paris on day 12
  const cutoff = Date.UTC(2025, 0, 12, 11);
  const f = forecastTemperatureFeatures([target], [cutoff], { ...daily, interpole });
  assert.deepEqual(
    [f.temperature_prevision[0], f.temperature_veille_prevision[0], f.temperature_min_prevision[0]],
    [9, 9, 6],
  );
  assert.equal(f.ecart_temperature_7j_prevision[0], 9 - 5);
  assert.deepEqual(Object.keys(f), [...FORECAST_TEMPERATURE_FEATURES]);
  // The observed features read day 12 itself.
  assert.equal(temperatureFeatures([target], { ...daily, interpole }).temperature[0], 12);
});

Deno.test("normal and anomaly decay recovered from a synthetic climate", () => {
  // Three years of a seasonal cycle plus an AR(1) anomaly of coefficient 0.7.
  const n = 3 * 365;
  const firstDay = dayNumberOfDate("2020-01-01");
  const rng = mulberry32(5);
  const w = 2 * Math.PI / 365.2425;
  const anomaly = new Float64Array(n);
  for (let d = 1; d < n; d++) anomaly[d] = 0.7 * anomaly[d - 1] + 3 * (rng() - 0.5) * 2;
  const normal = (day: number) => 12 + 8 * Math.cos(w * day);
  const tmoy = Float64Array.from(anomaly, (a, d) => normal(firstDay + d) + a);
  const outlook = new TemperatureOutlook({
    firstDay,
    tmoy,
    tmin: tmoy,
    tmax: tmoy,
    interpole: new Uint8Array(n),
  });
  const k = firstDay + n - 1;
  // Far ahead, the forecast is the normal; two days ahead, 0.7² of today's anomaly on top.
  assert.ok(Math.abs(outlook.at("tmoy", k, k + 40) - normal(k + 40)) < 0.5);
  const twoDays = outlook.at("tmoy", k, k + 2) - normal(k + 2);
  assert.ok(Math.abs(twoDays - 0.49 * anomaly[n - 1]) < 0.1 * Math.abs(anomaly[n - 1]) + 0.3);
});

Deno.test("on the real file, the forecast two days ahead beats persistence and the normal", async () => {
  const daily = await realTemperatures();
  const outlook = new TemperatureOutlook(daily);
  let forecast = 0;
  let persistence = 0;
  let normal = 0;
  let n = 0;
  // Every day from 2018 on whose day and the one two days before are observed.
  for (let k = dayNumberOfDate("2018-01-01"); k + 2 < daily.firstDay + daily.tmoy.length; k++) {
    const [i, j] = [k - daily.firstDay, k + 2 - daily.firstDay];
    if (daily.interpole[i] || daily.interpole[j]) continue;
    const actual = daily.tmoy[j];
    forecast += Math.abs(outlook.at("tmoy", k, k + 2) - actual);
    persistence += Math.abs(daily.tmoy[i] - actual);
    // Sixty days ahead the anomaly has no weight left: the forecast is the normal alone.
    normal += Math.abs(outlook.at("tmoy", k - 58, k + 2) - actual);
    n++;
  }
  assert.ok(n > 2500);
  assert.ok(forecast < persistence, `${forecast / n} vs ${persistence / n}`);
  assert.ok(forecast < normal, `${forecast / n} vs ${normal / n}`);
});

Deno.test("forecast features: each daily series has its own outlook, kept between calls", () => {
  const n = 2 * 365;
  const firstDay = dayNumberOfDate("2020-01-01");
  const rng = mulberry32(3);
  const tmoy = Float64Array.from({ length: n }, (_, d) => 12 + 8 * Math.cos(d / 58) + 4 * rng());
  const daily = { firstDay, tmoy, tmin: tmoy, tmax: tmoy, interpole: new Uint8Array(n) };
  const cut = firstDay + 400;
  const other = scrambledTemperatures(daily, cut, mulberry32(4));
  const day = 86_400_000;
  const epochMs = Array.from({ length: 48 * 30 }, (_, i) => (cut - 10) * day + i * 1_800_000);
  const cutoffMs = epochMs.map((t) => t - 3_600_000);
  for (const series of [daily, other, daily]) {
    // The same as from an outlook built for the call, whatever series came before.
    assert.deepEqual(
      forecastTemperatureFeatures(epochMs, cutoffMs, series),
      forecastTemperatureFeatures(epochMs, cutoffMs, new TemperatureOutlook(series)),
    );
  }
  const [a, b] = [daily, other].map((s) => forecastTemperatureFeatures(epochMs, cutoffMs, s));
  assert.notDeepEqual(a.temperature_prevision, b.temperature_prevision);
});

Deno.test("temperature features of instants in any order are those of each instant alone", () => {
  const firstDay = dayNumberOfDate("2025-03-25");
  const rng = mulberry32(9);
  const tmoy = Float64Array.from({ length: 12 }, () => 20 * rng());
  const daily = {
    firstDay,
    tmoy,
    tmin: tmoy.map((t) => t - 5 * rng()),
    tmax: tmoy.map((t) => t + 5 * rng()),
    interpole: new Uint8Array(12),
  };
  // Half-hours over the March clock change, shuffled, and one instant repeated.
  const instants = Array.from(
    { length: 48 * 8 },
    (_, i) => (firstDay + 2) * 86_400_000 + i * 1_800_000,
  );
  const order = instants.map((t) => [rng(), t]).sort((a, b) => a[0] - b[0]).map(([, t]) => t);
  order.push(order[0]);
  const cutoffs = order.map((t) => t - 3_600_000);
  const all = temperatureFeatures(order, daily);
  const forecast = forecastTemperatureFeatures(order, cutoffs, daily);
  order.forEach((t, i) => {
    const one = temperatureFeatures([t], daily);
    const oneForecast = forecastTemperatureFeatures([t], [cutoffs[i]], daily);
    for (const name of Object.keys(one) as (keyof typeof one)[]) {
      assert.ok(Object.is(all[name][i], one[name][0]), `${name} ${new Date(t).toISOString()}`);
    }
    for (const name of FORECAST_TEMPERATURE_FEATURES) {
      assert.ok(Object.is(forecast[name][i], oneForecast[name][0]), name);
    }
  });
});
