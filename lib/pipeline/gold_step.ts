/**
 * Gold step: `eco2mix_silver` → the KPI tables of the brief.
 *
 * **Incremental.** Each gold table records the silver version it reflects (see
 * `_incremental.ts`). A run reads the silver rows that changed since (`tableChanges`), takes
 * their local days and the ISO weeks holding them, and recomputes from the silver rows of those
 * weeks only the rows of those days (tables of grain `jour`) and weeks (`semaine`), which
 * replace the tables' rows of those periods in one commit each (Delta's `replaceWhere` on the
 * `date` or `debut_semaine` column: the other periods' rows are untouched). Why not MERGE: the
 * recomputed periods are replaced whole, so matching rows one by one would only cost time.
 * A day's gold rows depend on that day's silver rows and on a few facts of the whole of silver
 * (`GoldContext`: the regions the national view needs, the fuel split and the borders each
 * perimeter publishes): when those facts differ between the weeks read and the whole, or
 * changed since the last run, everything is rebuilt. Summaries of the whole period (forecast
 * accuracy, worst hours, exchange episodes, whose threshold is a percentile of the period) are
 * recomputed whole from silver. See `GOLD_PERIODS` in `layers/gold.ts`. The rows equal those
 * of a rebuild, floating-point sums up to their last bits: polars adds a group's values in
 * partial sums whose boundaries depend on the size of the frame.
 *
 * Everything is rebuilt (each table replaced in one Delta commit) on the first run, after a
 * change of parameters or of gold's code, after a rebuild of silver from all of bronze, when
 * the silver version to compare was vacuumed, or on demand (`full`).
 *
 * @module
 */

import pl from "nodejs-polars";
import { DeltaError, type Predicate } from "../lakehouse/mod.ts";
import {
  buildGoldTables,
  contextAgrees,
  GOLD_CONTEXT_COLUMNS,
  GOLD_PERIODS,
  type GoldContext,
  goldContext,
  type GoldOptions,
} from "../layers/gold.ts";
import { reflectedVersion, stateAppId, stateTxns, type StepMode } from "./_incremental.ts";
import { GOLD_TABLES, type LakehouseCatalog, TABLE } from "./catalog.ts";

/** What the gold step wrote. */
export interface GoldReport {
  /**
   * Rows and version per table. These records keep French keys: notebook 05 shows them as a
   * table, their keys as its column headers.
   */
  tables: { table: string; lignes: number; version: number }[];
  /** Every table after the step, for display without reading them back. */
  frames: Record<string, pl.DataFrame>;
  /** `complet` (rebuilt from all of silver), `incremental` or `a_jour` (nothing to do). */
  mode: StepMode;
  /** Why this mode, in French, for the notebook. */
  reason: string;
  /** Local days whose rows were recomputed (whole ISO weeks; none when up to date or full). */
  days: Date[];
  /** Rows written per table for the days and weeks recomputed (incremental runs; else empty). */
  recomputed: { table: string; rows: number }[];
}

/** Options of {@linkcode refreshGold}. */
export interface GoldStepOptions extends GoldOptions {
  /** Rebuild from all of silver even when an incremental update is possible. */
  full?: boolean;
}

/** Silver does not exist yet (notebook 03 has not run): gold has nothing to read. */
export class MissingSilverError extends Error {
  override name = "MissingSilverError";
}

const DAY_MS = 86_400_000;

/** The code gold depends on: a change rebuilds everything. */
const CODE = [
  new URL("../layers/gold.ts", import.meta.url),
  new URL("./gold_step.ts", import.meta.url),
];

/**
 * Brings the gold tables up to date with silver: incrementally when they reflect an earlier
 * silver version under the same options and code, else from all of silver (module doc).
 *
 * @example
 * ```ts ignore
 * const report = await refreshGold(openCatalog());
 * console.log(report.mode, report.tables);
 * ```
 */
export async function refreshGold(
  catalog: LakehouseCatalog,
  options: GoldStepOptions = {},
): Promise<GoldReport> {
  const silverTable = catalog.table(TABLE.eco2mix_silver);
  if (!(await silverTable.exists())) {
    throw new MissingSilverError(
      `${TABLE.eco2mix_silver} does not exist yet: run the silver step first`,
    );
  }
  const { full: forced, ...goldOptions } = options;
  const appId = await stateAppId("eco2mix-gold", goldOptions, CODE);
  const silverVersion = await silverTable.version();
  const reflected = await Promise.all(
    GOLD_TABLES.map((name) => reflectedVersion(catalog.table(name), appId)),
  );
  const step = { catalog, options: goldOptions, appId, silverVersion };
  if (forced) return await rebuild(step, "reconstruction complète demandée");
  if (reflected.some((v) => v === null)) {
    return await rebuild(
      step,
      reflected.every((v) => v === null)
        ? "première construction, ou options ou code de gold modifiés"
        : "une table gold n'a pas été construite avec ces options et ce code",
    );
  }
  const from = Math.min(...(reflected as number[]));
  if (from === silverVersion) return await upToDate(catalog);
  if (await rewritten(catalog, from, silverVersion)) {
    // Comparing two whole versions row by row would cost more than rebuilding.
    return await rebuild(step, `eco2mix_silver a été reconstruite depuis la version ${from}`);
  }
  let days: Date[];
  let before: GoldContext;
  try {
    const changes = await silverTable.changesSince(from, silverVersion);
    const dataset = pl.col("jeu_donnees").eq(pl.lit(goldOptions.dataset ?? "eco2mix"));
    days = weeksOf(
      pl.concat([changes.inserted, changes.deleted].map((c) => c.filter(dataset)))
        .getColumn("date_locale").unique().toArray() as unknown as Date[],
    );
    const schema = (await silverTable.schema({ version: from })).fields.map((f) => f.name);
    before = goldContext(
      await silverTable.read({
        version: from,
        columns: GOLD_CONTEXT_COLUMNS.filter((c) => schema.includes(c)),
        where: datasetOf(goldOptions),
      }),
      goldOptions,
    );
  } catch (e) {
    if (!(e instanceof DeltaError)) throw e;
    return await rebuild(step, `la version ${from} de silver n'est plus lisible (${e.message})`);
  }
  if (days.length === 0) return await upToDate(catalog);
  const silver = await silverTable.read({ version: silverVersion, where: datasetOf(goldOptions) });
  const whole = goldContext(silver, goldOptions);
  if (JSON.stringify(before) !== JSON.stringify(whole)) {
    return await rebuild(
      step,
      "les régions, la répartition des combustibles ou les frontières " +
        "publiées ont changé : tous les jours en dépendent",
      silver,
    );
  }
  const dayFrame = pl.DataFrame({ date_locale: days }).select(pl.col("date_locale").cast(pl.Date));
  const part = silver.join(dayFrame, { on: "date_locale", how: "semi" });
  if (!contextAgrees(goldContext(part, goldOptions), whole)) {
    return await rebuild(
      step,
      "les semaines à recalculer ne contiennent pas toutes les régions " +
        "ou les publications des périmètres",
      silver,
    );
  }
  return await incremental(step, silver, part, days, from);
}

/**
 * The rows of the data set gold describes (its tables keep to them): the other data sets' files
 * are skipped by their stats instead of being read and filtered out.
 */
function datasetOf(options: GoldOptions): Predicate {
  return [{ column: "jeu_donnees", eq: options.dataset ?? "eco2mix" }];
}

/** What every path of the step shares. */
interface Step {
  catalog: LakehouseCatalog;
  options: GoldOptions;
  appId: string;
  silverVersion: number;
}

/**
 * Whether silver was replaced whole (a write other than MERGE: a rebuild from all of bronze)
 * between two versions; OPTIMIZE moves rows without changing them.
 */
async function rewritten(catalog: LakehouseCatalog, from: number, to: number): Promise<boolean> {
  const history = await catalog.table(TABLE.eco2mix_silver).history(to - from);
  return history.some((h) =>
    h.version > from && h.version <= to && h.operation !== "MERGE" && h.operation !== "OPTIMIZE"
  );
}

/** Every local day of the ISO weeks (Monday to Sunday) holding `dates`, sorted. */
function weeksOf(dates: readonly Date[]): Date[] {
  const days = new Set<number>();
  for (const d of dates) {
    const monday = d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS;
    for (let i = 0; i < 7; i++) days.add(monday + i * DAY_MS);
  }
  return [...days].sort((a, b) => a - b).map((t) => new Date(t));
}

/** Rebuilds every table from all of silver, each replaced in one commit. */
async function rebuild(step: Step, reason: string, silver?: pl.DataFrame): Promise<GoldReport> {
  const { catalog, options, appId, silverVersion } = step;
  const rows = silver ??
    await catalog.table(TABLE.eco2mix_silver).read({
      version: silverVersion,
      where: datasetOf(options),
    });
  const gold = buildGoldTables(rows, GOLD_TABLES, options);
  const tables: GoldReport["tables"] = [];
  for (const name of GOLD_TABLES) {
    const table = catalog.table(name);
    // Derived tables follow the code: a new column is a logged metaData change.
    const commit = await table.overwrite(gold[name], {
      overwriteSchema: true,
      txns: await stateTxns(table, appId, silverVersion),
    });
    tables.push({ table: name, lignes: gold[name].height, version: commit.version });
  }
  return { tables, frames: gold, mode: "complet", reason, days: [], recomputed: [] };
}

/** Silver did not change: the tables as they are. */
async function upToDate(catalog: LakehouseCatalog): Promise<GoldReport> {
  const { tables, frames } = await readTables(catalog);
  return {
    tables,
    frames,
    mode: "a_jour",
    reason: "aucune ligne silver modifiée depuis la dernière construction",
    days: [],
    recomputed: [],
  };
}

/**
 * Recomputes the rows of `days` (whole weeks) from `part` (their silver rows) and the period
 * summaries from `silver`, and writes them in place of the tables' rows of those periods.
 */
async function incremental(
  step: Step,
  silver: pl.DataFrame,
  part: pl.DataFrame,
  days: Date[],
  from: number,
): Promise<GoldReport> {
  const { catalog, options, appId, silverVersion } = step;
  const periodic = GOLD_TABLES.filter((n) => GOLD_PERIODS[n].grain !== "periode");
  const summaries = GOLD_TABLES.filter((n) => GOLD_PERIODS[n].grain === "periode");
  const gold = {
    ...buildGoldTables(part, periodic, options),
    ...buildGoldTables(silver, summaries, options),
  };
  const mondays = days.filter((d) => d.getUTCDay() === 1);
  const recomputed: GoldReport["recomputed"] = [];
  for (const name of GOLD_TABLES) {
    const period = GOLD_PERIODS[name];
    const frame = gold[name];
    const table = catalog.table(name);
    const txns = await stateTxns(table, appId, silverVersion);
    // Delta's replaceWhere: the rows of those days (weeks) are replaced, the others untouched.
    if (period.grain === "periode") await table.overwrite(frame, { txns });
    else {
      const values = period.grain === "jour" ? days : mondays;
      await table.replaceWhere(frame, [{ column: period.column, in: values }], { txns });
    }
    recomputed.push({ table: name, rows: frame.height });
  }
  const { tables, frames } = await readTables(catalog);
  const span = `du ${frDate(days[0])} au ${frDate(days.at(-1)!)}`;
  return {
    tables,
    frames,
    mode: "incremental",
    reason: `lignes silver modifiées depuis la version ${from} : ${days.length / 7} semaine(s) ` +
      `recalculée(s), ${span}`,
    days,
    recomputed,
  };
}

async function readTables(catalog: LakehouseCatalog) {
  const tables: GoldReport["tables"] = [];
  const frames: Record<string, pl.DataFrame> = {};
  for (const name of GOLD_TABLES) {
    const table = catalog.table(name);
    frames[name] = await table.read();
    tables.push({ table: name, lignes: frames[name].height, version: await table.version() });
  }
  return { tables, frames };
}

function frDate(d: Date): string {
  return d.toLocaleDateString("fr-FR", { timeZone: "UTC" });
}
