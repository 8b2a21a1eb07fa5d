import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import { NATIONAL_VIEW } from "../layers/gold.ts";
import { ML_STEPS } from "../forecasting/mod.ts";
import { openCatalog } from "./catalog.ts";
import { MlStepError, prepareConsumptionFeatures } from "./features_step.ts";
import {
  lakehouseOf,
  prepareWithReference,
  referenceWithTemperaturesUntilMay2025,
  regional2014,
  setup2025,
  tableOf,
  TR_2025,
  withCutsOf2025,
} from "./_ml_step_testdata.ts";

Deno.test("features of both horizons on the 2025 file", async () => {
  const { root, catalog, reference } = await setup2025();
  try {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");
    assert.equal(prep.perimeter, "France");
    // Temperatures and Tempo cover the 2025 file: every feature is used.
    assert.deepEqual([prep.inputs, prep.skipped], [{ temperatures: true, tempo: true }, []]);
    assert.equal(prep.historySource, "none");
    assert.equal(prep.levelShift, null);
    assert.equal(prep.reference.missing.length, 1);
    assert.ok(prep.audit.every((a) => a.unchanged === a.rowsBefore && a.changed > 0));
    // The last 20 % of the 9,869 measured half-hours (counted in series_test.ts) are the test.
    const test = prep.summary.filter((r) => r.split === "test");
    assert.deepEqual(test.map((r) => r.rows), [1974, 1974]);
    assert.deepEqual(
      prep.summary.filter((r) => r.split === "prevision").map((r) => [r.horizon, r.rows]),
      [["h1", 2], ["j1", 48]], // the next hour; 26 July 2025, a 48-half-hour day
    );
    const stored = await catalog.table("caracteristiques_consommation").read();
    assert.equal(stored.height, prep.frame.height);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("features: silver missing says what to run first", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await assert.rejects(
    () => prepareConsumptionFeatures(catalog),
    (e: unknown) => e instanceof MlStepError && /notebooks 02 and 03/.test(e.message),
  );
});

Deno.test("features, regional files only: the sum of the 12 regions is the national series", async () => {
  const { root, catalog, reference } = await regional2014();
  try {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");
    assert.equal(prep.perimeter, NATIONAL_VIEW);
    // 2014: temperatures start in 2016, Tempo in September 2014; both are left out, and said.
    assert.deepEqual(prep.inputs, { temperatures: false, tempo: false });
    assert.deepEqual(prep.skipped.map((s) => s.step), [
      "variables de température (prévision de la consommation)",
      "variable Tempo (prévision de la consommation)",
    ]);
    assert.match(prep.skipped[0].reason, /0 % des demi-heures de test/);
    assert.equal(prep.thermosensitivity, null);
    assert.ok(!prep.frame.columns.includes("temperature"));
    // The last 20 % of the 17,520 half-hours of 2014.
    assert.deepEqual(
      prep.summary.filter((r) => r.split === "test").map((r) => r.rows),
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
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("features, fewer than 12 regions: no national series, skipped and the table emptied", async () => {
  const { root, catalog, reference } = await lakehouseOf(
    REGIONAL_2014.slice(0, 2).map((f) => sharedDataPath(f)),
  );
  try {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "skipped");
    assert.equal(prep.step, ML_STEPS.preparation);
    assert.match(prep.reason, /2 régions sur 12 \(Auvergne-Rhône-Alpes, Bourgogne-Franche-Comté\)/);
    const features = await tableOf(catalog, "caracteristiques_consommation");
    assert.equal(features.rows, 0);
    assert.ok(features.columns.includes("lag_1h") && features.columns.includes("jeu"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("features, temperatures that stop before the test period: their features are left out", async () => {
  const { root, catalog, reference } = await lakehouseOf([TR_2025]);
  try {
    await referenceWithTemperaturesUntilMay2025(reference);
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");
    assert.deepEqual(prep.inputs, { temperatures: false, tempo: true });
    assert.deepEqual(prep.skipped.map((s) => s.step), [
      "variables de température (prévision de la consommation)",
    ]);
    assert.match(prep.skipped[0].reason, /0 % des demi-heures de test/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("features, a few days of data: every row is a forecast to make", async () => {
  await withCutsOf2025([4 * 96, 400], async ({ catalog, reference }) => {
    const prep = await prepareWithReference(catalog, reference);
    assert.ok(prep.kind === "prepared");
    // Every row needs a week of measurements before it: only forecasts to make.
    assert.deepEqual(prep.summary.map((r) => r.split), ["prevision", "prevision"]);
  });
});
