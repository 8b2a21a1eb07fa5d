import assert from "node:assert/strict";
import { sharedDataPath } from "../testing/shared_data.ts";
import { ReferenceDataError } from "./_reference_error.ts";
import { dateOfDayNumber, dayNumberOfDate } from "./calendar.ts";
import {
  mergeTempoCalendars,
  parseTempoCalendar,
  tempoColumn,
  tempoDay,
  tempoPublication,
} from "./tempo.ts";

const HEADER = "Date\tType de jour TEMPO\n";

Deno.test("a real Tempo season: 366 days, 22 red, 42 white (counted with grep)", async () => {
  const path = sharedDataPath("eco2mix/tempo/eCO2mix_RTE_tempo_2023-2024.xls");
  const days = parseTempoCalendar(await Deno.readTextFile(path), "tempo_2023-2024.xls");
  const codes = [...days.values()];
  assert.equal(days.size, 366);
  assert.deepEqual([0, 1, 2].map((c) => codes.filter((v) => v === c).length), [302, 42, 22]);
  assert.equal(dateOfDayNumber([...days.keys()][0]), "2023-09-01");
});

Deno.test("malformed calendars name the file and line", () => {
  const bad = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseTempoCalendar(text, "t.xls"),
      (e: unknown) => e instanceof ReferenceDataError && pattern.test(e.message),
    );
  bad("Date;Couleur\n", /t\.xls: line 1: not a Tempo calendar/);
  bad(
    `${HEADER}2025-01-01\tBLEU\n2025-01-02\tVERT\n`,
    /t\.xls: line 3: unknown Tempo colour "VERT"/,
  );
  bad(`${HEADER}2025-01-01\tBLEU\n2025-01-01\tBLEU\n`, /line 3: day 2025-01-01 listed twice/);
  bad(`${HEADER}2025-13-01\tBLEU\n`, /line 2: bad date/);
});

Deno.test("merging seasons: a day given twice must agree", () => {
  const a = parseTempoCalendar(`${HEADER}2025-01-08\tROUGE\n`, "a.xls");
  const b = parseTempoCalendar(`${HEADER}2025-01-08\tBLANC\n2025-01-09\tBLEU\n`, "b.xls");
  assert.throws(
    () => mergeTempoCalendars([{ file: "a.xls", days: a }, { file: "b.xls", days: b }]),
    /b\.xls: 2025-01-08 is BLANC but a\.xls says ROUGE/,
  );
  const same = mergeTempoCalendars([{ file: "a.xls", days: a }, { file: "c.xls", days: a }]);
  assert.deepEqual([...same.values()], [2]);
});

Deno.test("a Tempo day runs from 06:00 to 06:00, in local time across DST", () => {
  const jan8 = dayNumberOfDate("2025-01-08");
  assert.equal(tempoDay(Date.UTC(2025, 0, 8, 4, 59)), jan8 - 1); // 05:59 CET
  assert.equal(tempoDay(Date.UTC(2025, 0, 8, 5, 0)), jan8); // 06:00 CET
  assert.equal(tempoDay(Date.UTC(2025, 6, 8, 3, 59)), dayNumberOfDate("2025-07-07")); // 05:59 CEST
  assert.equal(tempoDay(Date.UTC(2025, 6, 8, 4, 0)), dayNumberOfDate("2025-07-08")); // 06:00 CEST
  // Published at 11:00 in Paris the day before (10:00 UTC in winter, 09:00 UTC in summer).
  assert.equal(tempoPublication(dayNumberOfDate("2025-07-08")), Date.UTC(2025, 6, 7, 9));
});

Deno.test("the colour is NaN before its publication and where the calendar has no day", () => {
  const calendar = new Map([[dayNumberOfDate("2025-01-08"), 2], [
    dayNumberOfDate("2025-01-07"),
    1,
  ]]);
  const target = Date.UTC(2025, 0, 8, 17); // 18:00 on 8 January
  const early = Date.UTC(2025, 0, 8, 2); // 03:00 on 8 January: yesterday's colour in force
  const published = Date.UTC(2025, 0, 7, 10); // 11:00 CET on 7 January
  const codes = tempoColumn(
    [target, target, early, Date.UTC(2025, 0, 20, 12)],
    [published, published - 1, early - 3_600_000, Date.UTC(2025, 0, 20, 11)],
    calendar,
  );
  assert.equal(codes[0], 2);
  assert.ok(Number.isNaN(codes[1]));
  assert.equal(codes[2], 1);
  assert.ok(Number.isNaN(codes[3]));
});
