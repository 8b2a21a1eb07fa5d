/**
 * The project's catalogue: every table of the lakehouse, its layer, partitioning, keys and
 * what it holds. Pipeline steps and notebooks name tables only through it (Kedro style), so a
 * reader sees in one place what exists and where.
 *
 * @module
 */

import type pl from "nodejs-polars";
import { Catalog, locate, StorageLocationError, type TableDefinition } from "../lakehouse/mod.ts";
import { PATHS } from "../paths.ts";

/** Every table, in data-flow order. */
export const TABLES: readonly TableDefinition[] = [
  {
    name: "eco2mix_bronze",
    layer: "bronze",
    description: "Every data line of every ingested file, as read (text cells), with lineage " +
      "(_ingested_at, _source_file, _source_sha256, _source_line) and a content hash " +
      "(_row_hash). Append-only; a file whose content was already ingested is skipped, and a " +
      "new version of a file (same name) adds only its new and revised lines.",
  },
  {
    name: "eco2mix_silver",
    layer: "silver",
    partitionColumns: ["annee"],
    keyColumns: ["jeu_donnees", "perimetre", "timestamp_utc"],
    description: "One row per (jeu_donnees, perimetre, instant): UTC and Paris time, real step, " +
      "values in MW as Float64, derived totals and shares, energies in MWh. Partitioned by " +
      "local year (17,500-35,000 rows per perimeter and year: files of a few MB).",
  },
  {
    name: "previsions_rte",
    layer: "silver",
    keyColumns: ["jeu_donnees", "perimetre", "timestamp_utc"],
    description: "RTE's J-1 and J forecasts (and commercial schedules) for instants not yet " +
      "measured: tomorrow's official forecast.",
  },
  {
    name: "lacunes",
    layer: "silver",
    description: "Every gap of the measured series: missing instants and cells, interpolated " +
      "(short gaps) or left null (long gaps), including the autumn DST hour RTE never publishes.",
  },
  {
    name: "qualite_donnees",
    layer: "silver",
    description: "Data-quality rule results per run and file: rule, action, period, rows " +
      "checked, rows failed, worst value.",
  },
  {
    name: "quarantaine",
    layer: "silver",
    description: "Silver rows kept out of eco2mix_silver by a data-quality rule whose action " +
      "is quarantine, one row per (row, rule) with the rule's name in regle.",
  },
  {
    name: "rejets_bronze",
    layer: "silver",
    description: "Bronze lines that could not become silver rows (e.g. duplicated instants " +
      "with different values, non-numeric cells in quarantine mode): file, line, reason.",
  },
  {
    name: "production_par_source_horaire",
    layer: "gold",
    description: "Per perimeter, local date, local hour and source: mean, min, max and standard " +
      "deviation of the power (MW), energy (MWh) and number of measurements.",
  },
  {
    name: "mix_energetique_quotidien",
    layer: "gold",
    description: "Per perimeter and local day: nuclear, renewable and fossil energy (MWh) and " +
      "their shares of production, with the day's completeness (steps present vs expected).",
  },
  {
    name: "consommation_previsions",
    layer: "gold",
    description: "Per perimeter and instant: measured consumption, RTE's J-1 and J forecasts, " +
      "their errors in MW and %.",
  },
  {
    name: "precision_previsions",
    layer: "gold",
    description: "Accuracy of RTE's forecasts (MAPE, MAE, RMSE, bias) overall and by hour, " +
      "weekday and month.",
  },
  {
    name: "pires_heures_previsions",
    layer: "gold",
    description: "The hours where RTE's forecasts missed the most.",
  },
  {
    name: "echanges_internationaux",
    layer: "gold",
    description: "Per perimeter, local day and country: commercial imports (> 0), exports " +
      "(< 0) and net balance in MWh, with the physical balance on the Total row.",
  },
  {
    name: "empreinte_carbone",
    layer: "gold",
    description: "Per perimeter, local day and hour: CO2 intensity (g/kWh), emitted tonnes, " +
      "low-carbon share, and emissions by source from RTE's factors.",
  },
  {
    name: "statistiques_hebdomadaires",
    layer: "gold",
    description: "Per perimeter and ISO week: consumption energy, peak and trough, source " +
      "shares, CO2 and exchange balance, with the week's completeness.",
  },
  {
    name: "episodes_echanges",
    layer: "gold",
    description: "Episodes of massive import or export per perimeter and border (and all " +
      "borders): at least 3 consecutive hours whose hourly net balance reaches the 95th " +
      "percentile of its absolute value over the period, in one direction; start, end, " +
      "energy, mean and peak power, threshold.",
  },
  {
    name: "prix_spot_quotidiens",
    layer: "silver",
    description: "Daily French wholesale electricity prices (EUR/MWh, day-ahead market) from " +
      "Ember's daily price file found in the reference folder, with its file and line; empty " +
      "when the file is absent.",
  },
  {
    name: "prix_mix_quotidien",
    layer: "gold",
    description: "Per national perimeter and local day of the data: the wholesale price beside " +
      "the day's consumption, nuclear, renewable and fossil shares and CO2 intensity, and the " +
      "price category (negatif, tres_bas, normal, tres_eleve); empty when no price covers the " +
      "period.",
  },
  {
    name: "anomalies",
    layer: "gold",
    description: "Unusual consumption peaks and troughs and production drops: value, expected " +
      "value (median of the same weekly slot over ±3 weeks), deviation, robust score and reason.",
  },
  {
    name: "evenements_anomalies",
    layer: "gold",
    description: "The anomalies grouped into events (anomalous steps of one series on the same " +
      "side, at most 3 hours apart): start, end, peak instant and deviation, energy deviation " +
      "(MWh) over the event and likely cause (French public holiday or bridge day).",
  },
  {
    // Row-level model inputs (330k rows, 40 columns for 2016-2025), not a KPI table: silver.
    name: "caracteristiques_consommation",
    layer: "silver",
    partitionColumns: ["horizon"],
    keyColumns: ["horizon", "timestamp_utc"],
    description: "Per forecast horizon (h1: one hour ahead, j1: day-ahead at 12:00 the day " +
      "before) and half-hour: the features known at the cut-off (calendar, Tempo, consumption " +
      "lags and rolling means, temperatures), the target, RTE's forecasts and the split " +
      "(entrainement, ecart, test, prevision), with the silver version and reference files used.",
  },
  {
    name: "predictions_consommation",
    layer: "gold",
    keyColumns: ["horizon", "model", "timestamp_utc"],
    description: "Consumption forecasts of the trained models and of the baselines (persistence, " +
      "RTE J-1 and J) on the test period and for the next day: timestamp, horizon, model, " +
      "registry version, prediction, actual and error = prediction - actual (MW), and the live " +
      "model's P10, P50 and P90.",
  },
  {
    name: "predictions_mix",
    layer: "gold",
    keyColumns: ["schema", "horizon_heures", "model", "timestamp_utc"],
    description: "Class of the renewable share forecast 1 to 6 hours ahead on the test period, " +
      "by the classifiers (brief's classes and terciles) and by persistence: predicted and " +
      "actual class, actual share (periode test); and the classifiers' classes for the 1 to 6 " +
      "hours after the last measured instant (periode prevision, no actual class).",
  },
  {
    name: "backtest_consommation",
    layer: "gold",
    keyColumns: ["horizon", "model", "timestamp_utc"],
    description: "Rolling-origin backtest of the consumption forecasts, week by week over every " +
      "period where RTE's J-1 and J forecasts are published: each forecast (live models with " +
      "P10, P50, P90; day-ahead upper bound with observed temperature; without temperature; " +
      "RTE's J or J-1), the week, the instant its model was trained up to, and the actual value.",
  },
  {
    name: "scores_backtest_consommation",
    layer: "gold",
    description: "Scores of the backtest by week, month, season and overall: each model against " +
      "RTE's forecast of its horizon on the same instants (MAPE, MAE, RMSE, bias, difference of " +
      "MAPE with its 95 % day-block bootstrap interval) and P10-P90 coverage.",
  },
  {
    name: "importance_variables",
    layer: "gold",
    description: "Permutation importance of each feature of the selected consumption models, per " +
      "horizon: loss of test MAPE (percentage points) when the feature is shuffled (mean and " +
      "standard deviation over the repeats).",
  },
  {
    name: "alertes",
    layer: "gold",
    keyColumns: ["regle", "perimetre", "instant"],
    description: "Alerts of the live mode (deno task direct), each stored once: rule, perimeter, " +
      "instant (quarter-hour), value, threshold, message in French, batch (lot) and detection " +
      "time; rules and thresholds in config/alertes.yaml. Its Delta txn actions record the " +
      "live mode's progress (last batch, silver versions evaluated).",
  },
];

/** A location no storage of the lakehouse layer holds (re-exported from `lib/lakehouse`). */
export { StorageLocationError };

/**
 * The catalogue of the lakehouse at `root` (default: the project's `lakehouse/`): a local folder
 * (a relative one is resolved), or Azure Blob storage as `az://<container>/<prefix>` or
 * `abfss://<container>@<account>.dfs.core.windows.net/<prefix>` with the credentials of the
 * `AZURE_STORAGE_*` environment variables (see `lib/lakehouse/storage.ts`). An unsupported
 * scheme, or Azure without credentials, throws {@linkcode StorageLocationError} at once: never a
 * local folder named after a URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openCatalog, StorageLocationError } from "./catalog.ts";
 * const catalog = openCatalog(await Deno.makeTempDir());
 * assert.ok(catalog.pathOf("eco2mix_silver").endsWith("/silver/eco2mix_silver"));
 * assert.throws(() => openCatalog("s3://bucket/lake"), StorageLocationError);
 * ```
 */
export function openCatalog(root: string = PATHS.lakehouse): Catalog {
  // Resolves the storage now, so that missing credentials fail before any step runs.
  locate(root);
  return new Catalog(root, [...TABLES]);
}

/** One line of {@linkcode catalogOverview}. */
export interface TableOverview {
  table: string;
  couche: string;
  partitions: string;
  existe: boolean;
  version: number | null;
  derniere_operation: string | null;
  fichiers: number;
  lignes: number | null;
  octets: number;
  description: string;
}

/**
 * What every table of the catalogue holds now: existence, current version, last operation,
 * files, rows (from the log's statistics) and size, for notebooks 01 and 11.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { catalogOverview, openCatalog } from "./catalog.ts";
 * const rows = await catalogOverview(openCatalog(await Deno.makeTempDir()));
 * assert.ok(rows.every((r) => !r.existe && r.fichiers === 0));
 * ```
 */
export async function catalogOverview(catalog: Catalog): Promise<TableOverview[]> {
  return await Promise.all(
    catalog.list().map(async (d): Promise<TableOverview> => {
      const table = catalog.table(d.name);
      const base = {
        table: d.name,
        couche: d.layer,
        partitions: (d.partitionColumns ?? []).join(", "),
      };
      const description = d.description ?? "";
      if (!(await table.exists())) {
        return {
          ...base,
          existe: false,
          version: null,
          derniere_operation: null,
          fichiers: 0,
          lignes: null,
          octets: 0,
          description,
        };
      }
      const [last] = await table.history(1);
      const files = await table.files();
      const counted = files.every((f) => f.numRecords !== null);
      return {
        ...base,
        existe: true,
        version: last.version,
        derniere_operation: last.operation ?? null,
        fichiers: files.length,
        lignes: counted ? files.reduce((n, f) => n + (f.numRecords ?? 0), 0) : null,
        octets: files.reduce((n, f) => n + f.size, 0),
        description,
      };
    }),
  );
}

/**
 * The current rows of `name`, or null when the catalogue does not declare it or it has not
 * been written yet (e.g. models not trained in this lakehouse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openCatalog, readIfPresent } from "./catalog.ts";
 * assert.equal(await readIfPresent(openCatalog(await Deno.makeTempDir()), "anomalies"), null);
 * ```
 */
export async function readIfPresent(catalog: Catalog, name: string): Promise<pl.DataFrame | null> {
  if (!catalog.list().some((t) => t.name === name)) return null;
  const table = catalog.table(name);
  return (await table.exists()) ? await table.read() : null;
}
