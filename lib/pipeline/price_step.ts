/**
 * Price step: Ember's daily wholesale price file → `prix_spot_quotidiens` (silver) and, joined
 * with the gold mix, CO2 and silver consumption of the national perimeter,
 * `prix_mix_quotidien` (gold).
 *
 * **Where the prices come from.** Like the models' reference data (temperatures, Tempo), the
 * price file is not an eCO2mix file: it is found by name, anywhere under the notebooks'
 * `reference_dir` ({@linkcode PRICE_FILE_PATTERN}). Users without it get no prices: the step
 * is skipped with a French reason (shown in the notebook, listed in the run manifest and in
 * the report), and both tables are replaced by empty ones so that no price of an earlier run
 * outlives its file. The same happens when no price covers the period of the data, or when the
 * data have no national series (prices are national). A file that cannot be read exactly is an
 * error naming the file and line ({@linkcode PriceFileError}).
 *
 * @module
 */

import { basename } from "node:path";
import pl from "nodejs-polars";
import { sha256Hex } from "../eco2mix/mod.ts";
import { type LakehouseCatalog, TABLE } from "./catalog.ts";
import { dailyPriceMix } from "../analysis/prices.ts";
import { NATIONAL_VIEW } from "../layers/gold.ts";
import { emptyPrices, parseDailyPrices, PRICE_FILE_PATTERN, PRICE_STEP } from "../layers/prices.ts";
import { ReferenceDataError } from "../forecasting/mod.ts";
import { findFilesByName } from "../setup/reference_files.ts";
import { mainSeries } from "./report_step.ts";

/** Options of {@linkcode refreshPrices}. */
export interface PriceStepOptions {
  /** The reference folder searched for the price file (the notebooks' `reference_dir`). */
  readonly referenceDir: string;
}

/** What {@linkcode refreshPrices} did. */
export type PriceStepResult =
  | { kind: "skipped"; step: string; reason: string }
  | {
    kind: "done";
    /** The price file read, and its SHA-256. */
    file: string;
    sha256: string;
    /** National perimeter the prices were joined to. */
    perimeter: string;
    /** `prix_spot_quotidiens`: every day of the file. */
    prices: pl.DataFrame;
    /** `prix_mix_quotidien`: the days of the data that have a price. */
    daily: pl.DataFrame;
  };

/** "du 01/01/2025 au 25/07/2025": the dates of a frame's `date` column. */
function span(frame: pl.DataFrame): string {
  const [r] = frame.select(
    pl.col("date").min().dt.strftime("%d/%m/%Y").alias("debut"),
    pl.col("date").max().dt.strftime("%d/%m/%Y").alias("fin"),
  ).toRecords();
  return `du ${r.debut} au ${r.fin}`;
}

/**
 * Reads the price file of the reference folder and replaces `prix_spot_quotidiens` and
 * `prix_mix_quotidien` (see the module doc for when the step is skipped). Needs silver and the
 * gold tables `mix_energetique_quotidien` and `empreinte_carbone`.
 *
 * @example
 * ```ts ignore
 * const result = await refreshPrices(openCatalog(), { referenceDir: "data/reference" });
 * if (result.kind === "skipped") await skipped(result);
 * ```
 */
export async function refreshPrices(
  catalog: LakehouseCatalog,
  options: PriceStepOptions,
): Promise<PriceStepResult> {
  const { perimeter, silver } = await mainSeries(catalog);
  const mix = await catalog.table(TABLE.mix_energetique_quotidien).read();
  const carbon = await catalog.table(TABLE.empreinte_carbone).read();
  const national = (df: pl.DataFrame) => df.filter(pl.col("perimetre").eq(pl.lit(perimeter)));
  const join = (prices: pl.DataFrame) =>
    dailyPriceMix(prices, { mix: national(mix), carbon: national(carbon), silver });
  const write = async (prices: pl.DataFrame, daily: pl.DataFrame) => {
    await catalog.table(TABLE.prix_spot_quotidiens).overwrite(prices, { overwriteSchema: true });
    await catalog.table(TABLE.prix_mix_quotidien).overwrite(daily, { overwriteSchema: true });
  };
  const skip = async (reason: string, prices = emptyPrices()): Promise<PriceStepResult> => {
    await write(prices, join(emptyPrices()));
    return { kind: "skipped", step: PRICE_STEP, reason };
  };

  const files = await findFilesByName(options.referenceDir, PRICE_FILE_PATTERN);
  if (files.length === 0) {
    return await skip(
      "aucun fichier de prix quotidiens (european_wholesale_electricity_price_data_daily….csv, " +
        `données Ember) dans le dossier de référence ${options.referenceDir}`,
    );
  }
  if (files.length > 1) {
    throw new ReferenceDataError(
      `${files.join(", ")}: several daily price files in ${options.referenceDir}; keep one`,
    );
  }
  const bytes = await Deno.readFile(files[0]);
  const name = basename(files[0]);
  const prices = parseDailyPrices(new TextDecoder().decode(bytes), name);
  if (perimeter !== "France" && perimeter !== NATIONAL_VIEW) {
    return await skip(
      `les prix sont nationaux, et les données ne couvrent que des régions (${perimeter}…), ` +
        "pas les 12 régions métropolitaines qui forment la série nationale",
      prices,
    );
  }
  const daily = join(prices);
  if (daily.height === 0) {
    return await skip(
      `aucun prix ne couvre la période des données (${span(national(mix))}) ; le fichier ` +
        `${name} couvre ${span(prices)}`,
      prices,
    );
  }
  await write(prices, daily);
  return {
    kind: "done",
    file: name,
    sha256: sha256Hex(bytes),
    perimeter,
    prices,
    daily,
  };
}
