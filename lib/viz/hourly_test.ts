import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { VizInputError } from "./errors.ts";
import { toHourly } from "./hourly.ts";
import { frameOf, hourlyRows } from "./_testdata.ts";

Deno.test("hourly means are weighted by each row's step and record the hours of data", () => {
  const df = frameOf([
    // 00:00 UTC: one 30-minute consolidated row, then two 15-minute real-time rows.
    { at: "2025-01-01T00:00:00Z", pas_minutes: 30, consommation: 100 },
    { at: "2025-01-01T00:30:00Z", pas_minutes: 15, consommation: 200 },
    { at: "2025-01-01T00:45:00Z", pas_minutes: 15, consommation: 400 },
    // 01:00 UTC: the 01:30 quarter is missing and 01:45 has no consumption.
    { at: "2025-01-01T01:00:00Z", pas_minutes: 15, consommation: 10 },
    { at: "2025-01-01T01:15:00Z", pas_minutes: 15, consommation: 20 },
    { at: "2025-01-01T01:45:00Z", pas_minutes: 15, consommation: null },
  ]);
  const h = toHourly(df);
  assert.deepEqual(h.series.consommation, [(100 * 30 + 200 * 15 + 400 * 15) / 60, 15]);
  assert.deepEqual(h.duration, [1, 0.75]);
  assert.deepEqual(h.t, [0, 1]);
  assert.equal(h.t0, Date.UTC(2025, 0, 1));
  assert.deepEqual(h.days, ["2025-01-01"]);
  assert.deepEqual(h.hour, [1, 2]); // CET = UTC+1
  assert.equal(h.perimeter, "France");
});

Deno.test("local dates and hours follow Europe/Paris through both DST changes", () => {
  const spring = hourlyRows("2025-03-29T22:00:00Z", 4, (i) => ({ consommation: i }));
  const autumn = hourlyRows("2025-10-25T22:00:00Z", 4, (i) => ({ consommation: 10 + i }));
  const h = toHourly(frameOf([...spring, ...autumn]));
  assert.deepEqual(h.days, ["2025-03-29", "2025-03-30", "2025-10-26"]);
  // 22:00Z = 23:00 CET; 23:00Z = 00:00; 00:00Z = 01:00 CET; 01:00Z = 03:00 CEST (no 02:00).
  // Autumn: 22:00Z = 00:00 CEST, 23:00Z = 01:00, 00:00Z = 02:00 CEST, 01:00Z = 02:00 CET.
  assert.deepEqual(h.hour, [23, 0, 1, 3, 0, 1, 2, 2]);
  assert.deepEqual(h.day, [0, 1, 1, 1, 2, 2, 2, 2]);
  assert.deepEqual(h.t.slice(0, 4), [0, 1, 2, 3]);
  assert.equal(h.t[4], (Date.UTC(2025, 9, 25, 22) - Date.UTC(2025, 2, 29, 22)) / 3_600_000);
});

Deno.test("exchange columns are split into import and export parts before averaging", () => {
  const df = frameOf([
    { at: "2025-01-01T00:00:00Z", ech_comm_espagne: -400, ech_physiques: 100 },
    { at: "2025-01-01T00:15:00Z", ech_comm_espagne: 200, ech_physiques: 100 },
    { at: "2025-01-01T00:30:00Z", ech_comm_espagne: 200, ech_physiques: -300 },
    { at: "2025-01-01T00:45:00Z", ech_comm_espagne: null, ech_physiques: -300 },
  ]);
  const h = toHourly(df);
  assert.deepEqual(h.series.ech_comm_espagne_imp, [400 / 3]);
  assert.deepEqual(h.series.ech_comm_espagne_exp, [-400 / 3]);
  assert.deepEqual(h.series.ech_physiques_imp, [50]);
  assert.deepEqual(h.series.ech_physiques_exp, [-150]);
  assert.equal(h.series.ech_comm_espagne, undefined);
  assert.deepEqual(h.duration, [1]); // inferred 15-minute step
});

Deno.test("without pas_minutes the step is the median spacing of the instants", () => {
  const rows = [0, 30, 60, 90].map((m) => ({
    at: new Date(Date.UTC(2024, 5, 1, 0, m)).toISOString(),
    consommation: 1000 + m,
  }));
  const h = toHourly(frameOf(rows));
  assert.deepEqual(h.duration, [1, 1]);
  assert.deepEqual(h.series.consommation, [1015, 1075]);
  const daily = toHourly(frameOf([rows[0], { ...rows[1], at: "2024-06-02T00:00:00.000Z" }]));
  assert.deepEqual(daily.duration, [1, 1]); // sparse rows: one hour each
});

Deno.test("a time-zoned or naive time column gives the same UTC buckets", () => {
  const base = frameOf(hourlyRows("2025-07-01T10:00:00Z", 3, (i) => ({ solaire: i })));
  const paris = base.withColumns(pl.col("timestamp_utc").dt.convertTimeZone("Europe/Paris"));
  const naive = base.withColumns(pl.col("timestamp_utc").cast(pl.Datetime("ms")));
  const expected = toHourly(base);
  assert.deepEqual(toHourly(paris), expected);
  assert.deepEqual(toHourly(naive), expected);
  assert.deepEqual(expected.hour, [12, 13, 14]); // CEST
});

Deno.test("k-hour buckets tile the local day, weighted by hours of data", () => {
  const rows = hourlyRows("2024-12-31T23:00:00Z", 6, (i) => ({ consommation: 10 * (i + 1) }));
  rows.splice(4, 1); // local 04:00 missing
  const h = toHourly(frameOf(rows), { stepHours: 3 });
  assert.equal(h.stepHours, 3);
  assert.deepEqual(h.hour, [0, 3]);
  assert.deepEqual(h.duration, [3, 2]);
  assert.deepEqual(h.series.consommation, [20, (40 + 60) / 2]);
  const auto = toHourly(frameOf(hourlyRows("2025-01-01T00:00:00Z", 100, () => ({ gaz: 1 }))), {
    stepHours: "auto",
    maxValues: 30,
  });
  assert.equal(auto.stepHours, 4);
  assert.throws(() => toHourly(frameOf(rows), { stepHours: 5 }), VizInputError);
});

Deno.test("perimeter and dataset: France by default, the only one, or an explicit choice", () => {
  const rows = [
    { at: "2025-01-01T00:00:00Z", perimetre: "France", jeu_donnees: "eco2mix", consommation: 1 },
    { at: "2025-01-01T00:00:00Z", perimetre: "Bretagne", jeu_donnees: "eco2mix", consommation: 2 },
    {
      at: "2025-01-01T00:00:00Z",
      perimetre: "France",
      jeu_donnees: "consommation_brute",
      consommation: 3,
    },
  ];
  assert.deepEqual(toHourly(frameOf(rows)).series.consommation, [1]);
  const bretagne = toHourly(frameOf(rows), { perimeter: "Bretagne" });
  assert.equal(bretagne.perimeter, "Bretagne");
  assert.deepEqual(bretagne.series.consommation, [2]);
  assert.deepEqual(
    toHourly(frameOf(rows), { dataset: "consommation_brute" }).series.consommation,
    [3],
  );
  const regions = frameOf(rows.slice(1, 2).concat({ ...rows[1], perimetre: "Normandie" }));
  assert.throws(() => toHourly(regions), {
    name: "VizInputError",
    message: "silver: several perimeters (Bretagne, Normandie): choose one with options.perimeter",
  });
  assert.throws(() => toHourly(frameOf(rows), { perimeter: "Corse" }), {
    message: "silver: no row of perimetre 'Corse' (present: Bretagne, France)",
  });
});

Deno.test("bad tables: typed errors naming the table, the column or the row", () => {
  const ok = frameOf([{ at: "2025-01-01T00:00:00Z", consommation: 1 }]);
  assert.throws(() => toHourly(ok.drop("timestamp_utc"), { table: "gold" }), {
    name: "VizInputError",
    message: "gold: missing column(s) timestamp_utc (columns present: consommation)",
  });
  const text = ok.withColumns(pl.col("timestamp_utc").dt.strftime("%Y").alias("timestamp_utc"));
  assert.throws(() => toHourly(text), /timestamp_utc must be a Datetime/);
  const nullAt = pl.concat([
    ok,
    ok.withColumns(pl.lit(null).cast(pl.Datetime("ms", "UTC")).alias("timestamp_utc")),
  ]);
  assert.throws(() => toHourly(nullAt), {
    message: "silver: row 1 has no timestamp_utc (1 null(s))",
  });
  const strings = frameOf([{ at: "2025-01-01T00:00:00Z", consommation: "12a4" }]);
  assert.throws(() => toHourly(strings), /column consommation must be numeric, not String/);
  assert.throws(
    () => toHourly(pl.concat([ok, ok])),
    /more than one hour of data in the hour starting 2025-01-01T00:00:00.000Z \(2 h\)/,
  );
});

Deno.test("an empty table gives empty hourly data", () => {
  const h = toHourly(frameOf([{ at: "2025-01-01T00:00:00Z", consommation: 1 }]).head(0));
  assert.deepEqual(h.days, []);
  assert.deepEqual(h.series.consommation, []);
});
