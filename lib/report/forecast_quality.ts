/**
 * How far the consumption forecasts can be relied on, for the report: which model is the live
 * one (temperature forecast known at the cut-off) and which is an upper bound (observed
 * temperature), the P10-P90 coverage on the test period, and the backtest's scores against RTE
 * over every period and season (`scores_backtest_consommation`, `deno task backtest`) when it
 * was run on the lakehouse.
 *
 * @module
 */

import pl from "nodejs-polars";
import { modelName } from "../notebook/labels.ts";
import { mdText } from "../notebook/markdown.ts";
import { fr } from "./narratives.ts";

/**
 * One line of the backtest's scores the report shows, from a row of
 * `scores_backtest_consommation` (its French columns named in the field docs); English fields,
 * a code type.
 */
export interface BacktestLine {
  horizon: string;
  /** `groupe`: `ensemble` or a season (`hiver`, `printemps`, `ete`, `automne`). */
  group: string;
  model: string;
  reference: string;
  /** `demi_heures` scored. */
  halfHours: number;
  mape: number;
  /** `mape_reference`: the reference's (RTE's) MAPE on the same instants. */
  referenceMape: number;
  /** `ecart_mape` (points), with its 95 % interval `ic_bas`, `ic_haut`. */
  difference: number;
  low: number;
  high: number;
  /** `couverture_p10_p90`: P10-P90 coverage (%), null for models without intervals. */
  coveragePct: number | null;
}

/** What the report says of the forecasts' reliability (English fields, a code type). */
export interface ForecastQuality {
  /** Coverage (%) of the live models' [P10, P90] on the test period, per horizon. */
  intervals: { horizon: string; model: string; coveragePct: number; halfHours: number }[];
  /**
   * The backtest's whole-period and per-season lines against RTE, its first and last Paris days
   * and its number of weeks (null: not run).
   */
  backtest: { start: string; end: string; weeks: number; lines: BacktestLine[] } | null;
}

const SEASONS: Readonly<Record<string, string>> = {
  ensemble: "tout le backtest",
  hiver: "hiver",
  printemps: "printemps",
  ete: "été",
  automne: "automne",
};

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

const paris = (d: Date) => d.toLocaleDateString("fr-FR", { timeZone: "Europe/Paris" });

/**
 * The report's data from `predictions_consommation` (coverage of the live models' intervals on
 * the test period) and `scores_backtest_consommation` (whole backtest and seasons, every model
 * against RTE); null when neither holds anything.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { forecastQuality } from "./forecast_quality.ts";
 * const predictions = pl.DataFrame({
 *   horizon: ["j1", "j1"], model: ["gbdt", "gbdt"], periode: ["test", "test"],
 *   actual: [100, 100], p10: [98, 101], p90: [102, 103],
 * });
 * const q = forecastQuality(predictions, null)!;
 * assert.deepEqual(q.intervals, [{ horizon: "j1", model: "gbdt", coveragePct: 50, halfHours: 2 }]);
 * assert.equal(q.backtest, null);
 * ```
 */
export function forecastQuality(
  predictions: pl.DataFrame | null,
  scores: pl.DataFrame | null,
): ForecastQuality | null {
  const intervals = predictions && predictions.columns.includes("p10")
    ? (predictions.filter(
      pl.col("periode").eq(pl.lit("test")).and(pl.col("actual").isNotNull())
        .and(pl.col("p10").isNotNull()),
    ).groupBy(["horizon", "model"]).agg(
      pl.col("actual").gtEq(pl.col("p10")).and(pl.col("actual").ltEq(pl.col("p90")))
        .cast(pl.Float64).mean().mul(100).alias("couverture"),
      pl.len().alias("demi_heures"),
    ).sort("horizon").toRecords() as Row[]).map((r) => ({
      horizon: r.horizon as string,
      model: r.model as string,
      coveragePct: r.couverture as number,
      halfHours: Number(r.demi_heures),
    }))
    : [];
  let backtest: ForecastQuality["backtest"] = null;
  if (scores && scores.height > 0) {
    const lines = scores.filter(
      pl.col("grain").isIn(["ensemble", "saison"]).and(pl.col("reference").str.startsWith("rte_")),
    ).toRecords() as Row[];
    const weeks = scores.filter(pl.col("grain").eq(pl.lit("semaine")))
      .getColumn("groupe").nUnique();
    const span = scores.filter(pl.col("grain").eq(pl.lit("ensemble"))).select(
      pl.col("debut").min(),
      pl.col("fin").max(),
    ).toRecords()[0] as Row;
    backtest = {
      start: paris(span.debut),
      end: paris(span.fin),
      weeks,
      lines: lines.map((r) => ({
        horizon: r.horizon,
        group: r.groupe,
        model: r.model,
        reference: r.reference,
        halfHours: r.demi_heures,
        mape: r.mape,
        referenceMape: r.mape_reference,
        difference: r.ecart_mape,
        low: r.ic_bas,
        high: r.ic_haut,
        coveragePct: r.couverture_p10_p90 ?? null,
      })),
    };
  }
  return intervals.length || backtest ? { intervals, backtest } : null;
}

/**
 * The report's section on the forecasts' reliability (nothing when there is nothing to say).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecastQualitySection } from "./forecast_quality.ts";
 * const lines = forecastQualitySection({
 *   intervals: [{ horizon: "j1", model: "gbdt", coveragePct: 78.5, halfHours: 1974 }],
 *   backtest: null,
 * });
 * assert.ok(lines.some((l) => l.includes("78,5 %")));
 * assert.ok(lines.some((l) => l.includes("deno task backtest")));
 * assert.deepEqual(forecastQualitySection(null), []);
 * ```
 */
export function forecastQualitySection(q: ForecastQuality | null): string[] {
  if (!q) return [];
  const out = [
    "### Fiabilité des prévisions",
    "",
    "Le modèle retenu de chaque horizon est le modèle en service. La veille (j1), il reçoit, " +
    "quand les températures sont fournies, leur prévision connue à la coupure (les jours " +
    "observés avant la coupure, prolongés vers la normale saisonnière) ; le même modèle avec la " +
    "température **observée** du jour prévu, que personne ne connaît à la coupure, est une " +
    "**borne haute** de ce qu'une prévision météo parfaite apporterait. Une heure avant (h1), " +
    "il se passe de température : les dernières demi-heures en portent déjà l'effet ; la " +
    "prévision en service est la sienne **corrigée par la prévision J-1 de RTE**, publiée la " +
    "veille (combinaison linéaire réajustée chaque jour sur les 28 jours précédents), avec un " +
    "intervalle tiré de ses erreurs de ces 28 jours.",
    "",
  ];
  for (const i of q.intervals) {
    out.push(
      `- ${mdText(i.horizon)}, ${mdText(modelName(i.model))} : ${fr(i.coveragePct, 1)} % des ` +
        `${fr(i.halfHours)} demi-heures de test dans l'intervalle P10-P90 (80 % visés).`,
    );
  }
  if (q.intervals.length) out.push("");
  if (!q.backtest) {
    out.push(
      "_Pas de backtest dans ce lakehouse (`deno task backtest` le calcule) : les scores " +
        "ci-dessus portent sur la seule période de test._",
      "",
    );
    return out;
  }
  const b = q.backtest;
  out.push(
    `Backtest semaine par semaine du ${b.start} au ${b.end} (${fr(b.weeks)} semaines, ` +
      "chacune prévue par des modèles entraînés sur les seules données antérieures à sa " +
      "coupure), comparé à RTE sur les mêmes instants : J pour h1, J-1 pour j1. Écart de MAPE " +
      "en points, avec son intervalle de confiance à 95 % (tirage de journées entières).",
    "",
    "| horizon | période | modèle | MAPE (%) | MAPE de RTE (%) | écart (points) [IC 95 %] | couverture P10-P90 (%) |",
    "|---|---|---|---:|---:|---|---:|",
    ...b.lines.map((l) =>
      `| ${mdText(l.horizon)} | ${SEASONS[l.group] ?? mdText(l.group)} | ${
        mdText(modelName(l.model))
      } | ${fr(l.mape, 2)} | ${fr(l.referenceMape, 2)} | ${fr(l.difference, 2)} [${
        fr(l.low, 2)
      } ; ${fr(l.high, 2)}] | ${l.coveragePct === null ? "—" : fr(l.coveragePct, 1)} |`
    ),
    "",
  );
  return out;
}
