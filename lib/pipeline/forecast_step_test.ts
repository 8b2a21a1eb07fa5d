import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import {
  featureNames,
  FORECAST_TEMPERATURE_FEATURES,
  forecasterFromModel,
  type ForecasterParams,
  learnersOf,
  ML_STEPS,
  TEMPERATURE_FEATURES,
} from "../forecasting/mod.ts";
import { featureMatrixFromDataFrame, GbdtRegressor, ModelRegistry } from "../ml/mod.ts";
import { openCatalog } from "./catalog.ts";
import {
  ConsumptionTraining,
  type HorizonReport,
  MlStepError,
  trainConsumptionModels,
  type TrainingProgress,
} from "./forecast_step.ts";
import {
  lakehouseOf,
  prepareWithReference,
  referenceWithTemperaturesUntilMay2025,
  regional2014,
  setup2025,
  tableOf,
  TR_2016,
  TR_2025,
  withCutsOf2025,
} from "./_ml_step_testdata.ts";

Deno.test("models → registry → predictions, on the 2025 file", async () => {
  const { root, catalog, reference, models } = await setup2025();
  try {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");

    // Notebook 08's way: one horizon per cell, the tables written once both are done.
    const training = await ConsumptionTraining.open(catalog, {
      profile: "rapide",
      modelsDir: models,
    });
    assert.deepEqual(training.horizons, ["h1", "j1"]);
    const progress: TrainingProgress[] = [];
    await training.train("h1", { onProgress: (p) => progress.push(p) });
    await assert.rejects(() => training.finish(), /train j1 before writing the predictions/);
    await assert.rejects(() => training.train("h1"), /horizon h1 already trained/);
    assert.equal(await catalog.table("predictions_consommation").exists(), false);
    // The cross-validation fits (15, fewer once the race eliminates a learner after the last
    // two folds: 3 × 2 raced, then 3 per survivor), then 3 refits (one per learner: one hour
    // ahead takes no temperature, so no upper bound nor model without it), each told once.
    const cvProgress = progress.filter((p) => p.phase === "cross_validation");
    assert.ok(progress.every((p) => p.horizon === "h1"));
    assert.deepEqual(cvProgress.map((p) => p.done), cvProgress.map((_, k) => k + 1));
    assert.deepEqual(cvProgress.slice(0, 6).map((p) => p.total), Array(6).fill(15));
    assert.equal(cvProgress.at(-1)!.done, cvProgress.at(-1)!.total);
    assert.equal((cvProgress.length - 6) % 3, 0);
    assert.deepEqual(
      progress.slice(cvProgress.length).map((p) => [p.phase, p.done, p.total]),
      Array.from({ length: 3 }, (_, k) => ["refit", k + 1, 3]),
    );
    await training.train("j1");
    const report = await training.finish();
    assert.ok(report.kind === "trained");
    assert.deepEqual(report.skipped, []);
    const registry = new ModelRegistry(models);
    for (const h of report.horizons) {
      assert.ok(h.reloadIdentical, h.horizon);
      // The profile's folds, unchanged, and every feature and baseline.
      assert.deepEqual(h.selection, {
        kind: "validation_croisee",
        folds: 5,
        foldDays: 7,
        adaptation: null,
      });
      assert.deepEqual([h.droppedFeatures, h.missingBaselines], [[], []]);
      // 5 folds × the learners still in the race after the last two, 2 folds × those out of it;
      // day-ahead, the ensemble is one of them.
      const cv = h.crossValidation!;
      const learners = learnersOf(h.horizon);
      assert.equal(learners.includes("moyenne_modeles"), h.horizon === "j1");
      assert.equal(cv.folds.length, 5 * learners.length - 3 * cv.eliminated.length);
      assert.ok(cv.eliminated.length < learners.length && !cv.eliminated.includes(h.champion));
      // Every model and baseline is scored on the same instants.
      assert.ok(h.scores.every((s) => s.n === h.scores[0].n));
      const takesTemperature = h.horizon === "j1";
      assert.equal(h.withTemperature, takesTemperature);
      assert.deepEqual(h.scores.map((s) => s.model), [
        ...learners,
        ...(takesTemperature
          ? [`${h.champion}_temperature_observee`, `${h.champion}_sans_temperature`]
          : [`${h.champion}_corrige_rte_j1`]),
        "persistance",
        "persistance_semaine",
        "rte_j1",
        "rte_j",
      ]);
      const champion = await registry.getVersion(`consommation_${h.horizon}`, "champion");
      assert.equal((champion.params as ForecasterParams).learner, h.champion);
      // Day-ahead, the live model is given the temperature forecast, the upper bound the observed
      // one; one hour ahead, no temperature and only the live model's name in the registry.
      const params = champion.params as ForecasterParams;
      assert.equal(params.features.includes("temperature_prevision"), takesTemperature);
      assert.ok(!params.features.includes("temperature"));
      const bound = `consommation_${h.horizon}_temperature_observee`;
      if (takesTemperature) {
        const upper = await registry.getVersion(bound, "champion");
        assert.ok((upper.params as ForecasterParams).features.includes("temperature"));
      } else assert.ok(!(await registry.listModels()).includes(bound));
      // Intervals from the folds' errors: P10 < P50 < P90 around zero, coverage on the test.
      const q = h.intervals!;
      assert.ok(q.p10 < q.p50 && q.p50 < q.p90 && q.p10 < 0 && q.p90 > 0, JSON.stringify(q));
      assert.equal(q.n, h.crossValidation!.folds[0].testRows * 5);
      assert.ok(h.testCoverage!.n > 1900 && h.testCoverage!.pct > 50);
      // One hour ahead, the live forecast is the champion's corrected by RTE's J-1, better than
      // the champion alone and than RTE's J on the test period, with intervals from its recent
      // errors (none on the first day: no error known yet).
      const mape = (model: string) => h.scores.find((s) => s.model === model)!.mape;
      const corrected = `${h.champion}_corrige_rte_j1`;
      if (takesTemperature) assert.equal(h.rteCorrection, null);
      else {
        assert.equal(h.rteCorrection!.model, corrected);
        assert.ok(mape(corrected) < mape(h.champion), `${mape(corrected)} ${mape(h.champion)}`);
        assert.ok(mape(corrected) < mape("rte_j"), `${mape(corrected)} ${mape("rte_j")}`);
        const coverage = h.rteCorrection!.testCoverage;
        assert.ok(coverage.n > 1800 && coverage.n < h.testCoverage!.n, JSON.stringify(coverage));
        assert.ok(coverage.pct > 70 && coverage.pct < 90, JSON.stringify(coverage));
        assert.deepEqual(
          h.rteGaps.filter((g) => g.model === corrected).map((g) => g.reference),
          ["rte_j1", "rte_j"],
        );
      }
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
    // Tomorrow's P10 and P90 scale the forecast by the folds' error quantiles.
    const { p10, p90 } = report.horizons[1].intervals!;
    assert.deepEqual(
      stored.getColumn("p10").toArray(),
      [...again].map((v) => v * (1 + p10)),
    );
    assert.deepEqual(
      stored.getColumn("p90").toArray(),
      [...again].map((v) => v * (1 + p90)),
    );
    // The next hour's corrected forecast, from the champion's version, inside its interval.
    const h1 = report.horizons[0];
    const nextHour = (await catalog.table("predictions_consommation").read()).filter(
      pl.col("horizon").eq(pl.lit("h1")).and(pl.col("periode").eq(pl.lit("prevision")))
        .and(pl.col("model").eq(pl.lit(h1.rteCorrection!.model))),
    ).toRecords() as { model_version: number; prediction: number; p10: number; p90: number }[];
    assert.ok(nextHour.length > 0);
    for (const r of nextHour) {
      assert.equal(r.model_version, h1.versions[h1.champion]);
      assert.ok(r.p10 < r.prediction && r.prediction < r.p90, JSON.stringify(r));
    }
    // error = prediction - actual on the test rows.
    const rows = (await catalog.table("predictions_consommation").read()).filter(
      pl.col("periode").eq(pl.lit("test")),
    ).toRecords() as { prediction: number; actual: number; error: number }[];
    assert.ok(rows.every((r) => r.error === r.prediction - r.actual));
    const runs = await registry.listRuns();
    // Per horizon: the cross-validated learners (3 one hour ahead, 4 day-ahead with the ensemble)
    // and the final fits (3 one hour ahead, 6 day-ahead with the upper bound and the model
    // without temperature), each logged.
    assert.equal(runs.length, 3 + 3 + 4 + 6);
    assert.equal(runs.filter((r) => r.tags.etape === "validation_croisee").length, 7);
    assert.ok((await catalog.table("importance_variables").read()).height > 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("reentrainement: select, then nothing to fit, then refit on one more day, complet, aucun", async () => {
  const { root, catalog, reference, models } = await setup2025();
  try {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");
    const train = (reentrainement: "auto" | "complet" | "aucun") =>
      trainConsumptionModels(catalog, {
        profile: "rapide",
        modelsDir: models,
        retraining: reentrainement,
      });
    const cases = (report: Awaited<ReturnType<typeof train>>) => {
      assert.ok(report.kind === "trained");
      return report.horizons.map((h) => h.retraining.case);
    };
    const predictions = async () =>
      (await catalog.table("predictions_consommation").read()).toRecords();
    const registry = new ModelRegistry(models);
    const versionCount = async () =>
      (await Promise.all((await registry.listModels()).map((m) => registry.listVersions(m))))
        .flat().length;
    // (5) aucun without any model: the step is skipped, with the reason.
    const none = await train("aucun");
    assert.ok(none.kind === "skipped");
    assert.match(none.reason, /aucun modèle n'a encore été entraîné pour consommation_h1/);
    assert.equal(await versionCount(), 0);
    // (1) First run: cross-validation.
    const first = await train("auto");
    assert.deepEqual(cases(first), ["selection", "selection"]);
    assert.ok(first.kind === "trained");
    assert.ok(first.horizons.every((h) => h.crossValidation !== null));
    const champions = first.horizons.map((h) => h.champion);
    const firstPredictions = await predictions();
    const versions = await versionCount();
    const runs = (await registry.listRuns()).length;
    // (2) Same data: no fit, the registered models give the same predictions.
    const second = await train("auto");
    assert.deepEqual(cases(second), ["inchange", "inchange"]);
    assert.equal(await versionCount(), versions);
    const secondRuns = (await registry.listRuns()).slice(runs);
    assert.deepEqual(secondRuns.map((r) => r.retraining?.case), ["inchange", "inchange"]);
    assert.ok(secondRuns.every((r) => r.version === null));
    assert.deepEqual(await predictions(), firstPredictions);
    assert.ok(second.kind === "trained");
    for (const [k, h] of second.horizons.entries()) {
      // Measured on the first run's champion, and reused with it.
      assert.equal(h.importanceMeasuredOnVersion, first.horizons[k].versions[h.champion]);
      assert.deepEqual(h.importance, first.horizons[k].importance);
    }
    // (3) One more day of training rows (the first test day moves to training): refit only.
    const features = catalog.table("caracteristiques_consommation");
    const frame = (await features.read()).withColumns(
      pl.col("timestamp_utc").cast(pl.Datetime("ms", "UTC")).cast(pl.Int64).alias("_t"),
    );
    const firstTest = Math.min(
      ...frame.filter(pl.col("jeu").eq(pl.lit("test"))).getColumn("_t").toArray().map(Number),
    );
    /** Moves the test rows of the first `days` test days to training. */
    const trainOn = (days: number) =>
      features.overwrite(
        frame.withColumns(
          pl.when(
            pl.col("jeu").eq(pl.lit("test")).and(pl.col("_t").lt(firstTest + days * 86_400_000)),
          )
            .then(pl.lit("entrainement")).otherwise(pl.col("jeu")).alias("jeu"),
        ).drop("_t"),
        { overwriteSchema: true },
      );
    await trainOn(1);
    const third = await train("auto");
    assert.deepEqual(cases(third), ["reajustement", "reajustement"]);
    assert.ok(third.kind === "trained");
    for (const h of third.horizons) {
      assert.equal(h.crossValidation, null);
      assert.match(h.retraining.reason, /augmentées de 48 ligne\(s\)/);
      // A day later only the champion is refitted; every model it is compared with is the
      // registered version of the first run, and still scored.
      assert.deepEqual(h.fits.map((e) => e.model), [h.champion]);
      const before: HorizonReport = first.horizons.find((f) => f.horizon === h.horizon)!;
      // A gradient-boosting champion keeps the first run's trees, its leaves re-estimated;
      // another learner is fitted again.
      const name = `consommation_${h.horizon}`;
      const now = await registry.load(name, h.versions[h.champion]);
      const old = await registry.load(name, before.versions[h.champion]);
      if (h.champion === "gbdt") {
        assert.match(h.retraining.reason, /feuilles du modèle retenu sont réestimées/);
        assert.equal(h.fits[0].method, "feuilles_reestimees");
        assert.ok(now.model instanceof GbdtRegressor && old.model instanceof GbdtRegressor);
        assert.deepEqual(now.model.forest.left, old.model.forest.left);
        assert.notDeepEqual(now.model.forest.value, old.model.forest.value);
        assert.equal(now.model.info.leafRefit?.rows, h.fits[0].rows);
      } else {
        assert.match(h.retraining.reason, /seul le modèle retenu est réajusté/);
        assert.equal(h.fits[0].method, "complet");
      }
      assert.equal(now.info.tags.methode, h.fits[0].method);
      assert.deepEqual(Object.keys(h.versions), Object.keys(before.versions));
      // The champion's is a new version of its name; the others are the first run's.
      const firstOfName = before.registrations.filter((r) => r.registeredName === name);
      for (const [label, version] of Object.entries(h.versions)) {
        if (label === h.champion) {
          assert.equal(version, Math.max(...firstOfName.map((r) => r.version)) + 1);
        } else assert.equal(version, before.versions[label], label);
      }
      assert.ok(Object.keys(h.versions).every((m) => h.scores.some((s) => s.model === m)));
      // The daily refit reuses the importance measured on the first run's champion, and says so.
      assert.equal(h.importanceMeasuredOnVersion, before.versions[h.champion]);
      assert.deepEqual(h.importance, before.importance);
      // The intervals of the selection are reused with it.
      assert.deepEqual(
        h.intervals,
        first.horizons.find((f) => f.horizon === h.horizon)!
          .intervals,
      );
    }
    assert.deepEqual(third.horizons.map((h) => h.champion), champions);
    const thirdRuns = (await registry.listRuns()).slice(runs + 2);
    assert.ok(thirdRuns.every((r) => r.tags.etape !== "validation_croisee"));
    assert.ok(thirdRuns.every((r) => r.retraining?.case === "reajustement"));
    const refit = await registry.getVersion("consommation_h1", "champion");
    assert.equal(refit.retraining?.case, "reajustement");
    assert.equal(refit.trainingData[0].rows, first.horizons[0].fits[0].rows + 48);
    // The 2025 file's champions are gradient boosting: the leaf refit above was exercised.
    assert.ok(champions.includes("gbdt"), champions.join());
    // (3b) Eight days after the first fit: every model fitted again, the trees regrown.
    await trainOn(8);
    const weekly = await train("auto");
    assert.deepEqual(cases(weekly), ["reajustement", "reajustement"]);
    assert.ok(weekly.kind === "trained");
    for (const h of weekly.horizons) {
      assert.doesNotMatch(h.retraining.reason, /feuilles|seul le modèle retenu/);
      assert.deepEqual(h.fits.map((e) => e.model).sort(), Object.keys(h.versions).sort());
      assert.ok(h.fits.every((e) => e.method === "complet"));
      const champion = await registry.load(`consommation_${h.horizon}`, h.versions[h.champion]);
      assert.equal(champion.info.tags.methode, "complet");
      assert.equal(
        (champion.model as { info?: { leafRefit?: unknown } }).info?.leafRefit,
        undefined,
      );
    }
    // (4) complet: cross-validation again.
    const fourth = await train("complet");
    assert.deepEqual(cases(fourth), ["selection", "selection"]);
    assert.ok(fourth.kind === "trained");
    assert.ok(fourth.horizons.every((h) => h.crossValidation !== null));
    assert.equal(fourth.horizons[0].retraining.reason, "reentrainement = complet demandé");
    // Every model fitted again: the importance is measured on the new champion.
    for (const h of fourth.horizons) {
      assert.equal(h.importanceMeasuredOnVersion, h.versions[h.champion]);
    }
    // aucun with models: the last fit serves, whatever changed.
    assert.deepEqual(cases(await train("aucun")), ["modeles_enregistres", "modeles_enregistres"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("training: no features table says what to run first", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await assert.rejects(
    () => trainConsumptionModels(catalog),
    (e: unknown) => e instanceof MlStepError && /run notebook 07 first/.test(e.message),
  );
});

Deno.test("regional files only: the models are compared with persistence only", async () => {
  const { root, catalog, reference, models } = await regional2014();
  try {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");

    const report = await trainConsumptionModels(catalog, { profile: "rapide", modelsDir: models });
    assert.ok(report.kind === "trained");
    for (const h of report.horizons) {
      // Regional files publish no RTE forecast: the models are compared with persistence only.
      assert.deepEqual(h.missingBaselines, ["rte_j1", "rte_j"]);
      assert.deepEqual(h.droppedFeatures, ["tempo"]);
      assert.ok(!h.withTemperature);
      assert.deepEqual(h.scores.map((s) => s.model), [
        ...learnersOf(h.horizon),
        "persistance",
        "persistance_semaine",
      ]);
      assert.deepEqual(h.rteGaps, []);
      // Nothing to correct one hour ahead without RTE's J-1.
      assert.equal(h.rteCorrection, null);
    }
    const stored = await catalog.table("predictions_consommation").read();
    assert.equal(stored.filter(pl.col("model").str.startsWith("rte_")).height, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fewer than 12 regions: training skipped, its tables emptied", async () => {
  const { root, catalog, reference, models } = await lakehouseOf(
    REGIONAL_2014.slice(0, 2).map((f) => sharedDataPath(f)),
  );
  try {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "skipped");
    const training = await trainConsumptionModels(catalog, {
      profile: "rapide",
      modelsDir: models,
    });
    assert.ok(training.kind === "skipped");
    assert.match(training.reason, /préparation des données \(notebook 07\) a été ignorée/);
    assert.deepEqual(await tableOf(catalog, "predictions_consommation"), {
      rows: 0,
      columns: [
        "timestamp_utc",
        "cutoff_utc",
        "horizon",
        "model",
        "model_version",
        "periode",
        "prediction",
        "actual",
        "error",
        "p10",
        "p50",
        "p90",
      ],
    });
    assert.equal((await tableOf(catalog, "importance_variables")).rows, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("two real-time files nine years apart, no reference data: the folds adapt to the rows", async () => {
  const { root, catalog, reference, models } = await lakehouseOf([TR_2016, TR_2025]);
  try {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");
    assert.deepEqual(prep.inputs, { temperatures: false, tempo: false });
    // Training rows start with the 2016 file.
    const train = prep.summary.find((r) => r.horizon === "h1" && r.split === "entrainement")!;
    assert.equal(train.start!.toISOString().slice(0, 10), "2016-06-08");
    // A late test period leaves about 1,200 training half-hours in the quick profile's two
    // years: too few for five folds of seven days.
    const late = await prepareWithReference(catalog, reference, { testFraction: 0.785 });
    assert.ok(late.kind === "prepared");
    const report = await trainConsumptionModels(catalog, { profile: "rapide", modelsDir: models });
    assert.ok(report.kind === "trained");
    assert.deepEqual(report.skipped, []);
    for (const h of report.horizons) {
      assert.ok(h.selection.kind === "validation_croisee");
      assert.ok(h.selection.foldDays < 7, h.horizon);
      assert.match(h.selection.adaptation!, /ne contiennent pas 5 plis de 7 jours/);
      const cv = h.crossValidation!;
      // Every learner on the raced (last two) folds, the survivors of the race on all.
      for (const m of cv.means) {
        const expected: number = cv.eliminated.includes(m.learner) ? 2 : h.selection.folds;
        assert.equal(m.foldCount, expected, m.learner);
        assert.equal(cv.folds.filter((f) => f.learner === m.learner).length, expected);
      }
      assert.ok(!cv.eliminated.includes(h.champion));
      // Without a Tempo calendar the feature is left out (ridge cannot use an unknown value).
      assert.deepEqual(h.droppedFeatures, ["tempo"]);
      assert.ok(h.scores.every((s) => Number.isFinite(s.mape)));
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("temperatures that stop before the test period: models trained without them", async () => {
  const { root, catalog, reference, models } = await lakehouseOf([TR_2025]);
  try {
    await referenceWithTemperaturesUntilMay2025(reference);
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");
    const report = await trainConsumptionModels(catalog, { profile: "rapide", modelsDir: models });
    assert.ok(report.kind === "trained");
    for (const h of report.horizons) {
      assert.ok(!h.withTemperature);
      assert.ok(
        !h.features.some((f) =>
          [...TEMPERATURE_FEATURES, ...FORECAST_TEMPERATURE_FEATURES].includes(f as never)
        ),
      );
      assert.ok(!h.scores.some((s) => /_sans_temperature|_temperature_observee/.test(s.model)));
      assert.equal(h.scores[0].n, 1974);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a few days of data: training skipped for too few rows", async () => {
  await withCutsOf2025([4 * 96, 400], async ({ catalog, reference, models }) => {
    // Every row is a forecast to make (features_step_test.ts): nothing to learn from.
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");
    const training = await trainConsumptionModels(catalog, {
      profile: "rapide",
      modelsDir: models,
    });
    assert.ok(training.kind === "skipped");
    assert.equal(training.step, ML_STEPS.consommation);
    assert.match(training.reason, /une heure avant \(h1\) : trop peu de données : 0 demi-heure/);
    assert.equal((await tableOf(catalog, "predictions_consommation")).rows, 0);
  });
});
