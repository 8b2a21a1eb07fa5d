/**
 * Daily versions of RTE's current real-time file ("En-cours TR"), simulated from one complete
 * download, for the tests and benchmarks of incremental ingestion.
 *
 * RTE serves this file under the same name every day: the year so far, one day longer than
 * yesterday's copy, with forecast-only ("future") rows for the hours to come, and provisional
 * values in its last measured rows, which the next day's copy revises. A version cut after
 * `days` days of a download keeps the download's lines for those days unchanged (same line
 * numbers), adds `futureDays` days of future rows (value cells emptied except the forecasts and
 * the commercial schedules, which RTE publishes ahead), and makes the last `provisionalRows`
 * measured rows provisional: consumption and gas 10 MW higher, so that the power balance still
 * holds. A cut at or after the download's last day gives the download's bytes unchanged.
 *
 * RTE publishes a new quarter-hour every 15 minutes: `quarterHours` also keeps that many measured
 * rows of the next day, the version of the file served at that time of the day (the live mode's
 * tests replay a download quarter-hour by quarter-hour); the rest of that day is future rows.
 *
 * @module
 */

/** Options of {@linkcode growingFileVersion}. */
export interface GrowingFileOptions {
  /** Days of the download kept as they are, from its first day. */
  days: number;
  /**
   * Measured rows of the day after `days` kept too (0 to 95, default 0): the version served at
   * that quarter-hour of the day. That day then counts as the first of the `futureDays`.
   */
  quarterHours?: number;
  /** Measured rows made provisional at the end of the kept days (default 8: two hours). */
  provisionalRows?: number;
  /** Days of future rows after the kept days (default 2). */
  futureDays?: number;
}

/** The download cannot be cut: not an RTE text file, or no day to cut at. */
export class GrowingFileError extends Error {
  override name = "GrowingFileError";
}

/** Header names of the cells a future row keeps (forecasts, commercial schedules). */
const KEPT_IN_FUTURE = /^(Pr.vision J(-1)?|Ech\. comm\. .*)$/;
/** MW added to consumption and gas in provisional rows. */
const PROVISIONAL_OFFSET_MW = 10;

const latin1 = {
  decode: (bytes: Uint8Array) => {
    let text = "";
    for (let i = 0; i < bytes.length; i += 8192) {
      text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    }
    return text;
  },
  encode: (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0)),
};

/**
 * The bytes of the version of an RTE real-time download (ISO-8859-1 text, as RTE serves it)
 * cut after `days` days (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { growingFileVersion } from "./growing_file.ts";
 * const rows = ["00:00\t100\t90\t50", "12:00\t110\t95\t55"].flatMap((h) =>
 *   ["2025-01-01", "2025-01-02", "2025-01-03"].map((d) => `France\tDonnées temps réel\t${d}\t${h}\t`)
 * ).sort();
 * const text = ["Périmètre\tNature\tDate\tHeures\tConsommation\tPrévision J-1\tGaz", ...rows,
 *   "RTE ne pourra être tenu responsable de rien.", "", ""].join("\n"); // ends "\n\n", as RTE's
 * const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
 * const cut = String.fromCharCode(...growingFileVersion(bytes, { days: 1, provisionalRows: 1 }));
 * const lines = cut.split("\n");
 * assert.equal(lines[2], "France\tDonnées temps réel\t2025-01-01\t12:00\t120\t95\t65\t");
 * assert.equal(lines[3], "France\tDonnées temps réel\t2025-01-02\t00:00\t\t90\t\t");
 * assert.equal(lines.length, 1 + 6 + 3); // header, 6 rows, disclaimer and the empty line
 * assert.deepEqual(growingFileVersion(bytes, { days: 3 }), bytes);
 * // Served at 00:15 on the second day: its first quarter-hour measured, the rest future.
 * const qh = String.fromCharCode(
 *   ...growingFileVersion(bytes, { days: 1, quarterHours: 1, provisionalRows: 0 }),
 * ).split("\n");
 * assert.equal(qh[3], "France\tDonnées temps réel\t2025-01-02\t00:00\t100\t90\t50\t");
 * assert.equal(qh[4], "France\tDonnées temps réel\t2025-01-02\t12:00\t\t95\t\t");
 * ```
 */
export function growingFileVersion(download: Uint8Array, options: GrowingFileOptions): Uint8Array {
  const { days, quarterHours = 0, provisionalRows = 8, futureDays = 2 } = options;
  const lines = latin1.decode(download).split("\n");
  const header = lines[0].split("\t");
  const at = (name: string) => header.indexOf(name);
  const [date, consumption, gas] = [at("Date"), at("Consommation"), at("Gaz")];
  if (date < 0 || consumption < 0) {
    throw new GrowingFileError("not an RTE eCO2mix text file: no Date or Consommation column");
  }
  const end = lines.findIndex((l, i) => i > 0 && !l.includes("\t"));
  const rows = lines.slice(1, end).map((l) => l.split("\t"));
  const dates = [...new Set(rows.map((r) => r[date]))];
  if (!Number.isInteger(days) || days < 1) {
    throw new GrowingFileError(`days must be a positive integer, got ${days}`);
  }
  if (!Number.isInteger(quarterHours) || quarterHours < 0 || quarterHours > 95) {
    throw new GrowingFileError(`quarterHours must be an integer from 0 to 95, got ${quarterHours}`);
  }
  if (days >= dates.length) return download;
  // Rows are in time order: the first `cut` are measured, the rest of the kept days future.
  const cut = rows.findIndex((r) => r[date] === dates[days]) + quarterHours;
  const future = new Set(dates.slice(days, days + futureDays));
  const out = rows.flatMap((r, i) => i < cut || future.has(r[date]) ? [[...r]] : []);
  const measured = out.flatMap((r, i) => i < cut && r[consumption] !== "" ? [i] : []);
  // Not slice(-provisionalRows): slice(-0) is every row.
  for (const i of measured.slice(measured.length - provisionalRows)) {
    for (const c of [consumption, gas].filter((c) => c >= 0 && out[i][c] !== "")) {
      out[i][c] = String(Number(out[i][c]) + PROVISIONAL_OFFSET_MW);
    }
  }
  for (const r of out.slice(cut)) {
    for (let c = 4; c < header.length; c++) if (!KEPT_IN_FUTURE.test(header[c])) r[c] = "";
  }
  return latin1.encode([lines[0], ...out.map((r) => r.join("\t")), ...lines.slice(end)].join("\n"));
}
