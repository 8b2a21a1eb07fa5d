import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { sharedDataPath } from "../testing/shared_data.ts";
import { featureMatrixFromDataFrame } from "../ml/dataframe.ts";
import { featureNames } from "../ml/features.ts";
import { forecasterFromModel, type ForecasterParams } from "../ml/forecasting.ts";
import { ModelRegistry } from "../ml/registry.ts";
import { openCatalog } from "./catalog.ts";
import { ingestFiles } from "./ingest.ts";
import {
  MlStepError,
  prepareConsumptionFeatures,
  trainConsumptionModels,
  trainMixClassifiers,
} from "./ml_step.ts";
import { refreshSilver } from "./silver_step.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");

/** A lakehouse with the 2025 file in silver, and a reference folder without the history. */
async function setup() {
  const root = await Deno.makeTempDir({ prefix: "ml_step_" });
  const catalog = openCatalog(join(root, "lakehouse"));
  await ingestFiles(catalog, [TR_2025]);
  await refreshSilver(catalog);
  const reference = join(root, "reference");
  await Deno.mkdir(reference);
  await Deno.symlink(
    sharedDataPath("weather/temperature-quotidienne-regionale.csv"),
    join(reference, "temperature-quotidienne-regionale.csv"),
  );
  for (const season of ["2024-2025", "2025-2026"]) {
    const name = `eCO2mix_RTE_tempo_${season}.xls`;
    await Deno.symlink(sharedDataPath(`eco2mix/tempo/${name}`), join(reference, name));
  }
  return { root, catalog, reference, models: join(root, "models") };
}

Deno.test("features → models → registry → predictions, on the 2025 file", async () => {
  const { root, catalog, reference, models } = await setup();
  try {
    const prep = await prepareConsumptionFeatures(catalog, { referenceDir: reference });
    assert.equal(prep.historique, "absente");
    assert.equal(prep.ecartNiveau, null);
    assert.equal(prep.reference.manquants.length, 1);
    assert.ok(prep.audit.every((a) => a.identiques === a.lignes_avant && a.modifiees > 0));
    // The last 20 % of the 9,869 measured half-hours (counted in series_test.ts) are the test.
    const test = prep.resume.filter((r) => r.jeu === "test");
    assert.deepEqual(test.map((r) => r.lignes), [1974, 1974]);
    assert.deepEqual(
      prep.resume.filter((r) => r.jeu === "prevision").map((r) => [r.horizon, r.lignes]),
      [["h1", 2], ["j1", 48]], // the next hour; 26 July 2025, a 48-half-hour day
    );

    const report = await trainConsumptionModels(catalog, { profil: "rapide", modelsDir: models });
    const registry = new ModelRegistry(models);
    for (const h of report.horizons) {
      assert.ok(h.rechargementIdentique, h.horizon);
      assert.equal(h.validationCroisee.folds.length, 15); // 5 folds × 3 learners
      // Every model and baseline is scored on the same instants.
      assert.ok(h.scores.every((s) => s.n === h.scores[0].n));
      assert.deepEqual(h.scores.map((s) => s.model), [
        "ridge",
        "random_forest",
        "gbdt",
        `${h.champion}_sans_temperature`,
        "persistance",
        "persistance_semaine",
        "rte_j1",
        "rte_j",
      ]);
      const champion = await registry.getVersion(`consommation_${h.horizon}`, "champion");
      assert.equal((champion.params as ForecasterParams).learner, h.champion);
      assert.deepEqual(champion.trainingData.slice(0, 2).map((d) => [d.table, d.version]), [
        ["caracteristiques_consommation", report.featuresVersion],
        ["eco2mix_silver", prep.silverVersion],
      ]);
      assert.ok(
        champion.trainingData.some((d) =>
          d.table === "reference:temperature-quotidienne-regionale.csv" &&
          d.version === "acb21918c3746687ef421dabaf9c52a7654c6ee979def9e86fd63ea7a211c94e"
        ),
      );
      assert.ok(champion.codeVersion.length > 0);
      assert.ok(champion.metrics.mape_test! > 0);
    }
    // Reload the j1 champion in a fresh registry object and forecast tomorrow again.
    const { model, info } = await new ModelRegistry(models).load("consommation_j1", "champion");
    const forecaster = forecasterFromModel(model, info.params as ForecasterParams);
    const features = (await catalog.table("caracteristiques_consommation").read()).filter(
      pl.col("horizon").eq(pl.lit("j1")).and(pl.col("jeu").eq(pl.lit("prevision"))),
    ).sort("timestamp_utc");
    const again = forecaster.predict(featureMatrixFromDataFrame(features, featureNames("j1")));
    const stored = (await catalog.table("predictions_consommation").read()).filter(
      pl.col("horizon").eq(pl.lit("j1")).and(pl.col("periode").eq(pl.lit("prevision")))
        .and(pl.col("model").eq(pl.lit(report.horizons[1].champion))),
    ).sort("timestamp_utc");
    assert.deepEqual(stored.getColumn("prediction").toArray(), [...again]);
    assert.equal(stored.getColumn("actual").nullCount(), 48);
    // error = prediction - actual on the test rows.
    const rows = (await catalog.table("predictions_consommation").read()).filter(
      pl.col("periode").eq(pl.lit("test")),
    ).toRecords() as { prediction: number; actual: number; error: number }[];
    assert.ok(rows.every((r) => r.error === r.prediction - r.actual));
    const runs = await registry.listRuns();
    // Per horizon: 3 cross-validated learners and 4 final fits, each logged.
    assert.equal(runs.length, 14);
    assert.equal(runs.filter((r) => r.tags.etape === "validation_croisee").length, 6);
    assert.ok((await catalog.table("importance_variables").read()).height > 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mix classifiers: registered per horizon and scheme, predictions stored", async () => {
  const { root, catalog, models } = await setup();
  try {
    const report = await trainMixClassifiers(catalog, {
      profil: "rapide",
      modelsDir: models,
      horizons: [1, 6],
    });
    // FACTS.md: in 2025, the share never exceeds 70 %, 0.3 % of quarter-hours exceed 50 %.
    assert.deepEqual(report.jamais, [">70 %"]);
    assert.equal(report.distribution[2].lignes, 62);
    assert.equal(report.pasMinutes, 15);
    assert.deepEqual(report.horizons.map((h) => h.modele), [
      "mix_renouvelable_h1",
      "mix_renouvelable_terciles_h1",
      "mix_renouvelable_h6",
      "mix_renouvelable_terciles_h6",
    ]);
    const registry = new ModelRegistry(models);
    for (const h of report.horizons) {
      const v = await registry.getVersion(h.modele, "champion");
      assert.equal(v.kind, "gbdt_classifier");
      assert.equal(v.metrics.exactitude_equilibree_test, h.scores[0].metrics.balancedAccuracy);
    }
    const stored = await catalog.table("predictions_mix").read();
    assert.deepEqual(
      stored.getColumn("model").unique().sort().toArray() as string[],
      ["gbdt", "persistance", "persistance_veille"],
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("steps say what to run first", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await assert.rejects(
    () => prepareConsumptionFeatures(catalog, { referenceDir: "/nonexistent" }),
    (e: unknown) => e instanceof MlStepError && /notebooks 02 and 03/.test(e.message),
  );
  await assert.rejects(
    () => trainConsumptionModels(catalog),
    (e: unknown) => e instanceof MlStepError && /run notebook 07 first/.test(e.message),
  );
  await assert.rejects(() => trainMixClassifiers(catalog), MlStepError);
});
