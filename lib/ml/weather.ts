/**
 * Daily temperatures for the consumption models: ODRÉ's `temperature-quotidienne-regionale`
 * (format in shared/data/SOURCES.md §7) made national.
 *
 * **National temperature.** The mean of the 12 mainland regions weighted by their share of
 * electricity consumption ({@linkcode REGION_WEIGHTS}: each region's 2014 consumption from RTE's
 * definitive regional eCO2mix files, which add up to the national eCO2mix perimeter, 462.35 TWh).
 * Corsica is left out, as it is from eCO2mix's "France". Weighting by consumption rather than by
 * area gives Ile-de-France (15 %) and Auvergne-Rhône-Alpes (14 %) the weight their heating and
 * cooling load has on the national curve.
 *
 * **Missing days.** The file lacks 28 days (month ends since 2024, all regions at once). A day
 * without all 12 regions is filled by linear interpolation between the nearest complete days
 * when they are at most {@linkcode MAX_INTERPOLATED_DAYS} apart, and flagged `interpole`; a
 * longer hole stays NaN.
 *
 * **What the features are.** A daily observed temperature is a stand-in for the weather forecast
 * a real forecaster would use: every score computed with it says so. Features per target instant
 * (its Paris local day D): `temperature` (mean of D), `temperature_min`, `temperature_max`,
 * `temperature_veille` (mean of D-1), `temperature_lissee` (exponential smoothing of daily means,
 * the building stock's thermal inertia: `0.8 × yesterday's smoothed + 0.2 × today`),
 * `degres_chauffe` = max(0, 15 - mean) and `degres_climatisation` = max(0, mean - 20) (heating
 * load grows by about 2,100-2,400 MW per °C below 15 °C; cooling above about 20 °C), and the
 * changes since the days the consumption lags come from: `ecart_temperature_veille`,
 * `ecart_temperature_2j`, `ecart_temperature_7j` (mean of D minus mean of D-1, D-2, D-7), which
 * tell a model how far the lagged level must move. `temperature_horaire` spreads the day over its
 * hours, the usual diurnal shape (minimum at 06:00, maximum at 15:00 local time, half-cosine
 * ramps between them, the night falling from the previous day's maximum to the day's minimum and
 * the evening towards the next day's minimum), and `degres_climatisation_horaire` = max(0,
 * hourly - 24): air-conditioning follows the afternoon heat, not the daily mean (measured on the
 * last 20 % of the 2025 file, a heat wave included: day-ahead MAPE 1.64 % → 1.61 %).
 *
 * @module
 */

import { ReferenceDataError } from "./_reference_error.ts";
import {
  dateOfDayNumber,
  isBridgeDay,
  isHoliday,
  localDayNumber,
  parisOffsetMinutes,
} from "./calendar.ts";

/**
 * Weight of each mainland region (INSEE code) in the national temperature: its 2014 electricity
 * consumption in MWh (sum of the half-hourly `Consommation` × 0.5 h of RTE's definitive
 * regional file).
 */
export const REGION_WEIGHTS: Readonly<Record<string, { region: string; mwh: number }>> = {
  "11": { region: "Île-de-France", mwh: 70_240_947.5 },
  "24": { region: "Centre-Val de Loire", mwh: 18_587_560 },
  "27": { region: "Bourgogne-Franche-Comté", mwh: 20_413_627.5 },
  "28": { region: "Normandie", mwh: 27_141_488 },
  "32": { region: "Hauts-de-France", mwh: 50_862_840.5 },
  "44": { region: "Grand Est", mwh: 44_879_585.5 },
  "52": { region: "Pays de la Loire", mwh: 26_298_733.5 },
  "53": { region: "Bretagne", mwh: 21_662_581.5 },
  "75": { region: "Nouvelle-Aquitaine", mwh: 42_234_608 },
  "76": { region: "Occitanie", mwh: 35_266_281 },
  "84": { region: "Auvergne-Rhône-Alpes", mwh: 64_108_060 },
  "93": { region: "Provence-Alpes-Côte d'Azur", mwh: 40_652_265 },
};

/** Longest run of missing days filled by interpolation. */
export const MAX_INTERPOLATED_DAYS = 7;

/** Base temperatures (°C) of heating and cooling degrees. */
export const HEATING_BASE_C = 15;
export const COOLING_BASE_C = 20;
/** Base (°C) of the hourly cooling degrees. */
export const HOURLY_COOLING_BASE_C = 24;
/** Local hours of the daily minimum and maximum in the diurnal profile. */
const HOUR_OF_MIN = 6;
const HOUR_OF_MAX = 15;
/** Weight of the previous smoothed value in `temperature_lissee`. */
const SMOOTHING = 0.8;

const HEADER = ["ID", "Date", "Code INSEE région", "Région", "TMin (°C)", "TMax (°C)", "TMoy (°C)"];
const DAY_MS = 86_400_000;

/** National daily temperatures on consecutive days (index = day - firstDay). */
export interface DailyTemperature {
  /** Day number (days since 1970-01-01) of the first day. */
  readonly firstDay: number;
  /** Weighted national mean, minimum and maximum (°C); NaN where unknown. */
  readonly tmoy: Float64Array;
  readonly tmin: Float64Array;
  readonly tmax: Float64Array;
  /** 1 where the day was interpolated. */
  readonly interpole: Uint8Array;
}

/**
 * Reads ODRÉ's regional daily temperature CSV (UTF-8 with BOM, `;`, `dd/mm/yy` dates) into the
 * national daily series. Rows of Corsica are read and left out; any malformed line is a
 * {@linkcode ReferenceDataError} naming the file and line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nationalTemperature, REGION_WEIGHTS } from "./weather.ts";
 * const header = "ID;Date;Code INSEE région;Région;TMin (°C);TMax (°C);TMoy (°C)";
 * const lines = Object.keys(REGION_WEIGHTS).map((code) =>
 *   `2025-01-01T00:00:00-${code};01/01/25;${code};r;1;9;5`
 * );
 * const t = nationalTemperature(`\uFEFF${header}\r\n${lines.join("\r\n")}\r\n`, "t.csv");
 * assert.equal(t.tmoy[0], 5);
 * ```
 */
export function nationalTemperature(text: string, file: string): DailyTemperature {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = lines[0].split(";").map((h) => h.trim());
  if (HEADER.some((name, j) => header[j] !== name)) {
    throw new ReferenceDataError(
      `${file}: line 1: not ODRÉ's temperature-quotidienne-regionale (header ${
        JSON.stringify(lines[0].slice(0, 80))
      })`,
    );
  }
  const totalWeight = Object.values(REGION_WEIGHTS).reduce((s, r) => s + r.mwh, 0);
  // Per day: weighted sums of the three temperatures and the regions seen.
  const days = new Map<number, { sums: [number, number, number]; regions: Set<string> }>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const f = lines[i].split(";");
    const where = `${file}: line ${i + 1}`;
    if (f.length !== HEADER.length) {
      throw new ReferenceDataError(`${where}: ${f.length} fields, expected ${HEADER.length}`);
    }
    const weight = REGION_WEIGHTS[f[2]]?.mwh;
    if (weight === undefined) {
      if (f[2] === "94") continue; // Corse: outside eCO2mix's national perimeter
      throw new ReferenceDataError(`${where}: unknown region code ${JSON.stringify(f[2])}`);
    }
    const m = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(f[1]);
    if (!m) throw new ReferenceDataError(`${where}: bad date ${JSON.stringify(f[1])} (dd/mm/yy)`);
    const day = Date.UTC(2000 + Number(m[3]), Number(m[2]) - 1, Number(m[1])) / DAY_MS;
    const values = [f[4], f[5], f[6]].map((v) => (v.trim() === "" ? NaN : Number(v)));
    if (!values.every(Number.isFinite)) {
      throw new ReferenceDataError(
        `${where}: temperature is not a number (${f.slice(4).join(";")})`,
      );
    }
    let entry = days.get(day);
    if (!entry) {
      entry = { sums: [0, 0, 0], regions: new Set() };
      days.set(day, entry);
    }
    if (entry.regions.has(f[2])) {
      throw new ReferenceDataError(`${where}: region ${f[2]} given twice for ${f[1]}`);
    }
    entry.regions.add(f[2]);
    for (let k = 0; k < 3; k++) entry.sums[k] += weight * values[k];
  }
  if (days.size === 0) throw new ReferenceDataError(`${file}: no temperature row`);
  const keys = [...days.keys()];
  const firstDay = Math.min(...keys);
  const n = Math.max(...keys) - firstDay + 1;
  const columns = [0, 1, 2].map(() => new Float64Array(n).fill(NaN));
  for (const [day, { sums, regions }] of days) {
    // A partial day would shift the mean towards the regions present: treat it as missing.
    if (regions.size !== Object.keys(REGION_WEIGHTS).length) continue;
    for (let k = 0; k < 3; k++) columns[k][day - firstDay] = sums[k] / totalWeight;
  }
  const interpole = new Uint8Array(n);
  for (const column of columns) interpolateShortHoles(column, interpole);
  const [tmin, tmax, tmoy] = columns;
  return { firstDay, tmoy, tmin, tmax, interpole };
}

/** Fills runs of NaN of at most MAX_INTERPOLATED_DAYS between two values, flagging them. */
function interpolateShortHoles(values: Float64Array, flags: Uint8Array): void {
  let last = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    const gap = i - last - 1;
    if (last >= 0 && gap > 0 && gap <= MAX_INTERPOLATED_DAYS) {
      for (let k = last + 1; k < i; k++) {
        values[k] = values[last] + ((values[i] - values[last]) * (k - last)) / (i - last);
        flags[k] = 1;
      }
    }
    last = i;
  }
}

/** Names of the columns {@linkcode temperatureFeatures} returns, in order. */
export const TEMPERATURE_FEATURES = [
  "temperature",
  "temperature_min",
  "temperature_max",
  "temperature_veille",
  "temperature_lissee",
  "degres_chauffe",
  "degres_climatisation",
  "ecart_temperature_veille",
  "ecart_temperature_2j",
  "ecart_temperature_7j",
  "temperature_horaire",
  "degres_climatisation_horaire",
] as const;

/**
 * Temperature features of each target instant (see the module doc); NaN outside the series.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { temperatureFeatures } from "./weather.ts";
 * const daily = {
 *   firstDay: dayNumberOfDate("2025-01-01"),
 *   tmoy: Float64Array.of(4, 6), tmin: Float64Array.of(1, 2), tmax: Float64Array.of(8, 9),
 *   interpole: new Uint8Array(2),
 * };
 * const f = temperatureFeatures([Date.UTC(2025, 0, 2, 12)], daily);
 * assert.deepEqual([f.temperature[0], f.temperature_veille[0], f.degres_chauffe[0]], [6, 4, 9]);
 * assert.ok(Math.abs(f.temperature_lissee[0] - (0.8 * 4 + 0.2 * 6)) < 1e-12);
 * ```
 */
export function temperatureFeatures(
  epochMs: ArrayLike<number>,
  daily: DailyTemperature,
): Record<(typeof TEMPERATURE_FEATURES)[number], Float64Array> {
  const smoothed = new Float64Array(daily.tmoy.length).fill(NaN);
  for (let d = 0; d < smoothed.length; d++) {
    const previous = d > 0 ? smoothed[d - 1] : NaN;
    smoothed[d] = Number.isNaN(previous)
      ? daily.tmoy[d]
      : SMOOTHING * previous + (1 - SMOOTHING) * daily.tmoy[d];
  }
  const n = epochMs.length;
  const out = Object.fromEntries(
    TEMPERATURE_FEATURES.map((name) => [name, new Float64Array(n).fill(NaN)]),
  ) as Record<(typeof TEMPERATURE_FEATURES)[number], Float64Array>;
  const at = (values: Float64Array, d: number) => (d >= 0 && d < values.length ? values[d] : NaN);
  // Half-cosine ramp from `a` to `b` over `span` hours, `k` hours in.
  const ramp = (a: number, b: number, k: number, span: number) =>
    a + ((b - a) * (1 - Math.cos((Math.PI * k) / span))) / 2;
  const night = 24 - HOUR_OF_MAX + HOUR_OF_MIN;
  for (let i = 0; i < n; i++) {
    const d = localDayNumber(epochMs[i]) - daily.firstDay;
    const wall = new Date(epochMs[i] + parisOffsetMinutes(epochMs[i]) * 60_000);
    const hour = wall.getUTCHours() + wall.getUTCMinutes() / 60;
    const hourly = hour < HOUR_OF_MIN
      ? ramp(at(daily.tmax, d - 1), at(daily.tmin, d), hour + 24 - HOUR_OF_MAX, night)
      : hour <= HOUR_OF_MAX
      ? ramp(at(daily.tmin, d), at(daily.tmax, d), hour - HOUR_OF_MIN, HOUR_OF_MAX - HOUR_OF_MIN)
      : ramp(at(daily.tmax, d), at(daily.tmin, d + 1), hour - HOUR_OF_MAX, night);
    out.temperature_horaire[i] = hourly;
    out.degres_climatisation_horaire[i] = Math.max(0, hourly - HOURLY_COOLING_BASE_C);
    const t = at(daily.tmoy, d);
    out.temperature[i] = t;
    out.temperature_min[i] = at(daily.tmin, d);
    out.temperature_max[i] = at(daily.tmax, d);
    out.temperature_veille[i] = at(daily.tmoy, d - 1);
    out.temperature_lissee[i] = at(smoothed, d);
    // Math.max propagates NaN: an unknown temperature gives unknown degrees.
    out.degres_chauffe[i] = Math.max(0, HEATING_BASE_C - t);
    out.degres_climatisation[i] = Math.max(0, t - COOLING_BASE_C);
    out.ecart_temperature_veille[i] = t - at(daily.tmoy, d - 1);
    out.ecart_temperature_2j[i] = t - at(daily.tmoy, d - 2);
    out.ecart_temperature_7j[i] = t - at(daily.tmoy, d - 7);
  }
  return out;
}

/**
 * The national series as rows (`date`, `temperature`, `temperature_min`, `temperature_max`,
 * `interpole`), for display.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { temperatureRows } from "./weather.ts";
 * const rows = temperatureRows({
 *   firstDay: 20_089, tmoy: Float64Array.of(5), tmin: Float64Array.of(1), tmax: Float64Array.of(9),
 *   interpole: Uint8Array.of(0),
 * });
 * assert.deepEqual(rows[0], { date: "2025-01-01", temperature: 5, temperature_min: 1, temperature_max: 9, interpole: false });
 * ```
 */
export function temperatureRows(daily: DailyTemperature): {
  date: string;
  temperature: number;
  temperature_min: number;
  temperature_max: number;
  interpole: boolean;
}[] {
  return Array.from(daily.tmoy, (t, d) => ({
    date: dateOfDayNumber(daily.firstDay + d),
    temperature: t,
    temperature_min: daily.tmin[d],
    temperature_max: daily.tmax[d],
    interpole: daily.interpole[d] === 1,
  }));
}

/** Thermosensitivity of consumption: the slope of daily mean consumption on temperature. */
export interface Thermosensitivity {
  /** MW per °C (negative: consumption rises as it gets colder). */
  mw_par_degre: number;
  /** Days used (working days, complete, mean temperature below the threshold). */
  jours: number;
  /** Threshold (°C) below which days are used. */
  seuil_c: number;
}

/**
 * Ordinary least-squares slope of the daily mean consumption on the national daily mean
 * temperature, over complete working days (Monday-Friday, not holidays nor bridges) colder than
 * `threshold` (°C, default 15): RTE quotes about -2,100 to -2,400 MW per °C for France.
 * `dailyConsumption` maps day numbers to the day's mean consumption (MW).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { thermosensitivity } from "./weather.ts";
 * const monday = dayNumberOfDate("2025-01-06");
 * const days = [0, 1, 2, 3].map((k) => monday + k);
 * const daily = { firstDay: monday, tmoy: Float64Array.of(2, 4, 6, 8), tmin: new Float64Array(4), tmax: new Float64Array(4), interpole: new Uint8Array(4) };
 * const consumption = new Map(days.map((d, k) => [d, 70_000 - 2_000 * (2 + 2 * k)]));
 * assert.equal(thermosensitivity(consumption, daily).mw_par_degre, -2_000);
 * ```
 */
export function thermosensitivity(
  dailyConsumption: ReadonlyMap<number, number>,
  daily: DailyTemperature,
  threshold = HEATING_BASE_C,
): Thermosensitivity {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [day, mw] of dailyConsumption) {
    const t = daily.tmoy[day - daily.firstDay];
    const weekday = (((day + 3) % 7) + 7) % 7;
    if (!(t < threshold) || weekday > 4 || isHoliday(day) || isBridgeDay(day)) continue;
    xs.push(t);
    ys.push(mw);
  }
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (xs[k] - mx) * (ys[k] - my);
    sxx += (xs[k] - mx) ** 2;
  }
  return { mw_par_degre: sxy / sxx, jours: n, seuil_c: threshold };
}
