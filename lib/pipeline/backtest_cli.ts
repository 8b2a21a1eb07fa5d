/**
 * `deno task backtest`: the rolling-origin backtest of the consumption forecasts on a lakehouse
 * (see `backtest_step.ts`), with a progress line, a summary of the scores, the wall time and the
 * peak memory of the process.
 *
 * ```sh
 * # a lakehouse whose silver holds the real-time files and the reference data (notebooks 02 and
 * # 03 run with reference_dir), then:
 * deno task backtest --lakehouse /tmp/lh
 * deno task backtest --profil rapide --du 2025-01-06 --au 2025-01-19   # two weeks, quickly
 * ```
 *
 * A relative `--lakehouse` or `--models` is resolved from the directory the
 * command was typed in (`INIT_CWD`). A wrong command line exits with 2, a failed run with 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { PATHS } from "../paths.ts";
import { peakRss, stopSampler } from "../runner/rss_sampler.ts";
import {
  dateOfDayNumber,
  dayNumberOfDate,
  localDayNumber,
  parisInstant,
  type ProfileName,
  PROFILES,
  RETRAIN_CADENCES,
  type RetrainCadence,
} from "../forecasting/mod.ts";
import { openCatalog } from "./catalog.ts";
import { locate, normaliseLocation } from "../lakehouse/storage.ts";
import { type BacktestReport, runConsumptionBacktest } from "./backtest_step.ts";

const USAGE = `Usage: deno task backtest [options]

Rolling-origin backtest of the consumption forecasts, week by week, against RTE's J-1 and J
forecasts; writes backtest_consommation and scores_backtest_consommation.

Options:
  --lakehouse DIR          lakehouse root, a folder or az://container/prefix
                           (default: ${PATHS.lakehouse})
  --models DIR             model registry whose cached selection names the learners
                           (default: ${PATHS.models})
  --profil NAME            complet (default) or rapide
  --cadence NAME           retraining: mois (default) or semaine
  --calibration-jours N    days of the intervals' calibration window (default 28)
  --du YYYY-MM-DD          first local day backtested (default: every period)
  --au YYYY-MM-DD          last local day backtested
  -h, --help               this help`;

class UsageError extends Error {
  override name = "UsageError";
}

/** Local day (Paris) → its first instant, or the first instant of the next day (`end`). */
function dayBound(text: string, option: string, end: boolean): number {
  try {
    return parisInstant(dayNumberOfDate(text) + (end ? 1 : 0), 0) - (end ? 1 : 0);
  } catch {
    throw new UsageError(`${option} ${JSON.stringify(text)}: expected a date YYYY-MM-DD`);
  }
}

const fr = (x: number, digits: number) =>
  Number.isFinite(x)
    ? x.toLocaleString("fr-FR", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "—";

/** The summary printed at the end: whole backtest and seasons, per horizon and model. */
function summary(report: BacktestReport): string {
  const lines = [
    `périodes : ${
      report.periods.map((p) =>
        `${dateOfDayNumber(localDayNumber(p.start))} → ${dateOfDayNumber(localDayNumber(p.end))}`
      ).join(", ")
    } ; ${report.weeks} semaines ; réentraînement par ${report.cadence} ; ` +
    `apprenants ${
      report.learners.map((a) => `${a.horizon} ${a.learner} (${a.origin})`).join(", ")
    }`,
    "horizon  grain     groupe       modèle                       référence                  " +
    "demi-h    MAPE  MAPE réf.   écart [IC 95 %]          couverture P10-P90",
  ];
  for (
    const s of report.scores.filter((s) => s.grain === "ensemble" || s.grain === "saison")
  ) {
    lines.push(
      [
        s.horizon.padEnd(8),
        s.grain.padEnd(9),
        s.groupe.padEnd(12),
        s.model.padEnd(28),
        s.reference.padEnd(26),
        String(s.demi_heures).padStart(6),
        fr(s.mape, 3).padStart(7),
        fr(s.mape_reference, 3).padStart(10),
        `${fr(s.ecart_mape, 3)} [${fr(s.ic_bas, 3)} ; ${fr(s.ic_haut, 3)}]`.padStart(26),
        fr(s.couverture_p10_p90, 1).padStart(8),
      ].join(" "),
    );
  }
  return lines.join("\n");
}

/**
 * Runs the command with these arguments (paths resolved from `cwd`); resolves to the exit
 * code: 0 done (or skipped, said), 1 the run failed, 2 a wrong command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./backtest_cli.ts";
 * assert.equal(await main(["--profil", "moyen"]), 2);
 * ```
 */
export async function main(args: string[], cwd = Deno.cwd()): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        lakehouse: { type: "string" },
        models: { type: "string" },
        profil: { type: "string" },
        cadence: { type: "string" },
        "calibration-jours": { type: "string" },
        du: { type: "string" },
        au: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let options;
  try {
    const profile = (values.profil ?? "complet") as ProfileName;
    if (!PROFILES[profile]) throw new UsageError(`--profil ${profile}: complet or rapide`);
    const cadence = (values.cadence ?? "mois") as RetrainCadence;
    if (!RETRAIN_CADENCES.includes(cadence)) {
      throw new UsageError(`--cadence ${cadence}: ${RETRAIN_CADENCES.join(" or ")}`);
    }
    const calibrationDays = Number(values["calibration-jours"] ?? 28);
    if (!Number.isInteger(calibrationDays) || calibrationDays < 1) {
      throw new UsageError(
        `--calibration-jours ${values["calibration-jours"]}: a positive integer`,
      );
    }
    options = {
      lakehouse: normaliseLocation(values.lakehouse ?? PATHS.lakehouse, cwd),
      modelsDir: resolve(cwd, values.models ?? PATHS.models),
      profile,
      cadence,
      calibrationDays,
      from: values.du === undefined ? undefined : dayBound(values.du, "--du", false),
      to: values.au === undefined ? undefined : dayBound(values.au, "--au", true),
    };
    const { storage, key } = locate(options.lakehouse);
    const local = storage.localPath(key);
    const found = local
      ? await Deno.stat(local).then(() => true, () => false)
      : (await storage.list(key)).length > 0;
    if (!found) {
      throw new UsageError(`--lakehouse ${options.lakehouse}: no such folder`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const started = performance.now();
  const elapsed = () => `${Math.round((performance.now() - started) / 1000)} s`;
  await peakRss();
  try {
    const report = await runConsumptionBacktest(openCatalog(options.lakehouse), {
      ...options,
      onFit: (done, total) => console.error(`ajustements ${done}/${total} — ${elapsed()}`),
    });
    if (report.kind === "skipped") {
      console.log(`${report.step} ignoré : ${report.reason}`);
      return 0;
    }
    console.log(summary(report));
    const fitSeconds = report.fits.reduce((t, f) => t + f.seconds, 0);
    console.log(
      `\n${report.fits.length} ajustements (${Math.round(fitSeconds)} s cumulées) ; ` +
        `durée totale ${elapsed()} ; mémoire résidente maximale ` +
        `${Math.round((await peakRss()) / 2 ** 20)} Mio ; tables backtest_consommation ` +
        `v${report.predictionsVersion}, scores_backtest_consommation v${report.scoresVersion}.`,
    );
    return 0;
  } catch (error) {
    console.error(`backtest failed: ${(error as Error).stack ?? error}`);
    return 1;
  } finally {
    stopSampler();
  }
}

if (import.meta.main) {
  // `deno task` runs in the project root; INIT_CWD is where the user typed the command.
  Deno.exit(await main(Deno.args, Deno.env.get("INIT_CWD") ?? Deno.cwd()));
}
