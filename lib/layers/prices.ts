/**
 * Daily wholesale electricity prices, silver layer: Ember's "European wholesale electricity
 * price data" daily CSV (day-ahead market, chiefly ENTSO-E; for France the EPEX SPOT auction),
 * one row per country and day, e.g.
 *
 * ```text
 * Country,ISO3 Code,Date,Price (EUR/MWhe)
 * France,FRA,2015-01-01,36.56
 * ```
 *
 * Columns are found by their header names, in any order; the unit is read from the price
 * header and must be euros per MWh. The file may hold every country: the rows of one (France by
 * default) are kept. Anything that would silently change a price is an error naming the file
 * and the line: a row with a wrong number of fields, a date that is not a calendar date, a
 * price that is not a number (an empty cell included), the same day twice.
 *
 * @module
 */

import pl from "nodejs-polars";

/**
 * Names of Ember's daily price files (`european_wholesale_electricity_price_data_daily.csv`,
 * or a per-country extract such as `..._daily_FRA.csv`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRICE_FILE_PATTERN } from "./prices.ts";
 * assert.ok(PRICE_FILE_PATTERN.test("european_wholesale_electricity_price_data_daily_FRA.csv"));
 * assert.ok(!PRICE_FILE_PATTERN.test("european_wholesale_electricity_price_data_hourly.csv"));
 * ```
 */
export const PRICE_FILE_PATTERN = /^european_wholesale_electricity_price_data_daily.*\.csv$/i;

/**
 * Name of the price step in notebooks, run manifests and the report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRICE_STEP } from "./prices.ts";
 * assert.equal(PRICE_STEP, "prix de gros de l'électricité");
 * ```
 */
export const PRICE_STEP = "prix de gros de l'électricité";

/** Price units accepted in the header: euros per MWh (Ember writes MWhe, "electric"). */
const UNITS = ["EUR/MWhe", "EUR/MWh"];

/**
 * A price file that cannot be read exactly. The message starts with `file:line:`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PriceFileError } from "./prices.ts";
 * const e = new PriceFileError("price is not a number: 'abc'", "prices.csv", 12);
 * assert.equal(e.message, "prices.csv:12: price is not a number: 'abc'");
 * assert.equal(e.name, "PriceFileError");
 * ```
 */
export class PriceFileError extends Error {
  override name = "PriceFileError";
  constructor(detail: string, readonly file: string, readonly line: number) {
    super(`${file}:${line}: ${detail}`);
  }
}

/** The fields of one CSV line (RFC 4180 quotes: `"a, b"`, `""` for a quote). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * The silver rows of one country from the text of an Ember daily price file (module doc):
 * `date` (the delivery day, a local date), `pays_iso3`, `prix_eur_mwh` (the day's mean
 * day-ahead price), `source_file`, `source_line` (1-based), sorted by date.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDailyPrices, PriceFileError } from "./prices.ts";
 * const text = "Country,ISO3 Code,Date,Price (EUR/MWhe)\nFrance,FRA,2020-04-13,-6.18\n" +
 *   "Germany,DEU,2020-04-13,-1.5\n";
 * const rows = parseDailyPrices(text, "p.csv").toRecords();
 * assert.equal(rows.length, 1);
 * assert.equal(rows[0].prix_eur_mwh, -6.18);
 * assert.equal(rows[0].source_line, 2);
 * assert.throws(
 *   () => parseDailyPrices(text.replace("-6.18", ""), "p.csv"),
 *   (e) => e instanceof PriceFileError && e.message === "p.csv:2: price is not a number: ''",
 * );
 * ```
 */
export function parseDailyPrices(text: string, file: string, country = "FRA"): pl.DataFrame {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = csvFields(lines[0] ?? "").map((h) => h.trim());
  const find = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) {
      throw new PriceFileError(
        `no '${name}' column in the header (${header.join(", ")}): not an Ember daily price file`,
        file,
        1,
      );
    }
    return i;
  };
  const isoColumn = find("ISO3 Code");
  const dateColumn = find("Date");
  const priceColumns = header.flatMap((h, i) => /^Price \(.*\)$/.test(h) ? [i] : []);
  if (priceColumns.length !== 1) {
    throw new PriceFileError(
      `expected one 'Price (<unit>)' column, found ${priceColumns.length}`,
      file,
      1,
    );
  }
  const priceColumn = priceColumns[0];
  const unit = header[priceColumn].slice("Price (".length, -1);
  if (!UNITS.includes(unit)) {
    throw new PriceFileError(
      `price unit '${unit}' is not euros per MWh (${UNITS.join(" or ")})`,
      file,
      1,
    );
  }
  const dates: string[] = [];
  const prices: number[] = [];
  const sourceLines: number[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === "") continue;
    const fields = csvFields(lines[i]);
    if (fields.length !== header.length) {
      throw new PriceFileError(
        `${fields.length} fields where the header has ${header.length}`,
        file,
        line,
      );
    }
    if (fields[isoColumn].trim() !== country) continue;
    const date = fields[dateColumn].trim();
    const m = ISO_DATE.exec(date);
    const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
    if (!m || new Date(t).toISOString().slice(0, 10) !== date) {
      throw new PriceFileError(`not a calendar date (YYYY-MM-DD): '${date}'`, file, line);
    }
    const cell = fields[priceColumn].trim();
    if (!DECIMAL.test(cell)) {
      throw new PriceFileError(`price is not a number: '${cell}'`, file, line);
    }
    const earlier = seen.get(date);
    if (earlier !== undefined) {
      throw new PriceFileError(`${country} ${date} already given on line ${earlier}`, file, line);
    }
    seen.set(date, line);
    dates.push(date);
    prices.push(Number(cell));
    sourceLines.push(line);
  }
  if (dates.length === 0) throw new PriceFileError(`no row for ${country}`, file, 1);
  return pricesFrame(dates, prices, sourceLines, country, file);
}

/** The silver price frame, typed, from its columns. */
function pricesFrame(
  dates: string[],
  prices: number[],
  sourceLines: number[],
  country: string,
  file: string,
): pl.DataFrame {
  return pl.DataFrame({
    date: pl.Series("date", dates, pl.Utf8),
    pays_iso3: pl.Series("pays_iso3", dates.map(() => country), pl.Utf8),
    prix_eur_mwh: pl.Series("prix_eur_mwh", prices, pl.Float64),
    source_file: pl.Series("source_file", dates.map(() => file), pl.Utf8),
    source_line: pl.Series("source_line", sourceLines, pl.Int32),
  }).withColumn(pl.col("date").str.strptime(pl.Date, "%Y-%m-%d")).sort("date");
}

/**
 * The silver price frame without rows, with its columns and types: what replaces the table
 * when no price file is found, so that no stale price outlives its file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyPrices, parseDailyPrices } from "./prices.ts";
 * const parsed = parseDailyPrices("ISO3 Code,Date,Price (EUR/MWh)\nFRA,2025-01-01,80.5\n", "p.csv");
 * assert.equal(emptyPrices().height, 0);
 * assert.deepEqual(emptyPrices().dtypes.map(String), parsed.dtypes.map(String));
 * ```
 */
export function emptyPrices(): pl.DataFrame {
  return pricesFrame([], [], [], "", "");
}
