/**
 * Notebook 07's step: {@linkcode prepareConsumptionFeatures} reads `eco2mix_silver` (+
 * `previsions_rte`) and the reference data from the lakehouse (the consumption history as
 * silver's `consommation_brute` rows, `temperatures_quotidiennes`, `calendrier_tempo`: see
 * `reference_step.ts`), and writes the cut-off features of both horizons in
 * `caracteristiques_consommation`, with the split of every row. {@linkcode realTimeSeries} gives
 * the eCO2mix series the features (and the backtest, `backtest_step.ts`) are built from.
 *
 * Why the features are stored rather than recomputed in notebook 08: the models' lineage then
 * names one table version (which itself records the silver version and the reference files it
 * was built from), and the exact rows a model saw can be read back with time travel.
 *
 * The national series, skipped steps and errors: see `_ml_step_shared.ts`.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import {
  assignSplits,
  auditCutoffs,
  consumptionFeatures,
  type CutoffAudit,
  dailyMeans,
  featureNames,
  HALF_HOUR_MS,
  type HalfHourlySeries,
  type HorizonName,
  HORIZONS,
  INPUT_TRAIN_WINDOW_DAYS,
  LAG_DAYS,
  type LevelShift,
  levelShift,
  localDayNumber,
  measuredInstants,
  ML_STEPS,
  parisInstant,
  referenceInputDecision,
  seriesFromColumns,
  skip,
  type Skipped,
  slotIndex,
  slotInstant,
  SOURCE_HISTORY,
  SOURCE_REAL_TIME,
  spliceSeries,
  type SplitName,
  temperatureFeatures,
  tempoColumn,
  testPeriodStart,
  type Thermosensitivity,
  thermosensitivity,
  trainingStart,
} from "../forecasting/mod.ts";
import {
  DAY_MS,
  epochColumn,
  FEATURES_TABLE,
  MlStepError,
  nationalSilver,
  writeEmpty,
} from "./_ml_step_shared.ts";
import { type LakehouseReference, referenceFromLakehouse } from "./reference_step.ts";

export { MlStepError } from "./_ml_step_shared.ts";

/** Where the consumption history came from: silver's `consommation_brute` rows, or none. */
export type HistorySource = "silver" | "none";

/** What {@linkcode prepareConsumptionFeatures} wrote and found. */
export interface FeaturePreparation {
  kind: "prepared";
  /** Version of `caracteristiques_consommation` written. */
  version: number;
  /** The frame written (both horizons). */
  frame: pl.DataFrame;
  /** Version of `eco2mix_silver` read. */
  silverVersion: number;
  /** `perimetre` of the series: `France`, or the national view of the regions. */
  perimeter: string;
  /** The reference data read from the lakehouse. */
  reference: LakehouseReference;
  historySource: HistorySource;
  /** First instant of the test period (UTC epoch ms). */
  testStart: number;
  /** ODRÉ history minus the eCO2mix series on the half-hours both have (null: no overlap). */
  levelShift: LevelShift | null;
  /**
   * Slope of daily consumption on temperature over the series (null without temperatures, or
   * when they are not used in this run).
   */
  thermosensitivity: Thermosensitivity | null;
  /** Whether the temperatures and the Tempo calendar feed the features of this run. */
  inputs: { temperatures: boolean; tempo: boolean };
  /** Reference inputs whose features were left out of this run, and why. */
  skipped: Skipped[];
  /** The cut-off checked on the real series around the start of the test period. */
  audit: CutoffAudit[];
  /** Rows per horizon and split. */
  summary: {
    horizon: HorizonName;
    split: string;
    rows: number;
    start: Date | null;
    end: Date | null;
  }[];
}

/** Options of {@linkcode prepareConsumptionFeatures}. */
export interface PrepareOptions {
  /** Share of the eCO2mix half-hours in the test period (default 0.2). */
  testFraction?: number;
}

const SERIES_COLUMNS = [
  "consommation",
  "eolien",
  "solaire",
  "prevision_j1",
  "prevision_j",
];

/**
 * The national eCO2mix series of silver (source real-time), RTE's forecasts of unmeasured
 * instants appended; skipped without a national series (see `chooseNationalSeries`).
 *
 * @example
 * ```ts ignore
 * const found = await realTimeSeries(openCatalog());
 * if (found.kind === "found") console.log(found.perimetre, found.series.startMs);
 * ```
 */
export async function realTimeSeries(catalog: Catalog): Promise<
  | Skipped
  | {
    kind: "found";
    series: HalfHourlySeries;
    silver: pl.DataFrame;
    silverVersion: number;
    perimeter: string;
  }
> {
  // ODRÉ's history (consommation_brute) too: the models' reference data (see referenceFromLakehouse).
  const found = await nationalSilver(catalog, SERIES_COLUMNS, ML_STEPS.preparation, [
    "eco2mix",
    "consommation_brute",
  ]);
  if (found.kind === "skipped") return found;
  const { national, silver, silverVersion } = found;
  const perimetre = found.choice.perimeter;
  let rows = national.select(
    pl.col("timestamp_utc"),
    ...SERIES_COLUMNS.map((c) =>
      (national.columns.includes(c) ? pl.col(c) : pl.lit(null)).cast(pl.Float64).alias(c)
    ),
  );
  const forecastsTable = catalog.table("previsions_rte");
  if (await forecastsTable.exists()) {
    const future = (await forecastsTable.read()).filter(
      pl.col("jeu_donnees").eq(pl.lit("eco2mix")).and(pl.col("perimetre").eq(pl.lit(perimetre))),
    );
    if (future.height > 0) {
      const extra = future.select(
        pl.col("timestamp_utc"),
        pl.lit(null).cast(pl.Float64).alias("consommation"),
        pl.lit(null).cast(pl.Float64).alias("eolien"),
        pl.lit(null).cast(pl.Float64).alias("solaire"),
        pl.col("prevision_j1").cast(pl.Float64),
        pl.col("prevision_j").cast(pl.Float64),
      ).join(rows.select("timestamp_utc"), { on: "timestamp_utc", how: "anti" });
      rows = pl.concat([rows, extra], { how: "vertical" });
    }
  }
  rows = rows.sort("timestamp_utc");
  const values = Object.fromEntries(
    SERIES_COLUMNS.map((
      c,
    ) => [c, rows.getColumn(c).cast(pl.Float64).toArray() as (number | null)[]]),
  );
  const series = seriesFromColumns(epochColumn(rows, "timestamp_utc"), values, SOURCE_REAL_TIME);
  return { kind: "found", series, silver, silverVersion, perimeter: perimetre };
}

/** The last slot with a measured consumption. */
function lastMeasured(series: HalfHourlySeries): number {
  for (let i = series.consommation.length - 1; i >= 0; i--) {
    if (!Number.isNaN(series.consommation[i])) return slotInstant(series, i);
  }
  throw new MlStepError("the eCO2mix series has no measured consumption");
}

/** Target instants of a horizon: measured ones from `from`, then the forecasts to make. */
function targetInstants(series: HalfHourlySeries, horizon: HorizonName, from: number): number[] {
  const measured = Array.from(measuredInstants(series, from));
  const last = lastMeasured(series);
  if (horizon === "h1") return [...measured, last + HALF_HOUR_MS, last + 2 * HALF_HOUR_MS];
  // Day-ahead: every half-hour of the local day after the last measurement.
  const tomorrow = localDayNumber(last) + 1;
  const start = parisInstant(tomorrow, 0);
  const end = parisInstant(tomorrow + 1, 0);
  const next: number[] = [];
  for (let t = start; t < end; t += HALF_HOUR_MS) next.push(t);
  return [...measured.filter((t) => t < start), ...next];
}

/** The splits in the order of their codes in {@linkcode featureFrame}. */
const SPLITS: readonly SplitName[] = ["entrainement", "ecart", "test", "prevision"];

/**
 * Float64 feature columns with NaN stored as null (Delta statistics cannot hold NaN). The text
 * columns are made in polars from a literal or small codes: built from JavaScript strings, they
 * took 0.25 s of the daily run (about 40 ms a column).
 */
function featureFrame(
  horizon: HorizonName,
  set: ReturnType<typeof consumptionFeatures>,
  splits: SplitName[],
): pl.DataFrame {
  const columns: Record<string, unknown> = {
    timestamp_utc: set.epochMs,
    cutoff_utc: set.cutoffMs,
    jeu: Uint8Array.from(splits, (s) => SPLITS.indexOf(s)),
    source: set.source,
    consommation: set.target,
    prevision_rte_j1: set.rteJ1,
    prevision_rte_j: set.rteJ,
  };
  set.x.names.forEach((name, j) => (columns[name] = set.x.columns[j]));
  const floats = ["consommation", "prevision_rte_j1", "prevision_rte_j", ...set.x.names];
  return pl.DataFrame(columns).select(
    // Explicit types: an empty frame (a skipped preparation) must still have the schema.
    pl.lit(horizon).cast(pl.Utf8).alias("horizon"),
    ...["timestamp_utc", "cutoff_utc"].map((c) =>
      pl.col(c).cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")
    ),
    // Positional: the object form of replaceStrict mixes up its arguments in nodejs-polars 0.25.
    pl.col("jeu").replaceStrict(SPLITS.map((_, k) => k), [...SPLITS], undefined, pl.Utf8),
    pl.when(pl.col("source").eq(pl.lit(SOURCE_HISTORY))).then(pl.lit("historique"))
      .otherwise(pl.lit("eco2mix")).cast(pl.Utf8).alias("source"),
    ...floats.map((c) => pl.col(c).cast(pl.Float64).fillNan(null)),
  );
}

/** Lineage columns of `caracteristiques_consommation`. */
function withLineage(frame: pl.DataFrame, silverVersion: number | null, reference: string | null) {
  return frame.withColumns(
    pl.lit(silverVersion).cast(pl.Int64).alias("_silver_version"),
    pl.lit(reference).cast(pl.Utf8).alias("_reference"),
  );
}

/** `caracteristiques_consommation` with its columns and no row (both horizons' features). */
function emptyFeatureFrame(): pl.DataFrame {
  const none = new Float64Array(0);
  const frames = (Object.keys(HORIZONS) as HorizonName[]).map((horizon) => {
    const names = featureNames(horizon, { temperature: false });
    return featureFrame(horizon, {
      horizon,
      epochMs: none,
      cutoffMs: none,
      target: none,
      source: new Uint8Array(0),
      rteJ1: none,
      rteJ: none,
      x: { names, columns: names.map(() => none), nRows: 0 },
    }, []);
  });
  return withLineage(pl.concat(frames, { how: "diagonal" }), null, null);
}

/**
 * The measured instants a reference input is judged on (see `referenceInputDecision`): the
 * training rows (from `from`) of the window before the test period, and the test period.
 */
function measuredSplit(measured: Float64Array, from: number, testStart: number) {
  const start = Math.max(from, testStart - INPUT_TRAIN_WINDOW_DAYS * DAY_MS);
  return {
    train: measured.filter((t) => t >= start && t < testStart),
    test: measured.filter((t) => t >= testStart),
  };
}

/**
 * Builds the features of both horizons from silver and the reference data, and replaces
 * `caracteristiques_consommation`. Without a national series (see `chooseNationalSeries`) or a
 * measured consumption, the preparation is skipped and the table is replaced by an empty one.
 *
 * @example
 * ```ts ignore
 * const prep = await prepareConsumptionFeatures(openCatalog());
 * if (prep.kind === "prepared") console.log(prep.summary, prep.reference.missing);
 * ```
 */
export async function prepareConsumptionFeatures(
  catalog: Catalog,
  options: PrepareOptions = {},
): Promise<FeaturePreparation | Skipped> {
  const found = await realTimeSeries(catalog);
  const eco2mixMeasured = found.kind === "found"
    ? found.series.consommation.filter((v) => !Number.isNaN(v)).length
    : 0;
  if (found.kind === "skipped" || eco2mixMeasured < 2) {
    await writeEmpty(catalog, FEATURES_TABLE, emptyFeatureFrame());
    return found.kind === "skipped" ? found : skip(
      ML_STEPS.preparation,
      `la série nationale n'a que ${eco2mixMeasured} demi-heure(s) de consommation mesurée : ` +
        "pas de période de test possible",
    );
  }
  const { series: realTime, silver, silverVersion, perimeter: perimetre } = found;
  const reference = await referenceFromLakehouse(catalog, silver);
  const history = reference.history?.series ?? null;
  const historySource: HistorySource = history ? "silver" : "none";
  const series = spliceSeries(history, realTime)!;
  const shift = history ? levelShift(history, realTime) : null;
  // The test period: the last 20 % of every measured eCO2mix half-hour (the file, not only the
  // rows with a week of lags before them).
  const measured = measuredInstants(series);
  const slots = Array.from(measured, (t) => slotIndex(series, t));
  const testStart = testPeriodStart({
    epochMs: measured,
    target: Float64Array.from(slots, (k) => series.consommation[k]),
    source: Uint8Array.from(slots, (k) => series.source[k]),
  }, options.testFraction);
  // Eight days of lags (and of temperature differences) before the first row; with
  // temperatures, the rows start with them unless they cover less than a year before the test
  // (`trainingStart`). A reference input that does not cover the training and test half-hours
  // is left out of this run (see `referenceInputDecision`).
  const skipped: Skipped[] = [];
  const rows = measuredSplit(measured, series.startMs + LAG_DAYS * DAY_MS, testStart);
  const daily = reference.temperatures?.daily ?? null;
  let temperature: typeof daily = null;
  if (daily) {
    const decision = referenceInputDecision("temperatures", {
      train: temperatureFeatures(rows.train, daily).temperature,
      test: temperatureFeatures(rows.test, daily).temperature,
    });
    if (decision.kind === "used") temperature = daily;
    else skipped.push(decision);
  }
  const from = trainingStart(series.startMs, temperature?.firstDay ?? null, testStart);
  let tempo = reference.tempo?.calendar ?? null;
  if (tempo) {
    // The colour of a day is published the day before: known at every instant of the day.
    const decision = referenceInputDecision("tempo", {
      train: tempoColumn(rows.train, rows.train, tempo),
      test: tempoColumn(rows.test, rows.test, tempo),
    });
    if (decision.kind === "skipped") {
      skipped.push(decision);
      tempo = null;
    }
  }
  const inputs = { temperature, tempo };
  const lineage = {
    _silver_version: silverVersion,
    _reference: JSON.stringify([
      ...(reference.history?.files ?? []),
      ...(temperature ? reference.temperatures?.files ?? [] : []),
      ...(tempo ? reference.tempo?.files ?? [] : []),
    ]),
  };
  const frames: pl.DataFrame[] = [];
  const audit: CutoffAudit[] = [];
  for (const horizon of Object.keys(HORIZONS) as HorizonName[]) {
    const targets = targetInstants(series, horizon, from);
    const set = consumptionFeatures(series, horizon, targets, inputs);
    // Three weeks either side of the test start, cut a week before and a week after it.
    const around = targets.filter((t) => Math.abs(t - testStart) <= 21 * DAY_MS);
    audit.push(
      ...auditCutoffs(series, horizon, around, inputs, [
        testStart - 7 * DAY_MS + 17 * 60_000,
        testStart + 7 * DAY_MS,
      ]),
    );
    const splits = assignSplits(set, testStart);
    frames.push(
      withLineage(featureFrame(horizon, set, splits), lineage._silver_version, lineage._reference),
    );
  }
  // The horizons have different lags: each row has nulls in the other horizon's columns. Not
  // rechunked: each horizon is one run of rows, which the writer slices into its partition
  // without a copy (a rechunk copied the 334 000 rows for 0.5 s).
  const frame = pl.concat(frames, { how: "diagonal", rechunk: false });
  const commit = await catalog.table(FEATURES_TABLE).overwrite(frame, { overwriteSchema: true });
  const summary = frame.groupBy(["horizon", "jeu"]).agg(
    pl.len().alias("rows"),
    pl.col("timestamp_utc").min().alias("start"),
    pl.col("timestamp_utc").max().alias("end"),
  ).sort(["horizon", "start"]).select(
    "horizon",
    pl.col("jeu").alias("split"),
    "rows",
    "start",
    "end",
  ).toRecords() as FeaturePreparation["summary"];
  return {
    kind: "prepared",
    version: commit.version,
    frame,
    silverVersion,
    perimeter: perimetre,
    reference,
    historySource,
    testStart,
    levelShift: shift && shift.n > 0 ? shift : null,
    thermosensitivity: temperature ? thermosensitivity(dailyMeans(series), temperature) : null,
    inputs: { temperatures: temperature !== null, tempo: tempo !== null },
    skipped,
    audit,
    summary,
  };
}
