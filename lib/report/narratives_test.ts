import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  consumptionNarrative,
  exchangesNarrative,
  flowsNarrative,
  fr,
  loadProfileNarrative,
  mixNarrative,
  weekendNarrative,
  windNarrative,
} from "./narratives.ts";
import { readEco2mix } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
// Built by the first test that needs it, not at load time: without the shared data the test
// task skips the tests reading it, which a load-time failure would prevent.
let built: pl.DataFrame | undefined;
const silver = () =>
  built ??= toSilver(
    toBronze([readEco2mix(Deno.readFileSync(TR_2025), "tr.xls")], { ingestedAt: new Date(0) }),
  ).silver;

/** Raw measured rows of the file (spring-forward fillers excluded), read independently. */
function raw(): { date: string; time: string; conso: number }[] {
  return new TextDecoder("windows-1252").decode(Deno.readFileSync(TR_2025)).split("\n").slice(1)
    .map((l) => l.split("\t"))
    .filter((f) =>
      f.length > 5 && f[4] !== "" && !(f[2] === "2025-03-30" && f[3].startsWith("02:"))
    )
    .map((f) => ({ date: f[2], time: f[3], conso: Number(f[4]) }));
}

const plain = (s: string) => s.replaceAll("\u202f", " ").replaceAll("\u00a0", " ");

Deno.test("consumption: peak and trough with their local date and time", () => {
  const rows = raw();
  const peak = rows.reduce((a, b) => (b.conso > a.conso ? b : a));
  const trough = rows.reduce((a, b) => (b.conso < a.conso ? b : a));
  const text = plain(consumptionNarrative(silver()));
  const day = (d: string) => d.split("-").reverse().join("/");
  assert.ok(
    text.includes(`à ${plain(fr(peak.conso))} MW le ${day(peak.date)} à ${peak.time}`),
    text,
  );
  assert.ok(
    text.includes(`${plain(fr(trough.conso))} MW le ${day(trough.date)} à ${trough.time}`),
    text,
  );
});

Deno.test("load profile: the hour with the highest mean, from the raw quarter-hours", () => {
  const sums = new Map<number, [number, number]>();
  for (const r of raw()) {
    const h = Number(r.time.slice(0, 2));
    const [s, n] = sums.get(h) ?? [0, 0];
    sums.set(h, [s + r.conso, n + 1]);
  }
  const means = [...sums].map(([h, [s, n]]) => ({ h, m: s / n })).sort((a, b) => b.m - a.m);
  const text = plain(loadProfileNarrative(silver()));
  assert.ok(text.includes(`vers ${means[0].h} h (${plain(fr(means[0].m))} MW)`), text);
});

Deno.test("mix: nuclear first on the 2025 file", () => {
  assert.match(
    mixNarrative(silver()),
    /^La production est d'abord assurée par le nucléaire \(68,1 %/,
  );
});

Deno.test("exchanges: net exporter and the largest border, from a hand-made gold table", () => {
  const gold = pl.DataFrame({
    pays: ["Italie", "UK", "Espagne", "Total"],
    solde_net_mwh: [-3_000_000, -1_000_000, 500_000, -3_500_000],
  });
  assert.equal(
    plain(exchangesNarrative(gold)),
    "Sur la période, la France est exportatrice nette de 3,50 TWh ; le plus gros solde " +
      "exportateur est avec l'Italie (3,00 TWh).",
  );
});

Deno.test("flows: shares of production going to consumption, exports and pumping", () => {
  const s = pl.DataFrame({
    pas_minutes: [60, 60],
    production_totale: [100, 100],
    consommation: [80, 70],
    ech_physiques: [-15, 10],
    pompage: [-5, -20],
  });
  assert.equal(
    plain(flowsNarrative(s)),
    "0,00 TWh produits : 75,0 % couvrent la consommation intérieure (0,00 TWh), 7,5 % partent " +
      "à l'export et 12,5 % remplissent les stations de pompage (STEP).",
  );
});

Deno.test("a chart without its data says so", () => {
  assert.equal(
    windNarrative(pl.DataFrame({ pas_minutes: [15], consommation: [1] })),
    "Les données ne publient pas de production éolienne.",
  );
});

Deno.test("weekend: a period without weekend days says so instead of failing", () => {
  // 1 January 2025, a Wednesday.
  const day = silver().filter(
    pl.col("date_locale").dt.strftime("%Y-%m-%d").eq(pl.lit("2025-01-01")),
  );
  assert.ok(day.height > 0);
  assert.equal(
    weekendNarrative(day),
    "La période ne contient pas à la fois des jours ouvrés et des week-ends.",
  );
  assert.match(weekendNarrative(silver()), /Le week-end, la consommation moyenne/);
});
