import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { exchangeEpisodes } from "./exchange_episodes.ts";
import { GoldInputError, NATIONAL_VIEW, withNationalView } from "./gold.ts";
import {
  assertClose,
  records,
  silverFrame,
  silverRegional2014,
  silverTr2025,
} from "./_gold_testdata.ts";

interface Hour {
  h: number;
  mw: number;
  mwh: number;
}

/** Independent episodes of one balance column, as the module doc states the rule. */
function expectedEpisodes(
  rows: readonly Record<string, unknown>[],
  column: string,
  percentile: number,
  minHours: number,
) {
  const byHour = new Map<number, { e: number; m: number }>();
  for (const r of rows) {
    const v = r[column] as number | null;
    if (v === null) continue;
    const h = Math.floor((r.timestamp_utc as Date).getTime() / 3_600_000);
    const acc = byHour.get(h) ?? { e: 0, m: 0 };
    acc.e += v * (r.pas_minutes as number) / 60;
    acc.m += r.pas_minutes as number;
    byHour.set(h, acc);
  }
  const hours: Hour[] = [...byHour].sort((a, b) => a[0] - b[0])
    .map(([h, a]) => ({ h, mw: (a.e * 60) / a.m, mwh: a.e }));
  const sorted = hours.map((x) => Math.abs(x.mw)).sort((a, b) => a - b);
  const pos = (sorted.length - 1) * percentile / 100;
  const lo = Math.floor(pos);
  const threshold = sorted[lo] + (pos - lo) * ((sorted[Math.ceil(pos)] ?? sorted[lo]) - sorted[lo]);
  const runs: Hour[][] = [];
  for (const x of hours) {
    if (!(threshold > 0 && Math.abs(x.mw) >= threshold)) continue;
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && x.h === last.h + 1 && Math.sign(x.mw) === Math.sign(last.mw)) run.push(x);
    else runs.push([x]);
  }
  return { threshold, runs: runs.filter((r) => r.length >= minHours) };
}

Deno.test("exchange episodes of the 2025 file equal an independent computation", () => {
  const silver = silverTr2025();
  const rows = records(
    silver,
    "timestamp_utc",
    "pas_minutes",
    "ech_comm_espagne",
    "solde_echanges",
  );
  const episodes = exchangeEpisodes(silver);
  for (
    const [column, frontiere] of [["ech_comm_espagne", "Espagne"], ["solde_echanges", "Total"]]
  ) {
    const { threshold, runs } = expectedEpisodes(rows, column, 95, 3);
    const got = records(episodes.filter(pl.col("frontiere").eq(pl.lit(frontiere))));
    assert.equal(got.length, runs.length, frontiere);
    assert.ok(got.length > 0, frontiere);
    got.forEach((e, i) => {
      const run = runs[i];
      assert.equal(e.mesure, "commercial");
      assert.equal((e.debut_utc as Date).getTime(), run[0].h * 3_600_000);
      assert.equal((e.fin_utc as Date).getTime(), (run.at(-1)!.h + 1) * 3_600_000);
      assert.equal(e.duree_heures, run.length);
      assert.equal(e.sens, run[0].mw > 0 ? "import" : "export");
      const energy = run.reduce((t, x) => t + x.mwh, 0);
      assertClose(e.energie_mwh, energy, 1e-9, `${frontiere} energy`);
      assertClose(e.puissance_moyenne_mw, energy / run.length, 1e-9);
      const peak = run.reduce((a, b) => Math.abs(b.mw) > Math.abs(a.mw) ? b : a);
      assertClose(e.puissance_max_mw, peak.mw, 1e-9);
      assertClose(e.seuil_mw, threshold, 1e-9, `${frontiere} threshold`);
      assert.equal(e.centile, 95);
    });
  }
  // Spain both imports and exports massively over the period; France's total only exports.
  const sens = (f: string) =>
    new Set(records(episodes.filter(pl.col("frontiere").eq(pl.lit(f))), "sens").map((r) => r.sens));
  assert.deepEqual([...sens("Espagne")].sort(), ["export", "import"]);
  assert.deepEqual([...sens("Total")], ["export"]);
  // A looser rule finds more episodes.
  assert.ok(exchangeEpisodes(silver, { percentile: 90 }).height > episodes.height);
  assert.ok(exchangeEpisodes(silver, { minHours: 6 }).height < episodes.height);
});

Deno.test("exchange episodes of the 2014 regional files: physical balance, national view", () => {
  const silver = withNationalView(
    silverRegional2014().filter(pl.col("jeu_donnees").eq(pl.lit("eco2mix"))),
  );
  const episodes = exchangeEpisodes(silver);
  assert.deepEqual(episodes.getColumn("mesure").unique().toArray(), ["physique"]);
  assert.deepEqual(episodes.getColumn("frontiere").unique().toArray(), ["Total"]);
  const national = silver.filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW)));
  const { runs } = expectedEpisodes(
    records(national, "timestamp_utc", "pas_minutes", "ech_physiques"),
    "ech_physiques",
    95,
    3,
  );
  const got = episodes.filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW)));
  assert.equal(got.height, runs.length);
  assert.equal(episodes.getColumn("perimetre").unique().len(), 13); // 12 regions + the sum
});

Deno.test("exchange episodes: no balance column, a flat series, bad options", () => {
  const flat = silverFrame(
    Array.from({ length: 48 }, (_, i) => ({
      perimetre: "France",
      timestamp_utc: Date.UTC(2025, 0, 1) + i * 1_800_000,
      pas_minutes: 30,
      ech_comm_suisse: 0,
    })),
  );
  assert.equal(exchangeEpisodes(flat).height, 0); // a zero balance is never massive
  const none = exchangeEpisodes(flat.drop("ech_comm_suisse"));
  assert.equal(none.height, 0);
  assert.deepEqual(none.columns, exchangeEpisodes(silverTr2025().head(10)).columns);
  assert.throws(() => exchangeEpisodes(flat, { percentile: 100 }), GoldInputError);
  assert.throws(() => exchangeEpisodes(flat, { minHours: 0 }), GoldInputError);
});
