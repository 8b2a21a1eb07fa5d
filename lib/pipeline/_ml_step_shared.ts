/**
 * What the machine-learning steps of notebooks 07, 08 and 09 (`features_step.ts`,
 * `forecast_step.ts`, `mix_step.ts`) share: their error, the national series read from silver,
 * the replacement of a skipped step's table, the code version recorded with each model.
 *
 * **The national series.** RTE's national files (`perimetre` France) when silver has them, else
 * the sum of the 12 mainland regions (gold's national view, "France (somme des régions)"); see
 * `lib/forecasting/feasibility.ts`.
 *
 * **Skipped steps.** A step that cannot run on valid data (no national series, too few rows, a
 * single class...) returns a `Skipped` record (`lib/forecasting/feasibility.ts`) instead of throwing, and
 * its notebook shows it with `skipped()`; parts of a step (a horizon, a class scheme, the
 * learner selection, the features of a reference input that does not cover the period) are
 * skipped the same way and listed in the step's report (`skipped`). The tables a wholly skipped
 * step writes are **replaced by empty tables with their schema**, never left as they were: a
 * lakehouse reused across runs must not show the previous run's predictions as this run's, and
 * the empty version in the Delta history records the skip. Errors ({@linkcode MlStepError})
 * remain for what is not data: a table a previous notebook should have written is missing, or an
 * unknown profile.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import { PATHS } from "../paths.ts";
import { gitState } from "../runner/manifest.ts";
import { NATIONAL_VIEW, withNationalView } from "../layers/gold.ts";
import {
  chooseNationalSeries,
  type NationalSeriesChoice,
  type Skipped,
} from "../forecasting/mod.ts";

/** A step cannot run on what the lakehouse holds (the message says what to run first). */
export class MlStepError extends Error {
  override name = "MlStepError";
}

/** The table notebook 07 writes and notebook 08 reads. */
export const FEATURES_TABLE = "caracteristiques_consommation";
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Columns every read of silver takes: keys, and what the national view groups by. */
const SILVER_KEYS = ["jeu_donnees", "perimetre", "timestamp_utc", "pas_minutes"];

/**
 * Epoch milliseconds of a datetime column, whatever its unit (Delta reads back microseconds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { epochColumn } from "./_ml_step_shared.ts";
 * const df = pl.DataFrame({ t: [new Date(1_000), new Date(2_000)] })
 *   .withColumns(pl.col("t").cast(pl.Datetime("us", "UTC")));
 * assert.deepEqual(epochColumn(df, "t"), [1_000, 2_000]);
 * ```
 */
export function epochColumn(df: pl.DataFrame, name: string): number[] {
  return df.select(pl.col(name).cast(pl.Datetime("ms", "UTC")).cast(pl.Int64)).getColumn(name)
    .toArray().map(Number);
}

/** Silver's rows of the national eCO2mix series a step works on. */
export interface NationalSilver {
  kind: "found";
  choice: Exclude<NationalSeriesChoice, Skipped>;
  /** The national rows (`France`, or the national view of the regions). */
  national: pl.DataFrame;
  /** Every row read (the data sets asked for, all perimeters). */
  silver: pl.DataFrame;
  silverVersion: number;
}

/**
 * Reads `columns` of silver's rows of `datasets` (default the eCO2mix rows only: the other data
 * sets' files are then skipped by their stats) and picks the national eCO2mix series (see
 * `chooseNationalSeries`): RTE's `France` rows, else the national view of the regions built by
 * the gold layer. Throws {@linkcode MlStepError} when silver does not exist yet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openCatalog } from "./catalog.ts";
 * import { MlStepError, nationalSilver } from "./_ml_step_shared.ts";
 * const root = await Deno.makeTempDir();
 * await assert.rejects(() => nationalSilver(openCatalog(root), [], "étape"), MlStepError);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function nationalSilver(
  catalog: Catalog,
  columns: readonly string[],
  step: string,
  datasets: readonly string[] = ["eco2mix"],
): Promise<NationalSilver | Skipped> {
  const silverTable = catalog.table("eco2mix_silver");
  if (!(await silverTable.exists())) {
    throw new MlStepError("eco2mix_silver does not exist yet: run notebooks 02 and 03 first");
  }
  const silverVersion = await silverTable.version();
  const available = new Set((await silverTable.schema()).fields.map((f) => f.name));
  const silver = await silverTable.read({
    version: silverVersion,
    columns: [...SILVER_KEYS, ...columns].filter((c) => available.has(c)),
    where: [{ column: "jeu_donnees", in: [...datasets] }],
  });
  const eco2mix = silver.filter(pl.col("jeu_donnees").eq(pl.lit("eco2mix")));
  const perimetres = eco2mix.getColumn("perimetre").unique().toArray() as string[];
  const view = perimetres.includes("France")
    ? null
    : withNationalView(eco2mix).filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW)));
  const choice = chooseNationalSeries(step, perimetres, view?.height ?? 0);
  if (choice.kind === "skipped") return choice;
  const national = view ?? eco2mix.filter(pl.col("perimetre").eq(pl.lit(choice.perimeter)));
  return { kind: "found", choice, national, silver, silverVersion };
}

/**
 * Replaces a table by an empty one with the given columns (a skipped step; see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { openCatalog } from "./catalog.ts";
 * import { writeEmpty } from "./_ml_step_shared.ts";
 * const root = await Deno.makeTempDir();
 * const catalog = openCatalog(root);
 * await writeEmpty(catalog, "predictions_mix", pl.DataFrame({ model: ["gbdt"] }));
 * const table = await catalog.table("predictions_mix").read();
 * assert.deepEqual([table.height, table.columns], [0, ["model"]]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function writeEmpty(
  catalog: Catalog,
  name: string,
  frame: pl.DataFrame,
): Promise<void> {
  await catalog.table(name).overwrite(frame.head(0), { overwriteSchema: true });
}

/**
 * An empty frame of the given columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { emptyFrame } from "./_ml_step_shared.ts";
 * const frame = emptyFrame({ model: pl.Utf8, version: pl.Int32 });
 * assert.deepEqual([frame.height, frame.columns], [0, ["model", "version"]]);
 * ```
 */
export function emptyFrame(schema: Record<string, pl.DataType>): pl.DataFrame {
  return pl.DataFrame(
    Object.fromEntries(
      Object.entries(schema).map(([name, type]) => [name, pl.Series(name, [], type)]),
    ),
  );
}

/**
 * Instants (epoch ms as Float64) → UTC datetimes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { asInstants } from "./_ml_step_shared.ts";
 * const frame = asInstants(pl.DataFrame({ t: [86_400_000] }), ["t"]);
 * assert.deepEqual(frame.getColumn("t").toArray(), [new Date("1970-01-02T00:00:00Z")]);
 * ```
 */
export function asInstants(frame: pl.DataFrame, columns: string[]): pl.DataFrame {
  return frame.withColumns(
    ...columns.map((c) =>
      pl.col(c).cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")
    ),
  );
}

/**
 * The code version recorded with each model: the git commit, `-dirty` if modified.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeVersionOf } from "./_ml_step_shared.ts";
 * assert.match(await codeVersionOf(), /^([0-9a-f]{40}(-dirty)?|inconnue \(hors dépôt git\))$/);
 * ```
 */
export async function codeVersionOf(): Promise<string> {
  const git = await gitState(PATHS.root);
  if (!git?.commit) return "inconnue (hors dépôt git)";
  return git.dirty ? `${git.commit}-dirty` : git.commit;
}
