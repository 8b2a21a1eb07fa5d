/**
 * Where tests and benchmarks find the real RTE data (never copied into the project).
 *
 * The folder defaults to `../shared/data` next to the project root and can be moved with the
 * `ECO2MIX_SHARED_DATA` environment variable. A missing file throws: a test that silently skips
 * real data would pass without checking anything.
 *
 * One exception, for a fresh clone: when the variable is unset and the default folder does not
 * exist at all, `deno task test` calls {@linkcode skipTestsWithoutSharedData}, and every test
 * that fails because it reads that folder is reported with an ignored step naming the folder,
 * instead of failing. Setting the variable (as `.ci/run` does) turns this off.
 *
 * @module
 */

import { join } from "node:path";
import { PATHS } from "../paths.ts";

/** A shared data file is missing. */
export class SharedDataNotFoundError extends Error {
  override name = "SharedDataNotFoundError";
}

let skipping = false;
/** Whether the running test asked for a path under the absent folder (skipping mode only). */
let touched = false;

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The shared data folder, and whether it was named by `ECO2MIX_SHARED_DATA`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedDataRoot } from "./shared_data.ts";
 * assert.ok(sharedDataRoot().path.length > 0);
 * ```
 */
export function sharedDataRoot(): { path: string; explicit: boolean } {
  const named = Deno.env.get("ECO2MIX_SHARED_DATA");
  return named
    ? { path: named, explicit: true }
    : { path: join(PATHS.root, "..", "shared", "data"), explicit: false };
}

/**
 * Absolute path of a file under the shared data folder.
 *
 * @example
 * ```ts
 * import { sharedDataPath } from "./shared_data.ts";
 * const tr2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
 * ```
 */
export function sharedDataPath(...parts: string[]): string {
  const root = sharedDataRoot();
  const path = join(root.path, ...parts);
  if (exists(path)) return path;
  // Skipping (fresh clone): the path is returned, also to module-level constants, and the
  // test using it fails, which the wrapper of skipTestsWithoutSharedData recognises.
  if (skipping && !root.explicit && !exists(root.path)) {
    touched = true;
    return path;
  }
  throw new SharedDataNotFoundError(
    `Shared test data not found: ${path}. Set ECO2MIX_SHARED_DATA to the folder holding ` +
      "eco2mix/, weather/, delta-golden/ (see README, section Two commands).",
  );
}

/**
 * For the test task (run before the test modules, with `deno test --preload`): when
 * `ECO2MIX_SHARED_DATA` is unset and the default folder is absent, wraps `Deno.test` so that a
 * failing test that asked {@linkcode sharedDataPath} for a path, or whose error names the shared
 * folder (a path taken at module level), ends with an ignored step saying why instead of
 * failing. Every other failure still fails. Returns the absent folder, or null when nothing was
 * changed (the data are there, or the variable names a folder).
 *
 * While the wrapper is in place, Deno reports test locations at the wrapper, not the test.
 *
 * @example
 * ```ts ignore
 * const absent = skipTestsWithoutSharedData();
 * if (absent) console.log(`tests needing ${absent} are skipped`);
 * ```
 */
export function skipTestsWithoutSharedData(): string | null {
  const root = sharedDataRoot();
  if (root.explicit || exists(root.path) || skipping) return null;
  skipping = true;
  const register = Deno.test;
  const reason = `skipped: needs the shared RTE data (${root.path} not found)`;
  const mentionsRoot = (e: unknown): boolean =>
    e instanceof Error && (`${e.message}\n${e.stack}`.includes(root.path) || mentionsRoot(e.cause));
  const guard =
    (fn: (t: Deno.TestContext) => void | Promise<void>) => async (t: Deno.TestContext) => {
      touched = false;
      try {
        await fn(t);
      } catch (e) {
        if (!touched && !mentionsRoot(e)) throw e;
        await t.step({ name: reason, ignore: true, fn: () => {} });
      }
    };
  // Deno.test(fn), (name, fn), (options), (name, options, fn), (options, fn).
  const wrapped = (...args: unknown[]) => {
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      args[last] = guard(args[last] as (t: Deno.TestContext) => void | Promise<void>);
    } else {
      const definition = args[last] as Deno.TestDefinition;
      args[last] = { ...definition, fn: guard(definition.fn) };
    }
    return (register as (...a: unknown[]) => void)(...args);
  };
  Object.defineProperty(Deno, "test", {
    value: Object.assign(wrapped, { ignore: register.ignore, only: register.only }),
    configurable: true,
    writable: true,
  });
  return root.path;
}

/** RTE's spelling of the 12 mainland regions in its regional file names. */
export const MAINLAND_REGIONS: readonly string[] = [
  "Auvergne-Rhône-Alpes",
  "Bourgogne-Franche-Comté",
  "Bretagne",
  "Centre-Val-de-Loire",
  "Grand-Est",
  "Hauts-de-France",
  "Ile-de-France",
  "Normandie",
  "Nouvelle-Aquitaine",
  "Occitanie",
  "PACA",
  "Pays-de-la-Loire",
];

/**
 * Paths, relative to the shared data folder, of the 12 regional definitive files of 2014: a
 * whole year of mainland France, whose sum is RTE's national perimeter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REGIONAL_2014, sharedDataPath } from "./shared_data.ts";
 * assert.equal(REGIONAL_2014.length, 12);
 * assert.ok(Deno.statSync(sharedDataPath(REGIONAL_2014[0])).isFile);
 * ```
 */
export const REGIONAL_2014: readonly string[] = MAINLAND_REGIONS.map((r) =>
  `eco2mix/regional/eCO2mix_RTE_${r}_Annuel-Definitif_2014.xls`
);
