import assert from "node:assert/strict";
import { HORIZONS, type TemperatureInput } from "./features.ts";
import { FORECAST_TEMPERATURE_FEATURES, TEMPERATURE_FEATURES } from "./weather.ts";
import {
  modelFeatures,
  REFERENCE_FEATURE,
  TAKES_TEMPERATURE,
  TEMPERATURE_SUFFIX,
  UNUSED_FEATURES,
} from "./forecaster_config.ts";

Deno.test("model features: never the unused ones, always the horizon's reference level", () => {
  for (const horizon of Object.keys(HORIZONS) as (keyof typeof HORIZONS)[]) {
    for (const temperature of Object.keys(TEMPERATURE_SUFFIX) as TemperatureInput[]) {
      const names = modelFeatures(horizon, { temperature });
      assert.ok(!UNUSED_FEATURES.some((u) => names.includes(u)), `${horizon} ${temperature}`);
      assert.ok(names.includes(REFERENCE_FEATURE[horizon]), `${horizon} ${temperature}`);
    }
  }
  assert.deepEqual(modelFeatures("h1", { temperature: "none" }).includes("eolien_solaire"), false);
});

Deno.test("model features: temperatures of the input asked for, none one hour ahead", () => {
  const temperatures = (names: string[]) => ({
    observed: names.filter((n) => (TEMPERATURE_FEATURES as readonly string[]).includes(n)).length,
    forecast: names.filter((n) => (FORECAST_TEMPERATURE_FEATURES as readonly string[]).includes(n))
      .length,
  });
  assert.deepEqual(TAKES_TEMPERATURE, { h1: false, j1: true });
  for (const temperature of ["forecast", "observed", "none"] as const) {
    assert.deepEqual(temperatures(modelFeatures("h1", { temperature })), {
      observed: 0,
      forecast: 0,
    });
  }
  const n = TEMPERATURE_FEATURES.length;
  assert.deepEqual(temperatures(modelFeatures("j1", { temperature: "forecast" })), {
    observed: 0,
    forecast: n,
  });
  assert.deepEqual(temperatures(modelFeatures("j1", { temperature: "observed" })), {
    observed: n,
    forecast: 0,
  });
  assert.deepEqual(temperatures(modelFeatures("j1", { temperature: "none" })), {
    observed: 0,
    forecast: 0,
  });
});
