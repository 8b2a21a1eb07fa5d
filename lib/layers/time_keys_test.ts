import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  DAY_MS,
  epochMs,
  floorDiv,
  floorMod,
  floorToStep,
  floorToStepExpr,
  HALF_HOUR_MS,
  halfHourSlot,
  HOUR_MS,
  intDiv,
  isoWeek,
  isoWeekStart,
  isoYear,
  MINUTE_MS,
  parisClock,
  parisDate,
} from "./time_keys.ts";

// Independent reference: Temporal (built into Deno) on plain JS integers. Nothing here may
// depend on the process's own time zone (the test task pins it to America/New_York).

const temporalSlot = (ms: number, minutes: number) =>
  Temporal.Instant.fromEpochMilliseconds(ms)
    .round({ smallestUnit: "minute", roundingIncrement: minutes, roundingMode: "floor" })
    .epochMilliseconds;

interface Keys {
  slot: number;
  clock: string;
  date: string;
  weekStart: string;
  isoWeek: number;
  isoYear: number;
}

function temporalKeys(ms: number): Keys {
  const local = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO("Europe/Paris");
  const date = local.toPlainDate();
  return {
    slot: temporalSlot(ms, 30),
    clock: `${date.toString()} ${local.toPlainTime().toString().slice(0, 5)}`,
    date: date.toString(),
    weekStart: date.subtract({ days: date.dayOfWeek - 1 }).toString(),
    isoWeek: date.weekOfYear!,
    isoYear: date.yearOfWeek!,
  };
}

/** The keys of every instant, computed by the polars helpers. */
function polarsKeys(instants: readonly number[]): Keys[] {
  const t = pl.Series("t", instants, pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC");
  const day = parisDate(pl.col("t"));
  const df = pl.DataFrame([t]).select(
    halfHourSlot(pl.col("t")).alias("slot"),
    parisClock(pl.col("t")).alias("clock"),
    day.dt.strftime("%Y-%m-%d").alias("date"),
    isoWeekStart(day).dt.strftime("%Y-%m-%d").alias("weekStart"),
    isoWeek(day).alias("isoWeek"),
    isoYear(day).alias("isoYear"),
  );
  assert.ok(df.getColumn("slot").dtype.equals(pl.Int64));
  return df.toRecords().map((r) => ({ ...r, slot: Number(r.slot) }) as unknown as Keys);
}

function assertKeys(instants: readonly number[]): void {
  const keys = polarsKeys(instants);
  for (let i = 0; i < instants.length; i++) {
    const expected = temporalKeys(instants[i]);
    const at = new Date(instants[i]).toISOString();
    assert.deepEqual(keys[i], expected, at);
    assert.equal(floorToStep(instants[i], HALF_HOUR_MS), expected.slot, at);
  }
}

Deno.test("every quarter-hour of 2025 (both DST changes): slot, local day and ISO week keys", () => {
  const start = Temporal.ZonedDateTime.from("2025-01-01T00:00[Europe/Paris]").epochMilliseconds;
  const end = Temporal.ZonedDateTime.from("2026-01-01T00:00[Europe/Paris]").epochMilliseconds;
  const instants: number[] = [];
  for (let t = start; t < end; t += 15 * MINUTE_MS) instants.push(t);
  assert.equal(instants.length, 35_040);
  assertKeys(instants);

  // The DST days through the keys: 92 and 100 quarter-hours, 46 and 50 half-hour slots.
  const keys = polarsKeys(instants);
  const perDay = (date: string) => keys.filter((k) => k.date === date);
  assert.equal(perDay("2025-03-30").length, 92);
  assert.equal(new Set(perDay("2025-03-30").map((k) => k.slot)).size, 46);
  assert.equal(perDay("2025-10-26").length, 100);
  assert.equal(new Set(perDay("2025-10-26").map((k) => k.slot)).size, 50);
  // Every half-hour slot holds exactly two quarter-hours: the one on it and the next.
  const slots = new Map<number, number>();
  for (const k of keys) slots.set(k.slot, (slots.get(k.slot) ?? 0) + 1);
  assert.equal(slots.size, 17_520);
  assert.ok([...slots.values()].every((n) => n === 2));
});

/** Deterministic pseudo-random integers in [0, n) (an LCG: enough to spread instants). */
function randomInts(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    const hi = s;
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.floor(((hi * 2 ** 32 + s) / 2 ** 64) * n);
  };
}

Deno.test("random instants 1996-2040: keys equal the independent computation", () => {
  const next = randomInts(20_250_101);
  const from = Date.UTC(1996, 0, 1);
  const span = Date.UTC(2040, 0, 1) - from;
  // Any millisecond, and instants on the quarter-hour grid where the float bug struck.
  const instants = Array.from({ length: 20_000 }, (_, i) => {
    const t = from + next(span);
    return i % 2 === 0 ? t : t - floorMod(t, 15 * MINUTE_MS);
  });
  assertKeys(instants);
});

Deno.test("random instants and steps: integer step starts in polars and JS, negatives floored", () => {
  const next = randomInts(7);
  const steps = [MINUTE_MS, 15 * MINUTE_MS, HALF_HOUR_MS, HOUR_MS, DAY_MS, 7 * DAY_MS];
  const from = Date.UTC(1900, 0, 1); // before the epoch: floor, not truncation towards zero
  const span = Date.UTC(2100, 0, 1) - from;
  for (const step of steps) {
    const instants = Array.from({ length: 2_000 }, () => from + next(span));
    instants.push(0, -1, step, step - 1, -step, -step - 1);
    const df = pl.DataFrame({ t: pl.Series("t", instants, pl.Int64) }).select(
      floorToStepExpr(pl.col("t"), step).alias("start"),
      intDiv(pl.col("t"), step).alias("index"),
    );
    assert.ok(df.getColumn("start").dtype.equals(pl.Int64));
    const starts = df.getColumn("start").toArray().map(Number);
    const indices = df.getColumn("index").toArray().map(Number);
    instants.forEach((t, i) => {
      // BigInt division truncates towards zero: step back once for negative remainders.
      const q = BigInt(t) / BigInt(step) - (BigInt(t) % BigInt(step) < 0n ? 1n : 0n);
      const at = `${t} / ${step}`;
      assert.equal(indices[i], Number(q), at);
      assert.equal(starts[i], Number(q * BigInt(step)), at);
      assert.equal(floorDiv(t, step), Number(q), at);
      assert.equal(floorToStep(t, step), Number(q * BigInt(step)), at);
      if (step === MINUTE_MS || step === 30 * MINUTE_MS) {
        assert.equal(floorToStep(t, step), temporalSlot(t, step / MINUTE_MS), at);
      }
    });
  }
});

Deno.test("epochMs reads any Datetime unit and zone; JS helpers refuse non-integers", () => {
  const t = Date.UTC(2025, 9, 26, 1, 15);
  const naive = pl.Series("naive", [t], pl.Int64).cast(pl.Datetime("ms"));
  const df = pl.DataFrame([naive]).withColumn(pl.col("naive").dt.replaceTimeZone("UTC").alias("t"))
    .select(
      epochMs(pl.col("t")).alias("utc_ms"),
      epochMs(pl.col("t").cast(pl.Datetime("us", "UTC"))).alias("utc_us"),
      epochMs(pl.col("t").dt.convertTimeZone("Europe/Paris")).alias("paris"),
      epochMs(pl.col("naive")).alias("naive"),
    );
  assert.deepEqual(df.toRecords()[0], { utc_ms: t, utc_us: t, paris: t, naive: t });
  assert.throws(() => floorDiv(1.5, 2), RangeError);
  assert.throws(() => floorMod(Number.NaN, 2), RangeError);
  assert.throws(() => floorMod(3, 0), RangeError);
  assert.throws(() => intDiv(pl.col("t"), 0), RangeError);
});
