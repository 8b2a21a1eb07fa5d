/**
 * What an incremental step (silver, gold) remembers between runs, kept in the Delta log of the
 * tables it writes: each commit carries a `txn` action whose app id names the step and its
 * configuration (parameters and a fingerprint of its code) and whose version is the version of
 * the input table it reflects (bronze for silver, silver for gold), as a streaming job records
 * its last batch. The next run reads the rows that changed in the input since that version
 * (`tableChanges`) and recomputes only what they touch.
 *
 * A table's state is that of its latest step commit (largest `lastUpdated` among the step's app
 * ids, which the table layer keeps increasing): after a run under another configuration (other
 * parameters, changed code), the earlier app id is stale even when it reappears, and the step
 * rebuilds everything.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { DeltaTable } from "../lakehouse/mod.ts";
import { sourceFingerprint } from "../ml/mod.ts";

/** How a step ran: rebuilt from all of its input, updated incrementally, or already up to date. */
export type StepMode = "complet" | "incremental" | "a_jour";

/**
 * Rows a table gained, changed and lost in an incremental run. The fields stay French: notebook 03
 * shows these records as a table, their keys as its column headers.
 */
export interface TableChange {
  table: string;
  inserees: number;
  modifiees: number;
  supprimees: number;
}

/**
 * The app id of a step under a configuration: `<step>:<16 hex digits>` of the SHA-256 of the
 * parameters (JSON) and of the source of `code` and the modules it imports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateAppId } from "./_incremental.ts";
 * const code = [new URL("./_incremental.ts", import.meta.url)];
 * const a = await stateAppId("eco2mix-silver", { maxGap: 60 }, code);
 * assert.match(a, /^eco2mix-silver:[0-9a-f]{16}$/);
 * assert.notEqual(a, await stateAppId("eco2mix-silver", { maxGap: 30 }, code));
 * ```
 */
export async function stateAppId(
  step: string,
  parameters: unknown,
  code: readonly URL[],
): Promise<string> {
  const hash = createHash("sha256")
    .update(JSON.stringify(parameters))
    .update(await sourceFingerprint(code))
    .digest("hex");
  return `${step}:${hash.slice(0, 16)}`;
}

/**
 * The input version `table` reflects under `appId`, or null when the table does not exist or
 * its latest commit of this step (app ids `<step>:…`) was under another configuration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { DeltaTable } from "../lakehouse/mod.ts";
 * import { reflectedVersion } from "./_incremental.ts";
 * const t = new DeltaTable(`${await Deno.makeTempDir()}/t`);
 * assert.equal(await reflectedVersion(t, "s:a"), null);
 * await t.append(pl.DataFrame({ x: [1] }), { txns: [{ appId: "s:a", version: 4 }] });
 * assert.equal(await reflectedVersion(t, "s:a"), 4);
 * await t.append(pl.DataFrame({ x: [2] }), { txns: [{ appId: "s:b", version: 5 }] });
 * assert.equal(await reflectedVersion(t, "s:a"), null);
 * ```
 */
export async function reflectedVersion(table: DeltaTable, appId: string): Promise<number | null> {
  if (!(await table.exists())) return null;
  const step = appId.slice(0, appId.indexOf(":") + 1);
  const mine = [...(await table.snapshot()).txns.values()]
    .filter((t) => t.appId.startsWith(step))
    .sort((a, b) => (b.lastUpdated ?? 0) - (a.lastUpdated ?? 0));
  return mine[0]?.appId === appId ? mine[0].version : null;
}

/**
 * The `txn` to commit with a write that makes `table` reflect input version `version` under
 * `appId`; none when the table already records it (a forced rebuild of the same input), since a
 * txn cannot be committed twice.
 */
export async function stateTxns(
  table: DeltaTable,
  appId: string,
  version: number,
): Promise<{ appId: string; version: number }[]> {
  if (!(await table.exists())) return [{ appId, version }];
  const held = (await table.snapshot()).txns.get(appId)?.version;
  return held !== undefined && held >= version ? [] : [{ appId, version }];
}

/** Rows of a table from its log's statistics (0 when it does not exist). */
export async function tableRows(table: DeltaTable): Promise<number> {
  if (!(await table.exists())) return 0;
  return (await table.files()).reduce((n, f) => n + (f.numRecords ?? 0), 0);
}
