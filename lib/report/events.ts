/**
 * The dated events of the period as a presenter reads them: anomaly events
 * (`evenements_anomalies`), in notebook tables and report sentences. Times in Paris local time,
 * numbers rounded to what their unit needs, French labels.
 *
 * @module
 */

import pl from "nodejs-polars";
import { fr } from "./narratives.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

const PARIS_TIME = new Intl.DateTimeFormat("fr-FR", {
  timeZone: "Europe/Paris",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/**
 * A UTC instant as Paris local date and time: `01/05/2025 08:15`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parisDateTime } from "./events.ts";
 * assert.equal(parisDateTime(new Date("2025-05-01T06:15:00Z")), "01/05/2025 08:15");
 * assert.equal(parisDateTime(Date.UTC(2025, 0, 1, 12)), "01/01/2025 13:00");
 * ```
 */
export function parisDateTime(t: Date | number): string {
  return PARIS_TIME.format(t).replace(/\s+/, " ");
}

/** `text` with its first letter upper-cased. */
function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The energy of an event in GWh with 1 decimal, sign kept: `-263,1 GWh`. */
function gwh(mwh: number): string {
  return `${mwh > 0 ? "+" : ""}${fr(mwh / 1000, 1)} GWh`;
}

/**
 * The `n` largest anomaly events by energy deviation, as a display table: `evenement`, `debut`,
 * `fin` and `pic` (Paris local time), `duree_h`, `ecart_pic_mw`, `score_pic`,
 * `ecart_energie_gwh`, `cause_probable` ("aucun jour férié ni pont" when none), with
 * `perimetre` first when the events span several perimeters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { topAnomalyEvents } from "./events.ts";
 * const events = pl.DataFrame({
 *   perimetre: ["France", "France"], libelle: ["pic de consommation inhabituel", "creux de consommation inhabituel"],
 *   debut_utc: [Date.UTC(2025, 6, 1, 7), Date.UTC(2025, 4, 1, 0)],
 *   fin_utc: [Date.UTC(2025, 6, 1, 21), Date.UTC(2025, 4, 2, 11)],
 *   pic_utc: [Date.UTC(2025, 6, 1, 15), Date.UTC(2025, 4, 1, 6, 15)],
 *   duree_heures: [14, 35], pic_ecart_mw: [6000.4, -14230.2], pic_score: [7.81, -18.42],
 *   ecart_energie_mwh: [101_261, -263_094], cause_probable: [null, "jour férié (jeudi 1er mai 2025)"],
 * }).withColumns(
 *   ...["debut_utc", "fin_utc", "pic_utc"].map((c) => pl.col(c).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")),
 * );
 * const [first, second] = topAnomalyEvents(events, 5).toRecords();
 * assert.equal(first.evenement, "Creux de consommation inhabituel");
 * assert.equal(first.debut, "01/05/2025 02:00");
 * assert.equal(first.ecart_energie_gwh, -263.1);
 * assert.equal(second.cause_probable, "aucun jour férié ni pont");
 * ```
 */
export function topAnomalyEvents(events: pl.DataFrame, n = 10): pl.DataFrame {
  const top = events.sort(pl.col("ecart_energie_mwh").abs(), true).head(n);
  const rows = top.toRecords() as Row[];
  const perimeters = new Set(rows.map((r) => r.perimetre));
  return pl.DataFrame({
    ...(perimeters.size > 1 ? { perimetre: rows.map((r) => String(r.perimetre)) } : {}),
    evenement: rows.map((r) => capitalised(String(r.libelle))),
    debut: rows.map((r) => parisDateTime(r.debut_utc)),
    fin: rows.map((r) => parisDateTime(r.fin_utc)),
    duree_h: rows.map((r) => Math.round(r.duree_heures * 10) / 10),
    pic: rows.map((r) => parisDateTime(r.pic_utc)),
    ecart_pic_mw: rows.map((r) => Math.round(r.pic_ecart_mw)),
    score_pic: rows.map((r) => Math.round(r.pic_score * 10) / 10),
    ecart_energie_gwh: rows.map((r) => Math.round(r.ecart_energie_mwh / 100) / 10),
    cause_probable: rows.map((r) => r.cause_probable ?? "aucun jour férié ni pont"),
  });
}

/**
 * One anomaly event (a row of `evenements_anomalies`) as a French sentence for the report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anomalyEventSentence } from "./events.ts";
 * const sentence = anomalyEventSentence({
 *   libelle: "creux de consommation inhabituel",
 *   debut_utc: new Date("2025-04-30T22:45:00Z"), fin_utc: new Date("2025-05-02T11:00:00Z"),
 *   pic_utc: new Date("2025-05-01T06:15:00Z"), pic_ecart_mw: -14230.4, pic_score: -18.4,
 *   ecart_energie_mwh: -263094, cause_probable: "jour férié (jeudi 1er mai 2025)",
 * });
 * assert.equal(
 *   sentence,
 *   "Creux de consommation inhabituel du 01/05/2025 00:45 au 02/05/2025 13:00 : -263,1 GWh " +
 *     "par rapport à la normale, au plus fort le 01/05/2025 08:15 (-14\u202f230 MW, score -18,4) ; " +
 *     "cause probable : jour férié (jeudi 1er mai 2025).",
 * );
 * ```
 */
export function anomalyEventSentence(event: Row): string {
  return `${capitalised(String(event.libelle))} du ${parisDateTime(event.debut_utc)} au ` +
    `${parisDateTime(event.fin_utc)} : ${gwh(event.ecart_energie_mwh)} par rapport à la ` +
    `normale, au plus fort le ${parisDateTime(event.pic_utc)} (${fr(event.pic_ecart_mw)} MW, ` +
    `score ${fr(event.pic_score, 1)}) ; ` +
    (event.cause_probable
      ? `cause probable : ${event.cause_probable}.`
      : "aucun jour férié ni pont sur la période.");
}
