import assert from "node:assert/strict";
import { sharedDataPath } from "./shared_data.ts";

Deno.test("sharedDataPath finds the real 2025 real-time file", () => {
  const path = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
  assert.equal(Deno.statSync(path).size, 3_957_842);
});

Deno.test("sharedDataPath names the missing file and the variable to set", () => {
  assert.throws(() => sharedDataPath("no/such/file.xls"), /ECO2MIX_SHARED_DATA/);
});
