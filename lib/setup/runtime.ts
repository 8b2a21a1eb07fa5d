/**
 * Runtime checks shown by notebook 01: the Deno and TypeScript versions, nodejs-polars, and
 * whether its native module is really loaded (a missing platform build fails only at first
 * use, so the check computes something).
 *
 * @module
 */

import pl from "nodejs-polars";

/** One runtime check. */
export interface RuntimeCheck {
  check: string;
  value: string;
  ok: boolean;
}

/** A runtime check failed. */
export class RuntimeCheckError extends Error {
  override name = "RuntimeCheckError";
}

/** Pinned versions this project is tested with. */
export const PINNED = { deno: "2.9.6", polars: "0.25.2" } as const;

function nativePolarsModule(): string | null {
  try {
    // Linux lists the shared objects mapped into the process.
    const maps = Deno.readTextFileSync("/proc/self/maps");
    return maps.match(/\S*nodejs-polars[^\s]*\.node/)?.[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Runs the checks. Each says what was found and whether it is acceptable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRuntime } from "./runtime.ts";
 * const checks = checkRuntime();
 * assert.ok(checks.every((c) => c.ok));
 * ```
 */
export function checkRuntime(): RuntimeCheck[] {
  let computed = "";
  try {
    const df = pl.DataFrame({ mw: [1000, 2000, 3000] });
    computed = String(df.getColumn("mw").sum());
  } catch (e) {
    computed = `error: ${(e as Error).message}`;
  }
  const native = nativePolarsModule();
  return [
    { check: "Deno", value: Deno.version.deno, ok: Deno.version.deno === PINNED.deno },
    { check: "V8", value: Deno.version.v8, ok: true },
    { check: "TypeScript", value: Deno.version.typescript, ok: true },
    { check: "OS", value: `${Deno.build.os} ${Deno.build.arch}`, ok: true },
    { check: "nodejs-polars", value: pl.version, ok: pl.version === PINNED.polars },
    {
      check: "polars native module",
      value: native ?? (Deno.build.os === "linux" ? "not mapped" : "(not inspectable here)"),
      ok: native !== null || Deno.build.os !== "linux",
    },
    { check: "polars computation (1000+2000+3000)", value: computed, ok: computed === "6000" },
  ];
}

/**
 * Throws a {@linkcode RuntimeCheckError} listing the failed checks, if any.
 *
 * @example
 * ```ts
 * import { assertRuntime, checkRuntime } from "./runtime.ts";
 * assertRuntime(checkRuntime());
 * ```
 */
export function assertRuntime(checks: RuntimeCheck[]): void {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) {
    throw new RuntimeCheckError(
      `runtime checks failed: ${failed.map((c) => `${c.check} = ${c.value}`).join("; ")} ` +
        `(expected Deno ${PINNED.deno} and nodejs-polars ${PINNED.polars}: run through ` +
        `"npx -y deno@${PINNED.deno}")`,
    );
  }
}
