/**
 * Silver layer: the bronze frame interpreted into one clean time series per perimeter.
 *
 * **Key and time.** One row per (`jeu_donnees`, `perimetre`, `timestamp_utc`), sorted by them.
 * `jeu_donnees` is `eco2mix` for RTE/ODRÉ power files and `consommation_brute` for ODRÉ's
 * consumption history, a different measurement (about 1 GW above real-time `consommation`)
 * that must not silently replace eCO2mix values. `timestamp_utc` (Datetime ms, UTC) is the
 * start of the step: from ODRÉ's `Date - Heure` when present, otherwise from the local
 * `Date`/`Heures` (Europe/Paris). `date_locale` (Date), `heure_locale` ("HH:MM") and
 * `decalage_utc_minutes` (60 or 120) are recomputed from it, so the repeated autumn hour stays
 * unambiguous. `pas_minutes` is the real step of the row: 15 for files with measured `:15`/`:45`
 * rows (real-time), else 30 (consolidated, definitive, ODRÉ history). `annee` (local year,
 * Int32) is the partition column: 17,500 to 35,000 rows per year and perimeter (210,000 for
 * the 12 regions), files of a few MB. Monthly partitions gave files of 60 kB, one per month
 * and perimeter, and writing 14 years of history cost 2.5 s in file overhead alone; readers
 * of a month skip the other files of its year by their min/max statistics. `annee_mois`
 * ("YYYY-MM", local date) stays as a column for monthly views.
 *
 * **What stays out** (every bronze line is accounted for in `bilan`):
 * - DST filler rows: local 02:00-02:45 on the last Sunday of March does not exist; RTE fills
 *   it with copies of neighbouring rows (ODRÉ gives them duplicated UTC stamps). Excluded.
 * - `:15`/`:45` rows of half-hourly files: empty (regional files) or holding only forecasts
 *   and schedules (national consolidated files); the half-hour rows carry the data.
 * - future rows (after the last measured consumption of the file and perimeter): their
 *   forecasts go to `previsions`, for instants silver does not have yet.
 * - rows revised by a later version of their file: a file is its name (RTE serves its current
 *   file under one name every day, and bronze keeps each version's new and revised rows, see
 *   `bronze.ts`); per perimeter and instant, only the rows of the file's latest ingestion count,
 *   as if that version had been read whole. Every rule below works on that content, so a file
 *   ingested version by version gives the same silver as its last version alone.
 * - rows superseded by an overlapping file: per perimeter and half-hour slot, the file with
 *   the highest nature wins (definitif > consolide > temps_reel), then the latest
 *   `_ingested_at`, then the greatest file name. Resolving per half-hour slot keeps a 30-min
 *   consolidated row from being mixed with 15-min real-time rows of the same half-hour. The slot
 *   is an integer key ({@linkcode halfHourSlot}): in floating point, half of all quarter-hours
 *   fell into the previous slot and both files were kept at a file boundary. A winning 15-min
 *   file that starts mid-slot (at :15 or :45) takes the whole slot: the other file's :00/:30
 *   row is replaced and that instant interpolated (flagged). RTE's and ODRÉ's files start at
 *   local midnight, so this only happens with hand-cut files.
 * - duplicated instants inside one file: identical copies are kept once; copies with
 *   different values are quarantined in `rejets` (both), leaving a hole.
 * - cells that are not numbers ("12a4"): `Eco2mixValueError` naming file, line and column,
 *   or with `invalidValues: "quarantine"`, the row goes to `rejets`.
 *
 * **Missing values.** `ND` and empty cells are null. A production or storage column that is
 * `-` on every row of a file and perimeter is a source absent from the region (e.g. nuclear in
 * Bretagne): 0, listed in `colonnes_absentes`; so are the battery columns of eCO2mix files that
 * predate them (empty on every row of the file and perimeter, whatever other files hold: each
 * file is read on its own, so that silver can be rebuilt series by series). Columns a file does
 * not publish (regional fuel split, commercial exchanges) stay null. Missing instants and cells of gaps of at most `maxGapMinutes` (default 60) between real
 * values are interpolated linearly in time: new rows get `ligne_reconstituee`, cells are listed
 * in `colonnes_interpolees`. Longer gaps stay null. Every gap is in `lacunes`; this includes the
 * autumn DST hour that RTE's files never hold (cause `changement_heure`), so that a year sums to
 * its real number of hours. Commercial exchanges published half-hourly in 15-min files are
 * schedules: the `:15`/`:45` rows carry the half-hour value.
 *
 * **Derived columns** (MW unless stated; null when an input is null):
 * - `thermique`: regional files publish it; national rows compute `fioul + charbon + gaz`;
 * - `fossiles_total` = `gaz + fioul + charbon` (= `thermique`);
 * - `renouvelables_total` = `eolien + solaire + hydraulique + bioenergies`;
 * - `renouvelables_hors_step` = `renouvelables_total - hydraulique_step_turbinage` (pumped
 *   storage turbining re-injects energy pumped earlier; national files only);
 * - `bas_carbone_total` = `nucleaire + renouvelables_total`;
 * - `production_totale` = `fioul + charbon + gaz + nucleaire + eolien + solaire + hydraulique +
 *   bioenergies` (regional: `thermique` replaces the three fuels); pumping and batteries are
 *   storage, not production;
 * - `part_renouvelables` = 100 × `renouvelables_total` / `production_totale` (%),
 *   `part_bas_carbone` = 100 × `bas_carbone_total` / `production_totale` (%): shares of
 *   domestic production, not of consumption;
 * - `ecart_prevision_j1` = `consommation - prevision_j1`, `ecart_prevision_j` =
 *   `consommation - prevision_j` (> 0: RTE under-forecast);
 * - `solde_echanges` = sum of the five `ech_comm_*` (RTE sign: > 0 net import); it differs
 *   from `ech_physiques` (schedules vs flows);
 * - `taux_co2_recalcule` (g/kWh) = 1000 × (0.986 `charbon` + 0.777 `fioul` + 0.429 `gaz` +
 *   0.494 `bioenergies`) / `production_totale`: RTE's emission factors (t CO2/MWh, direct
 *   emissions, imports not counted); national files only;
 * - `energie_<x>_mwh` = `<x>` × `pas_minutes` / 60 (MWh over the step) for `consommation`,
 *   each production column, `thermique` and `production_totale`.
 *
 * Why one module of this size: the stages of {@linkcode toSilver} share private column lists
 * and the row ids by which every bronze line gets exactly one motif of `bilan`; split across
 * files, that accounting would span modules. Gap filling, which needs none of it, is in
 * `_silver_gaps.ts`.
 *
 * @module
 */

import pl from "nodejs-polars";
import {
  COLUMNS,
  COMMERCIAL_EXCHANGES,
  Eco2mixValueError,
  NATURE_RANK,
  parseNature,
} from "../eco2mix/mod.ts";
import {
  fillTimeHoles,
  type Gap,
  type GapColumn,
  interpolateGaps,
  SERIES_ID,
  withSeriesId,
} from "./_silver_gaps.ts";
import { dateOfClock, halfHourSlot, MINUTE_MS, PARIS, parisClock } from "./time_keys.ts";

/**
 * Value columns carried to silver (Float64), in catalogue order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SILVER_VALUE_COLUMNS } from "./silver.ts";
 * assert.ok(SILVER_VALUE_COLUMNS.includes("eolien_offshore"));
 * ```
 */
export const SILVER_VALUE_COLUMNS: readonly string[] = COLUMNS
  .filter((c) =>
    ["consumption", "forecast", "production", "production_detail", "storage", "exchange", "co2"]
      .includes(c.family)
  )
  .map((c) => c.name);

const FORECASTS = ["prevision_j1", "prevision_j"];
const ZERO_FILL_FAMILIES = ["production", "production_detail", "storage"];
const BATTERIES = ["stockage_batterie", "destockage_batterie"];
const ENERGY_COLUMNS = [
  "consommation",
  "fioul",
  "charbon",
  "gaz",
  "thermique",
  "nucleaire",
  "eolien",
  "solaire",
  "hydraulique",
  "bioenergies",
  "production_totale",
];
const DERIVED_COLUMNS = [
  "fossiles_total",
  "renouvelables_total",
  "renouvelables_hors_step",
  "bas_carbone_total",
  "production_totale",
  "part_renouvelables",
  "part_bas_carbone",
  "ecart_prevision_j1",
  "ecart_prevision_j",
  "solde_echanges",
  "taux_co2_recalcule",
  ...ENERGY_COLUMNS.map((c) => `energie_${c}_mwh`),
];

/**
 * Columns of the silver frame, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SILVER_COLUMNS } from "./silver.ts";
 * assert.ok(SILVER_COLUMNS.includes("annee_mois"));
 * ```
 */
export const SILVER_COLUMNS: readonly string[] = [
  "jeu_donnees",
  "perimetre",
  "timestamp_utc",
  "date_locale",
  "heure_locale",
  "decalage_utc_minutes",
  "pas_minutes",
  "annee",
  "annee_mois",
  "nature",
  ...SILVER_VALUE_COLUMNS,
  ...DERIVED_COLUMNS,
  "colonnes_absentes",
  "colonnes_interpolees",
  "ligne_reconstituee",
  "source_file",
  "source_line",
];

/** Options of {@linkcode toSilver}. */
export interface SilverOptions {
  /** Non-numeric cells: throw `Eco2mixValueError` (default) or quarantine the row. */
  readonly invalidValues?: "error" | "quarantine";
  /** Longest gap (minutes) filled by interpolation; default 60. */
  readonly maxGapMinutes?: number;
}

/** Everything silver produces from a bronze frame. */
export interface SilverResult {
  /** The clean series (columns {@linkcode SILVER_COLUMNS}). */
  readonly silver: pl.DataFrame;
  /** RTE forecasts (and commercial schedules) for instants silver does not have yet. */
  readonly previsions: pl.DataFrame;
  /** Every gap: missing instants and missing cells, filled or not. */
  readonly lacunes: pl.DataFrame;
  /** Quarantined bronze lines: source_file, source_line, motif, detail. */
  readonly rejets: pl.DataFrame;
  /**
   * Per ingested file (source_file, source_sha256, ingested_at): bronze lines and where each
   * went (`lignes_revisee`: revised by a later version of the file): lignes_silver +
   * lignes_remplissage_dst + ... + lignes_rejet = lignes_bronze.
   */
  readonly bilan: pl.DataFrame;
}

const SERIES = ["jeu_donnees", "perimetre"];

/**
 * The silver series of bronze rows: `jeu_donnees` and `perimetre` as expressions on bronze
 * columns (`_format`, `perimetre`). Silver rows of a series come from bronze rows of that series
 * only, and every rule reads a whole file: a step can rebuild some series from the bronze rows
 * of every file they hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { bronzeSeries } from "./silver.ts";
 * const bronze = pl.DataFrame({
 *   _format: ["rte_national", "odre_consommation_brute"],
 *   perimetre: pl.Series("perimetre", ["France", null], pl.Utf8),
 * });
 * assert.deepEqual(bronze.select(...bronzeSeries()).toRecords(), [
 *   { jeu_donnees: "eco2mix", perimetre: "France" },
 *   { jeu_donnees: "consommation_brute", perimetre: "France" },
 * ]);
 * ```
 */
export function bronzeSeries(): [pl.Expr, pl.Expr] {
  const brute = pl.col("_format").eq(pl.lit("odre_consommation_brute"));
  return [
    pl.when(brute).then(pl.lit("consommation_brute")).otherwise(pl.lit("eco2mix"))
      .alias("jeu_donnees"),
    pl.when(brute).then(pl.col("perimetre").fillNull(pl.lit("France")))
      .otherwise(pl.col("perimetre")).alias("perimetre"),
  ];
}

/** Integer id of (source file, series), the window key of per-file rules. */
const FILE_SERIES_ID = "_fid";

/** Sum of columns that is null as soon as one term is null (unlike sumHorizontal). */
function strictSum(columns: readonly string[]): pl.Expr {
  return columns.slice(1).reduce((acc, c) => acc.plus(pl.col(c)), pl.col(columns[0]));
}

function describeBad(frame: pl.DataFrame, column: string, limit = 3): string {
  return (frame.sort(["source_file", "source_line"]).head(limit).toRecords() as Record<
    string,
    unknown
  >[])
    .map((r) => `line ${r.source_line} ${column}="${r[column]}"`)
    .join(", ");
}

/**
 * Bronze frame -> silver frame and its companions (see module doc for every rule).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEco2mix } from "../eco2mix/mod.ts";
 * import { toBronze } from "./bronze.ts";
 * import { toSilver } from "./silver.ts";
 * const text = "Périmètre\tNature\tDate\tHeures\tConsommation\tPrévision J-1\n" +
 *   "France\tDonnées temps réel\t2025-01-01\t00:00\t63949\t64000\t\n" +
 *   "France\tDonnées temps réel\t2025-01-01\t00:15\t63954\t63350\t\n" +
 *   "France\tDonnées temps réel\t2025-01-01\t00:30\t\t62700\t\n" +
 *   "RTE ne pourra être tenu responsable de l'usage des données.\n\n";
 * const table = readEco2mix(new TextEncoder().encode(text), "mini.xls");
 * const bronze = toBronze([table], { ingestedAt: new Date("2025-01-01T00:00:00Z") });
 * const { silver, previsions } = toSilver(bronze);
 * assert.equal(silver.height, 2);
 * assert.equal(previsions.height, 1);
 * assert.equal(silver.getColumn("energie_consommation_mwh").toArray()[0], 63949 / 4);
 * ```
 */
export function toSilver(bronze: pl.DataFrame, options: SilverOptions = {}): SilverResult {
  const maxGap = options.maxGapMinutes ?? 60;
  const available = SILVER_VALUE_COLUMNS.filter((c) => bronze.columns.includes(c));

  // ---- 1. Keys, nature, instants -------------------------------------------------------
  let df = bronze.select(
    ...bronzeSeries(),
    pl.col("nature").alias("_nature_raw"),
    pl.col("date"),
    pl.col("heure"),
    pl.col("date_heure"),
    pl.col("_ingested_at"),
    pl.col("_source_file").alias("source_file"),
    pl.col("_source_sha256").alias("source_sha256"),
    pl.col("_source_line").alias("source_line"),
    ...available.map((c) => pl.col(c)),
  ).withRowIndex("_row");
  failOn(
    df.filter(pl.col("perimetre").isNull()),
    "perimetre",
    "no perimeter (Périmètre) on the line",
  );
  df = withIds(withNature(df));
  df = withInstants(df);

  // ---- 1b. Versions of a file: per instant, the rows of its latest ingestion ---------------
  const instant = [FILE_SERIES_ID, "timestamp_utc", "_date", "_minutes"] as const;
  df = df.withColumn(
    pl.col("_ingested_at").lt(pl.col("_ingested_at").max().over(...instant)).alias("_revisee"),
  );
  const revised = df.filter(pl.col("_revisee"))
    .select(
      "source_file",
      "source_sha256",
      "_ingested_at",
      "_row",
      pl.lit("revisee").alias("_motif"),
    );
  df = df.filter(pl.col("_revisee").not()).drop("_revisee", "_date");
  const present = available.filter((c) => df.getColumn(c).nullCount() < df.height);
  df = df.drop(available.filter((c) => !present.includes(c)));

  // ---- 2. Values: parse, reject garbage, zero-fill absent sources -------------------------
  const rejected: pl.DataFrame[] = [];
  // Cast once; the raw strings stay until the markers (ND, -) and garbage are sorted out.
  df = df.withColumns(...present.map((c) => pl.col(c).cast(pl.Float64, false).alias(`_n_${c}`)));
  const number = (c: string) => pl.col(`_n_${c}`);
  const garbage = (c: string) =>
    pl.col(c).isNotNull().and(pl.col(c).neq(pl.lit("ND"))).and(pl.col(c).neq(pl.lit("-")))
      .and(number(c).isNull().or(number(c).isNan()).or(number(c).isInfinite()));
  const garbageCounts = df.select(...present.map((c) => garbage(c).cast(pl.Int32).sum().alias(c)))
    .toRecords()[0] as Record<string, number>;
  for (const c of present.filter((c) => garbageCounts[c] > 0)) {
    const bad = df.filter(garbage(c)).sort(["source_file", "source_line"]);
    if (options.invalidValues !== "quarantine") {
      throw new Eco2mixValueError(
        `${bad.height} non-numeric cell(s) in ${c}: ${describeBad(bad, c)}`,
        String(bad.getColumn("source_file").toArray()[0]),
        Number(bad.getColumn("source_line").toArray()[0]),
      );
    }
    rejected.push(bad.select(
      pl.col("_row"),
      pl.col("source_file"),
      pl.col("source_line"),
      pl.lit("valeur_non_numerique").alias("motif"),
      pl.concatString([pl.lit(`${c}="`), pl.col(c), pl.lit('"')], "").alias("detail"),
    ));
  }
  const absent = absentSources(df, present);
  // Flags first: they read the raw strings the casts replace.
  df = df.withColumns(
    ...[...absent.entries()].map(([c, zero]) => zero.fillNull(false).alias(`_absent_${c}`)),
  );
  df = df.withColumns(
    ...present.map((c) =>
      (absent.has(c)
        ? pl.when(pl.col(`_absent_${c}`)).then(pl.lit(0)).otherwise(number(c))
        : number(c)).alias(c)
    ),
  ).drop(present.map((c) => `_n_${c}`));
  for (const c of BATTERIES.filter((b) => absent.has(b) && !present.includes(b))) {
    df = df.withColumn(
      pl.when(pl.col(`_absent_${c}`)).then(pl.lit(0)).otherwise(pl.lit(null))
        .cast(pl.Float64).alias(c),
    );
  }
  const absentNames = [...absent.keys()];
  df = df.withColumn(
    absentNames.length === 0 ? pl.lit(null).cast(pl.Utf8).alias("colonnes_absentes") : pl
      .concatString(
        absentNames.map((c) =>
          pl.when(pl.col(`_absent_${c}`)).then(pl.lit(c)).otherwise(pl.lit(null))
        ),
        ",",
        true,
      ).alias("colonnes_absentes"),
  ).drop(absentNames.map((c) => `_absent_${c}`));
  df = df.withColumn(
    pl.when(pl.col("colonnes_absentes").eq(pl.lit(""))).then(pl.lit(null))
      .otherwise(pl.col("colonnes_absentes")).alias("colonnes_absentes"),
  );
  const values = [...new Set([...present, ...BATTERIES.filter((b) => absent.has(b))])];

  // ---- 3. Classify rows per file and perimeter -----------------------------------------
  const minute = pl.col("_minutes").modulo(60);
  const quarter = minute.eq(15).or(minute.eq(45));
  const measured = pl.col("consommation").isNotNull().and(pl.col("remplissage_dst").not());
  df = df.withColumns(
    pl.when(measured).then(pl.col("timestamp_utc")).otherwise(pl.lit(null)).max().over(
      FILE_SERIES_ID,
    )
      .alias("_last_measured"),
    pl.when(measured.and(quarter)).then(pl.lit(1)).otherwise(pl.lit(0)).max().over(FILE_SERIES_ID)
      .alias("_has_quarter"),
  ).withColumns(
    pl.when(pl.col("_has_quarter").eq(1)).then(pl.lit(15)).otherwise(pl.lit(30)).cast(pl.Int32)
      .alias("pas_minutes"),
  );
  const rejectedRows = rejected.length === 0
    ? new Set<number>()
    : new Set(pl.concat(rejected).getColumn("_row").toArray() as number[]);
  const vide = pl.col("pas_minutes").eq(30).and(quarter).and(pl.col("remplissage_dst").not());
  const future = pl.col("remplissage_dst").not().and(vide.not()).and(measured.not())
    .and(
      pl.col("_last_measured").isNull().or(pl.col("timestamp_utc").gt(pl.col("_last_measured"))),
    );
  df = df.withColumn(
    pl.when(pl.col("remplissage_dst")).then(pl.lit("remplissage_dst"))
      .when(isIn("_row", [...rejectedRows])).then(pl.lit("rejet"))
      .when(vide).then(pl.lit("infra_horaire_vide"))
      .when(future).then(pl.lit("future"))
      .otherwise(pl.lit("silver")).alias("_motif"),
  );

  // ---- 4. Duplicated instants inside a file ----------------------------------------------
  const kept = df.filter(pl.col("_motif").eq(pl.lit("silver")));
  const duplicates = duplicateRows(kept, values);
  for (const d of duplicates.rejets) rejected.push(d);
  df = markRows(df, duplicates.dropped, "doublon");
  df = markRows(df, duplicates.quarantined, "rejet");

  // ---- 5. Overlapping files: best file per (series, half-hour slot) --------------------------
  df = markRows(df, supersededRows(df.filter(pl.col("_motif").eq(pl.lit("silver")))), "remplacee");

  // ---- 6. The series: holes, half-hourly schedules, gaps -----------------------------------
  let series = df.filter(pl.col("_motif").eq(pl.lit("silver")))
    .select(
      ...SERIES.map((c) => pl.col(c)),
      "timestamp_utc",
      "pas_minutes",
      "nature",
      ...values,
      "colonnes_absentes",
      pl.lit(false).alias("ligne_reconstituee"),
      "source_file",
      "source_line",
      SERIES_ID,
      FILE_SERIES_ID,
    )
    .sort([SERIES_ID, "timestamp_utc"]);
  const holes = fillTimeHoles(series, maxGap);
  // A reconstructed row lacks the same sources as the row before it.
  series = holes.frame.withColumn(
    pl.when(pl.col("ligne_reconstituee"))
      .then(pl.col("colonnes_absentes").forwardFill().over(SERIES_ID))
      .otherwise(pl.col("colonnes_absentes")).alias("colonnes_absentes"),
  );
  series = carryHalfHourSchedules(series, values);
  const measuredColumns = values.filter((c) => !FORECASTS.includes(c));
  const filled = df.groupBy("source_file")
    .agg(...measuredColumns.map((c) => pl.col(c).count().alias(c)))
    .toRecords() as Record<string, unknown>[];
  const gapColumns: GapColumn[] = measuredColumns.map((c) => ({
    name: c,
    files: filled.filter((r) => Number(r[c]) > 0).map((r) => String(r.source_file)),
  }));
  const gaps = interpolateGaps(series, gapColumns, maxGap);
  series = gaps.frame;
  series = series.withColumn(
    gaps.flags.length === 0 ? pl.lit(null).cast(pl.Utf8).alias("colonnes_interpolees") : pl
      .concatString(
        gaps.flags.map((c) =>
          pl.when(pl.col(`_interp_${c}`)).then(pl.lit(c)).otherwise(pl.lit(null))
        ),
        ",",
        true,
      ).alias("colonnes_interpolees"),
  ).drop(gaps.flags.map((c) => `_interp_${c}`));
  series = series.withColumn(
    pl.when(pl.col("colonnes_interpolees").eq(pl.lit(""))).then(pl.lit(null))
      .otherwise(pl.col("colonnes_interpolees")).alias("colonnes_interpolees"),
  );

  const silver = finishSilver(series);
  const previsions = buildPrevisions(df, silver);
  const lacunes = gapsFrame([...holes.gaps, ...gaps.gaps]);
  const rejets = rejected.length === 0
    ? pl.DataFrame({
      source_file: pl.Series("source_file", [], pl.Utf8),
      source_line: pl.Series("source_line", [], pl.Int32),
      motif: pl.Series("motif", [], pl.Utf8),
      detail: pl.Series("detail", [], pl.Utf8),
    })
    : pl.concat(rejected).drop("_row").sort(["source_file", "source_line"]);
  return { silver, previsions, lacunes, rejets, bilan: bilanFrame(df, revised) };
}

function failOn(frame: pl.DataFrame, column: string, detail: string): void {
  if (frame.height === 0) return;
  const bad = frame.sort(["source_file", "source_line"]);
  throw new Eco2mixValueError(
    `${detail} (${bad.height} line(s): ${describeBad(bad, column)})`,
    String(bad.getColumn("source_file").toArray()[0]),
    Number(bad.getColumn("source_line").toArray()[0]),
  );
}

function distinct(frame: pl.DataFrame, column: string): string[] {
  return (frame.getColumn(column).unique().toArray() as (string | null)[])
    .filter((v): v is string => v !== null);
}

/**
 * `_sid` (series, numbered in silver's order) and `_fid` (file name x series): integer window
 * keys, from one join with the few distinct combinations.
 */
function withIds(df: pl.DataFrame): pl.DataFrame {
  // A file is its name: RTE serves one name every day, and bronze holds each download's new and
  // revised rows; the file's content is, per instant, its latest ingestion (step 1b).
  const keys = ["source_file", ...SERIES];
  const files = withSeriesId(df.select(...keys).unique()).withRowIndex(FILE_SERIES_ID);
  return df.join(files, { on: keys, how: "left" });
}

/** Canonical `nature` and its precedence rank; an unknown stage is an error. */
function withNature(df: pl.DataFrame): pl.DataFrame {
  const raws = distinct(df, "_nature_raw");
  const unknown = raws.filter((r) => parseNature(r) === undefined);
  failOn(
    df.filter(pl.col("_nature_raw").isNull().or(isIn("_nature_raw", unknown))),
    "_nature_raw",
    "unknown or missing revision stage (Nature)",
  );
  let nature: pl.Expr = pl.lit(null).cast(pl.Utf8);
  let rank: pl.Expr = pl.lit(0);
  for (const raw of raws) {
    const n = parseNature(raw)!;
    nature = pl.when(pl.col("_nature_raw").eq(pl.lit(raw))).then(pl.lit(n)).otherwise(nature);
    rank = pl.when(pl.col("_nature_raw").eq(pl.lit(raw))).then(pl.lit(NATURE_RANK[n]))
      .otherwise(rank);
  }
  return df.withColumns(nature.alias("nature"), rank.cast(pl.Int32).alias("_rank"))
    .drop("_nature_raw");
}

/**
 * `timestamp_utc`, `remplissage_dst` (local time that does not exist: spring-forward filler),
 * `_date` (local date) and `_minutes` (minutes since local midnight). The autumn local
 * 02:00-02:59, which occurs twice, is read as its second (CET) occurrence: checked on
 * 2014-10-26, where the regional sums at local 02:00 equal ODRÉ's value stamped 01:00 UTC.
 */
function withInstants(df: pl.DataFrame): pl.DataFrame {
  // Parsing and time-zone rules run once per distinct (date, heure): a year has 35,040 of them
  // however many files and perimeters share it.
  const date = pl.col("date").str.strptime(pl.Date, "%Y-%m-%d")
    .fillNull(pl.col("date").str.strptime(pl.Date, "%d/%m/%Y"));
  const heureOk = pl.col("heure").str.contains("^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$");
  const minutes = pl.when(heureOk).then(
    pl.col("heure").str.slice(0, 2).cast(pl.Int32, false).mul(60)
      .plus(pl.col("heure").str.slice(3, 2).cast(pl.Int32, false)),
  ).otherwise(pl.lit(null));
  const naive = pl.col("_date").cast(pl.Datetime("ms")).cast(pl.Int64)
    .plus(pl.col("_minutes").cast(pl.Int64).mul(MINUTE_MS)).cast(pl.Datetime("ms"));
  const local = naive.dt.replaceTimeZone(PARIS, "latest", "null").dt.convertTimeZone("UTC");
  const instants = df.select("date", "heure").unique()
    .withColumns(date.alias("_date"), minutes.alias("_minutes"))
    .withColumn(local.alias("_local_utc"));
  df = df.join(instants, { on: ["date", "heure"], how: "left" });
  failOn(
    df.filter(pl.col("_date").isNull().or(pl.col("_minutes").isNull())),
    "date",
    "unreadable local date or time (Date / Heures)",
  );
  let utc: pl.Expr = pl.col("_local_utc");
  if (df.getColumn("date_heure").nullCount() < df.height) {
    const odre = pl.col("date_heure").str.strptime(pl.Datetime("ms"), "%Y-%m-%dT%H:%M:%S%z")
      .cast(pl.Datetime("ms", "UTC"));
    df = df.withColumn(odre.alias("_odre_utc"));
    failOn(
      df.filter(pl.col("date_heure").isNotNull().and(pl.col("_odre_utc").isNull())),
      "date_heure",
      "unreadable ISO instant (Date - Heure)",
    );
    utc = pl.when(pl.col("_odre_utc").isNotNull()).then(pl.col("_odre_utc")).otherwise(utc);
  }
  return df.withColumns(
    pl.col("_local_utc").isNull().alias("remplissage_dst"),
    utc.alias("timestamp_utc"),
  ).drop(["_local_utc", "date", "heure", "date_heure"].concat(
    df.columns.includes("_odre_utc") ? ["_odre_utc"] : [],
  ));
}

/**
 * For each production/storage column: rows where it is an absent source (boolean expression).
 * `-` on every non-empty cell of a file and perimeter, or (batteries, eCO2mix files) no cell at
 * all in the file and perimeter: decided per file, whatever the other files hold.
 */
function absentSources(df: pl.DataFrame, present: readonly string[]): Map<string, pl.Expr> {
  const absent = new Map<string, pl.Expr>();
  const dashCounts = df.select(
    ...present.map((c) => pl.col(c).eq(pl.lit("-")).cast(pl.Int32).sum().alias(c)),
  ).toRecords()[0] as Record<string, number>;
  for (const spec of COLUMNS.filter((c) => ZERO_FILL_FAMILIES.includes(c.family))) {
    const c = spec.name;
    if (present.includes(c)) {
      const battery = BATTERIES.includes(c);
      if (!(dashCounts[c] > 0) && !battery) continue;
      const dashes = pl.col(c).eq(pl.lit("-")).cast(pl.Int32).sum().over(FILE_SERIES_ID);
      const filled = pl.col(c).isNotNull().cast(pl.Int32).sum().over(FILE_SERIES_ID);
      const dashed = pl.col(c).eq(pl.lit("-")).and(dashes.eq(filled));
      const none = filled.eq(0).and(pl.col("jeu_donnees").eq(pl.lit("eco2mix")));
      absent.set(c, battery ? dashed.fillNull(false).or(none) : dashed);
    } else if (BATTERIES.includes(c)) {
      absent.set(c, pl.col("jeu_donnees").eq(pl.lit("eco2mix")));
    }
  }
  return absent;
}

/** `column` is one of `values` (false for none: nodejs-polars cannot type an empty list). */
function isIn(column: string, values: readonly (string | number)[]): pl.Expr {
  return values.length === 0 ? pl.lit(false) : pl.col(column).isIn([...values]);
}

function markRows(df: pl.DataFrame, rows: readonly number[], motif: string): pl.DataFrame {
  if (rows.length === 0) return df;
  return df.withColumn(
    pl.when(pl.col("_row").isIn([...rows])).then(pl.lit(motif)).otherwise(pl.col("_motif"))
      .alias("_motif"),
  );
}

/** Duplicated instants inside one file: identical -> keep the first; different -> quarantine. */
function duplicateRows(kept: pl.DataFrame, values: readonly string[]) {
  const key = [FILE_SERIES_ID, "timestamp_utc"];
  const dup = kept.filter(kept.select(...key).isDuplicated());
  const dropped: number[] = [];
  const quarantined: number[] = [];
  const rejets: pl.DataFrame[] = [];
  if (dup.height === 0) return { dropped, quarantined, rejets };
  const groups = dup.sort([...key, "source_line"]).partitionBy(key, true, true);
  for (const g of groups) {
    const rows = g.getColumn("_row").toArray() as number[];
    const identical = g.select(...values).unique().height === 1;
    if (identical) dropped.push(...rows.slice(1));
    else {
      quarantined.push(...rows);
      const lines = g.getColumn("source_line").toArray().join(", ");
      rejets.push(g.select(
        pl.col("_row"),
        pl.col("source_file"),
        pl.col("source_line"),
        pl.lit("doublon_incoherent").alias("motif"),
        pl.lit(`same instant with different values on lines ${lines}`).alias("detail"),
      ));
    }
  }
  return { dropped, quarantined, rejets };
}

/** Rows of files that lose their (series, half-hour slot) to a better file. */
function supersededRows(kept: pl.DataFrame): number[] {
  const perSeries = kept.groupBy(SERIES_ID).agg(pl.col(FILE_SERIES_ID).nUnique().alias("n"));
  if (perSeries.filter(pl.col("n").gt(1)).height === 0) return [];
  const ranked = kept.select(
    "_row",
    SERIES_ID,
    FILE_SERIES_ID,
    "source_file",
    "_rank",
    "_ingested_at",
    halfHourSlot(pl.col("timestamp_utc")).alias("_slot"),
  )
    .sort(["_rank", "_ingested_at", "source_file", FILE_SERIES_ID], true)
    .withColumn(pl.col(FILE_SERIES_ID).first().over(SERIES_ID, "_slot").alias("_winner"));
  return ranked.filter(pl.col(FILE_SERIES_ID).neq(pl.col("_winner"))).getColumn("_row")
    .toArray() as number[];
}

/** In 15-min files, half-hourly schedules (`ech_comm_*`) hold for both quarter-hours. */
function carryHalfHourSchedules(series: pl.DataFrame, values: readonly string[]): pl.DataFrame {
  const schedules = COMMERCIAL_EXCHANGES.filter((c) => values.includes(c));
  if (schedules.length === 0) return series;
  return series.withColumn(halfHourSlot(pl.col("timestamp_utc")).alias("_slot")).withColumns(
    ...schedules.map((c) =>
      pl.when(pl.col("pas_minutes").eq(15)).then(
        pl.col(c).forwardFill().over(FILE_SERIES_ID, "_slot"),
      ).otherwise(pl.col(c)).alias(c)
    ),
  ).drop("_slot");
}

function finishSilver(series: pl.DataFrame): pl.DataFrame {
  const col = (c: string) => series.columns.includes(c) ? pl.col(c) : pl.lit(null).cast(pl.Float64);
  let df = series.withColumns(
    ...SILVER_VALUE_COLUMNS.map((c) => col(c).cast(pl.Float64).alias(c)),
  );
  df = df.withColumn(
    pl.col("thermique").fillNull(strictSum(["fioul", "charbon", "gaz"])).alias("thermique"),
  );
  const renewables = strictSum(["eolien", "solaire", "hydraulique", "bioenergies"]);
  df = df.withColumns(
    pl.col("thermique").alias("fossiles_total"),
    renewables.alias("renouvelables_total"),
  ).withColumns(
    pl.col("renouvelables_total").minus(pl.col("hydraulique_step_turbinage"))
      .alias("renouvelables_hors_step"),
    pl.col("nucleaire").plus(pl.col("renouvelables_total")).alias("bas_carbone_total"),
    pl.col("thermique").plus(pl.col("nucleaire")).plus(pl.col("renouvelables_total"))
      .alias("production_totale"),
  );
  const share = (c: string) =>
    pl.when(pl.col("production_totale").gt(0))
      .then(pl.col(c).mul(100).div(pl.col("production_totale"))).otherwise(pl.lit(null));
  const co2 = pl.col("charbon").mul(0.986).plus(pl.col("fioul").mul(0.777))
    .plus(pl.col("gaz").mul(0.429)).plus(pl.col("bioenergies").mul(0.494)).mul(1000);
  df = df.withColumns(
    share("renouvelables_total").alias("part_renouvelables"),
    share("bas_carbone_total").alias("part_bas_carbone"),
    pl.col("consommation").minus(pl.col("prevision_j1")).alias("ecart_prevision_j1"),
    pl.col("consommation").minus(pl.col("prevision_j")).alias("ecart_prevision_j"),
    strictSum(COMMERCIAL_EXCHANGES).alias("solde_echanges"),
    pl.when(pl.col("production_totale").gt(0)).then(co2.div(pl.col("production_totale")))
      .otherwise(pl.lit(null)).alias("taux_co2_recalcule"),
    ...ENERGY_COLUMNS.map((c) =>
      pl.col(c).mul(pl.col("pas_minutes")).div(60).alias(`energie_${c}_mwh`)
    ),
  );
  df = withLocalTime(df);
  return df.select(...SILVER_COLUMNS.map((c) => pl.col(c)));
}

/**
 * `date_locale`, `heure_locale`, `decalage_utc_minutes`, `annee`, `annee_mois` from
 * `timestamp_utc`.
 */
function withLocalTime(df: pl.DataFrame): pl.DataFrame {
  return df.withColumn(parisClock(pl.col("timestamp_utc")).alias("_local")).withColumns(
    dateOfClock(pl.col("_local")).alias("date_locale"),
    pl.col("_local").str.slice(11, 5).alias("heure_locale"),
    // Local minus UTC clock time of day, modulo one day: 60 (CET) or 120 (CEST).
    pl.col("_local").str.slice(11, 2).cast(pl.Int32).mul(60)
      .plus(pl.col("_local").str.slice(14, 2).cast(pl.Int32))
      .minus(pl.col("timestamp_utc").dt.hour().cast(pl.Int32).mul(60))
      .minus(pl.col("timestamp_utc").dt.minute().cast(pl.Int32))
      .plus(1440).modulo(1440).alias("decalage_utc_minutes"),
    pl.col("_local").str.slice(0, 4).cast(pl.Int32).alias("annee"),
    pl.col("_local").str.slice(0, 7).alias("annee_mois"),
  ).drop("_local");
}

/** Forecasts of future rows, for instants silver does not hold; latest ingestion wins. */
function buildPrevisions(df: pl.DataFrame, silver: pl.DataFrame): pl.DataFrame {
  const col = (c: string) => df.columns.includes(c) ? pl.col(c) : pl.lit(null).cast(pl.Float64);
  const columns = [...FORECASTS, ...COMMERCIAL_EXCHANGES];
  const future = df.filter(pl.col("_motif").eq(pl.lit("future")))
    .select(
      ...SERIES,
      "timestamp_utc",
      "nature",
      ...columns.map((c) => col(c).cast(pl.Float64).alias(c)),
      "_rank",
      "_ingested_at",
      "source_file",
      "source_line",
    )
    .filter(pl.col("prevision_j1").isNotNull().or(pl.col("prevision_j").isNotNull()));
  const measured = silver.select(...SERIES, "timestamp_utc");
  return withLocalTime(
    future.join(measured, { on: [...SERIES, "timestamp_utc"] as string[], how: "anti" })
      .sort(["_ingested_at", "_rank", "source_file"], true)
      .unique({ subset: [...SERIES, "timestamp_utc"], keep: "first" }),
  )
    .select(
      ...SERIES,
      "timestamp_utc",
      "date_locale",
      "heure_locale",
      "nature",
      ...columns,
      pl.col("_ingested_at").alias("ingested_at"),
      "source_file",
      "source_line",
    )
    .sort([...SERIES, "timestamp_utc"]);
}

function gapsFrame(gaps: readonly Gap[]): pl.DataFrame {
  const utc = (values: number[]) =>
    pl.Series("t", values, pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC");
  return pl.DataFrame({
    jeu_donnees: pl.Series("jeu_donnees", gaps.map((g) => g.jeu_donnees), pl.Utf8),
    perimetre: pl.Series("perimetre", gaps.map((g) => g.perimetre), pl.Utf8),
    colonne: pl.Series("colonne", gaps.map((g) => g.colonne), pl.Utf8),
    debut_utc: utc(gaps.map((g) => g.debut_utc.getTime())),
    fin_utc: utc(gaps.map((g) => g.fin_utc.getTime())),
    duree_minutes: pl.Series("duree_minutes", gaps.map((g) => g.duree_minutes), pl.Int32),
    traitement: pl.Series("traitement", gaps.map((g) => g.traitement), pl.Utf8),
    cause: pl.Series("cause", gaps.map((g) => g.cause), pl.Utf8),
  }).sort(["jeu_donnees", "perimetre", "debut_utc", "colonne"]);
}

const MOTIFS = [
  "silver",
  "remplissage_dst",
  "infra_horaire_vide",
  "future",
  "remplacee",
  "revisee",
  "doublon",
  "rejet",
];

function bilanFrame(df: pl.DataFrame, revised: pl.DataFrame): pl.DataFrame {
  const lineage = ["source_file", "source_sha256", "_ingested_at", "_row", "_motif"];
  return pl.concat([df.select(...lineage), revised.select(...lineage)]).groupBy([
    "source_file",
    "source_sha256",
    "_ingested_at",
  ]).agg(
    pl.col("_row").count().cast(pl.Int64).alias("lignes_bronze"),
    ...MOTIFS.map((m) => pl.col("_motif").eq(pl.lit(m)).cast(pl.Int64).sum().alias(`lignes_${m}`)),
  ).rename({ _ingested_at: "ingested_at" }).sort(["source_file", "ingested_at"]);
}
