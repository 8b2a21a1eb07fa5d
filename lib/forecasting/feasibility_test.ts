import assert from "node:assert/strict";
import { NATIONAL_VIEW } from "../layers/gold.ts";
import {
  chooseNationalSeries,
  consumptionHorizonPlan,
  CV_MIN_TRAIN_DAYS,
  DEFAULT_LEARNER,
  definedForecasts,
  FIT_MIN_DAYS,
  MAINLAND_REGION_COUNT,
  mixClassesPlan,
  mixDataPlan,
  referenceInputDecision,
  skip,
  skippedWhole,
  usableFeatures,
} from "./feasibility.ts";
import { PROFILES } from "./forecaster_config.ts";
import { CV_GAP_ROWS } from "./forecasting.ts";
import { featureMatrix } from "../ml/mod.ts";

const REGIONS = Array.from({ length: MAINLAND_REGION_COUNT }, (_, i) => `région ${i + 1}`);

Deno.test("national series: France first, then the 12 regions, else skipped", () => {
  assert.equal(MAINLAND_REGION_COUNT, 12);
  assert.deepEqual(chooseNationalSeries("s", ["France", ...REGIONS], 0), {
    kind: "france",
    perimeter: "France",
  });
  assert.deepEqual(chooseNationalSeries("s", REGIONS, 17_520), {
    kind: "somme_regions",
    perimeter: NATIONAL_VIEW,
    regions: 12,
  });
  const eleven = chooseNationalSeries("s", REGIONS.slice(1), 17_520);
  assert.equal(eleven.kind, "skipped");
  assert.ok(
    eleven.kind === "skipped" && eleven.step === "s" && /11 régions sur 12/.test(eleven.reason),
  );
  const never = chooseNationalSeries("s", REGIONS, 0);
  assert.ok(never.kind === "skipped" && /jamais toutes présentes/.test(never.reason));
  const none = chooseNationalSeries("s", [], 0);
  assert.ok(none.kind === "skipped" && /aucune donnée/.test(none.reason));
});

Deno.test("reference input: kept at 90 % coverage of test and training, else dropped", () => {
  const series = (n: number, known: number) =>
    Array.from({ length: n }, (_, i) => (i < known ? 12 : NaN));
  assert.equal(
    referenceInputDecision("temperatures", { train: series(100, 90), test: series(10, 9) }).kind,
    "used",
  );
  const test = referenceInputDecision("temperatures", {
    train: series(100, 100),
    test: series(10, 8),
  });
  assert.ok(test.kind === "skipped");
  assert.equal(test.step, "variables de température (prévision de la consommation)");
  assert.match(test.reason, /80 % des demi-heures de test \(il en faut 90 %\)/);
  const train = referenceInputDecision("tempo", { train: series(100, 13), test: series(10, 10) });
  assert.ok(train.kind === "skipped" && /13 % des demi-heures d'apprentissage/.test(train.reason));
  assert.ok(!train.reason.includes("de test"));
  // Temperatures that start after the training rows: unknown on them.
  const late = referenceInputDecision("temperatures", { train: series(100, 0), test: [1] });
  assert.ok(late.kind === "skipped" && /0 % des demi-heures d'apprentissage/.test(late.reason));
  // No training row at all (a few days of data): judged on the test period only.
  assert.equal(referenceInputDecision("tempo", { train: [], test: [1] }).kind, "used");
  assert.equal(referenceInputDecision("tempo", { train: [], test: [] }).kind, "used");
});

Deno.test("consumption horizon: the profile's folds when they fit, shorter, fewer, default, skip", () => {
  const profile = PROFILES.complet; // 5 folds of 28 days
  const plan = (trainRows: number, testRows = 100, horizon: "h1" | "j1" = "j1") =>
    consumptionHorizonPlan({ horizon, trainRows, testRows, profile });
  const minTrain = CV_MIN_TRAIN_DAYS * 48;
  // Exactly enough for the profile: unchanged.
  const exact = CV_GAP_ROWS.j1 + minTrain + 5 * 28 * 48;
  assert.deepEqual(plan(exact), {
    kind: "run",
    selection: { kind: "validation_croisee", folds: 5, foldDays: 28, adaptation: null },
  });
  // One row fewer: five folds of 27 days, and the notebook is told why.
  const shorter = plan(exact - 1);
  assert.ok(shorter.kind === "run" && shorter.selection.kind === "validation_croisee");
  assert.equal(shorter.selection.foldDays, 27);
  assert.equal(shorter.selection.folds, 5);
  assert.match(shorter.selection.adaptation!, /5 plis de 27 jour/);
  // Room for three one-day folds only: fewer folds.
  const fewer = plan(CV_GAP_ROWS.j1 + minTrain + 3 * 48);
  assert.ok(fewer.kind === "run" && fewer.selection.kind === "validation_croisee");
  assert.deepEqual([fewer.selection.folds, fewer.selection.foldDays], [3, 1]);
  // Below two one-day folds: the default learner, its skipped selection recorded.
  const fallback = plan(CV_GAP_ROWS.j1 + minTrain + 2 * 48 - 1);
  assert.ok(fallback.kind === "run" && fallback.selection.kind === "defaut");
  assert.equal(fallback.selection.learner, DEFAULT_LEARNER);
  assert.equal(fallback.selection.skipped.step, "sélection du modèle par validation croisée (j1)");
  // The gap is the horizon's: h1 holds two one-day folds on fewer rows than j1.
  const h1 = plan(CV_GAP_ROWS.h1 + minTrain + 2 * 48, 100, "h1");
  assert.ok(h1.kind === "run" && h1.selection.kind === "validation_croisee");
  // Fewer than two days of training, or no test row: skipped.
  const few = plan(FIT_MIN_DAYS * 48 - 1);
  assert.ok(few.kind === "skipped");
  assert.equal(few.step, "prévision de la consommation la veille à 12:00 (j1)");
  assert.match(few.reason, /95 demi-heure\(s\) d'apprentissage et 100 de test/);
  assert.equal(plan(FIT_MIN_DAYS * 48).kind, "run");
  assert.equal(plan(10_000, 0).kind, "skipped");
});

Deno.test("usable features: a feature without any value in training or in test is dropped", () => {
  const x = featureMatrix({
    lag_1h: [NaN, 2, 3, NaN],
    tempo: [1, 1, NaN, NaN], // known in training only
    temperature: [NaN, NaN, 5, 6], // known in test only
    heure: [0, 1, 2, 3],
  });
  const rows = { train: [0, 1], test: [2, 3] };
  assert.deepEqual(
    usableFeatures(x, rows, ["heure", "tempo", "temperature", "lag_1h"], "lag_1h"),
    { features: ["heure", "lag_1h"], dropped: ["tempo", "temperature"] },
  );
  // The reference level stays even when it is unknown (the plan then finds no usable row).
  const unknown = featureMatrix({ lag_1h: [NaN, NaN, NaN, NaN] });
  assert.deepEqual(usableFeatures(unknown, rows, ["lag_1h"], "lag_1h").dropped, []);
});

Deno.test("defined forecasts: those without a single value are set apart", () => {
  const { defined, absent } = definedForecasts({
    gbdt: Float64Array.of(1, 2),
    persistance: Float64Array.of(NaN, 2),
    rte_j1: Float64Array.of(NaN, NaN),
    rte_j: new Float64Array(0),
  });
  assert.deepEqual(Object.keys(defined), ["gbdt", "persistance"]);
  assert.deepEqual(absent, ["rte_j1", "rte_j"]);
});

Deno.test("mix: a day of training instants at the series' step, one test instant, two classes", () => {
  assert.equal(mixDataPlan({ trainInstants: 48, testInstants: 1, stepMinutes: 30 }).kind, "run");
  const short = mixDataPlan({ trainInstants: 47, testInstants: 12, stepMinutes: 30 });
  assert.ok(short.kind === "skipped");
  assert.equal(short.step, "classification du mix énergétique");
  assert.match(short.reason, /47 instant\(s\) d'apprentissage et 12 de test au pas de 30 minutes/);
  assert.equal(
    mixDataPlan({ trainInstants: 500, testInstants: 0, stepMinutes: 15 }).kind,
    "skipped",
  );
  const one = mixClassesPlan("brief", ["<30 %", null, "<30 %"]);
  assert.ok(one.kind === "skipped");
  assert.equal(one.step, "classification du mix énergétique (classes du cahier des charges)");
  assert.match(one.reason, /une seule classe observée avant la période de test \(<30 %\)/);
  assert.ok(
    mixClassesPlan("terciles", [null, null]).kind === "skipped",
  );
  assert.equal(mixClassesPlan("brief", ["<30 %", "30-50 %"]).kind, "run");
});

Deno.test("a step whose parts were all skipped gives one record with every reason", () => {
  const step = "prévision de la consommation";
  const whole = skippedWhole(step, [
    skip(`${step} une heure avant (h1)`, "trop peu de données"),
    skip(`${step} la veille à 12:00 (j1)`, "trop peu de données"),
  ]);
  assert.deepEqual(
    whole,
    skip(
      step,
      "une heure avant (h1) : trop peu de données ; la veille à 12:00 (j1) : trop peu de données",
    ),
  );
  // Identical parts are said once.
  assert.deepEqual(skippedWhole("x", [skip("y", "r"), skip("y", "r")]), skip("x", "y : r"));
});
