import assert from "node:assert/strict";
import { featureMatrix, MlInputError } from "../ml/mod.ts";
import {
  fitThermalTerm,
  MIN_THERMAL_ROWS,
  thermalTermFeatures,
  thermalTermValues,
  withoutOtherTerms,
} from "./thermal_term.ts";

Deno.test("thermal term: fitted on the rows where every feature is known, two features apart", () => {
  const n = 3_000;
  const a = Array.from({ length: n }, (_, i) => (i % 13) - 6);
  const b = Array.from({ length: n }, (_, i) => ((i * 7) % 11) - 5);
  // Unknown temperatures on some rows, whose target is garbage: they must not move the line.
  const known = (i: number) => i % 10 !== 3;
  const x = featureMatrix({
    ecart_degres_chauffe_lisses: a.map((v, i) => (known(i) ? v : NaN)),
    ecart_degres_chauffe: b,
  });
  const target = a.map((v, i) => (known(i) ? 1 + 0.03 * v + 0.01 * b[i] : 50));
  const term = fitThermalTerm(x, target, ["ecart_degres_chauffe_lisses", "ecart_degres_chauffe"])!;
  assert.ok(Math.abs(term.coefficients[0] - 0.03) < 1e-9, String(term.coefficients));
  assert.ok(Math.abs(term.coefficients[1] - 0.01) < 1e-9, String(term.coefficients));
  // On a row with an unknown feature, only the known one contributes.
  const values = thermalTermValues(term, x);
  assert.ok(Math.abs(values[3] - 0.01 * b[3]) < 1e-12);
});

Deno.test("thermal term: none without features or known rows, an error for a missing input", () => {
  const x = featureMatrix({ ecart_degres_chauffe: [1, 2, 3] });
  assert.equal(fitThermalTerm(x, [1, 2, 3], []), null);
  assert.equal(fitThermalTerm(x, [1, 2, 3], ["ecart_degres_chauffe"]), null);
  const few = MIN_THERMAL_ROWS - 1;
  const y = Array.from({ length: MIN_THERMAL_ROWS }, (_, i) => i);
  const almost = featureMatrix({
    ecart_degres_chauffe: y.map((v, i) => (i < few ? v : NaN)),
  });
  assert.equal(fitThermalTerm(almost, y, ["ecart_degres_chauffe"]), null);
  assert.throws(() => fitThermalTerm(x, [1, 2, 3], ["temperature"]), MlInputError);
});

Deno.test("thermal term features: the observed or forecast form the model is given, day-ahead only", () => {
  const live = ["ecart_degres_chauffe_lisses_prevision", "ecart_degres_chauffe_prevision"];
  const week = ["ecart_degres_chauffe_lisses_7j_prevision", "ecart_degres_chauffe_7j_prevision"];
  assert.deepEqual(thermalTermFeatures("moyenne_24h", ["heure", ...live, ...week]), live);
  assert.deepEqual(thermalTermFeatures("moyenne_7j", ["heure", ...live, ...week]), week);
  assert.deepEqual(thermalTermFeatures("moyenne_24h", ["heure"]), []);
  assert.deepEqual(thermalTermFeatures("lag_1h", live), []);
});

Deno.test("a model is given the term features of its own reference only, in both forms", () => {
  const features = [
    "heure",
    "ecart_degres_chauffe",
    "ecart_degres_chauffe_prevision",
    "ecart_degres_chauffe_7j_prevision",
    "ecart_degres_chauffe_lisses_7j",
  ];
  assert.deepEqual(withoutOtherTerms("moyenne_7j", features), [
    "heure",
    "ecart_degres_chauffe_7j_prevision",
    "ecart_degres_chauffe_lisses_7j",
  ]);
  assert.deepEqual(withoutOtherTerms("moyenne_24h", features), features.slice(0, 3));
});
