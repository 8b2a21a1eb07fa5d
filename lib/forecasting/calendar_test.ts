import assert from "node:assert/strict";
import { mulberry32 } from "../ml/mod.ts";
import {
  CALENDAR_FEATURES,
  calendarFeatures,
  dateOfDayNumber,
  dayNumberOfDate,
  easterSunday,
  frenchHolidays,
  isBridgeDay,
  isHoliday,
  localDayNumber,
  parisInstant,
  parisOffsetMinutes,
} from "./calendar.ts";

Deno.test("the Paris offset matches the IANA time zone every half-hour of 2016-2026", () => {
  // Independent reference: Intl's Europe/Paris rules.
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    timeZoneName: "shortOffset",
  });
  const ianaOffset = (t: number) => {
    const name = format.formatToParts(t).find((p) => p.type === "timeZoneName")!.value;
    return Number(name.replace("GMT", "")) * 60;
  };
  for (let t = Date.UTC(2016, 0, 1); t < Date.UTC(2027, 0, 1); t += 30 * 60_000) {
    assert.equal(parisOffsetMinutes(t), ianaOffset(t), new Date(t).toISOString());
  }
  // Out of order, years apart (the bounds of the last year seen are kept between calls), and
  // the first and last millisecond of years.
  const spread = [
    Date.UTC(2025, 6, 1),
    Date.UTC(1999, 2, 28, 0, 59, 59, 999),
    Date.UTC(1999, 2, 28, 1),
    Date.UTC(2025, 0, 1) - 1,
    Date.UTC(2025, 0, 1),
    Date.UTC(2020, 9, 25, 0, 59, 59, 999),
    Date.UTC(2020, 9, 25, 1),
    Date.UTC(2024, 11, 31, 23, 59, 59, 999),
  ];
  for (const t of [...spread, ...spread.reverse()]) {
    assert.equal(parisOffsetMinutes(t), ianaOffset(t), new Date(t).toISOString());
  }
});

Deno.test("Easter Sundays of 2016-2026", () => {
  const expected = [
    "2016-03-27",
    "2017-04-16",
    "2018-04-01",
    "2019-04-21",
    "2020-04-12",
    "2021-04-04",
    "2022-04-17",
    "2023-04-09",
    "2024-03-31",
    "2025-04-20",
    "2026-04-05",
  ];
  assert.deepEqual(expected.map((_, k) => dateOfDayNumber(easterSunday(2016 + k))), expected);
});

Deno.test("the eleven public holidays of 2024", () => {
  assert.deepEqual(frenchHolidays(2024).map(dateOfDayNumber), [
    "2024-01-01",
    "2024-04-01",
    "2024-05-01",
    "2024-05-08",
    "2024-05-09",
    "2024-05-20",
    "2024-07-14",
    "2024-08-15",
    "2024-11-01",
    "2024-11-11",
    "2024-12-25",
  ]);
});

Deno.test("bridge days of 2024 and 2025, day by day", () => {
  const bridges = (year: number) => {
    const out: string[] = [];
    for (let d = dayNumberOfDate(`${year}-01-01`); d < dayNumberOfDate(`${year + 1}-01-01`); d++) {
      if (isBridgeDay(d)) out.push(dateOfDayNumber(d));
    }
    return out;
  };
  // 2024: Ascension Thursday 9 May, Assumption Thursday 15 August.
  assert.deepEqual(bridges(2024), ["2024-05-10", "2024-08-16"]);
  // 2025: Thursdays 1 May, 8 May, Ascension 29 May and 25 December; Tuesday 11 November.
  assert.deepEqual(bridges(2025), [
    "2025-05-02",
    "2025-05-09",
    "2025-05-30",
    "2025-11-10",
    "2025-12-26",
  ]);
  assert.ok(isHoliday(dayNumberOfDate("2025-06-09"))); // Whit Monday
});

Deno.test("calendar features on both DST days of 2025", () => {
  const t = [
    Date.UTC(2025, 2, 30, 0, 30), // 01:30 CET
    Date.UTC(2025, 2, 30, 1, 0), // 03:00 CEST
    Date.UTC(2025, 9, 26, 0, 30), // 02:30 CEST
    Date.UTC(2025, 9, 26, 1, 30), // 02:30 CET
    Date.UTC(2025, 11, 31, 23, 0), // 00:00 on 1 January 2026
  ];
  const c = calendarFeatures(t);
  assert.deepEqual([...c.heure], [1.5, 3, 2.5, 2.5, 0]);
  assert.deepEqual([...c.heure_ete], [0, 1, 1, 0, 0]);
  assert.deepEqual([...c.jour_semaine], [6, 6, 6, 6, 3]);
  assert.deepEqual([...c.mois], [3, 3, 10, 10, 1]);
  assert.deepEqual([...c.jour_annee], [89, 89, 299, 299, 1]);
  assert.deepEqual([...c.jour_ferie], [0, 0, 0, 0, 1]);
});

Deno.test("local day numbers and wall-clock instants around the DST changes", () => {
  assert.equal(localDayNumber(Date.UTC(2025, 5, 13, 21, 59)), dayNumberOfDate("2025-06-13"));
  assert.equal(localDayNumber(Date.UTC(2025, 5, 13, 22, 0)), dayNumberOfDate("2025-06-14"));
  const spring = dayNumberOfDate("2025-03-30");
  const autumn = dayNumberOfDate("2025-10-26");
  // 02:30 does not exist in spring: one hour later on the clock (03:30 CEST).
  assert.equal(parisInstant(spring, 150), Date.UTC(2025, 2, 30, 1, 30));
  // 02:30 exists twice in autumn: the first, summer-time one.
  assert.equal(parisInstant(autumn, 150), Date.UTC(2025, 9, 26, 0, 30));
  assert.equal(parisInstant(autumn, 12 * 60), Date.UTC(2025, 9, 26, 11));
  assert.throws(() => dayNumberOfDate("2025-02-30"), RangeError);
});

Deno.test("every quarter-hour of 2025: local day number and calendar features match Temporal", () => {
  // Independent reference: Temporal's Europe/Paris, whatever the process's own time zone.
  const start = Temporal.ZonedDateTime.from("2025-01-01T00:00[Europe/Paris]").epochMilliseconds;
  const end = Temporal.ZonedDateTime.from("2026-01-01T00:00[Europe/Paris]").epochMilliseconds;
  const instants: number[] = [];
  for (let t = start; t < end; t += 15 * 60_000) instants.push(t);
  assert.equal(instants.length, 35_040);
  const c = calendarFeatures(instants);
  const epochDay = Temporal.PlainDate.from("1970-01-01");
  instants.forEach((t, i) => {
    const local = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO("Europe/Paris");
    const date = local.toPlainDate();
    const at = local.toString();
    assert.equal(localDayNumber(t), epochDay.until(date).days, at);
    assert.equal(dateOfDayNumber(localDayNumber(t)), date.toString(), at);
    assert.deepEqual(
      [c.heure[i], c.jour_semaine[i], c.mois[i], c.jour_annee[i], c.heure_ete[i]],
      [
        local.hour + local.minute / 60,
        date.dayOfWeek - 1,
        date.month,
        date.dayOfYear,
        local.offsetNanoseconds === 7_200e9 ? 1 : 0,
      ],
      at,
    );
  });
});

Deno.test("calendar features of instants in any order are those of each instant alone", () => {
  // Half-hours around the October 2025 clock change and New Year, shuffled, with repeats.
  const start = Date.UTC(2025, 9, 24);
  const instants = Array.from({ length: 48 * 5 }, (_, i) => start + i * 1_800_000);
  instants.push(Date.UTC(2025, 11, 31, 22, 30), Date.UTC(2025, 11, 31, 23), Date.UTC(2026, 0, 1));
  const rng = mulberry32(7);
  const order = instants.map((t) => [rng(), t]).sort((a, b) => a[0] - b[0]).map(([, t]) => t);
  order.push(order[0], order[0]);
  const all = calendarFeatures(order);
  order.forEach((t, i) => {
    const one = calendarFeatures([t]);
    for (const name of CALENDAR_FEATURES) {
      assert.equal(all[name][i], one[name][0], `${new Date(t).toISOString()} ${name}`);
    }
  });
});
