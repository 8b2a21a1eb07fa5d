/**
 * `deno task quotidien`: the daily job of `lib/runner/daily.ts` on notebook 11, told how fresh
 * the data is from the lakehouse the run wrote (the runner itself knows nothing of tables).
 *
 * @module
 */

import { join } from "node:path";
import { PATHS } from "../paths.ts";
import type { Manifest } from "../runner/manifest.ts";
import { runDaily } from "../runner/daily.ts";
import { openCatalog, TABLE } from "./catalog.ts";

/**
 * Latest measured instant of silver's eCO2mix rows in the lakehouse a run wrote (its manifest's
 * `lakehouse_dir`, else the project's), or null when there is none or it cannot be read: the
 * status then says the age of the data is unknown, it does not fail the job. ODRÉ's history
 * (`consommation_brute`) is reference data: its end says nothing of the inputs' freshness.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { latestSilverInstant } from "./daily_cli.ts";
 * assert.equal(await latestSilverInstant(null), null);
 * ```
 */
export async function latestSilverInstant(manifest: Manifest | null): Promise<Date | null> {
  if (!manifest) return null;
  try {
    const dir = manifest.parameters.lakehouse_dir;
    const silver = openCatalog(typeof dir === "string" && dir ? dir : undefined)
      .table(TABLE.eco2mix_silver);
    if (!(await silver.exists())) return null;
    const frame = await silver.read({
      columns: ["timestamp_utc"],
      where: [{ column: "jeu_donnees", eq: "eco2mix" }],
    });
    const max: unknown = frame.height ? frame.max().toRecords()[0].timestamp_utc : null;
    return max instanceof Date ? max : null;
  } catch {
    return null;
  }
}

if (import.meta.main) {
  const notebook = join(PATHS.notebooks, "11_Pipeline_Complete.ipynb");
  const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  Deno.exit(await runDaily(notebook, Deno.args, cwd, Deno.env.toObject(), latestSilverInstant));
}
