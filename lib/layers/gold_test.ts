import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  buildGold,
  buildGoldTables,
  carbonFootprint,
  contextAgrees,
  dailyEnergyMix,
  EXCHANGE_TOTAL,
  GOLD_PERIODS,
  goldContext,
  GoldInputError,
  type GoldTables,
  hourlyProductionBySource,
  internationalExchanges,
  NATIONAL_VIEW,
  weeklyStatistics,
  withNationalView,
} from "./gold.ts";
import {
  assertClose,
  byKey,
  isoDate,
  paris,
  records,
  type Row,
  rowsOf,
  silverFrame,
  silverRegional2014,
  silverTr2016,
  silverTr2025,
  sumBy,
} from "./_gold_testdata.ts";
import { assertSameRows } from "../testing/same_rows.ts";

/** The tables the gold layer builds (the catalogue, in lib/pipeline, is above this layer). */
const GOLD_NAMES = Object.keys(GOLD_PERIODS) as (keyof GoldTables)[];

// ---- independent helpers (plain JS, no polars, no code under test) ------------------------

/** ISO 8601 [year, week] of a "YYYY-MM-DD" date. */
function isoWeek(date: string): [number, number] {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 3); // that week's Thursday
  const year = d.getUTCFullYear();
  return [year, Math.floor((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1];
}

const h = (r: Row) => (r.pas_minutes as number) / 60;

// ---- 2025 national real-time file ------------------------------------------------------------

Deno.test("daily mix: totals equal the sum of silver step energies, shares add to 100", () => {
  const silver = silverTr2025();
  const mix = dailyEnergyMix(silver);
  const rows = rowsOf(
    silver,
    "nucleaire",
    "eolien",
    "solaire",
    "hydraulique",
    "bioenergies",
    "fioul",
    "charbon",
    "gaz",
  );
  const day = (r: Row) => paris(r.timestamp_utc).date;
  const nuclear = sumBy(rows, day, (r) => r.nucleaire! * h(r));
  const renewable = sumBy(
    rows,
    day,
    (r) => (r.eolien! + r.solaire! + r.hydraulique! + r.bioenergies!) * h(r),
  );
  const fossil = sumBy(rows, day, (r) => (r.fioul! + r.charbon! + r.gaz!) * h(r));
  const steps = sumBy(rows, day, () => 1);
  assert.equal(mix.height, nuclear.size);
  assert.equal(mix.height, 206); // 2025-01-01 … 2025-07-25
  for (const r of records(mix)) {
    const d = isoDate(r.date);
    assert.equal(r.perimetre, "France");
    assertClose(r.nucleaire_total_mwh, nuclear.get(d)!, 1e-9, `nuclear ${d}`);
    assertClose(r.renouvelables_total_mwh, renewable.get(d)!, 1e-9, `renewable ${d}`);
    assertClose(r.fossiles_total_mwh, fossil.get(d)!, 1e-9, `fossil ${d}`);
    const total = nuclear.get(d)! + renewable.get(d)! + fossil.get(d)!;
    assertClose(r.production_totale_mwh, total, 1e-9, `production ${d}`);
    assertClose(r.part_nucleaire_pct, 100 * nuclear.get(d)! / total, 1e-9, `share ${d}`);
    assertClose(
      (r.part_nucleaire_pct as number) + (r.part_renouvelables_pct as number) +
        (r.part_fossiles_pct as number),
      100,
      1e-9,
    );
    assert.equal(r.nb_pas, steps.get(d));
  }
});

Deno.test("daily mix: DST day and the partial last day say how complete they are", () => {
  const mix = byKey(dailyEnergyMix(silverTr2025()), (r) => isoDate(r.date));
  const spring = mix.get("2025-03-30")!;
  assert.deepEqual(
    [spring.duree_jour_minutes, spring.nb_pas, spring.nb_pas_attendus, spring.jour_complet],
    [1380, 92, 92, true],
  );
  const normal = mix.get("2025-03-31")!;
  assert.deepEqual([normal.nb_pas, normal.nb_pas_attendus, normal.jour_complet], [96, 96, true]);
  // Values stop at 15:15 on 2025-07-25: 00:00 … 15:15 is 62 quarter-hours.
  const last = mix.get("2025-07-25")!;
  assert.deepEqual([last.nb_pas, last.nb_pas_attendus, last.jour_complet], [62, 96, false]);
});

Deno.test("daily mix: a missing step makes the day incomplete, not silently short", () => {
  const start = Date.UTC(2025, 0, 14, 23); // 2025-01-15 00:00 CET
  const rows = Array.from({ length: 96 }, (_, i) => ({
    perimetre: "France",
    timestamp_utc: start + i * 900_000,
    nucleaire: 40_000,
    eolien: 4_000,
    solaire: 0,
    hydraulique: 6_000,
    bioenergies: 1_000,
    fioul: 0,
    charbon: 0,
    gaz: 1_000,
  })).filter((_, i) => i !== 40);
  const day = records(dailyEnergyMix(silverFrame(rows)))[0];
  assert.equal(day.nb_pas, 95);
  assert.equal(day.nb_pas_attendus, 96);
  assert.equal(day.jour_complet, false);
  assert.equal(day.nucleaire_total_mwh, 40_000 * 95 / 4);
  // A null production cell is a missing step too, and stays out of every sum.
  const withNull = rows.map((r, i) => i === 0 ? { ...r, gaz: null } : r);
  const short = records(dailyEnergyMix(silverFrame(withNull)))[0];
  assert.equal(short.nb_pas, 94);
  assert.equal(short.nucleaire_total_mwh, 40_000 * 94 / 4);
  assert.equal(short.fossiles_total_mwh, 1_000 * 94 / 4);
});

Deno.test("hourly production by source: statistics of each hour and sources adding up", () => {
  const silver = silverTr2025();
  const table = hourlyProductionBySource(silver);
  const sources = ["bioenergies", "charbon", "eolien", "fioul", "gaz", "hydraulique", "nucleaire"]
    .concat(["solaire"]);
  assert.deepEqual(
    table.getColumn("source_energie").unique().sort().toArray() as string[],
    sources,
  );
  // 2025-02-12 18:00-19:00 local = 17:00-18:00 UTC.
  const hour = rowsOf(silver, "gaz", "production_totale").filter((r) =>
    r.timestamp_utc.getTime() >= Date.UTC(2025, 1, 12, 17) &&
    r.timestamp_utc.getTime() < Date.UTC(2025, 1, 12, 18)
  );
  assert.equal(hour.length, 4);
  const gas = hour.map((r) => r.gaz!);
  const mean = gas.reduce((a, b) => a + b) / 4;
  const std = Math.sqrt(gas.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
  const rows = records(
    table.filter(
      pl.col("date").eq(pl.lit(new Date("2025-02-12"))).and(pl.col("heure").eq(18)),
    ),
  );
  const g = rows.find((r) => r.source_energie === "gaz")!;
  assertClose(g.production_moyenne_mw, mean, 1e-12, "mean");
  assert.equal(g.production_min_mw, Math.min(...gas));
  assert.equal(g.production_max_mw, Math.max(...gas));
  assertClose(g.ecart_type, std, 1e-9, "std");
  assertClose(g.energie_mwh, gas.reduce((a, b) => a + b) / 4, 1e-12, "energy");
  assert.deepEqual([g.nb_mesures, g.nb_mesures_attendues], [4, 4]);
  const production = hour.reduce((a, r) => a + r.production_totale! / 4, 0);
  assertClose(rows.reduce((a, r) => a + (r.energie_mwh as number), 0), production, 1e-9, "sum");
});

Deno.test("exchanges: border balances add up to the commercial exchange energy", () => {
  const silver = silverTr2025();
  const table = internationalExchanges(silver);
  const rows = rowsOf(silver, "solde_echanges", "ech_physiques", "ech_comm_espagne");
  const day = (r: Row) => paris(r.timestamp_utc).date;
  const commercial = sumBy(rows, day, (r) => r.solde_echanges! * h(r));
  const physical = sumBy(rows, day, (r) => r.ech_physiques! * h(r));
  const spainImport = sumBy(rows, day, (r) => Math.max(r.ech_comm_espagne!, 0) * h(r));
  const spainExport = sumBy(rows, day, (r) => Math.min(r.ech_comm_espagne!, 0) * h(r));
  const all = records(table);
  assert.deepEqual(
    [...new Set(all.map((r) => r.pays))].sort(),
    ["DE-BE", "Espagne", "Italie", "Suisse", EXCHANGE_TOTAL, "UK"],
  );
  const borders = all.filter((r) => r.pays !== EXCHANGE_TOTAL);
  const net = sumBy(borders, (r) => isoDate(r.date), (r) => r.solde_net_mwh as number);
  assert.equal(net.size, 206);
  for (const [d, value] of net) assertClose(value, commercial.get(d)!, 1e-9, `net ${d}`);
  for (const r of all) {
    assert.ok((r.import_total_mwh as number) >= 0 && (r.export_total_mwh as number) <= 0);
    const d = isoDate(r.date);
    if (r.pays === "Espagne") {
      assertClose(r.import_total_mwh, spainImport.get(d)!, 1e-9, `ES import ${d}`);
      assertClose(r.export_total_mwh, spainExport.get(d)!, 1e-9, `ES export ${d}`);
    }
    if (r.pays === EXCHANGE_TOTAL) {
      assertClose(r.solde_net_mwh, commercial.get(d)!, 1e-9, `total ${d}`);
      assertClose(r.solde_physique_mwh, physical.get(d)!, 1e-9, `physical ${d}`);
      assertClose(r.ecart_physique_commercial_mwh, physical.get(d)! - commercial.get(d)!, 1e-9);
    } else assert.equal(r.solde_physique_mwh, null);
  }
});

Deno.test("exchanges: half-hourly schedules of 2016 count once per half-hour", () => {
  const silver = silverTr2016();
  const table = internationalExchanges(silver);
  const rows = rowsOf(silver, "ech_comm_angleterre").filter((r) =>
    paris(r.timestamp_utc).date === "2016-06-10"
  );
  // Independent: the file's :00/:30 values × 0.5 h (silver repeats them on :15/:45 rows).
  const halfHours = rows.filter((r) => r.timestamp_utc.getUTCMinutes() % 30 === 0);
  assert.equal(halfHours.length, 48);
  const expected = halfHours.reduce((a, r) => a + r.ech_comm_angleterre! * 0.5, 0);
  const uk = records(
    table.filter(
      pl.col("pays").eq(pl.lit("UK")).and(pl.col("date").eq(pl.lit(new Date("2016-06-10")))),
    ),
  )[0];
  assertClose(uk.solde_net_mwh, expected, 1e-9);
  assert.equal(uk.jour_complet, true);
});

Deno.test("carbon: CO2 tonnes equal intensity x production energy, hour by hour", () => {
  const silver = silverTr2025();
  const table = carbonFootprint(silver);
  const rows = rowsOf(silver, "taux_co2", "production_totale", "bas_carbone_total", "gaz");
  const hour = (r: Row) => {
    const p = paris(r.timestamp_utc);
    return `${p.date} ${p.hour}`;
  };
  const tonnes = sumBy(rows, hour, (r) => r.taux_co2! * r.production_totale! * h(r) / 1000);
  const energy = sumBy(rows, hour, (r) => r.production_totale! * h(r));
  const low = sumBy(rows, hour, (r) => r.bas_carbone_total! * h(r));
  const gas = sumBy(rows, hour, (r) => 0.429 * r.gaz! * h(r));
  const all = records(table);
  assert.equal(all.length, tonnes.size);
  for (const r of all) {
    const k = `${isoDate(r.date)} ${r.heure}`;
    assertClose(r.co2_total_tonnes, tonnes.get(k)!, 1e-9, `tonnes ${k}`);
    assertClose(r.taux_co2_gkwh, 1000 * tonnes.get(k)! / energy.get(k)!, 1e-9, `rate ${k}`);
    assertClose(r.part_sources_bas_carbone_pct, 100 * low.get(k)! / energy.get(k)!, 1e-9, k);
    assertClose(r.co2_gaz_tonnes, gas.get(k)!, 1e-9, `gas ${k}`);
  }
  // RTE's factors reproduce RTE's rate closely (FACTS.md: ~0.24 g/kWh MAE per step).
  const gap = all.map((r) =>
    Math.abs((r.taux_co2_gkwh as number) - (r.taux_co2_recalcule_gkwh as number))
  );
  assert.ok(gap.reduce((a, b) => a + b) / gap.length < 1);
});

Deno.test("weekly statistics: each week is the sum of its days", () => {
  const silver = silverTr2025();
  const gold = buildGold(silver);
  const rows = rowsOf(silver, "consommation", "taux_co2", "production_totale");
  const week = (date: string) => isoWeek(date).join("-");
  const consumption = sumBy(
    rows,
    (r) => week(paris(r.timestamp_utc).date),
    (r) => r.consommation! * h(r),
  );
  const peak = new Map<string, number>();
  for (const r of rows) {
    const k = week(paris(r.timestamp_utc).date);
    peak.set(k, Math.max(peak.get(k) ?? -Infinity, r.consommation!));
  }
  const fromDays = (
    frame: pl.DataFrame,
    column: string,
    filter?: (r: Record<string, unknown>) => boolean,
  ) =>
    sumBy(
      records(frame).filter(filter ?? (() => true)),
      (r) => week(isoDate(r.date)),
      (r) => r[column] as number,
    );
  const production = fromDays(gold.mix_energetique_quotidien, "production_totale_mwh");
  const nuclear = fromDays(gold.mix_energetique_quotidien, "nucleaire_total_mwh");
  const co2 = fromDays(gold.empreinte_carbone, "co2_total_tonnes");
  const exchanges = fromDays(
    gold.echanges_internationaux,
    "solde_net_mwh",
    (r) => r.pays === EXCHANGE_TOTAL,
  );
  const weeks = records(gold.statistiques_hebdomadaires);
  assert.equal(weeks.length, 30); // ISO weeks 2025-W01 … 2025-W30
  for (const w of weeks) {
    const k = `${w.annee_iso}-${w.semaine_iso}`;
    assert.equal(week(isoDate(w.debut_semaine)), k);
    assert.equal(new Date(w.debut_semaine as Date).getUTCDay(), 1);
    assertClose(w.consommation_mwh, consumption.get(k)!, 1e-9, `consumption ${k}`);
    assert.equal(w.pic_consommation_mw, peak.get(k));
    assertClose(w.production_totale_mwh, production.get(k)!, 1e-9, `production ${k}`);
    assertClose(w.nucleaire_mwh, nuclear.get(k)!, 1e-9, `nuclear ${k}`);
    assertClose(w.co2_total_tonnes, co2.get(k)!, 1e-9, `co2 ${k}`);
    assertClose(w.solde_echanges_mwh, exchanges.get(k)!, 1e-9, `exchanges ${k}`);
  }
  const first = weeks[0];
  // 2025-W01 starts on Monday 2024-12-30; the file starts on 2025-01-01: 5 days of 7.
  assert.deepEqual(
    [isoDate(first.debut_semaine), first.nb_jours, first.nb_pas, first.semaine_complete],
    ["2024-12-30", 5, 480, false],
  );
  // The week of the spring switch has 167 hours: 668 quarter-hours.
  const dst = weeks.find((w) => w.semaine_iso === 13)!;
  assert.deepEqual([dst.nb_pas, dst.nb_pas_attendus, dst.semaine_complete], [668, 668, true]);
});

// ---- 2014 regional files ---------------------------------------------------------------------

let regionalGold: GoldTables | undefined;
const goldRegional2014 = () => regionalGold ??= buildGold(silverRegional2014());

Deno.test("regional 2014: national yearly totals match SOURCES.md within 0.01 TWh", () => {
  const gold = goldRegional2014();
  const national = (frame: pl.DataFrame) =>
    frame.filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW)));
  const twh = (frame: pl.DataFrame, column: string) =>
    (frame.getColumn(column).sum() as number) / 1e6;
  const mix = national(gold.mix_energetique_quotidien);
  assert.equal(mix.height, 365);
  assert.equal(mix.filter(pl.col("jour_complet")).height, 365);
  const expected: [pl.DataFrame, string, number][] = [
    [national(gold.statistiques_hebdomadaires), "consommation_mwh", 462.349],
    [mix, "nucleaire_total_mwh", 415.504],
    [mix, "hydraulique_mwh", 67.360],
    [mix, "eolien_mwh", 17.058],
    [mix, "solaire_mwh", 5.820],
  ];
  for (const [frame, column, twhExpected] of expected) {
    const actual = twh(frame, column);
    assert.ok(Math.abs(actual - twhExpected) < 0.01, `${column}: ${actual} TWh`);
  }
  // Per-region rows are there too, and the national view is their sum.
  const perRegion = gold.mix_energetique_quotidien.filter(
    pl.col("perimetre").neq(pl.lit(NATIONAL_VIEW)),
  );
  assert.equal(perRegion.getColumn("perimetre").nUnique(), 12);
  assertClose(twh(perRegion, "nucleaire_total_mwh"), twh(mix, "nucleaire_total_mwh"), 1e-12);
});

Deno.test("regional 2014: DST days of the national view, thermal source, no CO2 invented", () => {
  const gold = goldRegional2014();
  const national = byKey(
    gold.mix_energetique_quotidien.filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW))),
    (r) => isoDate(r.date),
  );
  const spring = national.get("2014-03-30")!;
  const autumn = national.get("2014-10-26")!;
  assert.deepEqual(
    [spring.duree_jour_minutes, spring.pas_minutes, spring.nb_pas, spring.nb_pas_attendus],
    [1380, 30, 46, 46],
  );
  // The autumn CEST hour the files never hold is interpolated by silver: 2 half-hours.
  assert.deepEqual(
    [autumn.duree_jour_minutes, autumn.nb_pas, autumn.nb_pas_attendus, autumn.nb_pas_interpoles],
    [1500, 50, 50, 2],
  );
  const sources = gold.production_par_source_horaire.filter(
    pl.col("perimetre").eq(pl.lit("Bretagne")),
  ).getColumn("source_energie").unique().sort().toArray();
  assert.deepEqual(sources, [
    "bioenergies",
    "eolien",
    "hydraulique",
    "nucleaire",
    "solaire",
    "thermique",
  ]);
  const hour2 = records(
    gold.production_par_source_horaire.filter(
      pl.col("perimetre").eq(pl.lit("Bretagne")).and(
        pl.col("date").eq(pl.lit(new Date("2014-10-26"))),
      ).and(pl.col("heure").eq(2)).and(pl.col("source_energie").eq(pl.lit("thermique"))),
    ),
  )[0];
  assert.deepEqual([hour2.nb_mesures, hour2.nb_mesures_attendues], [4, 4]); // two real hours
  const co2 = gold.empreinte_carbone;
  assert.equal(co2.getColumn("co2_total_tonnes").nullCount(), co2.height);
  assert.equal(gold.consommation_previsions.height, 0);
});

// ---- national view and input checks (hand-made frames) ------------------------------------

Deno.test("national view: sums regions at each instant, only when all are present", () => {
  const t0 = Date.UTC(2014, 0, 1, 12);
  const t1 = t0 + 1_800_000;
  const row = (perimetre: string, t: number, v: Record<string, number | null>) => ({
    perimetre,
    timestamp_utc: t,
    pas_minutes: 30,
    ...v,
  });
  const values = (c: number, eol: number | null) => ({
    consommation: c,
    thermique: 100,
    nucleaire: 0,
    eolien: eol,
    solaire: 10,
    hydraulique: 20,
    bioenergies: 5,
  });
  const silver = silverFrame([
    row("Bretagne", t0, values(3000, 200)),
    row("Normandie", t0, values(4000, null)),
    row("Bretagne", t1, values(3100, 210)),
    row("Normandie", t1, values(4100, 220)),
    row("Bretagne", t1 + 1_800_000, values(3200, 230)), // Normandie missing
  ]);
  const all = withNationalView(silver);
  assert.equal(withNationalView(all).height, all.height); // idempotent
  const national = records(
    all.filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW))).sort("timestamp_utc"),
  );
  assert.equal(national.length, 2);
  assert.deepEqual(national.map((r) => r.consommation), [7000, 7200]);
  assert.deepEqual(national.map((r) => r.eolien), [null, 430]); // one region null -> null
  assert.deepEqual(national.map((r) => r.thermique), [200, 200]);
  const mix = records(dailyEnergyMix(silver).filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW))));
  assert.equal(mix[0].nb_pas, 1); // only t1 has the whole production of both regions
  assert.equal(mix[0].production_totale_mwh, (200 + 430 + 20 + 40 + 10) * 0.5);
  assert.equal(dailyEnergyMix(silver, { nationalView: false }).height, 2);
});

Deno.test("national view of real regions: one instant equals the sum of the 12 files", () => {
  const silver = silverRegional2014();
  const at = new Date(Date.UTC(2014, 6, 14, 10, 30));
  const regions = rowsOf(silver, "consommation", "nucleaire", "ech_physiques")
    .filter((r) => r.timestamp_utc.getTime() === at.getTime());
  assert.equal(regions.length, 12);
  const national = rowsOf(
    withNationalView(silver).filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW))),
    "consommation",
    "nucleaire",
    "ech_physiques",
  ).find((r) => r.timestamp_utc.getTime() === at.getTime())!;
  for (const c of ["consommation", "nucleaire", "ech_physiques"]) {
    assert.equal(national[c], regions.reduce((a, r) => a + r[c]!, 0), c);
  }
});

Deno.test("input errors name the caller, the row and its source line", () => {
  const good = silverFrame([
    { perimetre: "France", timestamp_utc: "2025-01-01T00:00:00Z", consommation: 1 },
    { perimetre: "France", timestamp_utc: "2025-01-01T00:15:00Z", consommation: 2 },
  ]);
  assert.throws(
    () => dailyEnergyMix(good.drop("pas_minutes")),
    (e) =>
      e instanceof GoldInputError &&
      /dailyEnergyMix: .*lacks column\(s\) pas_minutes/.test(e.message),
  );
  const badStep = good.withColumns(
    pl.Series("pas_minutes", [15, 20], pl.Int32),
    pl.Series("source_file", ["a.xls", "a.xls"]),
    pl.Series("source_line", [2, 3], pl.Int32),
  );
  assert.throws(
    () => weeklyStatistics(badStep),
    (e) =>
      e instanceof GoldInputError &&
      e.message.includes("pas_minutes must be 15 or 30, got 20 at row 1 (a.xls, line 3)"),
  );
  const duplicated = pl.concat([good, good.slice(1, 1)]);
  assert.throws(
    () => carbonFootprint(duplicated),
    (e) => e instanceof GoldInputError && /duplicated at row 1, .* and row 2, /.test(e.message),
  );
});

Deno.test("only the requested data set is read", () => {
  const silver = silverFrame([
    { perimetre: "France", timestamp_utc: "2025-01-01T00:00:00Z", consommation: 60_000 },
    {
      perimetre: "France",
      timestamp_utc: "2025-01-01T00:00:00Z",
      consommation: 61_000,
      jeu_donnees: "consommation_brute",
    },
  ]);
  const weeks = (dataset?: string) =>
    records(weeklyStatistics(silver, dataset ? { dataset } : {}))[0].consommation_mwh;
  assert.equal(weeks(), 15_000);
  assert.equal(weeks("consommation_brute"), 15_250);
});

Deno.test("gold schemas are stable: national, regional and empty inputs give the same dtypes", () => {
  const national = buildGold(silverTr2025());
  const empty = buildGold(silverTr2025().head(0));
  const regional = goldRegional2014();
  for (const name of GOLD_NAMES) {
    assert.equal(empty[name].height, 0, name);
    for (const other of [empty[name], regional[name]]) {
      assert.deepEqual(other.columns, national[name].columns, name);
      for (const c of national[name].columns) {
        const dtype = national[name].getColumn(c).dtype;
        assert.ok(dtype.equals(other.getColumn(c).dtype), `${name}.${c}`);
        assert.ok(!dtype.equals(pl.Null), `${name}.${c} is untyped`);
      }
    }
  }
});

Deno.test("gold of whole weeks from their silver rows alone: the full build's rows, context permitting", () => {
  // The 2025 real-time file and 3 regions of 2014 (national view), cut to two ISO weeks each.
  const regions = silverRegional2014().filter(
    pl.col("perimetre").isIn(["Bretagne", "Normandie", "PACA"]),
  );
  const silver = pl.concat([silverTr2025(), regions], { how: "diagonal" });
  const whole = buildGold(silver);
  const weeks = ["2025-03-24", "2025-06-30", "2014-10-20", "2014-12-29"].map((d) =>
    new Date(`${d}T00:00:00Z`)
  );
  const days = weeks.flatMap((m) =>
    Array.from({ length: 7 }, (_, i) => new Date(m.getTime() + i * 86_400_000))
  );
  const dayFrame = pl.DataFrame({ date_locale: days }).select(pl.col("date_locale").cast(pl.Date));
  const part = silver.join(dayFrame, { on: "date_locale", how: "semi" });
  assert.ok(contextAgrees(goldContext(part), goldContext(silver)));
  const gold = buildGoldTables(part, GOLD_NAMES);
  let compared = 0;
  for (const name of GOLD_NAMES) {
    const period = GOLD_PERIODS[name];
    if (period.grain === "periode") continue;
    const keys = pl.DataFrame({ [period.column]: period.grain === "jour" ? days : weeks })
      .select(pl.col(period.column).cast(pl.Date));
    const expected = whole[name].join(keys, { on: period.column, how: "semi" });
    assert.ok(expected.height > 0, name);
    assertSameRows(gold[name], expected, { label: name });
    compared++;
  }
  assert.equal(compared, 6);
  // A part missing a region the national view needs does not agree with the whole.
  const twoRegions = part.filter(pl.col("perimetre").neq(pl.lit("PACA")));
  assert.ok(!contextAgrees(goldContext(twoRegions), goldContext(silver)));
  assert.deepEqual(goldContext(silver).regions, ["Bretagne", "Normandie", "PACA"]);
  assert.deepEqual(goldContext(silver).perimeters.France, {
    fuelSplit: true,
    borders: ["DE-BE", "Espagne", "Italie", "Suisse", "UK"],
  });
});
