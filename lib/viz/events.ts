/**
 * Dated events as the dashboard carries them: the gold tables of anomaly events (and, later,
 * exchange episodes and prices) reduced to one perimeter, columnar, times in Paris local time.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { AnomalyEventData } from "./_core_events.ts";
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
 * assert.deepEqual(data.debut, ["2025-05-01 00:45"]);
 * assert.deepEqual(data.ecartMwh, [-263094]);
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
    debut: values<string>("debut_utc"),
    fin: values<string>("fin_utc"),
    pic: values<string>("pic_utc"),
    libelle: values<string>("libelle"),
    ecartMwh: values<number>("ecart_energie_mwh"),
    ecartPicMw: values<number>("pic_ecart_mw"),
    cause: values<string | null>("cause_probable"),
  };
}
