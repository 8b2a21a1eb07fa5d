import assert from "node:assert/strict";
import { sharedDataPath } from "../testing/shared_data.ts";
import { ReferenceDataError } from "./_reference_error.ts";
import { dateOfDayNumber, dayNumberOfDate } from "./calendar.ts";
import {
  type DailyTemperature,
  nationalTemperature,
  REGION_WEIGHTS,
  temperatureFeatures,
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
