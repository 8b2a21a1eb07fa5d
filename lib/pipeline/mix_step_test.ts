import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import { NATIONAL_VIEW } from "../layers/gold.ts";
import { ML_STEPS, type Skipped } from "../forecasting/mod.ts";
import { ModelRegistry } from "../ml/mod.ts";
import { openCatalog } from "./catalog.ts";
import { type MixTrainingOptions, MlStepError, trainMixClassifiers } from "./mix_step.ts";
import { lakehouseOf, setup2025, tableOf, withCutsOf2025 } from "./_ml_step_testdata.ts";

Deno.test("mix classifiers: registered per horizon and scheme, predictions stored", async () => {
  const { root, catalog, models } = await setup2025();
  try {
    const trainMix = (options: MixTrainingOptions = {}) =>
      trainMixClassifiers(catalog, {
        profile: "rapide",
        modelsDir: models,
        horizons: [1, 6],
        importanceHorizons: [6],
        ...options,
      });
    const report = await trainMix();
    assert.ok(report.kind === "trained");
    assert.deepEqual(report.skipped, []);
    // Importance only where asked, for both schemes.
    assert.deepEqual(
      report.horizons.map((h) => [h.horizonHours, h.importance !== null]),
      [[1, false], [1, false], [6, true], [6, true]],
    );
    assert.ok(report.horizons[2].importance!.importances.length > 0);
    // FACTS.md: in 2025, the share never exceeds 70 %, 0.3 % of quarter-hours exceed 50 %.
    assert.deepEqual(report.neverObserved, [">70 %"]);
    assert.equal(report.distribution[2].rows, 62);
    assert.equal(report.stepMinutes, 15);
    assert.deepEqual(report.horizons.map((h) => h.registeredName), [
      "mix_renouvelable_h1",
      "mix_renouvelable_terciles_h1",
      "mix_renouvelable_h6",
      "mix_renouvelable_terciles_h6",
    ]);
    const registry = new ModelRegistry(models);
    for (const h of report.horizons) {
      const v = await registry.getVersion(h.registeredName, "champion");
      assert.equal(v.kind, "gbdt_classifier");
      assert.equal(v.metrics.exactitude_equilibree_test, h.scores[0].metrics.balancedAccuracy);
    }
    const stored = await catalog.table("predictions_mix").read();
    assert.deepEqual(
      stored.getColumn("model").unique().sort().toArray() as string[],
      ["gbdt", "persistance", "persistance_veille"],
    );
    // Beyond the data: one class per horizon and scheme, 1 and 6 hours after the last
    // measured quarter-hour (the last test instant: 25 July 2025, 15:15 Paris time).
    const epoch = (frame: pl.DataFrame) =>
      (frame.getColumn("timestamp_utc").toArray() as unknown as Date[]).map((d) => d.getTime());
    const last = Math.max(...epoch(stored.filter(pl.col("periode").eq(pl.lit("test")))));
    assert.equal(new Date(last).toISOString(), "2025-07-25T13:15:00.000Z");
    assert.deepEqual(
      report.horizons.map((h) => [h.registeredName, h.forecast.instant - last]),
      [
        ["mix_renouvelable_h1", 3_600_000],
        ["mix_renouvelable_terciles_h1", 3_600_000],
        ["mix_renouvelable_h6", 6 * 3_600_000],
        ["mix_renouvelable_terciles_h6", 6 * 3_600_000],
      ],
    );
    for (const h of report.horizons) {
      assert.ok(h.classes.includes(h.forecast.label), h.registeredName);
    }
    const next = stored.filter(pl.col("periode").eq(pl.lit("prevision"))).sort([
      "horizon_heures",
      "schema",
    ]);
    assert.deepEqual(
      next.select("horizon_heures", "schema", "model", "classe_predite", "classe_reelle")
        .toRecords(),
      [...report.horizons].sort((a, b) =>
        a.horizonHours - b.horizonHours || a.scheme.localeCompare(b.scheme)
      ).map((h) => ({
        horizon_heures: h.horizonHours,
        schema: h.scheme,
        model: "gbdt",
        classe_predite: h.forecast.label,
        classe_reelle: null,
      })),
    );
    assert.deepEqual(epoch(next), [1, 1, 6, 6].map((h) => last + h * 3_600_000));
    const fitted = report.horizons;
    assert.ok(fitted.every((h) => h.retraining.refitted));
    // The same data again: the registered classifiers serve, scored as before, none registered.
    const again = await trainMix();
    assert.ok(again.kind === "trained");
    assert.deepEqual(again.horizons.map((h) => h.retraining.refitted), [
      false,
      false,
      false,
      false,
    ]);
    assert.match(again.horizons[0].retraining.reason, /aucun nouvel instant/);
    for (const [k, h] of again.horizons.entries()) {
      const before = fitted[k];
      assert.equal(h.version, before.version);
      assert.equal(h.trainingRows, before.trainingRows);
      assert.equal(h.seconds, 0);
      assert.deepEqual(h.classes, before.classes);
      assert.deepEqual(h.scores, before.scores);
      assert.deepEqual(h.forecast, before.forecast);
      // The importance measured at the fit is reused with the classifier.
      assert.deepEqual(h.importance, before.importance);
    }
    assert.equal((await registry.listVersions("mix_renouvelable_h1")).length, 1);
    // complet: every classifier fitted and registered again.
    const refit = await trainMix({ importanceHorizons: [], retraining: "complet" });
    assert.ok(refit.kind === "trained");
    assert.deepEqual(refit.horizons.map((h) => [h.retraining.refitted, h.version]), [
      [true, 2],
      [true, 2],
      [true, 2],
      [true, 2],
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mix: silver missing says what to run first", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await assert.rejects(
    () => trainMixClassifiers(catalog),
    (e: unknown) => e instanceof MlStepError && /notebooks 02 and 03/.test(e.message),
  );
});

Deno.test("mix, regional files only: the sum of the 12 regions is the national series", async () => {
  const { root, catalog, models } = await lakehouseOf(
    REGIONAL_2014.map((f) => sharedDataPath(f)),
  );
  try {
    const mix = await trainMixClassifiers(catalog, {
      profile: "rapide",
      modelsDir: models,
      horizons: [1],
    });
    assert.ok(mix.kind === "trained");
    assert.equal(mix.perimeter, NATIONAL_VIEW);
    assert.equal(mix.stepMinutes, 30);
    assert.ok((await catalog.table("predictions_mix").read()).height > 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mix, fewer than 12 regions: no national series, skipped and the table emptied", async () => {
  const { root, catalog, models } = await lakehouseOf(
    REGIONAL_2014.slice(0, 2).map((f) => sharedDataPath(f)),
  );
  try {
    const mix = await trainMixClassifiers(catalog, { profile: "rapide", modelsDir: models });
    assert.ok(mix.kind === "skipped");
    assert.equal(mix.step, ML_STEPS.mix);
    assert.deepEqual(await tableOf(catalog, "predictions_mix"), {
      rows: 0,
      columns: [
        "timestamp_utc",
        "horizon_heures",
        "periode",
        "schema",
        "model",
        "model_version",
        "classe_predite",
        "classe_reelle",
        "part_reelle",
      ],
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a few days of data: mix without the one-class scheme, or skipped", async () => {
  await withCutsOf2025([4 * 96, 400], async ({ catalog, models }) => {
    const mix = await trainMixClassifiers(catalog, {
      profile: "rapide",
      modelsDir: models,
      horizons: [1, 6],
    });
    assert.ok(mix.kind === "trained");
    // Early January: every quarter-hour below 30 % renewable, the brief's scheme has one class.
    assert.deepEqual(mix.skipped.map((s: Skipped) => s.reason), [
      "une seule classe observée avant la période de test (<30 %) : un classifieur a besoin " +
      "d'au moins deux classes",
    ]);
    assert.deepEqual(mix.horizons.map((h) => h.registeredName), [
      "mix_renouvelable_terciles_h1",
      "mix_renouvelable_terciles_h6",
    ]);
  });
  // A single day: not even a day of training instants before the test period.
  await withCutsOf2025([96], async ({ catalog, models }) => {
    const mix = await trainMixClassifiers(catalog, { profile: "rapide", modelsDir: models });
    assert.ok(mix.kind === "skipped");
    assert.match(mix.reason, /trop peu de données : 0 instant/);
  });
});
