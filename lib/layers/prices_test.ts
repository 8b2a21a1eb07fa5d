import assert from "node:assert/strict";
import { emptyPrices, parseDailyPrices, PriceFileError } from "./prices.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const FILE = "prices/european_wholesale_electricity_price_data_daily_FRA.csv";

Deno.test("the shared Ember file: every French day, as SOURCES.md describes it", () => {
  const text = Deno.readTextFileSync(sharedDataPath(FILE));
  const prices = parseDailyPrices(text, "ember.csv");
  // Independent reading: one price per line after the header.
  const lines = text.trim().split("\n").slice(1).map((l) => l.split(","));
  assert.equal(prices.height, lines.length);
  assert.equal(prices.height, 4137);
  const rows = prices.toRecords() as Record<string, unknown>[];
  const iso = (d: unknown) => (d as Date).toISOString().slice(0, 10);
  assert.equal(iso(rows[0].date), "2015-01-01");
  assert.equal(iso(rows.at(-1)!.date), "2026-04-30");
  assert.ok(!rows.some((r) => iso(r.date) === "2026-02-28")); // missing in the file
  rows.forEach((r, i) => {
    assert.equal(iso(r.date), lines[i][2]);
    assert.equal(r.prix_eur_mwh, Number(lines[i][3]));
    assert.equal(r.source_line, i + 2);
  });
  assert.equal(rows.filter((r) => (r.prix_eur_mwh as number) < 0).length, 10);
  assert.equal(Math.max(...rows.map((r) => r.prix_eur_mwh as number)), 740.12);
  const mean = (year: number) => {
    const ofYear = rows.filter((r) => (r.date as Date).getUTCFullYear() === year)
      .map((r) => r.prix_eur_mwh as number);
    return (ofYear.reduce((a, b) => a + b, 0) / ofYear.length).toFixed(2);
  };
  assert.deepEqual([2022, 2023, 2024, 2025].map(mean), ["275.89", "96.86", "57.98", "62.91"]);
  assert.deepEqual(prices.dtypes.map(String), emptyPrices().dtypes.map(String));
});

Deno.test("an all-country file with quotes, BOM and CRLF keeps only France", () => {
  const text = "\uFEFFCountry,ISO3 Code,Date,Price (EUR/MWhe)\r\n" +
    '"Macedonia, North",MKD,2025-01-01,not-a-price\r\n' +
    "France,FRA,2025-01-02,80.50\r\n" +
    "France,FRA,2025-01-01,75\r\n\r\n";
  const rows = parseDailyPrices(text, "all.csv").toRecords();
  assert.deepEqual(rows.map((r) => [r.prix_eur_mwh, r.source_line]), [[75, 4], [80.5, 3]]);
  assert.throws(
    () => parseDailyPrices(text, "all.csv", "MKD"),
    /all\.csv:2: price is not a number/,
  );
});

Deno.test("bad price files are errors naming the file and the line", () => {
  const head = "Country,ISO3 Code,Date,Price (EUR/MWhe)\n";
  const cases: [string, string][] = [
    [
      "Country,ISO3 Code,Date,Price (USD/MWh)\nFrance,FRA,2025-01-01,1\n",
      "p.csv:1: price unit 'USD/MWh'",
    ],
    ["Country,Date,Price (EUR/MWhe)\nFrance,2025-01-01,1\n", "p.csv:1: no 'ISO3 Code' column"],
    [head + "France,FRA,2025-01-01,1\nFrance,FRA,2025-02-30,1\n", "p.csv:3: not a calendar date"],
    [head + "France,FRA,2025-01-01,1,2\n", "p.csv:2: 5 fields where the header has 4"],
    [head + "France,FRA,2025-01-01,1\nFrance,FRA,2025-01-02,1,5\n", "p.csv:3: 5 fields"],
    [head + "France,FRA,2025-01-01,12,5\n", "p.csv:2: 5 fields"],
    [head + "France,FRA,2025-01-01,n/a\n", "p.csv:2: price is not a number: 'n/a'"],
    [
      head + "France,FRA,2025-01-01,1\nFrance,FRA,2025-01-01,2\n",
      "p.csv:3: FRA 2025-01-01 already given on line 2",
    ],
    [head + "Germany,DEU,2025-01-01,1\n", "p.csv:1: no row for FRA"],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseDailyPrices(text, "p.csv"),
      (e) => e instanceof PriceFileError && e.message.startsWith(message),
      message,
    );
  }
});
