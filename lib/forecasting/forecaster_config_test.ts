import assert from "node:assert/strict";
import { HORIZONS, type TemperatureInput } from "./features.ts";
import {
  modelFeatures,
  REFERENCE_FEATURE,
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
