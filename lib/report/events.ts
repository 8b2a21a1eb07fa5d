/**
 * The dated events of the period as a presenter reads them: anomaly events
 * (`evenements_anomalies`) and episodes of massive import or export (`episodes_echanges`), in
 * notebook tables and report sentences. Times in Paris local time,
 * numbers rounded to what their unit needs, French labels.
 *
 * @module
 */

import pl from "nodejs-polars";
import { fr } from "./narratives.ts";
import { formatParisDateTime as parisDateTime } from "../notebook/format.ts";
import { countryName } from "../notebook/labels.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

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
 *   "Creux de consommation inhabituel du 01/05/2025 00:45 au 02/05/2025 13:00 : −263,1 GWh " +
 *     "par rapport à la normale, au plus fort le 01/05/2025 08:15 (−14\u202f230 MW, score −18,4) ; " +
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

/**
 * Where an episode's energy goes or comes from, in French: "export vers l'Italie", "import
 * depuis l'Espagne", "export, toutes frontières" (`Total`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { episodeLabel } from "./events.ts";
 * assert.equal(episodeLabel("Italie", "export"), "export vers l'Italie");
 * assert.equal(episodeLabel("DE-BE", "import"), "import depuis l'Allemagne et la Belgique");
 * assert.equal(episodeLabel("Total", "export"), "export, toutes frontières");
 * ```
 */
export function episodeLabel(frontiere: string, sens: string): string {
  if (frontiere === "Total") return `${sens}, toutes frontières`;
  return `${sens} ${sens === "import" ? "depuis" : "vers"} ${countryName(frontiere)}`;
}

/**
 * Episodes of massive import or export per border and direction (and perimeter, when the
 * frame has one): `frontiere`, `sens`,
 * `episodes`, `heures` (total duration), `energie_gwh` (signed, 1 decimal), `plus_long_h`,
 * `seuil_mw` (the threshold on |balance|, rounded), in the order of the borders then `Total`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { episodeSummary } from "./events.ts";
 * const episodes = pl.DataFrame({
 *   frontiere: ["Italie", "Italie", "Total"], sens: ["export", "export", "export"],
 *   duree_heures: [4, 6, 3], energie_mwh: [-16_000, -25_000, -45_000],
 *   seuil_mw: [3900.4, 3900.4, 14662.1],
 * });
 * const [italy, total] = episodeSummary(episodes).toRecords();
 * assert.deepEqual(
 *   [italy.episodes, italy.heures, italy.energie_gwh, italy.plus_long_h, italy.seuil_mw],
 *   [2, 10, -41, 6, 3900],
 * );
 * assert.equal(total.frontiere, "Total");
 * ```
 */
export function episodeSummary(episodes: pl.DataFrame): pl.DataFrame {
  const perimeter = episodes.columns.includes("perimetre") ? ["perimetre"] : [];
  return episodes.groupBy([...perimeter, "frontiere", "sens"]).agg(
    pl.len().cast(pl.Int32).alias("episodes"),
    pl.col("duree_heures").sum().alias("heures"),
    pl.col("energie_mwh").sum().div(1000).round(1).alias("energie_gwh"),
    pl.col("duree_heures").max().alias("plus_long_h"),
    pl.col("seuil_mw").first().round(0).alias("seuil_mw"),
  ).withColumn(
    pl.col("frontiere").eq(pl.lit("Total")).alias("_total"),
  ).sort([...perimeter, "_total", "frontiere", "sens"]).drop("_total");
}

/**
 * The `n` largest episodes by energy, as a display table: `episode` (e.g. "export vers
 * l'Italie"), `debut`, `fin`, `pic` (Paris local time), `duree_h`, `energie_gwh`,
 * `puissance_moyenne_mw`, `puissance_max_mw`, `seuil_mw`, with `perimetre` first when the
 * episodes span several perimeters and `mesure` when some are physical balances.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { topExchangeEpisodes } from "./events.ts";
 * const episodes = pl.DataFrame({
 *   perimetre: ["France"], frontiere: ["Total"], mesure: ["commercial"], sens: ["export"],
 *   debut_utc: [Date.UTC(2025, 0, 8, 15)], fin_utc: [Date.UTC(2025, 0, 9, 11)],
 *   pic_utc: [Date.UTC(2025, 0, 8, 20)], duree_heures: [20], energie_mwh: [-325_516.2],
 *   puissance_moyenne_mw: [-16_275.8], puissance_max_mw: [-17_605.4], seuil_mw: [14_662.1],
 * }).withColumns(
 *   ...["debut_utc", "fin_utc", "pic_utc"].map((c) => pl.col(c).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")),
 * );
 * const [top] = topExchangeEpisodes(episodes).toRecords();
 * assert.equal(top.episode, "export, toutes frontières");
 * assert.equal(top.debut, "08/01/2025 16:00");
 * assert.equal(top.energie_gwh, -325.5);
 * assert.equal(top.puissance_max_mw, -17605);
 * ```
 */
export function topExchangeEpisodes(episodes: pl.DataFrame, n = 10): pl.DataFrame {
  const rows = episodes.sort(pl.col("energie_mwh").abs(), true).head(n).toRecords() as Row[];
  const several = (column: string) =>
    episodes.columns.includes(column) && new Set(rows.map((r) => r[column])).size > 1;
  return pl.DataFrame({
    ...(several("perimetre") ? { perimetre: rows.map((r) => String(r.perimetre)) } : {}),
    ...(several("mesure") ? { mesure: rows.map((r) => String(r.mesure)) } : {}),
    episode: rows.map((r) => episodeLabel(r.frontiere, r.sens)),
    debut: rows.map((r) => parisDateTime(r.debut_utc)),
    fin: rows.map((r) => parisDateTime(r.fin_utc)),
    duree_h: rows.map((r) => r.duree_heures),
    energie_gwh: rows.map((r) => Math.round(r.energie_mwh / 100) / 10),
    puissance_moyenne_mw: rows.map((r) => Math.round(r.puissance_moyenne_mw)),
    puissance_max_mw: rows.map((r) => Math.round(r.puissance_max_mw)),
    pic: rows.map((r) => parisDateTime(r.pic_utc)),
    seuil_mw: rows.map((r) => Math.round(r.seuil_mw)),
  });
}

/**
 * One episode (a row of `episodes_echanges`) as a French sentence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exchangeEpisodeSentence } from "./events.ts";
 * assert.equal(
 *   exchangeEpisodeSentence({
 *     frontiere: "Total", sens: "export", debut_utc: new Date("2025-01-08T15:00:00Z"),
 *     fin_utc: new Date("2025-01-09T11:00:00Z"), duree_heures: 20, energie_mwh: -325516,
 *     puissance_max_mw: -17605, seuil_mw: 14662.1,
 *   }),
 *   "Export, toutes frontières, du 08/01/2025 16:00 au 09/01/2025 12:00 (20 h) : " +
 *     "325,5 GWh, jusqu'à 17\u202f605 MW (seuil 14\u202f662 MW).",
 * );
 * ```
 */
export function exchangeEpisodeSentence(episode: Row): string {
  return `${capitalised(episodeLabel(episode.frontiere, episode.sens))}, du ` +
    `${parisDateTime(episode.debut_utc)} au ${parisDateTime(episode.fin_utc)} ` +
    `(${fr(episode.duree_heures)} h) : ${fr(Math.abs(episode.energie_mwh) / 1000, 1)} GWh, ` +
    `jusqu'à ${fr(Math.abs(episode.puissance_max_mw))} MW (seuil ${fr(episode.seuil_mw)} MW).`;
}
