import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import { NATIONAL_VIEW } from "../layers/gold.ts";
import { ML_STEPS, type Skipped } from "../ml/feasibility.ts";
import { FORECAST_TEMPERATURE_FEATURES, TEMPERATURE_FEATURES } from "../ml/weather.ts";
import { featureMatrixFromDataFrame } from "../ml/dataframe.ts";
import { featureNames } from "../ml/features.ts";
import { forecasterFromModel, type ForecasterParams } from "../ml/forecasting.ts";
import { ModelRegistry } from "../ml/registry.ts";
import { openCatalog } from "./catalog.ts";
import { ingestFiles } from "./ingest.ts";
import {
  ConsumptionTraining,
  type HorizonReport,
  type MixTrainingOptions,
  MlStepError,
  prepareConsumptionFeatures,
  trainConsumptionModels,
  type TrainingProgress,
  trainMixClassifiers,
} from "./ml_step.ts";
import { refreshSilver } from "./silver_step.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
const TEMPERATURES = sharedDataPath("weather/temperature-quotidienne-regionale.csv");
const HISTORY = sharedDataPath("eco2mix/odre/consommation-quotidienne-brute.csv.gz");
const TEMPO = sharedDataPath("eco2mix/tempo");

/** A temporary lakehouse holding `files` in bronze and silver. */
async function lakehouseOf(files: string[]) {
  const root = await Deno.makeTempDir({ prefix: "ml_step_" });
  const catalog = openCatalog(join(root, "lakehouse"));
  await ingestFiles(catalog, files);
  await refreshSilver(catalog);
  const reference = join(root, "reference");
  await Deno.mkdir(reference);
  return { root, catalog, reference, models: join(root, "models") };
}

/** Links the Tempo calendars, and optionally the ODRÉ history, into a reference folder. */
async function linkReference(dir: string, options: { history?: boolean } = {}) {
  for await (const e of Deno.readDir(TEMPO)) {
    await Deno.symlink(join(TEMPO, e.name), join(dir, e.name));
  }
  if (options.history) {
    await Deno.symlink(HISTORY, join(dir, "consommation-quotidienne-brute.csv.gz"));
  }
}

/** The first `rows` data lines of the 2025 file, with its header and closing disclaimer. */
async function cutOf2025(rows: number, dir: string): Promise<string> {
  const lines = new TextDecoder("windows-1252").decode(await Deno.readFile(TR_2025)).split("\n");
  const disclaimer = lines.findLast((l) => l.startsWith("RTE ne pourra"))!;
  const text = [...lines.slice(0, rows + 1), disclaimer, "", ""].join("\n");
  const path = join(dir, `eCO2mix_RTE_En-cours-TR_2025-01_${rows}-lignes.xls`);
  // The file is ISO-8859-1, one byte per character.
  await Deno.writeFile(path, Uint8Array.from(text, (c) => c.charCodeAt(0)));
  return path;
}

/** The rows and columns of a table (an empty table keeps its columns). */
async function tableOf(catalog: ReturnType<typeof openCatalog>, name: string) {
  const frame = await catalog.table(name).read();
  return { rows: frame.height, columns: frame.columns };
}

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
    assert.ok(prep.kind === "prepared");
    assert.equal(prep.perimetre, "France");
    // Temperatures and Tempo cover the 2025 file: every feature is used.
    assert.deepEqual([prep.entrees, prep.ignores], [{ temperatures: true, tempo: true }, []]);
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

    // Notebook 08's way: one horizon per cell, the tables written once both are done.
    const training = await ConsumptionTraining.open(catalog, {
      profil: "rapide",
      modelsDir: models,
    });
    assert.deepEqual(training.horizons, ["h1", "j1"]);
    const progress: TrainingProgress[] = [];
    await training.train("h1", { onProgress: (p) => progress.push(p) });
    await assert.rejects(() => training.finish(), /train j1 before writing the predictions/);
    await assert.rejects(() => training.train("h1"), /horizon h1 already trained/);
    assert.equal(await catalog.table("predictions_consommation").exists(), false);
    // The cross-validation fits (15, fewer once the race eliminates a learner after the last
    // two folds: 3 × 2 raced, then 3 per survivor), then 5 refits, each told once, in order.
    const cvProgress = progress.filter((p) => p.phase === "cross_validation");
    assert.ok(progress.every((p) => p.horizon === "h1"));
    assert.deepEqual(cvProgress.map((p) => p.done), cvProgress.map((_, k) => k + 1));
    assert.deepEqual(cvProgress.slice(0, 6).map((p) => p.total), Array(6).fill(15));
    assert.equal(cvProgress.at(-1)!.done, cvProgress.at(-1)!.total);
    assert.equal((cvProgress.length - 6) % 3, 0);
    assert.deepEqual(
      progress.slice(cvProgress.length).map((p) => [p.phase, p.done, p.total]),
      Array.from({ length: 5 }, (_, k) => ["refit", k + 1, 5]),
    );
    await training.train("j1");
    const report = await training.finish();
    assert.ok(report.kind === "trained");
    assert.deepEqual(report.ignores, []);
    const registry = new ModelRegistry(models);
    for (const h of report.horizons) {
      assert.ok(h.rechargementIdentique, h.horizon);
      // The profile's folds, unchanged, and every feature and baseline.
      assert.deepEqual(h.selection, {
        kind: "validation_croisee",
        folds: 5,
        foldDays: 7,
        adaptation: null,
      });
      assert.deepEqual([h.caracteristiquesRetirees, h.referencesAbsentes], [[], []]);
      // 5 folds × the learners still in the race after the last two, 2 folds × those out of it.
      const cv = h.validationCroisee!;
      assert.equal(cv.folds.length, 5 * 3 - 3 * cv.elimines.length);
      assert.ok(cv.elimines.length < 3 && !cv.elimines.includes(h.champion));
      // Every model and baseline is scored on the same instants.
      assert.ok(h.scores.every((s) => s.n === h.scores[0].n));
      assert.deepEqual(h.scores.map((s) => s.model), [
        "ridge",
        "random_forest",
        "gbdt",
        `${h.champion}_temperature_observee`,
        `${h.champion}_sans_temperature`,
        "persistance",
        "persistance_semaine",
        "rte_j1",
        "rte_j",
      ]);
      const champion = await registry.getVersion(`consommation_${h.horizon}`, "champion");
      assert.equal((champion.params as ForecasterParams).learner, h.champion);
      // The live model is given the temperature forecast, the upper bound the observed one.
      const params = champion.params as ForecasterParams;
      assert.ok(params.features.includes("temperature_prevision"));
      assert.ok(!params.features.includes("temperature"));
      const bound = await registry.getVersion(
        `consommation_${h.horizon}_temperature_observee`,
        "champion",
      );
      assert.ok((bound.params as ForecasterParams).features.includes("temperature"));
      // Intervals from the folds' errors: P10 < P50 < P90 around zero, coverage on the test.
      const q = h.intervalles!;
      assert.ok(q.p10 < q.p50 && q.p50 < q.p90 && q.p10 < 0 && q.p90 > 0, JSON.stringify(q));
      assert.equal(q.n, h.validationCroisee!.folds[0].lignes_test * 5);
      assert.ok(h.couvertureTest!.n > 1900 && h.couvertureTest!.pct > 50);
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
    const { p10, p90 } = report.horizons[1].intervalles!;
    assert.deepEqual(
      stored.getColumn("p10").toArray(),
      [...again].map((v) => v * (1 + p10)),
    );
    assert.deepEqual(
      stored.getColumn("p90").toArray(),
      [...again].map((v) => v * (1 + p90)),
    );
    // error = prediction - actual on the test rows.
    const rows = (await catalog.table("predictions_consommation").read()).filter(
      pl.col("periode").eq(pl.lit("test")),
    ).toRecords() as { prediction: number; actual: number; error: number }[];
    assert.ok(rows.every((r) => r.error === r.prediction - r.actual));
    const runs = await registry.listRuns();
    // Per horizon: 3 cross-validated learners and 5 final fits, each logged.
    assert.equal(runs.length, 16);
    assert.equal(runs.filter((r) => r.tags.etape === "validation_croisee").length, 6);
    assert.ok((await catalog.table("importance_variables").read()).height > 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("reentrainement: select, then nothing to fit, then refit on one more day, complet, aucun", async () => {
  const { root, catalog, reference, models } = await setup();
  try {
    const prep = await prepareConsumptionFeatures(catalog, { referenceDir: reference });
    assert.ok(prep.kind === "prepared");
    const train = (reentrainement: "auto" | "complet" | "aucun") =>
      trainConsumptionModels(catalog, { profil: "rapide", modelsDir: models, reentrainement });
    const cases = (report: Awaited<ReturnType<typeof train>>) => {
      assert.ok(report.kind === "trained");
      return report.horizons.map((h) => h.reentrainement.case);
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
    assert.ok(first.horizons.every((h) => h.validationCroisee !== null));
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
      assert.equal(h.importanceMesureeSurVersion, first.horizons[k].versions[h.champion]);
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
    await features.overwrite(
      frame.withColumns(
        pl.when(pl.col("jeu").eq(pl.lit("test")).and(pl.col("_t").lt(firstTest + 86_400_000)))
          .then(pl.lit("entrainement")).otherwise(pl.col("jeu")).alias("jeu"),
      ).drop("_t"),
      { overwriteSchema: true },
    );
    const third = await train("auto");
    assert.deepEqual(cases(third), ["reajustement", "reajustement"]);
    assert.ok(third.kind === "trained");
    for (const h of third.horizons) {
      assert.equal(h.validationCroisee, null);
      assert.match(h.reentrainement.raison, /augmentées de 48 ligne\(s\)/);
      assert.match(h.reentrainement.raison, /seul le modèle retenu est réajusté/);
      // A day later only the champion is refitted; every model it is compared with is the
      // registered version of the first run, and still scored.
      assert.deepEqual(h.entrainements.map((e) => e.model), [h.champion]);
      const before: HorizonReport = first.horizons.find((f) => f.horizon === h.horizon)!;
      assert.deepEqual(Object.keys(h.versions), Object.keys(before.versions));
      for (const [label, version] of Object.entries(h.versions)) {
        if (label === h.champion) assert.equal(version, before.versions[label] + 1);
        else assert.equal(version, before.versions[label], label);
      }
      assert.ok(Object.keys(h.versions).every((m) => h.scores.some((s) => s.model === m)));
      // The daily refit reuses the importance measured on the first run's champion, and says so.
      assert.equal(h.importanceMesureeSurVersion, before.versions[h.champion]);
      assert.deepEqual(h.importance, before.importance);
      // The intervals of the selection are reused with it.
      assert.deepEqual(
        h.intervalles,
        first.horizons.find((f) => f.horizon === h.horizon)!
          .intervalles,
      );
    }
    assert.deepEqual(third.horizons.map((h) => h.champion), champions);
    const thirdRuns = (await registry.listRuns()).slice(runs + 2);
    assert.ok(thirdRuns.every((r) => r.tags.etape !== "validation_croisee"));
    assert.ok(thirdRuns.every((r) => r.retraining?.case === "reajustement"));
    const refit = await registry.getVersion("consommation_h1", "champion");
    assert.equal(refit.retraining?.case, "reajustement");
    assert.equal(refit.trainingData[0].rows, first.horizons[0].entrainements[0].lignes + 48);
    // (4) complet: cross-validation again.
    const fourth = await train("complet");
    assert.deepEqual(cases(fourth), ["selection", "selection"]);
    assert.ok(fourth.kind === "trained");
    assert.ok(fourth.horizons.every((h) => h.validationCroisee !== null));
    assert.equal(fourth.horizons[0].reentrainement.raison, "reentrainement = complet demandé");
    // Every model fitted again: the importance is measured on the new champion.
    for (const h of fourth.horizons) {
      assert.equal(h.importanceMesureeSurVersion, h.versions[h.champion]);
    }
    // aucun with models: the last fit serves, whatever changed.
    assert.deepEqual(cases(await train("aucun")), ["modeles_enregistres", "modeles_enregistres"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mix classifiers: registered per horizon and scheme, predictions stored", async () => {
  const { root, catalog, models } = await setup();
  try {
    const trainMix = (options: MixTrainingOptions = {}) =>
      trainMixClassifiers(catalog, {
        profil: "rapide",
        modelsDir: models,
        horizons: [1, 6],
        importanceHorizons: [6],
        ...options,
      });
    const report = await trainMix();
    assert.ok(report.kind === "trained");
    assert.deepEqual(report.ignores, []);
    // Importance only where asked, for both schemes.
    assert.deepEqual(
      report.horizons.map((h) => [h.horizon_heures, h.importance !== null]),
      [[1, false], [1, false], [6, true], [6, true]],
    );
    assert.ok(report.horizons[2].importance!.importances.length > 0);
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
    // Beyond the data: one class per horizon and scheme, 1 and 6 hours after the last
    // measured quarter-hour (the last test instant: 25 July 2025, 15:15 Paris time).
    const epoch = (frame: pl.DataFrame) =>
      (frame.getColumn("timestamp_utc").toArray() as unknown as Date[]).map((d) => d.getTime());
    const last = Math.max(...epoch(stored.filter(pl.col("periode").eq(pl.lit("test")))));
    assert.equal(new Date(last).toISOString(), "2025-07-25T13:15:00.000Z");
    assert.deepEqual(
      report.horizons.map((h) => [h.modele, h.prevision.instant - last]),
      [
        ["mix_renouvelable_h1", 3_600_000],
        ["mix_renouvelable_terciles_h1", 3_600_000],
        ["mix_renouvelable_h6", 6 * 3_600_000],
        ["mix_renouvelable_terciles_h6", 6 * 3_600_000],
      ],
    );
    for (const h of report.horizons) assert.ok(h.classes.includes(h.prevision.classe), h.modele);
    const next = stored.filter(pl.col("periode").eq(pl.lit("prevision"))).sort([
      "horizon_heures",
      "schema",
    ]);
    assert.deepEqual(
      next.select("horizon_heures", "schema", "model", "classe_predite", "classe_reelle")
        .toRecords(),
      [...report.horizons].sort((a, b) =>
        a.horizon_heures - b.horizon_heures || a.schema.localeCompare(b.schema)
      ).map((h) => ({
        horizon_heures: h.horizon_heures,
        schema: h.schema,
        model: "gbdt",
        classe_predite: h.prevision.classe,
        classe_reelle: null,
      })),
    );
    assert.deepEqual(epoch(next), [1, 1, 6, 6].map((h) => last + h * 3_600_000));
    const fitted = report.horizons;
    assert.ok(fitted.every((h) => h.reentrainement.reajuste));
    // The same data again: the registered classifiers serve, scored as before, none registered.
    const again = await trainMix();
    assert.ok(again.kind === "trained");
    assert.deepEqual(again.horizons.map((h) => h.reentrainement.reajuste), [
      false,
      false,
      false,
      false,
    ]);
    assert.match(again.horizons[0].reentrainement.raison, /aucun nouvel instant/);
    for (const [k, h] of again.horizons.entries()) {
      const before = fitted[k];
      assert.equal(h.version, before.version);
      assert.equal(h.lignes_entrainement, before.lignes_entrainement);
      assert.equal(h.secondes, 0);
      assert.deepEqual(h.classes, before.classes);
      assert.deepEqual(h.scores, before.scores);
      assert.deepEqual(h.prevision, before.prevision);
      // The importance measured at the fit is reused with the classifier.
      assert.deepEqual(h.importance, before.importance);
    }
    assert.equal((await registry.listVersions("mix_renouvelable_h1")).length, 1);
    // complet: every classifier fitted and registered again.
    const refit = await trainMix({ importanceHorizons: [], reentrainement: "complet" });
    assert.ok(refit.kind === "trained");
    assert.deepEqual(refit.horizons.map((h) => [h.reentrainement.reajuste, h.version]), [
      [true, 2],
      [true, 2],
      [true, 2],
      [true, 2],
    ]);
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

Deno.test("regional files only: the sum of the 12 regions is the national series", async () => {
  const { root, catalog, reference, models } = await lakehouseOf(
    REGIONAL_2014.map((f) => sharedDataPath(f)),
  );
  try {
    await Deno.symlink(TEMPERATURES, join(reference, "temperature-quotidienne-regionale.csv"));
    await linkReference(reference);
    const prep = await prepareConsumptionFeatures(catalog, { referenceDir: reference });
    assert.ok(prep.kind === "prepared");
    assert.equal(prep.perimetre, NATIONAL_VIEW);
    // 2014: temperatures start in 2016, Tempo in September 2014; both are left out, and said.
    assert.deepEqual(prep.entrees, { temperatures: false, tempo: false });
    assert.deepEqual(prep.ignores.map((s) => s.step), [
      "variables de température (prévision de la consommation)",
      "variable Tempo (prévision de la consommation)",
    ]);
    assert.match(prep.ignores[0].reason, /0 % des demi-heures de test/);
    assert.equal(prep.thermosensibilite, null);
    assert.ok(!prep.frame.columns.includes("temperature"));
    // The last 20 % of the 17,520 half-hours of 2014.
    assert.deepEqual(
      prep.resume.filter((r) => r.jeu === "test").map((r) => r.lignes),
      [3504, 3504],
    );
    // The target is the sum of the 12 regions at the same instant.
    const first = prep.frame.filter(pl.col("jeu").eq(pl.lit("test"))).sort("timestamp_utc").head(1);
    const silver = (await catalog.table("eco2mix_silver").read()).withColumns(
      pl.col("timestamp_utc").cast(pl.Datetime("ms", "UTC")), // Delta reads back microseconds
    );
    const regions = silver.join(first.select("timestamp_utc"), { on: "timestamp_utc" });
    assert.equal(regions.height, 12);
    assert.equal(
      first.getColumn("consommation").toArray()[0],
      regions.getColumn("consommation").sum(),
    );

    const report = await trainConsumptionModels(catalog, { profil: "rapide", modelsDir: models });
    assert.ok(report.kind === "trained");
    for (const h of report.horizons) {
      // Regional files publish no RTE forecast: the models are compared with persistence only.
      assert.deepEqual(h.referencesAbsentes, ["rte_j1", "rte_j"]);
      assert.deepEqual(h.caracteristiquesRetirees, ["tempo"]);
      assert.ok(!h.avecTemperature);
      assert.deepEqual(h.scores.map((s) => s.model), [
        "ridge",
        "random_forest",
        "gbdt",
        "persistance",
        "persistance_semaine",
      ]);
      assert.deepEqual(h.ecartsRte, []);
    }
    const stored = await catalog.table("predictions_consommation").read();
    assert.equal(stored.filter(pl.col("model").str.startsWith("rte_")).height, 0);

    const mix = await trainMixClassifiers(catalog, {
      profil: "rapide",
      modelsDir: models,
      horizons: [1],
    });
    assert.ok(mix.kind === "trained");
    assert.equal(mix.perimetre, NATIONAL_VIEW);
    assert.equal(mix.pasMinutes, 30);
    assert.ok((await catalog.table("predictions_mix").read()).height > 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fewer than 12 regions: no national series, the steps are skipped and their tables emptied", async () => {
  const { root, catalog, reference, models } = await lakehouseOf(
    REGIONAL_2014.slice(0, 2).map((f) => sharedDataPath(f)),
  );
  try {
    const prep = await prepareConsumptionFeatures(catalog, { referenceDir: reference });
    assert.ok(prep.kind === "skipped");
    assert.equal(prep.step, ML_STEPS.preparation);
    assert.match(prep.reason, /2 régions sur 12 \(Auvergne-Rhône-Alpes, Bourgogne-Franche-Comté\)/);
    const features = await tableOf(catalog, "caracteristiques_consommation");
    assert.equal(features.rows, 0);
    assert.ok(features.columns.includes("lag_1h") && features.columns.includes("jeu"));
    const training = await trainConsumptionModels(catalog, { profil: "rapide", modelsDir: models });
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
    const mix = await trainMixClassifiers(catalog, { profil: "rapide", modelsDir: models });
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

Deno.test("two real-time files nine years apart, no reference data: the folds adapt to the rows", async () => {
  const { root, catalog, reference, models } = await lakehouseOf([TR_2016, TR_2025]);
  try {
    const prep = await prepareConsumptionFeatures(catalog, { referenceDir: reference });
    assert.ok(prep.kind === "prepared");
    assert.deepEqual(prep.entrees, { temperatures: false, tempo: false });
    // Training rows start with the 2016 file.
    const train = prep.resume.find((r) => r.horizon === "h1" && r.jeu === "entrainement")!;
    assert.equal(train.debut!.toISOString().slice(0, 10), "2016-06-08");
    // A late test period leaves about 1,200 training half-hours in the quick profile's two
    // years: too few for five folds of seven days.
    const late = await prepareConsumptionFeatures(catalog, {
      referenceDir: reference,
      testFraction: 0.785,
    });
    assert.ok(late.kind === "prepared");
    const report = await trainConsumptionModels(catalog, { profil: "rapide", modelsDir: models });
    assert.ok(report.kind === "trained");
    assert.deepEqual(report.ignores, []);
    for (const h of report.horizons) {
      assert.ok(h.selection.kind === "validation_croisee");
      assert.ok(h.selection.foldDays < 7, h.horizon);
      assert.match(h.selection.adaptation!, /ne contiennent pas 5 plis de 7 jours/);
      const cv = h.validationCroisee!;
      // Every learner on the raced (last two) folds, the survivors of the race on all.
      for (const m of cv.moyennes) {
        const expected: number = cv.elimines.includes(m.learner) ? 2 : h.selection.folds;
        assert.equal(m.plis, expected, m.learner);
        assert.equal(cv.folds.filter((f) => f.learner === m.learner).length, expected);
      }
      assert.ok(!cv.elimines.includes(h.champion));
      // Without a Tempo calendar the feature is left out (ridge cannot use an unknown value).
      assert.deepEqual(h.caracteristiquesRetirees, ["tempo"]);
      assert.ok(h.scores.every((s) => Number.isFinite(s.mape)));
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("temperatures that stop before the test period: their features are dropped, models trained", async () => {
  const { root, catalog, reference, models } = await lakehouseOf([TR_2025]);
  try {
    // The temperature file cut before June 2025 (the test period starts on 14 June).
    const text = await Deno.readTextFile(TEMPERATURES);
    const lines = text.split("\n").filter((l, i) =>
      i === 0 || (l && l.slice(0, 10) < "2025-06-01")
    );
    await Deno.writeTextFile(
      join(reference, "temperature-quotidienne-regionale.csv"),
      lines.join("\n") + "\n",
    );
    await linkReference(reference, { history: true });
    const prep = await prepareConsumptionFeatures(catalog, { referenceDir: reference });
    assert.ok(prep.kind === "prepared");
    assert.deepEqual(prep.entrees, { temperatures: false, tempo: true });
    assert.deepEqual(prep.ignores.map((s) => s.step), [
      "variables de température (prévision de la consommation)",
    ]);
    assert.match(prep.ignores[0].reason, /0 % des demi-heures de test/);
    const report = await trainConsumptionModels(catalog, { profil: "rapide", modelsDir: models });
    assert.ok(report.kind === "trained");
    for (const h of report.horizons) {
      assert.ok(!h.avecTemperature);
      assert.ok(
        !h.caracteristiques.some((f) =>
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

Deno.test("a few days of data: consumption skipped for too few rows, mix without the one-class scheme", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ml_cut_" });
  try {
    for (const rows of [4 * 96, 400]) {
      const { root, catalog, reference, models } = await lakehouseOf([await cutOf2025(rows, dir)]);
      try {
        const prep = await prepareConsumptionFeatures(catalog, { referenceDir: reference });
        assert.ok(prep.kind === "prepared");
        // Every row needs a week of measurements before it: only forecasts to make.
        assert.deepEqual(prep.resume.map((r) => r.jeu), ["prevision", "prevision"]);
        const training = await trainConsumptionModels(catalog, {
          profil: "rapide",
          modelsDir: models,
        });
        assert.ok(training.kind === "skipped");
        assert.equal(training.step, ML_STEPS.consommation);
        assert.match(
          training.reason,
          /une heure avant \(h1\) : trop peu de données : 0 demi-heure/,
        );
        assert.equal((await tableOf(catalog, "predictions_consommation")).rows, 0);
        const mix = await trainMixClassifiers(catalog, {
          profil: "rapide",
          modelsDir: models,
          horizons: [1, 6],
        });
        assert.ok(mix.kind === "trained");
        // Early January: every quarter-hour below 30 % renewable, the brief's scheme has one class.
        assert.deepEqual(mix.ignores.map((s: Skipped) => s.reason), [
          "une seule classe observée avant la période de test (<30 %) : un classifieur a besoin " +
          "d'au moins deux classes",
        ]);
        assert.deepEqual(mix.horizons.map((h) => h.modele), [
          "mix_renouvelable_terciles_h1",
          "mix_renouvelable_terciles_h6",
        ]);
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    }
    // A single day: not even a day of training instants before the test period.
    const { root, catalog, models } = await lakehouseOf([await cutOf2025(96, dir)]);
    try {
      const mix = await trainMixClassifiers(catalog, { profil: "rapide", modelsDir: models });
      assert.ok(mix.kind === "skipped");
      assert.match(mix.reason, /trop peu de données : 0 instant/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
