/**
 * Dated events as the dashboard carries them: the gold tables of anomaly events and of exchange
 * episodes reduced to one perimeter, columnar, times in Paris local time.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { AnomalyEventData, ExchangeEpisodeData } from "./_core_events.ts";
import { episodeLabel } from "../report/events.ts";
import { requireColumns } from "./_frame.ts";

/** A UTC datetime column as Paris local `YYYY-MM-DD HH:MM` text. */
function localText(column: string): pl.Expr {
  return pl.col(column).dt.convertTimeZone("Europe/Paris").dt.strftime("%Y-%m-%d %H:%M")
    .alias(column);
}

/** The rows of `perimetre`, when the frame has several perimeters. */
function ofPerimeter(frame: pl.DataFrame, perimetre: string): pl.DataFrame {
  return frame.columns.includes("perimetre")
    ? frame.filter(pl.col("perimetre").eq(pl.lit(perimetre)))
    : frame;
}

/**
 * The anomaly events of one perimeter (`evenements_anomalies`) for the dashboard.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toAnomalyEventData } from "./events.ts";
 * const events = pl.DataFrame({
 *   perimetre: ["France"], libelle: ["creux de consommation inhabituel"],
 *   debut_utc: [Date.UTC(2025, 3, 30, 22, 45)], fin_utc: [Date.UTC(2025, 4, 2, 11)],
 *   pic_utc: [Date.UTC(2025, 4, 1, 6, 15)], pic_ecart_mw: [-15000.2],
 *   ecart_energie_mwh: [-263094.4], cause_probable: [null],
 * }).withColumns(
 *   ...["debut_utc", "fin_utc", "pic_utc"].map((c) => pl.col(c).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")),
 * );
 * const data = toAnomalyEventData(events, "France");
 * assert.deepEqual(data.start, ["2025-05-01 00:45"]);
 * assert.deepEqual(data.deviationMwh, [-263094]);
 * assert.deepEqual(data.cause, [null]);
 * ```
 */
export function toAnomalyEventData(events: pl.DataFrame, perimetre: string): AnomalyEventData {
  const columns = ["debut_utc", "fin_utc", "pic_utc", "libelle", "ecart_energie_mwh"];
  requireColumns(events, "evenements_anomalies", [...columns, "pic_ecart_mw", "cause_probable"]);
  const rows = ofPerimeter(events, perimetre).select(
    localText("debut_utc"),
    localText("fin_utc"),
    localText("pic_utc"),
    "libelle",
    pl.col("ecart_energie_mwh").round(0),
    pl.col("pic_ecart_mw").round(0),
    "cause_probable",
  );
  const values = <T>(column: string) => rows.getColumn(column).toArray() as T[];
  return {
    start: values<string>("debut_utc"),
    end: values<string>("fin_utc"),
    peak: values<string>("pic_utc"),
    label: values<string>("libelle"),
    deviationMwh: values<number>("ecart_energie_mwh"),
    peakDeviationMw: values<number>("pic_ecart_mw"),
    cause: values<string | null>("cause_probable"),
  };
}

/**
 * The episodes of massive import or export of one perimeter (`episodes_echanges`) for the
 * dashboard.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toExchangeEpisodeData } from "./events.ts";
 * const episodes = pl.DataFrame({
 *   perimetre: ["France"], frontiere: ["Italie"], sens: ["export"],
 *   debut_utc: [Date.UTC(2025, 0, 8, 15)], fin_utc: [Date.UTC(2025, 0, 8, 19)],
 *   duree_heures: [4], energie_mwh: [-16_000.4], puissance_max_mw: [-4_100.2], seuil_mw: [3_900.6],
 * }).withColumns(
 *   ...["debut_utc", "fin_utc"].map((c) => pl.col(c).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")),
 * );
 * const data = toExchangeEpisodeData(episodes, "France");
 * assert.deepEqual(data.label, ["export vers l'Italie"]);
 * assert.deepEqual(data.start, ["2025-01-08 16:00"]);
 * assert.deepEqual([data.energyMwh[0], data.thresholdMw[0]], [-16_000, 3_901]);
 * ```
 */
export function toExchangeEpisodeData(
  episodes: pl.DataFrame,
  perimetre: string,
): ExchangeEpisodeData {
  requireColumns(episodes, "episodes_echanges", [
    "frontiere",
    "sens",
    "debut_utc",
    "fin_utc",
    "duree_heures",
    "energie_mwh",
    "puissance_max_mw",
    "seuil_mw",
  ]);
  const rows = ofPerimeter(episodes, perimetre).select(
    localText("debut_utc"),
    localText("fin_utc"),
    "frontiere",
    "sens",
    "duree_heures",
    pl.col("energie_mwh").round(0),
    pl.col("puissance_max_mw").round(0),
    pl.col("seuil_mw").round(0),
  );
  const values = <T>(column: string) => rows.getColumn(column).toArray() as T[];
  const sens = values<string>("sens");
  return {
    start: values<string>("debut_utc"),
    end: values<string>("fin_utc"),
    label: values<string>("frontiere").map((f, i) => episodeLabel(f, sens[i])),
    durationHours: values<number>("duree_heures"),
    energyMwh: values<number>("energie_mwh"),
    maxPowerMw: values<number>("puissance_max_mw"),
    thresholdMw: values<number>("seuil_mw"),
  };
}
