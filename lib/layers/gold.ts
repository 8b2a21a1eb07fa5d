/**
 * Gold layer: the KPI tables users read, as pure functions of the silver frame
 * (`lib/layers/silver.ts`).
 *
 * **Conventions shared by every table.**
 * - `perimetre` is on every table. Regional rows (any `perimetre` other than `France`) also
 *   yield a national view, `perimetre` = {@linkcode NATIONAL_VIEW}: the sum of the regions at
 *   each instant where every region of the data set is present (see {@linkcode withNationalView}).
 * - `date` is the local (Europe/Paris) date and `heure` the local clock hour 0-23, both from
 *   silver's `date_locale` / `heure_locale`, never from a UTC cast. On the fall-back day,
 *   `heure` 2 holds two real hours (CEST then CET); the spring-forward day has no `heure` 2.
 * - Energy is power × the row's real step: MWh = MW × `pas_minutes` / 60, so 15-minute real-time
 *   rows and 30-minute consolidated rows are never counted alike.
 * - Periods say how complete they are: `nb_pas` (steps present), `nb_pas_attendus` (local length
 *   of the period / step: 96 at 15 min, 92 or 100 on DST days; 48, 46 or 50 at 30 min),
 *   `nb_pas_interpoles` (present steps silver interpolated) and a flag (`jour_complet`,
 *   `semaine_complete`) true when the present steps cover the whole local period. Sums cover
 *   the present steps only: a short day is flagged, never silently short.
 * - Signs are RTE's: exchanges > 0 are imports; `ecart` = consumption - forecast (> 0: RTE
 *   under-forecast).
 * - Only one silver data set is read (`jeu_donnees`, default `eco2mix`): ODRÉ's
 *   `consommation_brute` is a different measurement of consumption.
 *
 * **Why one module of this size.** The six tables built from silver here share private helpers:
 * `prepare` (data set, national view, recomputed totals) and the rules saying which perimetres
 * publish the fuel split and which borders; `goldContext` must apply exactly those rules for the
 * incremental gold step to rebuild some days only, so they stay private to one file where they
 * cannot drift apart. The forecast summaries, which read `consommation_previsions` rather than
 * silver, are in `forecast_accuracy.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { buildGold } from "./gold.ts";
 * // Two quarter-hours of national silver data (only the columns gold reads are needed).
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix"],
 *   perimetre: ["France", "France"],
 *   timestamp_utc: [Date.UTC(2025, 0, 1, 11), Date.UTC(2025, 0, 1, 11, 15)],
 *   date_locale: ["2025-01-01", "2025-01-01"],
 *   heure_locale: ["12:00", "12:15"],
 *   pas_minutes: [15, 15],
 *   nucleaire: [40000, 40400], eolien: [8000, 8000], solaire: [2000, 2000],
 *   hydraulique: [6000, 6000], bioenergies: [1000, 1000], fioul: [100, 100],
 *   charbon: [0, 0], gaz: [2900, 2900], consommation: [58000, 59000],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const mix = buildGold(silver).mix_energetique_quotidien;
 * assert.equal(mix.getColumn("nucleaire_total_mwh").toArray()[0], 20100);
 * assert.equal(mix.getColumn("jour_complet").toArray()[0], false); // 2 of 96 steps
 * ```
 *
 * @module
 */

import pl from "nodejs-polars";
import { COMMERCIAL_EXCHANGES, PRODUCTION_SOURCES } from "../eco2mix/mod.ts";
import {
  addDays,
  checkSilver,
  colOrNull,
  completenessAggs,
  completenessColumns,
  EMISSION_FACTORS,
  energy,
  EXCHANGE_COUNTRIES,
  EXCHANGE_TOTAL,
  GoldInputError,
  interpolated,
  localHour,
  localMinutes,
  percent,
  ratio,
  sumOrNull,
  where,
} from "./_gold_frame.ts";
import { NATIONAL_VIEW, nationalView, regionsOf } from "./_gold_national.ts";
import { type EpisodeOptions, exchangeEpisodes } from "./exchange_episodes.ts";
import { forecastAccuracy, worstForecastHours } from "./forecast_accuracy.ts";
import { isoWeek, isoWeekStart, isoYear } from "./time_keys.ts";

export { EMISSION_FACTORS, EXCHANGE_COUNTRIES, EXCHANGE_TOTAL, GoldInputError, NATIONAL_VIEW };
// Local-calendar expressions, for analyses that aggregate over local periods.
export { addDays, localMinutes } from "./_gold_frame.ts";
// Summaries of `consommation_previsions`, kept beside the silver builders' API.
export {
  forecastAccuracy,
  type Horizon,
  worstForecastHours,
  type WorstHoursOptions,
} from "./forecast_accuracy.ts";

/** Options shared by the gold functions. */
export interface GoldOptions {
  /** Silver data set (`jeu_donnees`) to read; default `eco2mix`. */
  readonly dataset?: string;
  /** Add the national view of regional rows; default true. */
  readonly nationalView?: boolean;
  /** Rule of the import/export episodes (`episodes_echanges`); defaults of its module. */
  readonly episodes?: EpisodeOptions;
}

const FUELS = ["fioul", "charbon", "gaz"];
/** Value columns behind production totals: the eight sources and regional `thermique`. */
const MIX_COLUMNS = [...PRODUCTION_SOURCES, "thermique"];

/**
 * Silver rows plus the national view of regional rows: for every instant (and step) where
 * every regional `perimetre` of a data set has a row, one row with `perimetre` =
 * {@linkcode NATIONAL_VIEW}. MW and MWh columns are summed, and a sum is null as soon as one
 * region is null (a missing region must not shrink France). `part_renouvelables` and
 * `part_bas_carbone` are recomputed from the sums, `taux_co2` is the production-weighted mean
 * of the regions' rates, `taux_co2_recalcule` comes from the summed fuels (both null for RTE's
 * regional files, which publish neither a rate nor the fuel split). `nature` is the least
 * advanced stage among the regions; `ligne_reconstituee` and `colonnes_interpolees` merge the
 * regions' flags; lineage columns are null. Rows of `perimetre` `France` (national files) are
 * left alone. The national view equals RTE's `France` perimeter (mainland, without Corsica)
 * only when the 12 mainland regions are given. Idempotent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { NATIONAL_VIEW, withNationalView } from "./gold.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix"],
 *   perimetre: ["Bretagne", "Normandie"],
 *   timestamp_utc: [Date.UTC(2014, 0, 1), Date.UTC(2014, 0, 1)],
 *   pas_minutes: [30, 30],
 *   consommation: [3000, 4000],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const all = withNationalView(silver);
 * const france = all.filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW)));
 * assert.equal(france.getColumn("consommation").toArray()[0], 7000);
 * ```
 */
export function withNationalView(silver: pl.DataFrame): pl.DataFrame {
  return nationalView(silver);
}

/**
 * The rows a gold function reads: one data set, national view added, `date` (local) and, when
 * `heure_locale` is there, `heure` (local 0-23). `keys` must be there; value columns the frame
 * lacks count as unpublished (null), as silver leaves them.
 */
function prepare(
  silver: pl.DataFrame,
  options: GoldOptions,
  keys: readonly string[],
  values: readonly string[],
  caller: string,
): pl.DataFrame {
  checkSilver(silver, ["jeu_donnees", "date_locale", ...keys], caller);
  const dataset = options.dataset ?? "eco2mix";
  const absent = [...new Set(values)].filter((c) => !silver.columns.includes(c));
  const rows = silver.filter(pl.col("jeu_donnees").eq(pl.lit(dataset))).withColumns(
    ...absent.map((c) => pl.lit(null).cast(pl.Float64).alias(c)),
  );
  const all = withTotals(options.nationalView === false ? rows : nationalView(rows));
  return all.withColumns(
    pl.col("date_locale").alias("date"),
    ...(all.columns.includes("heure_locale") ? [localHour().alias("heure")] : []),
  );
}

/** Minutes of a local clock hour: 120 for hour 2 of the fall-back day, else 60. */
function hourMinutes(): pl.Expr {
  const day = localMinutes(pl.col("date"), addDays(pl.col("date"), 1));
  return pl.when(day.gt(1440).and(pl.col("heure").eq(2))).then(pl.lit(120))
    .otherwise(pl.lit(60)).cast(pl.Int32);
}

/**
 * `production_par_source_horaire`: one row per perimetre, local date, local hour and source.
 *
 * Why: users compare sources hour by hour (the nuclear base, the solar bell, gas at the evening
 * peak); the mean alone hides the spread within the hour, hence min, max and standard
 * deviation; the energy is MW × each row's own step so that a 15-minute and a 30-minute file
 * give the same MWh.
 *
 * `source_energie` is one of `fioul`, `charbon`, `gaz`, `nucleaire`, `eolien`, `solaire`,
 * `hydraulique`, `bioenergies`; for a perimetre without the fuel split (RTE's regional files)
 * `thermique` replaces the three fuels, so the sources of an hour always add up to
 * `production_totale`. Columns:
 * - `perimetre`, `date` (local Date), `heure` (0-23 local), `source_energie`;
 * - `production_moyenne_mw`: time-weighted mean power over the present steps;
 * - `production_min_mw`, `production_max_mw`, `ecart_type` (MW, sample standard deviation of
 *   the step values; null with a single step);
 * - `energie_mwh`: Σ MW × step / 60;
 * - `nb_mesures`: steps with a value; `nb_mesures_attendues`: 60 minutes (120 for the repeated
 *   fall-back hour) / step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { hourlyProductionBySource } from "./gold.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix"], perimetre: ["France", "France"],
 *   timestamp_utc: [Date.UTC(2025, 5, 1, 10), Date.UTC(2025, 5, 1, 10, 30)],
 *   date_locale: ["2025-06-01", "2025-06-01"], heure_locale: ["12:00", "12:30"],
 *   pas_minutes: [30, 30],
 *   fioul: [0, 0], charbon: [0, 0], gaz: [1000, 1200], nucleaire: [40000, 40000],
 *   eolien: [3000, 3000], solaire: [15000, 16000], hydraulique: [5000, 5000],
 *   bioenergies: [900, 900],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const gaz = hourlyProductionBySource(silver).filter(pl.col("source_energie").eq(pl.lit("gaz")));
 * assert.equal(gaz.getColumn("production_moyenne_mw").toArray()[0], 1100);
 * assert.equal(gaz.getColumn("energie_mwh").toArray()[0], 1100);
 * ```
 */
export function hourlyProductionBySource(
  silver: pl.DataFrame,
  options: GoldOptions = {},
): pl.DataFrame {
  const df = prepare(silver, options, ["heure_locale"], MIX_COLUMNS, "hourlyProductionBySource");
  const withSplit = fuelSplitPerimetres(df);
  const keys = ["perimetre", "date", "heure"];
  // Aggregated wide (one pass over the rows), then stacked source by source: much cheaper than
  // grouping a frame unpivoted to 9 rows per step.
  const wide = df.groupBy(keys).agg(
    pl.col("pas_minutes").min().alias("_pas"),
    ...MIX_COLUMNS.flatMap((c) => {
      const mw = pl.col(c);
      return [
        sumOrNull(energy(mw)).alias(`${c}:energie_mwh`),
        where(mw.isNotNull(), pl.col("pas_minutes")).sum().alias(`${c}:_minutes`),
        mw.min().alias(`${c}:production_min_mw`),
        mw.max().alias(`${c}:production_max_mw`),
        mw.std().alias(`${c}:ecart_type`),
        mw.count().cast(pl.Int32).alias(`${c}:nb_mesures`),
      ];
    }),
  ).withColumn(hourMinutes().div(pl.col("_pas")).cast(pl.Int32).alias("nb_mesures_attendues"));
  const stats = ["energie_mwh", "production_min_mw", "production_max_mw", "ecart_type"];
  const perSource = MIX_COLUMNS.map((c) => {
    // The fuels where the perimetre publishes the split, `thermique` where it does not.
    const keep = FUELS.includes(c)
      ? pl.col("perimetre").isIn(withSplit)
      : c === "thermique"
      ? pl.col("perimetre").isIn(withSplit).not()
      : pl.lit(true);
    const minutes = pl.col(`${c}:_minutes`);
    return wide.filter(keep).select(
      ...keys,
      pl.lit(c).alias("source_energie"),
      pl.when(minutes.gt(0)).then(pl.col(`${c}:energie_mwh`).mul(60).div(minutes))
        .otherwise(pl.lit(null)).alias("production_moyenne_mw"),
      ...stats.map((stat) => pl.col(`${c}:${stat}`).alias(stat)),
      pl.col(`${c}:nb_mesures`).alias("nb_mesures"),
      "nb_mesures_attendues",
    );
  });
  return pl.concat(perSource).select(
    ...keys,
    "source_energie",
    "production_moyenne_mw",
    "production_min_mw",
    "production_max_mw",
    "ecart_type",
    "energie_mwh",
    "nb_mesures",
    "nb_mesures_attendues",
  ).sort([...keys, "source_energie"]);
}

/** Perimetres of a prepared frame that publish the fuel split (oil, coal, gas) somewhere. */
function fuelSplitPerimetres(df: pl.DataFrame): string[] {
  const split = df.groupBy("perimetre").agg(
    FUELS.map((f) => pl.col(f).isNotNull()).reduce((a, b) => a.or(b)).any().alias("split"),
  );
  return (split.filter(pl.col("split")).getColumn("perimetre").toArray() as string[]).sort();
}

/**
 * `mix_energetique_quotidien`: one row per perimetre and local date.
 *
 * Why: the daily mix is the headline KPI, so it must be exact to the MWh: energies are
 * summed step by step (MW × real step), over the steps where the whole production is known,
 * so that nuclear + renewables + fossil = production and the three shares add up to 100 %;
 * a day with missing steps says so (`jour_complet`) instead of looking like a low day.
 *
 * Columns: `perimetre`, `date`; energies in MWh `nucleaire_total_mwh`,
 * `renouvelables_total_mwh` (wind + solar + hydro + bioenergy, pumped-storage turbining
 * included as RTE counts it), `fossiles_total_mwh` (gas + oil + coal, or regional `thermique`),
 * `production_totale_mwh`, and the renewable detail `eolien_mwh`, `solaire_mwh`,
 * `hydraulique_mwh`, `bioenergies_mwh`; shares of production `part_nucleaire_pct`,
 * `part_renouvelables_pct`, `part_fossiles_pct`; completeness `duree_jour_minutes` (1,380 /
 * 1,440 / 1,500), `pas_minutes`, `nb_pas`, `nb_pas_attendus`, `nb_pas_interpoles`,
 * `jour_complet`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { dailyEnergyMix } from "./gold.ts";
 * // A spring-forward day has 23 local hours: 46 half-hours make it complete.
 * const n = 46;
 * const start = Date.UTC(2014, 2, 29, 23); // 2014-03-30 00:00 CET
 * const silver = pl.DataFrame({
 *   jeu_donnees: Array(n).fill("eco2mix"), perimetre: Array(n).fill("Bretagne"),
 *   timestamp_utc: Array.from({ length: n }, (_, i) => start + i * 1_800_000),
 *   date_locale: Array(n).fill("2014-03-30"), pas_minutes: Array(n).fill(30),
 *   thermique: Array(n).fill(100), nucleaire: Array(n).fill(0), eolien: Array(n).fill(500),
 *   solaire: Array(n).fill(0), hydraulique: Array(n).fill(50), bioenergies: Array(n).fill(50),
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const day = dailyEnergyMix(silver, { nationalView: false }).toRecords()[0];
 * assert.equal(day.nb_pas_attendus, 46);
 * assert.equal(day.jour_complet, true);
 * assert.equal(day.production_totale_mwh, 700 * 23);
 * ```
 */
export function dailyEnergyMix(silver: pl.DataFrame, options: GoldOptions = {}): pl.DataFrame {
  const renewables = ["eolien", "solaire", "hydraulique", "bioenergies"];
  const df = prepare(silver, options, [], MIX_COLUMNS, "dailyEnergyMix");
  const present = pl.col("production_totale").isNotNull();
  const mwh = (c: string) => sumOrNull(where(present, energy(c)));
  const interp = interpolated(df, MIX_COLUMNS);
  const daily = df.groupBy(["perimetre", "date"]).agg(
    mwh("nucleaire").alias("nucleaire_total_mwh"),
    mwh("renouvelables_total").alias("renouvelables_total_mwh"),
    mwh("fossiles_total").alias("fossiles_total_mwh"),
    mwh("production_totale").alias("production_totale_mwh"),
    ...renewables.map((c) => mwh(c).alias(`${c}_mwh`)),
    ...completenessAggs(present, interp),
  ).withColumns(
    localMinutes(pl.col("date"), addDays(pl.col("date"), 1)).alias("duree_jour_minutes"),
    pl.col("_pas").alias("pas_minutes"),
  );
  const total = pl.col("production_totale_mwh");
  return completenessColumns(daily, "duree_jour_minutes", "jour_complet").select(
    "perimetre",
    "date",
    "nucleaire_total_mwh",
    "renouvelables_total_mwh",
    "fossiles_total_mwh",
    percent(pl.col("nucleaire_total_mwh"), total).alias("part_nucleaire_pct"),
    percent(pl.col("renouvelables_total_mwh"), total).alias("part_renouvelables_pct"),
    percent(pl.col("fossiles_total_mwh"), total).alias("part_fossiles_pct"),
    "production_totale_mwh",
    "eolien_mwh",
    "solaire_mwh",
    "hydraulique_mwh",
    "bioenergies_mwh",
    "duree_jour_minutes",
    "pas_minutes",
    "nb_pas",
    "nb_pas_attendus",
    "nb_pas_interpoles",
    "jour_complet",
  ).sort(["perimetre", "date"]);
}

/**
 * Silver's production totals, recomputed when a frame lacks them (a hand-made frame): fossil =
 * the fuels or regional `thermique`; renewables; low-carbon; production. Null as soon as one
 * term is null, as in silver.
 */
function withTotals(df: pl.DataFrame): pl.DataFrame {
  const sum = (cols: string[]) => cols.map((c) => colOrNull(df, c)).reduce((a, b) => a.plus(b));
  const totals: [string, () => pl.Expr][] = [
    ["fossiles_total", () => colOrNull(df, "thermique").fillNull(sum(FUELS))],
    ["renouvelables_total", () => sum(["eolien", "solaire", "hydraulique", "bioenergies"])],
    ["bas_carbone_total", () => sum(["nucleaire", "renouvelables_total"])],
    ["production_totale", () => sum(["fossiles_total", "bas_carbone_total"])],
  ];
  for (const [name, expr] of totals) {
    if (!df.columns.includes(name)) df = df.withColumn(expr().alias(name));
  }
  return df;
}

/**
 * `consommation_previsions`: one row per instant where RTE published a forecast.
 *
 * Why: the accuracy of RTE's day-ahead (J-1) and intraday (J) forecasts is judged step by
 * step against the measured consumption; keeping the signed error lets users see bias (RTE
 * under- or over-forecasting), not only its size.
 *
 * Columns: `perimetre`, `timestamp` (UTC, start of the step), `date` (local), `heure` (local
 * 0-23), `pas_minutes`, `consommation_reelle`, `prevision_j1`, `prevision_j` (MW),
 * `ecart_j1_mw` / `ecart_j_mw` = consumption - forecast (> 0: under-forecast),
 * `erreur_j1_pct` / `erreur_j_pct` = 100 × écart / consumption (signed; null when the
 * consumption is not positive). Rows without any forecast (regional files) are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { consumptionForecasts } from "./gold.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix"], perimetre: ["France"], timestamp_utc: [Date.UTC(2025, 0, 6, 17)],
 *   date_locale: ["2025-01-06"], heure_locale: ["18:00"], pas_minutes: [15],
 *   consommation: [80000], prevision_j1: [78000], prevision_j: [80400],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const row = consumptionForecasts(silver).toRecords()[0];
 * assert.equal(row.ecart_j1_mw, 2000);
 * assert.equal(row.erreur_j1_pct, 2.5);
 * assert.equal(row.erreur_j_pct, -0.5);
 * ```
 */
export function consumptionForecasts(
  silver: pl.DataFrame,
  options: GoldOptions = {},
): pl.DataFrame {
  const df = prepare(
    silver,
    options,
    ["heure_locale"],
    ["consommation", "prevision_j1", "prevision_j"],
    "consumptionForecasts",
  );
  const conso = pl.col("consommation");
  const ecart = (forecast: string) => conso.minus(pl.col(forecast));
  return df.filter(pl.col("prevision_j1").isNotNull().or(pl.col("prevision_j").isNotNull()))
    .select(
      "perimetre",
      pl.col("timestamp_utc").alias("timestamp"),
      "date",
      "heure",
      "pas_minutes",
      conso.alias("consommation_reelle"),
      "prevision_j1",
      "prevision_j",
      ecart("prevision_j1").alias("ecart_j1_mw"),
      ecart("prevision_j").alias("ecart_j_mw"),
      percent(ecart("prevision_j1"), conso).alias("erreur_j1_pct"),
      percent(ecart("prevision_j"), conso).alias("erreur_j_pct"),
    ).sort(["perimetre", "timestamp"]);
}

/** Import and export energies (MWh, export negative) of a signed power column. */
function importExport(mw: pl.Expr): [pl.Expr, pl.Expr] {
  const part = (keep: pl.Expr) =>
    sumOrNull(
      energy(
        pl.when(keep).then(mw).when(mw.isNotNull()).then(pl.lit(0)).otherwise(pl.lit(null)),
      ),
    );
  return [part(mw.gt(0)), part(mw.lt(0))];
}

/** Border columns of a prepared frame stacked: one row per step and `pays`, its MW in `mw`. */
function borderRows(df: pl.DataFrame): pl.DataFrame {
  return pl.concat(
    Object.entries(EXCHANGE_COUNTRIES).map(([column, pays]) =>
      df.select(
        "perimetre",
        "date",
        "pas_minutes",
        pl.lit(pays).alias("pays"),
        pl.col(column).alias("mw"),
        interpolated(df, [column]).alias("_interp"),
      )
    ),
  );
}

/** The (perimetre, pays) of {@linkcode borderRows} with a value somewhere: published borders. */
function publishedBorders(long: pl.DataFrame): pl.DataFrame {
  return long.filter(pl.col("mw").isNotNull()).select("perimetre", "pays").unique()
    .sort(["perimetre", "pays"]);
}

/**
 * `echanges_internationaux`: one row per perimetre, local date and `pays` (`UK`, `Espagne`,
 * `Italie`, `Suisse`, `DE-BE`, and `Total`).
 *
 * Why: imports and exports of a border partly cancel within a day; gross import and gross
 * export energies are kept apart (each step's sign decides), so the net balance is their sum.
 * The commercial schedules (per border) and the physical flows (`ech_physiques`, all borders)
 * are different measurements that differ by hundreds of MW: the `Total` row puts them side by
 * side instead of letting one stand for the other.
 *
 * Columns: `perimetre`, `date`, `pays`, `import_total_mwh` (≥ 0), `export_total_mwh` (≤ 0),
 * `solde_net_mwh` (= import + export, > 0 net import); on `Total` rows only:
 * `import_physique_mwh`, `export_physique_mwh`, `solde_physique_mwh` (same, from
 * `ech_physiques`) and `ecart_physique_commercial_mwh` = physical - commercial balance;
 * completeness `nb_pas`, `nb_pas_attendus`, `nb_pas_interpoles`, `jour_complet` (of the border
 * column; of `ech_physiques` on `Total` rows). `Total`'s commercial figures are the sums of the
 * border rows: do not add `Total` to the borders. Borders a perimetre never publishes
 * (regional files) have no rows; their `Total` has null commercial figures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { internationalExchanges } from "./gold.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix"], perimetre: ["France", "France"],
 *   timestamp_utc: [Date.UTC(2025, 0, 1, 11), Date.UTC(2025, 0, 1, 11, 30)],
 *   date_locale: ["2025-01-01", "2025-01-01"], pas_minutes: [30, 30],
 *   ech_comm_angleterre: [1000, -2000], ech_comm_espagne: [0, 0], ech_comm_italie: [0, 0],
 *   ech_comm_suisse: [0, 0], ech_comm_allemagne_belgique: [0, 0], ech_physiques: [900, -1800],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const uk = internationalExchanges(silver).filter(pl.col("pays").eq(pl.lit("UK"))).toRecords()[0];
 * assert.equal(uk.import_total_mwh, 500);
 * assert.equal(uk.export_total_mwh, -1000);
 * assert.equal(uk.solde_net_mwh, -500);
 * ```
 */
export function internationalExchanges(
  silver: pl.DataFrame,
  options: GoldOptions = {},
): pl.DataFrame {
  const df = prepare(
    silver,
    options,
    [],
    [...COMMERCIAL_EXCHANGES, "ech_physiques"],
    "internationalExchanges",
  );
  const mw = pl.col("mw");
  const long = borderRows(df);
  const borders = long.join(publishedBorders(long), { on: ["perimetre", "pays"], how: "semi" });
  const [imp, exp] = importExport(mw);
  const perBorder = completenessColumns(
    borders.groupBy(["perimetre", "date", "pays"]).agg(
      imp.alias("import_total_mwh"),
      exp.alias("export_total_mwh"),
      ...completenessAggs(mw.isNotNull(), pl.col("_interp")),
    ).withColumn(localMinutes(pl.col("date"), addDays(pl.col("date"), 1)).alias("_jour")),
    "_jour",
    "jour_complet",
  ).withColumn(pl.col("import_total_mwh").plus(pl.col("export_total_mwh")).alias("solde_net_mwh"));

  const phys = pl.col("ech_physiques");
  const [physImp, physExp] = importExport(phys);
  const commercial = perBorder.groupBy(["perimetre", "date"]).agg(
    pl.col("import_total_mwh").sum(),
    pl.col("export_total_mwh").sum(),
    pl.col("solde_net_mwh").sum(),
  );
  const totals = completenessColumns(
    df.groupBy(["perimetre", "date"]).agg(
      physImp.alias("import_physique_mwh"),
      physExp.alias("export_physique_mwh"),
      ...completenessAggs(phys.isNotNull(), interpolated(df, ["ech_physiques"])),
    ).withColumn(localMinutes(pl.col("date"), addDays(pl.col("date"), 1)).alias("_jour")),
    "_jour",
    "jour_complet",
  ).join(commercial, { on: ["perimetre", "date"], how: "left" }).withColumns(
    pl.lit(EXCHANGE_TOTAL).alias("pays"),
    pl.col("import_physique_mwh").plus(pl.col("export_physique_mwh")).alias("solde_physique_mwh"),
  ).withColumn(
    pl.col("solde_physique_mwh").minus(pl.col("solde_net_mwh"))
      .alias("ecart_physique_commercial_mwh"),
  );
  const columns = [
    "perimetre",
    "date",
    "pays",
    "import_total_mwh",
    "export_total_mwh",
    "solde_net_mwh",
    "import_physique_mwh",
    "export_physique_mwh",
    "solde_physique_mwh",
    "ecart_physique_commercial_mwh",
    "nb_pas",
    "nb_pas_attendus",
    "nb_pas_interpoles",
    "jour_complet",
  ];
  const physical = columns.slice(6, 10);
  return pl.concat([
    perBorder.select(
      ...columns.map((c) =>
        physical.includes(c) ? pl.lit(null).cast(pl.Float64).alias(c) : pl.col(c)
      ),
    ),
    totals.select(...columns),
  ], { how: "vertical" }).sort(["perimetre", "date", "pays"]);
}

/**
 * `empreinte_carbone`: one row per perimetre, local date and local hour.
 *
 * Why: CO2 is intensity × energy, so tonnes are summed step by step (g/kWh × MWh of that
 * step), never as a mean rate times a total; the hour's rate is then tonnes / MWh, the
 * production-weighted mean. RTE's published rate (`taux_co2`) is the reference; the
 * per-source emissions from RTE's factors show what drives it (and recompute it to ~0.2 g/kWh).
 *
 * Columns: `perimetre`, `date`, `heure`;
 * - `taux_co2_gkwh`: RTE's rate, production-weighted over the hour (g CO2/kWh produced);
 * - `co2_total_tonnes` = Σ `taux_co2` × production MWh / 1000 over the steps with a rate;
 * - `part_sources_bas_carbone_pct`: nuclear + renewables, % of production energy;
 * - `production_totale_mwh`;
 * - `co2_charbon_tonnes`, `co2_fioul_tonnes`, `co2_gaz_tonnes`, `co2_bioenergies_tonnes`
 *   ({@linkcode EMISSION_FACTORS} × the source's MWh), `co2_recalcule_tonnes` (their sum) and
 *   `taux_co2_recalcule_gkwh`: the three fuels and the two totals are null without the fuel
 *   split (regional files);
 * - `nb_mesures` (steps with production), `nb_mesures_co2` (steps with production and rate),
 *   `nb_mesures_attendues`.
 * RTE's regional files publish neither a rate nor the fuel split: their CO2 columns are null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { carbonFootprint } from "./gold.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix"], perimetre: ["France"], timestamp_utc: [Date.UTC(2025, 0, 1, 17)],
 *   date_locale: ["2025-01-01"], heure_locale: ["18:00"], pas_minutes: [30],
 *   taux_co2: [50], fioul: [0], charbon: [0], gaz: [5000], nucleaire: [45000], eolien: [0],
 *   solaire: [0], hydraulique: [0], bioenergies: [0],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const hour = carbonFootprint(silver).toRecords()[0];
 * assert.equal(hour.co2_total_tonnes, 50 * 25000 / 1000); // 50 g/kWh × 25,000 MWh
 * assert.equal(hour.part_sources_bas_carbone_pct, 90);
 * ```
 */
export function carbonFootprint(silver: pl.DataFrame, options: GoldOptions = {}): pl.DataFrame {
  const df = prepare(
    silver,
    options,
    ["heure_locale"],
    ["taux_co2", ...MIX_COLUMNS],
    "carbonFootprint",
  );
  const present = pl.col("production_totale").isNotNull();
  const withRate = present.and(pl.col("taux_co2").isNotNull());
  const fuels = Object.keys(EMISSION_FACTORS);
  const hourly = df.groupBy(["perimetre", "date", "heure"]).agg(
    sumOrNull(where(present, energy("production_totale"))).alias("production_totale_mwh"),
    sumOrNull(where(present, energy("bas_carbone_total"))).alias("_bas_carbone_mwh"),
    sumOrNull(where(withRate, energy("production_totale"))).alias("_production_co2_mwh"),
    sumOrNull(where(withRate, energy(pl.col("taux_co2").mul(pl.col("production_totale")))))
      .div(1000).alias("co2_total_tonnes"),
    ...fuels.map((f) =>
      sumOrNull(where(present, energy(f))).mul(EMISSION_FACTORS[f])
        .alias(`co2_${f}_tonnes`)
    ),
    present.cast(pl.Int32).sum().alias("nb_mesures"),
    withRate.cast(pl.Int32).sum().alias("nb_mesures_co2"),
    pl.col("pas_minutes").min().alias("_pas"),
  );
  const recalculated = fuels.map((f) => pl.col(`co2_${f}_tonnes`)).reduce((a, b) => a.plus(b));
  return hourly.withColumns(
    ratio(pl.col("co2_total_tonnes"), pl.col("_production_co2_mwh"), 1000)
      .alias("taux_co2_gkwh"),
    percent(pl.col("_bas_carbone_mwh"), pl.col("production_totale_mwh"))
      .alias("part_sources_bas_carbone_pct"),
    recalculated.alias("co2_recalcule_tonnes"),
    ratio(recalculated, pl.col("production_totale_mwh"), 1000).alias("taux_co2_recalcule_gkwh"),
    hourMinutes().div(pl.col("_pas")).cast(pl.Int32).alias("nb_mesures_attendues"),
  ).select(
    "perimetre",
    "date",
    "heure",
    "taux_co2_gkwh",
    "co2_total_tonnes",
    "part_sources_bas_carbone_pct",
    "production_totale_mwh",
    ...fuels.map((f) => `co2_${f}_tonnes`),
    "co2_recalcule_tonnes",
    "taux_co2_recalcule_gkwh",
    "nb_mesures",
    "nb_mesures_co2",
    "nb_mesures_attendues",
  ).sort(["perimetre", "date", "heure"]);
}

/**
 * `statistiques_hebdomadaires`: one row per perimetre and ISO week (Monday-Sunday, local).
 *
 * Why: weekly figures smooth the weekday/weekend cycle and are what energy reports quote; they
 * are sums of the same step energies as the daily tables (so a week is exactly the sum of its
 * days), with ISO years so that the days around New Year land in the right week.
 *
 * Columns: `perimetre`, `annee_iso`, `semaine_iso`, `debut_semaine` (Monday), `fin_semaine`
 * (Sunday); consumption `consommation_mwh`, `consommation_moyenne_mw`, `pic_consommation_mw`,
 * `creux_consommation_mw`; production `production_totale_mwh`, `nucleaire_mwh`,
 * `renouvelables_mwh`, `fossiles_mwh` and their shares `part_nucleaire_pct`,
 * `part_renouvelables_pct`, `part_fossiles_pct`; `co2_total_tonnes` (as in
 * {@linkcode carbonFootprint}) and `taux_co2_moyen_gkwh`; exchanges `solde_echanges_mwh`
 * (commercial, Σ of the borders) and `solde_physique_mwh`; `nb_jours` (local days with data);
 * completeness of consumption `nb_pas`, `nb_pas_attendus`, `nb_pas_interpoles`,
 * `semaine_complete`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { weeklyStatistics } from "./gold.ts";
 * // 2014-12-31 is a Wednesday of ISO week 1 of 2015.
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix"], perimetre: ["Bretagne"], timestamp_utc: [Date.UTC(2014, 11, 31, 11)],
 *   date_locale: ["2014-12-31"], pas_minutes: [30], consommation: [3000],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const week = weeklyStatistics(silver, { nationalView: false }).toRecords()[0];
 * assert.equal(week.annee_iso, 2015);
 * assert.equal(week.semaine_iso, 1);
 * assert.equal(week.consommation_mwh, 1500);
 * assert.equal(week.nb_pas_attendus, 336);
 * ```
 */
export function weeklyStatistics(silver: pl.DataFrame, options: GoldOptions = {}): pl.DataFrame {
  const df = prepare(
    silver,
    options,
    [],
    ["consommation", "taux_co2", "ech_physiques", ...COMMERCIAL_EXCHANGES, ...MIX_COLUMNS],
    "weeklyStatistics",
  );
  const conso = pl.col("consommation");
  const hasConso = conso.isNotNull();
  const present = pl.col("production_totale").isNotNull();
  const withRate = present.and(pl.col("taux_co2").isNotNull());
  const mwh = (c: string) => sumOrNull(where(present, energy(c)));
  const date = pl.col("date");
  const weekly = df.withColumns(
    isoYear(date).alias("annee_iso"),
    isoWeek(date).alias("semaine_iso"),
    isoWeekStart(date).alias("debut_semaine"),
  ).groupBy(["perimetre", "annee_iso", "semaine_iso", "debut_semaine"]).agg(
    sumOrNull(where(hasConso, energy("consommation"))).alias("consommation_mwh"),
    conso.max().alias("pic_consommation_mw"),
    conso.min().alias("creux_consommation_mw"),
    mwh("production_totale").alias("production_totale_mwh"),
    mwh("nucleaire").alias("nucleaire_mwh"),
    mwh("renouvelables_total").alias("renouvelables_mwh"),
    mwh("fossiles_total").alias("fossiles_mwh"),
    sumOrNull(where(withRate, energy(pl.col("taux_co2").mul(pl.col("production_totale")))))
      .div(1000).alias("co2_total_tonnes"),
    sumOrNull(where(withRate, energy("production_totale"))).alias("_production_co2_mwh"),
    // Σ of the borders, each over its own steps: equal to the daily `Total` rows' sum.
    ...COMMERCIAL_EXCHANGES.map((c) => sumOrNull(energy(c)).alias(`_${c}`)),
    sumOrNull(energy("ech_physiques")).alias("solde_physique_mwh"),
    date.nUnique().cast(pl.Int32).alias("nb_jours"),
    ...completenessAggs(hasConso, interpolated(df, ["consommation"])),
  );
  const total = pl.col("production_totale_mwh");
  const borders = COMMERCIAL_EXCHANGES.map((c) => pl.col(`_${c}`));
  const anyBorder = borders.map((b) => b.isNotNull()).reduce((a, b) => a.or(b));
  const withWeek = weekly.withColumns(
    addDays(pl.col("debut_semaine"), 6).alias("fin_semaine"),
    localMinutes(pl.col("debut_semaine"), addDays(pl.col("debut_semaine"), 7)).alias("_semaine"),
    pl.when(pl.col("_minutes").gt(0))
      .then(pl.col("consommation_mwh").mul(60).div(pl.col("_minutes")))
      .otherwise(pl.lit(null)).alias("consommation_moyenne_mw"),
    pl.when(anyBorder).then(borders.map((b) => b.fillNull(0)).reduce((a, b) => a.plus(b)))
      .otherwise(pl.lit(null)).alias("solde_echanges_mwh"),
  );
  return completenessColumns(withWeek, "_semaine", "semaine_complete").select(
    "perimetre",
    "annee_iso",
    "semaine_iso",
    "debut_semaine",
    "fin_semaine",
    "consommation_mwh",
    "consommation_moyenne_mw",
    "pic_consommation_mw",
    "creux_consommation_mw",
    "production_totale_mwh",
    "nucleaire_mwh",
    "renouvelables_mwh",
    "fossiles_mwh",
    percent(pl.col("nucleaire_mwh"), total).alias("part_nucleaire_pct"),
    percent(pl.col("renouvelables_mwh"), total).alias("part_renouvelables_pct"),
    percent(pl.col("fossiles_mwh"), total).alias("part_fossiles_pct"),
    "co2_total_tonnes",
    ratio(pl.col("co2_total_tonnes"), pl.col("_production_co2_mwh"), 1000)
      .alias("taux_co2_moyen_gkwh"),
    "solde_echanges_mwh",
    "solde_physique_mwh",
    "nb_jours",
    "nb_pas",
    "nb_pas_attendus",
    "nb_pas_interpoles",
    "semaine_complete",
  ).sort(["perimetre", "debut_semaine"]);
}

/** Every gold table, by its table name. */
export interface GoldTables {
  /** {@linkcode hourlyProductionBySource}. */
  readonly production_par_source_horaire: pl.DataFrame;
  /** {@linkcode dailyEnergyMix}. */
  readonly mix_energetique_quotidien: pl.DataFrame;
  /** {@linkcode consumptionForecasts}. */
  readonly consommation_previsions: pl.DataFrame;
  /** {@linkcode forecastAccuracy} of `consommation_previsions`. */
  readonly precision_previsions: pl.DataFrame;
  /** {@linkcode worstForecastHours} of `consommation_previsions`. */
  readonly pires_heures_previsions: pl.DataFrame;
  /** {@linkcode internationalExchanges}. */
  readonly echanges_internationaux: pl.DataFrame;
  /** {@linkcode carbonFootprint}. */
  readonly empreinte_carbone: pl.DataFrame;
  /** {@linkcode weeklyStatistics}. */
  readonly statistiques_hebdomadaires: pl.DataFrame;
  /** `exchangeEpisodes` (`exchange_episodes.ts`). */
  readonly episodes_echanges: pl.DataFrame;
}

/**
 * What the rows of a gold table depend on, for steps that recompute some periods only:
 * - `jour`: rows of one local day (column `date`), from that day's silver rows;
 * - `semaine`: rows of one ISO week (column `debut_semaine`), from that week's silver rows;
 * - `periode`: a summary of the whole period (forecast accuracy, the worst hours, episodes whose
 *   threshold is a percentile of the period), recomputed whole.
 * Beyond its period's rows, a `jour` or `semaine` row depends only on {@linkcode GoldContext}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GOLD_PERIODS } from "./gold.ts";
 * assert.deepEqual(GOLD_PERIODS.mix_energetique_quotidien, { grain: "jour", column: "date" });
 * assert.equal(GOLD_PERIODS.episodes_echanges.grain, "periode");
 * ```
 */
export const GOLD_PERIODS: Readonly<
  Record<keyof GoldTables, { grain: "jour" | "semaine"; column: string } | { grain: "periode" }>
> = {
  production_par_source_horaire: { grain: "jour", column: "date" },
  mix_energetique_quotidien: { grain: "jour", column: "date" },
  consommation_previsions: { grain: "jour", column: "date" },
  precision_previsions: { grain: "periode" },
  pires_heures_previsions: { grain: "periode" },
  echanges_internationaux: { grain: "jour", column: "date" },
  empreinte_carbone: { grain: "jour", column: "date" },
  statistiques_hebdomadaires: { grain: "semaine", column: "debut_semaine" },
  episodes_echanges: { grain: "periode" },
};

/**
 * The facts of a whole silver frame that gold rows of a day or week read beyond that period's
 * rows: the regions the national view needs at an instant, and per perimetre (national view
 * included) whether it publishes the fuel split and which borders it publishes.
 */
export interface GoldContext {
  /** Regional perimetres of the data set, sorted. */
  readonly regions: readonly string[];
  /** Per perimetre: fuel split published somewhere, borders (`pays`) published somewhere. */
  readonly perimeters: Readonly<Record<string, { fuelSplit: boolean; borders: string[] }>>;
}

/**
 * Silver columns {@linkcode goldContext} reads (a projection of silver is enough).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GOLD_CONTEXT_COLUMNS } from "./gold.ts";
 * assert.ok(GOLD_CONTEXT_COLUMNS.includes("ech_comm_espagne"));
 * ```
 */
export const GOLD_CONTEXT_COLUMNS: readonly string[] = [
  "jeu_donnees",
  "perimetre",
  "timestamp_utc",
  "pas_minutes",
  "date_locale",
  ...FUELS,
  ...COMMERCIAL_EXCHANGES,
];

/**
 * The {@linkcode GoldContext} of a silver frame, by the same rules the gold functions apply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { goldContext } from "./gold.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix"], perimetre: ["France"], timestamp_utc: [Date.UTC(2025, 0, 1)],
 *   date_locale: ["2025-01-01"], pas_minutes: [15], gaz: [3000], ech_comm_suisse: [-1200],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * assert.deepEqual(goldContext(silver), {
 *   regions: [],
 *   perimeters: { France: { fuelSplit: true, borders: ["Suisse"] } },
 * });
 * ```
 */
export function goldContext(silver: pl.DataFrame, options: GoldOptions = {}): GoldContext {
  const columns = GOLD_CONTEXT_COLUMNS.filter((c) => silver.columns.includes(c));
  const df = prepare(
    silver.select(...columns),
    options,
    [],
    [...FUELS, ...COMMERCIAL_EXCHANGES],
    "goldContext",
  );
  const dataset = silver.filter(pl.col("jeu_donnees").eq(pl.lit(options.dataset ?? "eco2mix")));
  const split = new Set(fuelSplitPerimetres(df));
  const borders = publishedBorders(borderRows(df)).toRecords() as {
    perimetre: string;
    pays: string;
  }[];
  const perimeters: Record<string, { fuelSplit: boolean; borders: string[] }> = {};
  for (const p of (df.getColumn("perimetre").unique().toArray() as string[]).sort()) {
    perimeters[p] = {
      fuelSplit: split.has(p),
      borders: borders.filter((b) => b.perimetre === p).map((b) => b.pays),
    };
  }
  return { regions: options.nationalView === false ? [] : regionsOf(dataset), perimeters };
}

/**
 * Whether gold rows computed from `part` of a silver frame (whole days or weeks) equal those of
 * the whole frame, given both contexts: `part`'s perimetres must have the facts they have in
 * the whole, and if `part` holds regions, they must be all the regions of the whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contextAgrees } from "./gold.ts";
 * const whole = {
 *   regions: ["Bretagne"],
 *   perimeters: {
 *     Bretagne: { fuelSplit: false, borders: [] },
 *     France: { fuelSplit: true, borders: ["UK"] },
 *   },
 * };
 * const days = { regions: [], perimeters: { France: { fuelSplit: true, borders: ["UK"] } } };
 * assert.ok(contextAgrees(days, whole));
 * const noBorder = { regions: [], perimeters: { France: { fuelSplit: true, borders: [] } } };
 * assert.ok(!contextAgrees(noBorder, whole));
 * ```
 */
export function contextAgrees(part: GoldContext, whole: GoldContext): boolean {
  if (part.regions.length > 0 && JSON.stringify(part.regions) !== JSON.stringify(whole.regions)) {
    return false;
  }
  return Object.entries(part.perimeters).every(([p, facts]) =>
    JSON.stringify(facts) === JSON.stringify(whole.perimeters[p])
  );
}

/**
 * Every gold table from one silver frame (national view computed once).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { buildGold, GOLD_PERIODS } from "./gold.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix"], perimetre: ["France"], timestamp_utc: [Date.UTC(2025, 0, 1, 11)],
 *   date_locale: ["2025-01-01"], heure_locale: ["12:00"], pas_minutes: [15],
 *   consommation: [70000], prevision_j1: [69000], prevision_j: [70500],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const gold = buildGold(silver);
 * assert.deepEqual(Object.keys(gold), Object.keys(GOLD_PERIODS));
 * assert.equal(gold.consommation_previsions.height, 1);
 * ```
 */
export function buildGold(silver: pl.DataFrame, options: GoldOptions = {}): GoldTables {
  return buildGoldTables(silver, Object.keys(GOLD_PERIODS) as (keyof GoldTables)[], options);
}

/**
 * Some gold tables from one silver frame (national view computed once), as {@linkcode buildGold}
 * builds them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { buildGoldTables } from "./gold.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix"], perimetre: ["France"], timestamp_utc: [Date.UTC(2025, 0, 1, 11)],
 *   date_locale: ["2025-01-01"], heure_locale: ["12:00"], pas_minutes: [15],
 *   consommation: [70000], prevision_j1: [69000], prevision_j: [70500],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const gold = buildGoldTables(silver, ["precision_previsions"]);
 * assert.deepEqual(Object.keys(gold), ["precision_previsions"]);
 * ```
 */
export function buildGoldTables<K extends keyof GoldTables>(
  silver: pl.DataFrame,
  names: readonly K[],
  options: GoldOptions = {},
): Pick<GoldTables, K> {
  const rows = prepare(silver, options, [], [], "buildGold");
  const once = { nationalView: false, dataset: options.dataset };
  let forecasts: pl.DataFrame | undefined;
  const forecastsOnce = () => forecasts ??= consumptionForecasts(rows, once);
  const builders: Record<keyof GoldTables, () => pl.DataFrame> = {
    production_par_source_horaire: () => hourlyProductionBySource(rows, once),
    mix_energetique_quotidien: () => dailyEnergyMix(rows, once),
    consommation_previsions: forecastsOnce,
    precision_previsions: () => forecastAccuracy(forecastsOnce()),
    pires_heures_previsions: () => worstForecastHours(forecastsOnce()),
    echanges_internationaux: () => internationalExchanges(rows, once),
    empreinte_carbone: () => carbonFootprint(rows, once),
    statistiques_hebdomadaires: () => weeklyStatistics(rows, once),
    episodes_echanges: () => exchangeEpisodes(rows, options.episodes),
  };
  return Object.fromEntries(names.map((n) => [n, builders[n]()])) as Pick<GoldTables, K>;
}
