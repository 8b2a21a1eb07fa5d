import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { sharedDataPath } from "../testing/shared_data.ts";
import { HORIZONS, newSelection, SelectionStore } from "../forecasting/mod.ts";
import { main } from "./backtest_cli.ts";
import { runConsumptionBacktest } from "./backtest_step.ts";
import { openCatalog } from "./catalog.ts";
import { ingestFiles } from "./ingest.ts";
import { refreshReferenceTables } from "./reference_step.ts";
import { refreshSilver } from "./silver_step.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");

Deno.test("deno task backtest's step: two June weeks with the quick profile, tables and scores", async () => {
  const root = await Deno.makeTempDir({ prefix: "backtest_step_" });
  try {
    const catalog = openCatalog(join(root, "lakehouse"));
    await ingestFiles(catalog, [TR_2025]);
    await refreshSilver(catalog);
    // Temperatures and Tempo; no history (the models learn on the file's first months).
    const reference = join(root, "reference");
    await Deno.mkdir(reference);
    await Deno.symlink(
      sharedDataPath("weather/temperature-quotidienne-regionale.csv"),
      join(reference, "temperature-quotidienne-regionale.csv"),
    );
    const tempo = "eCO2mix_RTE_tempo_2024-2025.xls";
    await Deno.symlink(sharedDataPath(`eco2mix/tempo/${tempo}`), join(reference, tempo));
    // Notebook 03 puts them in the lakehouse, where the backtest reads them.
    await refreshReferenceTables(catalog, { referenceDir: reference });
    // Notebook 08 selected ridge one hour ahead (a cached selection): the backtest reuses it.
    const models = join(root, "models");
    await new SelectionStore(models).save(newSelection({
      config: {
        name: "consommation_h1",
        profile: "rapide",
        learners: {},
        validation: null,
        features: [],
        featureCode: "",
        learnerCode: "",
      },
      data: { sha256: "", rows: 0, first: null, last: null },
      champion: "ridge",
      params: null,
      scores: [],
    }));
    const from = Date.UTC(2025, 5, 1, 22); // Monday 2 June, midnight in Paris
    const to = Date.UTC(2025, 5, 15, 21, 59); // Sunday 15 June, 23:59
    const report = await runConsumptionBacktest(catalog, {
      profile: "rapide",
      modelsDir: models,
      from,
      to,
    });
    assert.ok(report.kind === "done");
    assert.deepEqual(report.learners, [
      { horizon: "h1", learner: "ridge", origin: "selection" },
      { horizon: "j1", learner: "gbdt", origin: "defaut" },
    ]);
    assert.equal(report.weeks, 2);
    assert.ok(report.withTemperature);
    // One retraining (June): h1 live + calibration, j1 three variants + calibration.
    assert.equal(report.fits.length, 6);
    const table = await catalog.table("backtest_consommation").read();
    const counts = table.groupBy(["horizon", "model"]).agg(
      pl.len().alias("n"),
      pl.col("p10").count().alias("avec_intervalle"),
    ).sort(["horizon", "model"]).toRecords();
    assert.deepEqual(counts, [
      { horizon: "h1", model: "ridge_corrige_rte_j1", n: 672, avec_intervalle: 672 },
      { horizon: "h1", model: "rte_j", n: 672, avec_intervalle: 0 },
      { horizon: "j1", model: "gbdt", n: 672, avec_intervalle: 672 },
      { horizon: "j1", model: "gbdt_sans_temperature", n: 672, avec_intervalle: 0 },
      { horizon: "j1", model: "gbdt_temperature_observee", n: 672, avec_intervalle: 0 },
      { horizon: "j1", model: "rte_j1", n: 672, avec_intervalle: 0 },
    ]);
    // Every model forecast was trained on targets up to its horizon's cut-off of 2 June.
    const trained = table.filter(pl.col("model").str.startsWith("rte_").not()).select(
      "horizon",
      pl.col("entrainement_jusqua_utc").cast(pl.Datetime("ms", "UTC")).cast(pl.Int64).alias("t"),
    ).unique().sort("horizon").toRecords() as { horizon: "h1" | "j1"; t: number }[];
    assert.deepEqual(
      trained.map((r) => [r.horizon, Number(r.t)]),
      [["h1", HORIZONS.h1.cutoff(from)], ["j1", HORIZONS.j1.cutoff(from)]],
    );
    // P10 ≤ P50 ≤ P90 wherever they exist.
    const ordered = table.filter(pl.col("p10").isNotNull()).filter(
      pl.col("p10").gt(pl.col("p50")).or(pl.col("p50").gt(pl.col("p90"))),
    );
    assert.equal(ordered.height, 0);
    const scores = await catalog.table("scores_backtest_consommation").read();
    assert.equal(scores.height, report.scores.length);
    // Whole backtest, season, month, two weeks; per horizon: models vs RTE and the live model
    // vs its other variants.
    const overall = scores.filter(pl.col("grain").eq(pl.lit("ensemble")));
    assert.deepEqual(
      overall.select("horizon", "model", "reference").toRecords().map((r) => Object.values(r)),
      [
        ["h1", "ridge_corrige_rte_j1", "rte_j"],
        ["j1", "gbdt", "rte_j1"],
        ["j1", "gbdt_temperature_observee", "rte_j1"],
        ["j1", "gbdt_sans_temperature", "rte_j1"],
        ["j1", "gbdt", "gbdt_temperature_observee"],
        ["j1", "gbdt", "gbdt_sans_temperature"],
      ],
    );
    assert.deepEqual(
      scores.filter(pl.col("grain").eq(pl.lit("semaine"))).getColumn("groupe").unique().sort()
        .toArray(),
      ["2025-06-02", "2025-06-09"],
    );
    // RTE's MAPE over the whole backtest, from the table's own rows.
    const rte = table.filter(pl.col("model").eq(pl.lit("rte_j1"))).select(
      pl.col("prediction").sub(pl.col("actual")).abs().div(pl.col("actual")).mean().mul(100),
    ).toRecords()[0].prediction as number;
    const j1 = overall.filter(pl.col("model").eq(pl.lit("gbdt"))).toRecords()[0];
    assert.ok(Math.abs((j1.mape_reference as number) - rte) < 1e-9);
    assert.ok((j1.couverture_p10_p90 as number) > 0 && (j1.couverture_p10_p90 as number) <= 100);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task backtest: help, and a wrong command line exits with 2", async () => {
  assert.equal(await main(["--help"]), 0);
  assert.equal(await main(["--cadence", "jour"]), 2);
  assert.equal(await main(["--du", "2025-13-01"]), 2);
  assert.equal(await main(["--lakehouse", "/nonexistent/lakehouse"]), 2);
});
