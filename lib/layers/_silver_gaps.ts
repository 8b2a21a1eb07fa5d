/**
 * Time-grid holes and value gaps of silver series (private helpers of silver.ts).
 *
 * Both work on a frame sorted by (`_sid`, timestamp_utc) with the series keys, `pas_minutes`,
 * `nature` and `source_file`.
 *
 * @module
 */

import pl from "nodejs-polars";
import { HOUR_MS, MINUTE_MS } from "./time_keys.ts";

const SERIES = ["jeu_donnees", "perimetre"];
/**
 * Integer id of the series, numbered in (jeu_donnees, perimetre) order: a much faster window
 * and sort key than two strings, and sorting by it gives silver's final order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SERIES_ID } from "./_silver_gaps.ts";
 * assert.equal(SERIES_ID, "_sid");
 * ```
 */
export const SERIES_ID = "_sid";

/**
 * Add {@linkcode SERIES_ID} to a frame holding the series keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { withSeriesId } from "./_silver_gaps.ts";
 * const frame = withSeriesId(pl.DataFrame({ jeu_donnees: ["eco2mix", "eco2mix"], perimetre: ["PACA", "Bretagne"] }));
 * assert.deepEqual(frame.sort("perimetre").getColumn("_sid").toArray(), [0, 1]);
 * ```
 */
export function withSeriesId(frame: pl.DataFrame): pl.DataFrame {
  const keys = frame.select(...SERIES).unique().sort(SERIES);
  const ids = keys.withColumn(
    pl.Series(
      SERIES_ID,
      Int32Array.from(keys.getColumn("perimetre").toArray(), (_, i) => i),
      pl.Int32,
    ),
  );
  return frame.join(ids, { on: SERIES, how: "left" });
}

/** A stretch of missing data, as reported in silver's `lacunes` frame. */
export interface Gap {
  readonly jeu_donnees: string;
  readonly perimetre: string;
  /** Column concerned, or null when whole rows (instants) are missing. */
  readonly colonne: string | null;
  /** First missing instant. */
  readonly debut_utc: Date;
  /** Last missing instant. */
  readonly fin_utc: Date;
  /** Missing duration: number of missing steps x step. */
  readonly duree_minutes: number;
  /** `interpole` (filled, flagged) or `non_comble` (left null / absent). */
  readonly traitement: "interpole" | "non_comble";
  /** `changement_heure` for the autumn DST hour the files never hold, else `donnees_absentes`. */
  readonly cause: "changement_heure" | "donnees_absentes";
}

/** Last Sunday of a month at 01:00 UTC: the EU DST switch instant (rule in force since 1996). */
function euSwitchUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** Whether [start, end] lies inside the CEST hour that the autumn switch repeats. */
function inAutumnHour(start: number, end: number): boolean {
  const year = new Date(start).getUTCFullYear();
  const switchAt = euSwitchUtc(year, 9);
  return start >= switchAt - HOUR_MS && end < switchAt;
}

/**
 * Insert a row for every missing instant of holes up to `maxMinutes` long (values null, to be
 * interpolated; `ligne_reconstituee` true; `source_file`, `nature` and the file id `_fid` of the
 * row before), and report every hole. Returns the frame re-sorted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { fillTimeHoles } from "./_silver_gaps.ts";
 * const t = (m: number) => Date.UTC(2025, 0, 1, 0, m);
 * const frame = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix"], perimetre: ["France", "France"],
 *   timestamp_utc: pl.Series("t", [t(0), t(45)], pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pas_minutes: pl.Series("p", [15, 15], pl.Int32), nature: ["temps_reel", "temps_reel"],
 *   source_file: ["a.xls", "a.xls"], ligne_reconstituee: [false, false],
 *   _sid: pl.Series("s", [0, 0], pl.Int32), _fid: pl.Series("f", [0, 0], pl.UInt32),
 * });
 * const { frame: filled, gaps } = fillTimeHoles(frame, 60);
 * assert.equal(filled.height, 4);
 * assert.equal(gaps[0].duree_minutes, 30);
 * ```
 */
export function fillTimeHoles(
  frame: pl.DataFrame,
  maxMinutes: number,
): { frame: pl.DataFrame; gaps: Gap[] } {
  const t = pl.col("timestamp_utc").cast(pl.Int64);
  const holes = frame
    .select(
      ...SERIES.map((c) => pl.col(c)),
      t.alias("t"),
      t.shift(-1).over(SERIES_ID).alias("t_next"),
      pl.col("pas_minutes"),
      pl.col("nature"),
      pl.col("source_file"),
      pl.col(SERIES_ID),
      pl.col("_fid"),
    )
    .filter(
      pl.col("t_next").minus(pl.col("t")).gt(pl.col("pas_minutes").cast(pl.Int64).mul(MINUTE_MS)),
    )
    .toRecords() as unknown as {
      jeu_donnees: string;
      perimetre: string;
      t: number;
      t_next: number;
      pas_minutes: number;
      nature: string;
      source_file: string;
      _sid: number;
      _fid: number;
    }[];
  const gaps: Gap[] = [];
  const inserted: Record<string, unknown>[] = [];
  for (const h of holes) {
    const step = h.pas_minutes * MINUTE_MS;
    const start = Number(h.t) + step;
    const end = Number(h.t_next) - step;
    const minutes = (end - start) / MINUTE_MS + h.pas_minutes;
    const fill = minutes <= maxMinutes && (end - start) % step === 0;
    gaps.push({
      jeu_donnees: h.jeu_donnees,
      perimetre: h.perimetre,
      colonne: null,
      debut_utc: new Date(start),
      fin_utc: new Date(end),
      duree_minutes: minutes,
      traitement: fill ? "interpole" : "non_comble",
      cause: inAutumnHour(start, end) ? "changement_heure" : "donnees_absentes",
    });
    if (!fill) continue;
    for (let at = start; at <= end; at += step) {
      inserted.push({
        jeu_donnees: h.jeu_donnees,
        perimetre: h.perimetre,
        timestamp_utc: at,
        pas_minutes: h.pas_minutes,
        nature: h.nature,
        source_file: h.source_file,
        _sid: h._sid,
        _fid: h._fid,
      });
    }
  }
  if (inserted.length === 0) return { frame, gaps };
  const schema = frame.schema;
  const rows = pl.DataFrame({
    jeu_donnees: pl.Series("jeu_donnees", inserted.map((r) => r.jeu_donnees as string)),
    perimetre: pl.Series("perimetre", inserted.map((r) => r.perimetre as string)),
    timestamp_utc: pl.Series(
      "timestamp_utc",
      inserted.map((r) => r.timestamp_utc as number),
      pl.Int64,
    ),
    pas_minutes: pl.Series("pas_minutes", inserted.map((r) => r.pas_minutes as number), pl.Int32),
    nature: pl.Series("nature", inserted.map((r) => r.nature as string)),
    source_file: pl.Series("source_file", inserted.map((r) => r.source_file as string)),
    _sid: pl.Series("_sid", inserted.map((r) => r._sid as number), pl.Int32),
    _fid: pl.Series("_fid", inserted.map((r) => r._fid as number), pl.UInt32),
  });
  const aligned = rows.select(
    ...frame.columns.map((name) => {
      if (name === "timestamp_utc") {
        return pl.col(name).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC").alias(name);
      }
      if (name === "ligne_reconstituee") return pl.lit(true).alias(name);
      return rows.columns.includes(name)
        ? pl.col(name).cast(schema[name])
        : pl.lit(null).cast(schema[name]).alias(name);
    }),
  );
  return {
    frame: pl.concat([frame, aligned], { how: "vertical" }).sort([SERIES_ID, "timestamp_utc"]),
    gaps,
  };
}

/** A value column to gap-fill, with the source files where it exists. */
export interface GapColumn {
  readonly name: string;
  readonly files: readonly string[];
}

/**
 * Linear interpolation in time of missing cells, only inside gaps of at most `maxMinutes`
 * bounded by real values of the same column, and only where the column exists in the row's
 * source file (a column a file does not publish is not a gap). Adds one boolean
 * `_interp_<col>` per column that had missing cells (listed in `flags`); reports every gap,
 * filled or not. All columns are processed in a few passes: polars shares the window groups of
 * expressions evaluated together.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { interpolateGaps } from "./_silver_gaps.ts";
 * const t = (m: number) => Date.UTC(2025, 0, 1, 0, m);
 * const frame = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix", "eco2mix"], perimetre: ["France", "France", "France"],
 *   timestamp_utc: pl.Series("t", [t(0), t(15), t(30)], pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pas_minutes: pl.Series("p", [15, 15, 15], pl.Int32), source_file: ["a.xls", "a.xls", "a.xls"],
 *   _sid: pl.Series("s", [0, 0, 0], pl.Int32), nucleaire: [100, null, 200],
 * });
 * const { frame: out } = interpolateGaps(frame, [{ name: "nucleaire", files: ["a.xls"] }], 60);
 * assert.equal(out.getColumn("nucleaire").toArray()[1], 150);
 * ```
 */
export function interpolateGaps(
  frame: pl.DataFrame,
  columns: readonly GapColumn[],
  maxMinutes: number,
): { frame: pl.DataFrame; gaps: Gap[]; flags: string[] } {
  // (isIn with an empty list fails in nodejs-polars: its element type cannot be inferred.)
  const applicable = (c: GapColumn) =>
    c.files.length === 0 ? pl.lit(false) : pl.col("source_file").isIn([...c.files]);
  const candidate = (c: GapColumn) => pl.col(c.name).isNull().and(applicable(c));
  const counts = frame.select(
    ...columns.map((c) => candidate(c).cast(pl.Int32).sum().alias(c.name)),
  ).toRecords()[0] as Record<string, number>;
  const todo = columns.filter((c) => counts[c.name] > 0);
  if (todo.length === 0) return { frame, gaps: [], flags: [] };

  const fill = (e: pl.Expr, backward: boolean) =>
    (backward ? e.backwardFill() : e.forwardFill()).over(SERIES_ID);
  const whenValid = (c: string, e: pl.Expr) =>
    pl.when(pl.col(c).isNotNull()).then(e).otherwise(pl.lit(null));
  const t = pl.col("_t");
  let out = frame.withColumn(pl.col("timestamp_utc").cast(pl.Int64).alias("_t"));
  // Pass 1: neighbours in time and a counter of rows where the column does not apply.
  out = out.withColumns(...todo.flatMap((c) => [
    fill(whenValid(c.name, t), false).alias(`_tp_${c.name}`),
    fill(whenValid(c.name, t), true).alias(`_tn_${c.name}`),
    fill(pl.col(c.name), false).alias(`_vp_${c.name}`),
    fill(pl.col(c.name), true).alias(`_vn_${c.name}`),
    applicable(c).not().cast(pl.Int32).cumSum().over(SERIES_ID).alias(`_na_${c.name}`),
  ]));
  // Pass 2: the same counter at both neighbours (equal: no foreign row inside the gap).
  out = out.withColumns(...todo.flatMap((c) => [
    fill(whenValid(c.name, pl.col(`_na_${c.name}`)), false).alias(`_nap_${c.name}`),
    fill(whenValid(c.name, pl.col(`_na_${c.name}`)), true).alias(`_nan_${c.name}`),
  ]));
  // Pass 3: decide and interpolate.
  out = out.withColumns(...todo.flatMap((c) => {
    const [tp, tn, vp, vn] = ["_tp_", "_tn_", "_vp_", "_vn_"].map((p) => pl.col(p + c.name));
    const span = tn.minus(tp).minus(pl.col("pas_minutes").cast(pl.Int64).mul(MINUTE_MS));
    const ok = candidate(c).and(tp.isNotNull()).and(tn.isNotNull())
      .and(pl.col(`_nap_${c.name}`).eq(pl.col(`_nan_${c.name}`)))
      .and(span.lt(pl.lit(maxMinutes * MINUTE_MS + 1)));
    const ratio = t.minus(tp).cast(pl.Float64).div(tn.minus(tp).cast(pl.Float64));
    return [
      ok.alias(`_interp_${c.name}`),
      candidate(c).alias(`_cand_${c.name}`),
      pl.when(ok).then(vp.plus(vn.minus(vp).mul(ratio))).otherwise(pl.col(c.name)).alias(c.name),
    ];
  }));

  const gaps: Gap[] = [];
  for (const c of todo) {
    // One gap = the candidate rows sharing the same last valid instant before them.
    const runs = out.filter(pl.col(`_cand_${c.name}`))
      .groupBy([...SERIES, `_tp_${c.name}`])
      .agg(
        pl.col("_t").min().alias("start"),
        pl.col("_t").max().alias("end"),
        pl.col("pas_minutes").sum().alias("minutes"),
        pl.col(`_interp_${c.name}`).first().alias("filled"),
      )
      .toRecords() as unknown as {
        jeu_donnees: string;
        perimetre: string;
        start: number;
        end: number;
        minutes: number;
        filled: boolean;
      }[];
    for (const r of runs) {
      gaps.push({
        jeu_donnees: r.jeu_donnees,
        perimetre: r.perimetre,
        colonne: c.name,
        debut_utc: new Date(Number(r.start)),
        fin_utc: new Date(Number(r.end)),
        duree_minutes: Number(r.minutes),
        traitement: r.filled ? "interpole" : "non_comble",
        cause: inAutumnHour(Number(r.start), Number(r.end))
          ? "changement_heure"
          : "donnees_absentes",
      });
    }
  }
  const scratch = ["_tp_", "_tn_", "_vp_", "_vn_", "_na_", "_nap_", "_nan_", "_cand_"]
    .flatMap((p) => todo.map((c) => p + c.name));
  return { frame: out.drop(["_t", ...scratch]), gaps, flags: todo.map((c) => c.name) };
}
