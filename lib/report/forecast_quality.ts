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

/** One line of the backtest's scores the report shows. */
export interface BacktestLine {
  horizon: string;
  /** `ensemble` or a season (`hiver`, `printemps`, `ete`, `automne`). */
  groupe: string;
  modele: string;
  reference: string;
  demiHeures: number;
  mape: number;
  mapeReference: number;
  ecart: number;
  icBas: number;
  icHaut: number;
  /** P10-P90 coverage (%), null for models without intervals. */
  couverture: number | null;
}

/** What the report says of the forecasts' reliability. */
export interface ForecastQuality {
  /** Coverage of the live models' [P10, P90] on the test period, per horizon. */
  intervalles: { horizon: string; modele: string; couverture: number; demiHeures: number }[];
  /** The backtest's whole-period and per-season lines against RTE (null: not run). */
  backtest: { debut: string; fin: string; semaines: number; lignes: BacktestLine[] } | null;
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
 * assert.deepEqual(q.intervalles, [{ horizon: "j1", modele: "gbdt", couverture: 50, demiHeures: 2 }]);
 * assert.equal(q.backtest, null);
 * ```
 */
export function forecastQuality(
  predictions: pl.DataFrame | null,
  scores: pl.DataFrame | null,
): ForecastQuality | null {
  const intervalles = predictions && predictions.columns.includes("p10")
    ? (predictions.filter(
      pl.col("periode").eq(pl.lit("test")).and(pl.col("actual").isNotNull())
        .and(pl.col("p10").isNotNull()),
    ).groupBy(["horizon", "model"]).agg(
      pl.col("actual").gtEq(pl.col("p10")).and(pl.col("actual").ltEq(pl.col("p90")))
        .cast(pl.Float64).mean().mul(100).alias("couverture"),
      pl.len().alias("demi_heures"),
    ).sort("horizon").toRecords() as Row[]).map((r) => ({
      horizon: r.horizon as string,
      modele: r.model as string,
      couverture: r.couverture as number,
      demiHeures: Number(r.demi_heures),
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
      debut: paris(span.debut),
      fin: paris(span.fin),
      semaines: weeks,
      lignes: lines.map((r) => ({
        horizon: r.horizon,
        groupe: r.groupe,
        modele: r.model,
        reference: r.reference,
        demiHeures: r.demi_heures,
        mape: r.mape,
        mapeReference: r.mape_reference,
        ecart: r.ecart_mape,
        icBas: r.ic_bas,
        icHaut: r.ic_haut,
        couverture: r.couverture_p10_p90 ?? null,
      })),
    };
  }
  return intervalles.length || backtest ? { intervalles, backtest } : null;
}

/**
 * The report's section on the forecasts' reliability (nothing when there is nothing to say).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecastQualitySection } from "./forecast_quality.ts";
 * const lines = forecastQualitySection({
 *   intervalles: [{ horizon: "j1", modele: "gbdt", couverture: 78.5, demiHeures: 1974 }],
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
    "Le modèle retenu de chaque horizon est le modèle en service : il reçoit la prévision de " +
    "température connue à la coupure (les jours observés avant la coupure, prolongés vers la " +
    "normale saisonnière). Le même modèle avec la température **observée** du jour prévu, que " +
    "personne ne connaît à la coupure, est une **borne haute** de ce qu'une prévision météo " +
    "parfaite apporterait.",
    "",
  ];
  for (const i of q.intervalles) {
    out.push(
      `- ${mdText(i.horizon)}, ${mdText(modelName(i.modele))} : ${fr(i.couverture, 1)} % des ` +
        `${fr(i.demiHeures)} demi-heures de test dans l'intervalle P10-P90 (80 % visés).`,
    );
  }
  if (q.intervalles.length) out.push("");
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
    `Backtest semaine par semaine du ${b.debut} au ${b.fin} (${fr(b.semaines)} semaines, ` +
      "chacune prévue par des modèles entraînés sur les seules données antérieures à sa " +
      "coupure), comparé à RTE sur les mêmes instants : J pour h1, J-1 pour j1. Écart de MAPE " +
      "en points, avec son intervalle de confiance à 95 % (tirage de journées entières).",
    "",
    "| horizon | période | modèle | MAPE (%) | MAPE de RTE (%) | écart (points) [IC 95 %] | couverture P10-P90 (%) |",
    "|---|---|---|---:|---:|---|---:|",
    ...b.lignes.map((l) =>
      `| ${mdText(l.horizon)} | ${SEASONS[l.groupe] ?? mdText(l.groupe)} | ${
        mdText(modelName(l.modele))
      } | ${fr(l.mape, 2)} | ${fr(l.mapeReference, 2)} | ${fr(l.ecart, 2)} [${fr(l.icBas, 2)} ; ${
        fr(l.icHaut, 2)
      }] | ${l.couverture === null ? "—" : fr(l.couverture, 1)} |`
    ),
    "",
  );
  return out;
}
