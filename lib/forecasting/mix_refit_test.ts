import assert from "node:assert/strict";
import { type MixFitKey, planMixRefit } from "./mix_refit.ts";
import { BRIEF_CLASSES } from "./classification.ts";

const DAY = 86_400_000;
const key: MixFitKey = {
  gbdt: { maxIter: 300, learningRate: 0.1 },
  profile: "complet",
  features: ["part_actuelle", "heure"],
  code: "abc",
  fixedScheme: BRIEF_CLASSES,
  trainingEnd: 100 * DAY,
};
const registered = (end: number, params: Record<string, unknown> = {}) => ({
  version: 7,
  createdAt: "2025-07-20T06:00:00.000Z",
  trainingData: [{ table: "eco2mix_silver", version: 12, rows: 15_000 }],
  params: {
    horizon_heures: 1,
    schema: BRIEF_CLASSES,
    features: ["part_actuelle", "heure"],
    // Key order differs: compared as canonical JSON.
    gbdt: { learningRate: 0.1, maxIter: 300 },
    profil: "complet",
    empreinte_code: "abc",
    fin_entrainement: new Date(end).toISOString(),
    ...params,
  },
});

Deno.test("auto reuses a classifier less than a week behind, with its scheme and rows", () => {
  const plan = planMixRefit("auto", registered(94 * DAY), key);
  assert.ok(!plan.refit);
  assert.equal(plan.version, 7);
  assert.equal(plan.rows, 15_000);
  assert.deepEqual(plan.scheme, BRIEF_CLASSES);
  assert.match(
    plan.reason,
    /classifieur du 2025-07-20 \(données jusqu'au 05\/04\/1970\) réutilisé/,
  );
  assert.ok(planMixRefit("auto", registered(93 * DAY), key).refit);
  assert.match(planMixRefit("auto", registered(93 * DAY), key).reason, /^7 jours de nouvelles/);
  assert.ok(!planMixRefit("auto", registered(93 * DAY), key, { refreshAfterMs: 8 * DAY }).refit);
});

Deno.test("auto refits when anything that shaped the classifier changed, and says what", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ gbdt: { maxIter: 60, learningRate: 0.1 } }, "paramètres"],
    [{ profil: "rapide" }, "paramètres"],
    [{ features: ["heure"] }, "caractéristiques"],
    [{ empreinte_code: "old" }, "code de la classification"],
    [{ schema: { ...BRIEF_CLASSES, bounds: [25, 50, 70] } }, "classes"],
  ];
  for (const [params, what] of cases) {
    const plan = planMixRefit("auto", registered(99 * DAY, params), key);
    assert.ok(plan.refit, what);
    assert.match(plan.reason, new RegExp(`: ${what}$`));
  }
  // A scheme computed at each fit (terciles) is the registered one, whatever its bounds.
  const terciles = { name: "terciles", labels: ["bas", "moyen", "haut"], bounds: [21.5, 28.2] };
  const plan = planMixRefit("auto", registered(99 * DAY, { schema: terciles }), {
    ...key,
    fixedScheme: null,
  });
  assert.ok(!plan.refit && plan.scheme === terciles);
});

Deno.test("a classifier trained past the current test start, or of unknown end, is never reused", () => {
  assert.ok(planMixRefit("auto", registered(101 * DAY), key).refit);
  assert.ok(planMixRefit("aucun", registered(101 * DAY), key).refit);
  assert.ok(planMixRefit("auto", registered(99 * DAY, { fin_entrainement: undefined }), key).refit);
  assert.equal(planMixRefit("aucun", null, key).reason, "aucun classifieur enregistré");
});

Deno.test("complet always fits; aucun keeps a registered classifier whatever changed", () => {
  assert.ok(planMixRefit("complet", registered(100 * DAY), key).refit);
  const kept = planMixRefit("aucun", registered(50 * DAY, { empreinte_code: "old" }), key);
  assert.ok(!kept.refit);
  assert.match(kept.reason, /^reentrainement = aucun/);
});
