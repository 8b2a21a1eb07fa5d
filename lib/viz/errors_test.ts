import assert from "node:assert/strict";
import { ChromiumError, VizEnvironmentError, VizInputError } from "./errors.ts";

Deno.test("typed errors carry their names and hierarchy", () => {
  const input = new VizInputError("silver: missing column(s) consommation");
  assert.equal(input.name, "VizInputError");
  assert.ok(input instanceof Error && !(input instanceof VizEnvironmentError));
  const chromium = new ChromiumError("Chromium not found");
  assert.equal(chromium.name, "ChromiumError");
  assert.ok(chromium instanceof VizEnvironmentError);
  assert.equal(String(chromium), "ChromiumError: Chromium not found");
});
