import assert from "node:assert/strict";
import { assertRuntime, checkRuntime, RuntimeCheckError } from "./runtime.ts";

Deno.test("runtime checks pass under the pinned Deno with polars' native module mapped", () => {
  const checks = checkRuntime();
  assert.deepEqual(checks.filter((c) => !c.ok), []);
  const native = checks.find((c) => c.check === "polars native module")!;
  assert.match(native.value, /nodejs-polars-linux-x64-(gnu|musl).*\.node$/);
  assertRuntime(checks);
});

Deno.test("a failed check is reported with its value and the remedy", () => {
  assert.throws(
    () => assertRuntime([{ check: "Deno", value: "1.0.0", ok: false }]),
    (e: unknown) =>
      e instanceof RuntimeCheckError && /Deno = 1\.0\.0.*npx -y deno@2\.9\.6/.test(e.message),
  );
});
