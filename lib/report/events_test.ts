import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { anomalyEvents } from "../analysis/mod.ts";
import { exchangeEpisodes } from "../layers/exchange_episodes.ts";
import { paris, silverTr2025 } from "../layers/_gold_testdata.ts";
import {
  anomalyEventSentence,
  episodeSummary,
  exchangeEpisodeSentence,
  topAnomalyEvents,
  topExchangeEpisodes,
} from "./events.ts";

/** Independent Paris local "dd/mm/yyyy hh:mm" of a UTC instant. */
function local(t: Date): string {
  const p = paris(t);
  const [y, m, d] = p.date.split("-");
  return `${d}/${m}/${y} ${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
}

Deno.test("top anomaly events of 2025: largest energy first, Paris times, French causes", () => {
  const events = anomalyEvents(silverTr2025());
  const rows = events.toRecords() as Record<string, unknown>[];
  const byEnergy = [...rows].sort((a, b) =>
    Math.abs(b.ecart_energie_mwh as number) - Math.abs(a.ecart_energie_mwh as number)
  );
  const top = topAnomalyEvents(events, 5).toRecords();
  assert.equal(top.length, 5);
  assert.ok(!("perimetre" in top[0]), "one perimeter: no perimetre column");
  top.forEach((t, i) => {
    const e = byEnergy[i];
    assert.equal(t.debut, local(e.debut_utc as Date));
    assert.equal(t.fin, local(e.fin_utc as Date));
    assert.equal(t.pic, local(e.pic_utc as Date));
    assert.equal(t.ecart_energie_gwh, Number(((e.ecart_energie_mwh as number) / 1000).toFixed(1)));
    assert.equal(t.cause_probable, e.cause_probable ?? "aucun jour férié ni pont");
    assert.match(String(t.evenement), /^[A-Z]/);
  });
  // The 1 May trough leads; the first cold-snap peak (Saturday 15 March) has no calendar cause.
  assert.match(String(top[0].debut), /^01\/05\/2025 /);
  const march = top.find((t) => String(t.debut).startsWith("15/03/2025"));
  assert.equal(march?.cause_probable, "aucun jour férié ni pont");

  const sentence = anomalyEventSentence(byEnergy[0]);
  assert.match(
    sentence,
    /^Creux de consommation inhabituel du 01\/05\/2025 \d\d:\d\d au 02\/05\/2025 \d\d:\d\d : −\d+,\d GWh par rapport à la normale, au plus fort le 01\/05\/2025 \d\d:\d\d \(−\d+\u202f\d{3} MW, score −\d+,\d\) ; cause probable : jour férié \(jeudi 1er mai 2025\), pont \(vendredi 2 mai 2025\)\.$/,
  );
  const calm = anomalyEventSentence(byEnergy.find((e) => e.cause_probable === null)!);
  assert.match(calm, /aucun jour férié ni pont sur la période\.$/);
});

Deno.test("top anomaly events across perimeters keep the perimeter column", () => {
  const events = anomalyEvents(silverTr2025());
  const two = pl.concat([events, events.withColumns(pl.lit("Autre").alias("perimetre"))]);
  const top = topAnomalyEvents(two, 4).toRecords();
  assert.deepEqual(top.map((r) => r.perimetre).sort(), ["Autre", "Autre", "France", "France"]);
  assert.equal(topAnomalyEvents(events.head(0), 10).height, 0);
});

Deno.test("exchange episodes of 2025 for a presenter: summary per border, top episodes", () => {
  const episodes = exchangeEpisodes(silverTr2025());
  const rows = episodes.toRecords() as Record<string, unknown>[];
  const summary = episodeSummary(episodes).toRecords();
  // Every episode counted once; energies per border and direction add up.
  assert.equal(summary.reduce((n, s) => n + (s.episodes as number), 0), rows.length);
  for (const s of summary) {
    const mine = rows.filter((r) => r.frontiere === s.frontiere && r.sens === s.sens);
    assert.equal(s.episodes, mine.length);
    assert.equal(s.heures, mine.reduce((t, r) => t + (r.duree_heures as number), 0));
    const gwh = mine.reduce((t, r) => t + (r.energie_mwh as number), 0) / 1000;
    assert.ok(Math.abs((s.energie_gwh as number) - gwh) <= 0.05, `${s.frontiere} ${s.sens}`);
  }
  assert.equal(summary.at(-1)?.frontiere, "Total");

  const top = topExchangeEpisodes(episodes, 5).toRecords();
  const byEnergy = [...rows].sort((a, b) =>
    Math.abs(b.energie_mwh as number) - Math.abs(a.energie_mwh as number)
  );
  top.forEach((t, i) => {
    assert.equal(t.debut, local(byEnergy[i].debut_utc as Date));
    assert.equal(t.fin, local(byEnergy[i].fin_utc as Date));
    assert.match(String(t.episode), /^(export|import)( vers | depuis |, toutes frontières)/);
  });
  assert.ok(!("perimetre" in top[0]) && !("mesure" in top[0]));
  assert.match(
    exchangeEpisodeSentence(byEnergy[0]),
    /^Export, toutes frontières, du \d\d\/\d\d\/2025 \d\d:00 au \d\d\/\d\d\/2025 \d\d:00 \(\d+ h\) : \d+,\d GWh, jusqu'à \d+\u202f\d{3} MW \(seuil \d+\u202f\d{3} MW\)\.$/,
  );
});
