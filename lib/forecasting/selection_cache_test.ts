import assert from "node:assert/strict";
import { join } from "node:path";
import { featureMatrix, fitRidge, ModelRegistry } from "../ml/mod.ts";
import {
  fingerprintRows,
  type ModelSelection,
  newSelection,
  planRetraining,
  retrainingRecord,
  SelectionCacheError,
  type SelectionConfig,
  selectionKey,
  SelectionStore,
  type TrainingDataFingerprint,
} from "./selection_cache.ts";

const CONFIG: SelectionConfig = {
  name: "consommation_h1",
  profile: "complet",
  learners: { ridge: { alpha: 1 }, gbdt: { maxIter: 600, learningRate: 0.1 } },
  validation: { folds: 5, foldDays: 28, gap: 2 },
  features: ["heure", "jour_semaine", "lag_1h"],
  featureCode: "f".repeat(64),
  learnerCode: "l".repeat(64),
};
const DATA: TrainingDataFingerprint = { sha256: "a", rows: 100_000, first: 0, last: 99_999 };

function fitted(config = CONFIG, data = DATA): ModelSelection {
  const s = newSelection({
    config,
    data,
    champion: "gbdt",
    params: { maxIter: 600 },
    scores: [{ learner: "gbdt", score: 0.76 }, { learner: "ridge", score: 1.07 }],
    selectedAt: new Date("2025-07-26T10:00:00Z"),
  });
  s.fit = { data, versions: { consommation_h1: 4 }, fittedAt: "2025-07-26T10:05:00.000Z" };
  return s;
}

Deno.test("planRetraining: auto selects, refits or does nothing; the reason says why", () => {
  assert.equal(planRetraining("auto", null, { config: CONFIG, data: DATA }).case, "selection");
  const cached = fitted();
  const same = planRetraining("auto", cached, { config: CONFIG, data: DATA });
  assert.equal(same.case, "inchange");
  assert.equal(same.selection, cached);
  // One more day of half-hours: the selection stands, the models are refitted.
  const day = { sha256: "b", rows: 100_048, first: 0, last: 100_047 };
  const refit = planRetraining("auto", cached, { config: CONFIG, data: day });
  assert.equal(refit.case, "reajustement");
  assert.match(refit.reason, /augmentées de 48 ligne/);
  assert.equal(same.scope, "none");
  assert.equal(refit.scope, "champion");
  // Revised values, same rows.
  const revised = planRetraining("auto", cached, {
    config: CONFIG,
    data: { ...DATA, sha256: "c" },
  });
  assert.equal(revised.case, "reajustement");
  assert.match(revised.reason, /révisées/);
  // A configuration change names what changed.
  const features = { ...CONFIG, features: [...CONFIG.features, "mois"] };
  const changed = planRetraining("auto", cached, { config: features, data: DATA });
  assert.equal(changed.case, "selection");
  assert.match(changed.reason, /caractéristiques/);
  const code = planRetraining("auto", cached, {
    config: { ...CONFIG, learnerCode: "m".repeat(64) },
    data: DATA,
  });
  assert.match(code.reason, /code des apprenants/);
  assert.doesNotMatch(code.reason, /caractéristiques/);
});

Deno.test("planRetraining: auto selects again when the rows grew past reselectAfter", () => {
  const cached = fitted();
  const year = { sha256: "d", rows: 117_520, first: 0, last: 117_519 };
  assert.equal(planRetraining("auto", cached, { config: CONFIG, data: year }).case, "selection");
  const lenient = planRetraining("auto", cached, { config: CONFIG, data: year }, {
    reselectAfter: 0.25,
  });
  assert.equal(lenient.case, "reajustement");
});

Deno.test("planRetraining: the comparison models are refitted a week after their last fit", () => {
  const WEEK = 7 * 86_400_000;
  const cached = fitted();
  const at = (last: number, sha256: string) => ({ sha256, rows: 100_048, first: 0, last });
  const week = planRetraining("auto", cached, { config: CONFIG, data: at(DATA.last! + WEEK, "w") });
  assert.equal(week.scope, "all");
  assert.doesNotMatch(week.reason, /seul le modèle retenu/);
  const daily = planRetraining("auto", cached, { config: CONFIG, data: at(DATA.last! + 1, "d") });
  assert.equal(daily.scope, "champion");
  assert.match(daily.reason, /après 7 jours de nouvelles données/);
  // The week counts from the comparisons' fit, not from the champion's daily refits.
  cached.fit = {
    ...cached.fit!,
    data: at(DATA.last! + WEEK - 1, "x"),
    comparisonData: DATA,
  };
  const next = planRetraining("auto", cached, { config: CONFIG, data: at(DATA.last! + WEEK, "y") });
  assert.equal(next.scope, "all");
  assert.equal(
    planRetraining("auto", cached, { config: CONFIG, data: at(DATA.last! + WEEK, "y") }, {
      refreshComparisonsAfterMs: 2 * WEEK,
    }).scope,
    "champion",
  );
});

Deno.test("planRetraining: a selection never fitted is refitted, not reported unchanged", () => {
  const unfitted = { ...fitted(), fit: null };
  const plan = planRetraining("auto", unfitted, { config: CONFIG, data: DATA });
  assert.equal(plan.case, "reajustement");
  assert.equal(plan.scope, "all");
  assert.equal(
    planRetraining("aucun", unfitted, { config: CONFIG, data: DATA }).case,
    "sans_modele",
  );
});

Deno.test("planRetraining: complet always selects, aucun never trains", () => {
  const cached = fitted();
  assert.equal(planRetraining("complet", cached, { config: CONFIG, data: DATA }).case, "selection");
  const other = { sha256: "e", rows: 5, first: 0, last: 4 };
  const kept = planRetraining("aucun", cached, {
    config: { ...CONFIG, profile: "rapide" },
    data: other,
  });
  assert.equal(kept.case, "modeles_enregistres");
  assert.match(kept.reason, /profil, données d'entraînement/);
  assert.equal(planRetraining("aucun", null, { config: CONFIG, data: DATA }).case, "sans_modele");
});

Deno.test("fingerprintRows: any value, name, instant or NaN position changes it", () => {
  const x = featureMatrix({ heure: [0, 0.5, 1], lag_1h: [50_000, NaN, 52_000] });
  const y = [50_500, 51_000, 52_500];
  const t = [0, 1_800_000, 3_600_000];
  const base = fingerprintRows(x, y, t).sha256;
  assert.equal(
    fingerprintRows(featureMatrix({ heure: [0, 0.5, 1], lag_1h: [50_000, NaN, 52_000] }), y, t)
      .sha256,
    base,
  );
  const variants = [
    fingerprintRows(featureMatrix({ heure: [0, 0.5, 1], lag_1h: [50_000, 51_000, 52_000] }), y, t),
    fingerprintRows(featureMatrix({ heure: [0, 0.5, 1], lag_1s: [50_000, NaN, 52_000] }), y, t),
    fingerprintRows(x, [50_500, 51_000, 52_501], t),
    fingerprintRows(x, y, [0, 1_800_000, 3_600_001]),
    fingerprintRows(x, y),
  ];
  for (const v of variants) assert.notEqual(v.sha256, base);
  assert.throws(() => fingerprintRows(x, [1, 2]), SelectionCacheError);
});

Deno.test("fingerprintRows: NaN bit patterns do not matter", () => {
  const quiet = new Float64Array([1, NaN]);
  const other = new Float64Array([1, 0]);
  // A NaN with another payload.
  new DataView(other.buffer).setBigUint64(8, 0x7ff8_0000_0000_0001n, true);
  assert.ok(Number.isNaN(other[1]));
  const a = fingerprintRows({ names: ["v"], columns: [quiet], nRows: 2 }, [1, 2]);
  const b = fingerprintRows({ names: ["v"], columns: [other], nRows: 2 }, [1, 2]);
  assert.equal(a.sha256, b.sha256);
});

Deno.test("selectionKey ignores key order, not values", () => {
  const reordered: SelectionConfig = {
    learnerCode: CONFIG.learnerCode,
    featureCode: CONFIG.featureCode,
    features: CONFIG.features,
    validation: { gap: 2, foldDays: 28, folds: 5 },
    learners: { gbdt: { learningRate: 0.1, maxIter: 600 }, ridge: { alpha: 1 } },
    profile: "complet",
    name: "consommation_h1",
  };
  assert.equal(selectionKey(reordered), selectionKey(CONFIG));
  assert.notEqual(
    selectionKey({ ...CONFIG, learners: { ...CONFIG.learners, ridge: { alpha: 2 } } }),
    selectionKey(CONFIG),
  );
});

Deno.test("SelectionStore: save, record a fit, reload; corrupt files are errors naming the file", async () => {
  const root = await Deno.makeTempDir();
  const store = new SelectionStore(root);
  assert.equal(await store.load("consommation_h1"), null);
  const selection = newSelection({
    config: CONFIG,
    data: DATA,
    champion: "gbdt",
    params: { maxIter: 600 },
    scores: [{ learner: "gbdt", score: 0.76, others: { rmse: 410 } }],
    details: { folds: [0.7, 0.8] },
  });
  await store.save(selection);
  assert.deepEqual(await store.load("consommation_h1"), selection);
  const day = { ...DATA, sha256: "b", rows: DATA.rows + 48 };
  const recorded = await store.recordFit("consommation_h1", {
    data: day,
    versions: { consommation_h1: 7, consommation_h1_sans_temperature: 3 },
    fittedAt: new Date("2025-07-27T00:00:00Z"),
  });
  const reloaded = await store.load("consommation_h1");
  assert.deepEqual(reloaded, recorded);
  assert.equal(reloaded?.fit?.fittedAt, "2025-07-27T00:00:00.000Z");
  // Without comparisonData the comparisons were fitted with the champion.
  assert.deepEqual(reloaded?.fit?.comparisonData, day);
  const champion = await store.recordFit("consommation_h1", {
    data: { ...day, sha256: "c" },
    versions: { consommation_h1: 8, consommation_h1_sans_temperature: 3 },
    comparisonData: day,
  });
  assert.deepEqual((await store.load("consommation_h1"))?.fit, champion.fit);
  assert.equal(champion.fit?.comparisonData?.sha256, "b");
  await store.recordFit("consommation_h1", { data: day, versions: recorded.fit!.versions });
  assert.equal(planRetraining("auto", reloaded, { config: CONFIG, data: day }).case, "inchange");
  await assert.rejects(
    () => store.recordFit("consommation_j1", { data: DATA, versions: {} }),
    SelectionCacheError,
  );

  const path = join(root, "_selections", "consommation_h1.json");
  await Deno.writeTextFile(path, "{");
  await assert.rejects(
    () => store.load("consommation_h1"),
    (e: Error) => e instanceof SelectionCacheError && e.message.includes(path),
  );
  // A hand-edited configuration no longer matches its key: never reused.
  const edited = { ...selection, config: { ...CONFIG, profile: "rapide" } };
  await Deno.writeTextFile(path, JSON.stringify(edited));
  await assert.rejects(() => store.load("consommation_h1"), /configKey does not match/);
  await store.remove("consommation_h1");
  assert.equal(await store.load("consommation_h1"), null);
  await store.remove("consommation_h1");
  await assert.rejects(() => store.load("../x"), /invalid model name/);
});

Deno.test("the registry records the case of a run and of a version, and lists no selection", async () => {
  const root = await Deno.makeTempDir();
  const registry = new ModelRegistry(root);
  const store = new SelectionStore(root);
  await store.save(newSelection({
    config: CONFIG,
    data: DATA,
    champion: "ridge",
    params: {},
    scores: [],
  }));
  const plan = planRetraining("auto", await store.load(CONFIG.name), {
    config: CONFIG,
    data: { ...DATA, sha256: "z" },
  });
  const record = retrainingRecord(plan);
  const model = fitRidge(featureMatrix({ t: [0, 1, 2] }), [1, 2, 4]);
  const info = await registry.register("consommation_h1", model, {
    metrics: {},
    trainingData: [],
    codeVersion: "abc",
    retraining: record,
  });
  assert.deepEqual((await registry.getVersion("consommation_h1", info.version)).retraining, record);
  await registry.logRun({ model: "consommation_h1", params: {}, metrics: {}, retraining: record });
  await registry.logRun({ model: "consommation_h1", params: {}, metrics: {} });
  const runs = await registry.listRuns();
  assert.equal(runs[0].retraining?.case, "reajustement");
  assert.equal(runs[1].retraining, null);
  assert.deepEqual(await registry.listModels(), ["consommation_h1"]);
});

Deno.test("planRetraining: a gbdt champion's leaves are re-estimated daily, its trees weekly", () => {
  const WEEK = 7 * 86_400_000;
  const at = (last: number, sha256: string) => ({ sha256, rows: 100_048, first: 0, last });
  const cached = fitted();
  const daily = planRetraining("auto", cached, { config: CONFIG, data: at(DATA.last! + 1, "d") });
  assert.deepEqual([daily.case, daily.scope, daily.method], [
    "reajustement",
    "champion",
    "feuilles_reestimees",
  ]);
  assert.match(daily.reason, /feuilles du modèle retenu sont réestimées/);
  assert.match(daily.reason, /arbres regrandis .* après 7 jours/);
  const weekly = planRetraining("auto", cached, {
    config: CONFIG,
    data: at(DATA.last! + WEEK, "w"),
  });
  assert.deepEqual([weekly.scope, weekly.method], ["all", "complet"]);
  assert.doesNotMatch(weekly.reason, /feuilles/);
  // The ensemble's boostings have their leaves re-estimated too.
  const ensemble = { ...cached, champion: "moyenne_modeles" };
  assert.equal(
    planRetraining("auto", ensemble, { config: CONFIG, data: at(DATA.last! + 1, "d") }).method,
    "feuilles_reestimees",
  );
  // Another champion is refitted in full every day; nothing fitted, no method.
  const ridge = { ...cached, champion: "ridge" };
  const ridgeDaily = planRetraining("auto", ridge, {
    config: CONFIG,
    data: at(DATA.last! + 1, "d"),
  });
  assert.deepEqual([ridgeDaily.scope, ridgeDaily.method], ["champion", "complet"]);
  assert.match(ridgeDaily.reason, /seul le modèle retenu est réajusté/);
  assert.equal(planRetraining("auto", cached, { config: CONFIG, data: DATA }).method, null);
  assert.equal(planRetraining("complet", cached, { config: CONFIG, data: DATA }).method, "complet");
  assert.equal(
    planRetraining("aucun", cached, { config: CONFIG, data: at(DATA.last! + 1, "d") }).method,
    null,
  );
});
