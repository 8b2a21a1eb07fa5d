import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  rteForecasts,
  standardPredictions,
  toImportanceData,
  toMixForecastData,
  toPredictionData,
} from "./ml.ts";
import { predictionsFigure } from "./figures.ts";
import { frameOf } from "./_testdata.ts";

const at = (iso: string) => new Date(iso);

Deno.test("standard predictions: UTC instants, default model and horizon, error recomputed", () => {
  const frame = pl.DataFrame({
    timestamp: [at("2025-06-01T10:00:00Z"), at("2025-06-01T10:15:00Z")],
    prediction: [50_500, 49_000],
    actual: [50_000, null],
    error: [-500, 0], // opposite sign: ignored
  }).withColumns(pl.col("timestamp").dt.convertTimeZone("Europe/Paris"));
  const std = standardPredictions(frame);
  assert.deepEqual(std.toRecords(), [
    {
      timestamp: at("2025-06-01T10:00:00Z"),
      model: "modèle",
      horizon: "",
      prediction: 50_500,
      actual: 50_000,
      error: 500,
    },
    {
      timestamp: at("2025-06-01T10:15:00Z"),
      model: "modèle",
      horizon: "",
      prediction: 49_000,
      actual: null,
      error: null,
    },
  ]);
  assert.ok(std.getColumn("timestamp").dtype.equals(pl.Datetime("ms", "UTC")));
});

Deno.test("prediction data: series in order of appearance, local minutes, hourly means", () => {
  const frame = pl.DataFrame({
    timestamp: [
      at("2025-10-26T00:30:00Z"), // 02:30 CEST
      at("2025-10-26T00:00:00Z"), // 02:00 CEST
      at("2025-10-26T01:00:00Z"), // 02:00 CET
      at("2025-10-26T00:00:00Z"),
    ],
    model: ["ridge", "ridge", "ridge", "gbdt"],
    horizon: ["1h", "1h", "1h", "1h"],
    prediction: [100, 200, 300, 400],
    actual: [110, 190, 310, 390],
  });
  const p = toPredictionData(frame);
  assert.deepEqual(p.days, ["2025-10-26"]);
  assert.deepEqual(p.series.map((s) => s.model), ["ridge", "gbdt"]);
  // The identifier stays; the name is the reader's (modelName of lib/notebook/labels.ts).
  assert.deepEqual(p.series.map((s) => s.name), ["ridge", "gradient boosting"]);
  const bound = toPredictionData(
    frame.withColumns(pl.lit("gbdt_temperature_observee").alias("model")),
  );
  assert.equal(bound.series[0].name, "gradient boosting, température observée (borne haute)");
  assert.deepEqual(p.series[0].minute, [120, 150, 120]); // time order, local clock
  assert.deepEqual(p.series[0].prediction, [200, 100, 300]);
  const hourly = toPredictionData(frame, { stepMinutes: 60 });
  assert.deepEqual(hourly.series[0].prediction, [150, 300]);
  assert.deepEqual(hourly.series[0].actual, [150, 310]);
  assert.deepEqual(hourly.series[0].minute, [120, 120]);
});

Deno.test("RTE forecasts: J-1 and J on the rows with a measured consumption", () => {
  const silver = frameOf([
    {
      at: "2025-01-01T00:00:00Z",
      perimetre: "France",
      consommation: 60_000,
      prevision_j1: 61_000,
      prevision_j: 60_200,
    },
    {
      at: "2025-01-01T00:15:00Z",
      perimetre: "France",
      consommation: null,
      prevision_j1: 60_000,
      prevision_j: 60_000,
    },
    {
      at: "2025-01-01T00:00:00Z",
      perimetre: "Bretagne",
      consommation: 3_000,
      prevision_j1: 3_100,
      prevision_j: 3_000,
    },
  ]);
  const rte = rteForecasts(silver);
  assert.deepEqual(rte.select("model", "horizon", "prediction", "actual", "error").toRecords(), [
    { model: "RTE", horizon: "J-1", prediction: 61_000, actual: 60_000, error: 1_000 },
    { model: "RTE", horizon: "J", prediction: 60_200, actual: 60_000, error: 200 },
  ]);
  assert.equal(
    rteForecasts(silver, { perimeter: "Bretagne" }).getColumn("error").toArray()[0],
    100,
  );
  assert.throws(() => rteForecasts(silver.drop(["prevision_j1", "prevision_j"])), {
    name: "VizInputError",
    message: /silver: missing column\(s\) prevision_j1/,
  });
});

Deno.test("feature importance: model column optional, no null row", () => {
  const imp = toImportanceData(
    pl.DataFrame({ feature: ["a", "b"], importance: [1, 2], model: ["m1", "m2"] }),
    "gain",
  );
  assert.deepEqual(imp, {
    feature: ["a", "b"],
    importance: [1, 2],
    model: ["m1", "m2"],
    unit: "gain",
  });
  assert.throws(
    () => toImportanceData(pl.DataFrame({ feature: ["a", null], importance: [1, 2] })),
    { name: "VizInputError", message: "feature_importance: row 1 has no feature or no importance" },
  );
});

Deno.test("intervals: P10-P90 carried through hourly means and drawn as a band with its coverage", () => {
  const t = [at("2025-06-01T10:00:00Z"), at("2025-06-01T10:30:00Z"), at("2025-06-01T11:00:00Z")];
  const frame = pl.DataFrame({
    timestamp_utc: [...t, ...t],
    model: ["gbdt", "gbdt", "gbdt", "rte_j1", "rte_j1", "rte_j1"],
    prediction: [50_000, 51_000, 52_000, 50_500, 50_500, 50_500],
    actual: [50_100, 52_000, 51_000, 50_100, 52_000, 51_000],
    p10: [49_000, 50_000, 50_500, null, null, null],
    p90: [51_000, 51_500, 53_000, null, null, null],
  });
  const hourly = toPredictionData(frame, { stepMinutes: 60 });
  const gbdt = hourly.series.find((s) => s.model === "gbdt")!;
  assert.deepEqual([gbdt.p10, gbdt.p90], [[49_500, 50_500], [51_250, 53_000]]);
  assert.equal(hourly.series.find((s) => s.model === "rte_j1")!.p10, undefined);
  const fig = predictionsFigure(frame);
  // Band (two traces) before the model's line; none for RTE.
  assert.deepEqual(fig.data.map((d) => d.name), [
    "Consommation réalisée",
    undefined,
    "P10-P90 gradient boosting",
    "gradient boosting",
    "prévision J-1 de RTE",
  ]);
  assert.equal(fig.data[2].fill, "tonexty");
  // 10:00 and 11:00 inside, 10:30 above P90: two thirds covered, said in the subtitle.
  assert.match(JSON.stringify(fig.layout), /P10-P90 : 67 % couverts/);
});

/** A `predictions_mix`-like frame: test rows, another model, both schemes, horizons unsorted. */
function mixFrame(schemes: readonly string[]): pl.DataFrame {
  const rows = [
    ["2025-07-25T23:45:00Z", 3, "prevision", "gbdt", "50-70 %"],
    ["2025-07-25T21:45:00Z", 1, "prevision", "gbdt", "<30 %"],
    ["2025-07-25T22:45:00Z", 2, "prevision", "gbdt", "30-50 %"],
    ["2025-07-25T21:45:00Z", 1, "prevision", "persistance", ">70 %"],
    ["2025-07-20T10:00:00Z", 1, "test", "gbdt", ">70 %"],
  ] as const;
  const all = schemes.flatMap((schema) =>
    rows.map(([t, h, periode, model, classe]) => ({
      timestamp_utc: at(t),
      horizon_heures: h,
      periode,
      schema,
      model,
      classe_predite: schema === "brief" ? classe : `${classe} (terciles)`,
    }))
  );
  return pl.DataFrame(all).withColumns(
    pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
  );
}

Deno.test("mix forecast: gbdt forecast rows only, brief's classes first, by horizon, Paris time", () => {
  const f = toMixForecastData(mixFrame(["terciles", "brief"]));
  assert.deepEqual(f, {
    schema: "classes du cahier des charges",
    horizonHours: [1, 2, 3],
    instant: ["25/07/2025 23:45", "26/07/2025 00:45", "26/07/2025 01:45"],
    predictedClass: ["<30 %", "30-50 %", "50-70 %"],
  });
});

Deno.test("mix forecast: terciles without the brief's classes, nothing without a forecast row", () => {
  const terciles = toMixForecastData(mixFrame(["terciles"]));
  assert.equal(terciles.schema, "terciles");
  assert.deepEqual(terciles.predictedClass, [
    "<30 % (terciles)",
    "30-50 % (terciles)",
    "50-70 % (terciles)",
  ]);
  const testOnly = mixFrame(["brief"]).filter(pl.col("periode").eq(pl.lit("test")));
  assert.deepEqual(toMixForecastData(testOnly), {
    schema: null,
    horizonHours: [],
    instant: [],
    predictedClass: [],
  });
});

Deno.test("mix forecast: a forecast without a class or a missing column is named", () => {
  const frame = mixFrame(["brief"]).withColumns(
    pl.when(pl.col("horizon_heures").eq(2)).then(pl.lit(null).cast(pl.Utf8))
      .otherwise(pl.col("classe_predite")).alias("classe_predite"),
  );
  assert.throws(() => toMixForecastData(frame), {
    name: "VizInputError",
    message: "predictions_mix: row 2 is a forecast without a class",
  });
  assert.throws(() => toMixForecastData(frame.drop("periode")), {
    name: "VizInputError",
    message: /^predictions_mix: missing column\(s\) periode/,
  });
});
