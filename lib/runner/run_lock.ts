/**
 * A run takes its lakehouse's write lock before any notebook starts, so that two runs never
 * interleave their steps on one lakehouse; its kernels inherit the lock.
 *
 * @module
 */

import {
  acquireLakehouseLock,
  type LakehouseLock,
  LakehouseLockedError,
} from "../lakehouse/lock.ts";
import { closeAbandonedRun } from "./manifest.ts";

/**
 * Takes the lock of `lakehouseDir` for the run whose folder is `runDir` (written as the lock's
 * owner). A lock left by a dead run is taken over, and that run's manifest, if it still says
 * `running`, is marked `interrupted`; `onWarning` says so. While another live run holds the
 * lock, waits up to `waitMs`, then throws {@linkcode LakehouseLockedError}. Inside a kernel
 * started by a run that holds the lock, resolves with the inherited lock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockRunLakehouse } from "./run_lock.ts";
 * const lake = await Deno.makeTempDir();
 * await using lock = await lockRunLakehouse(lake, "/runs/r1", { waitMs: 0 });
 * assert.equal(lock.holder.owner, "/runs/r1");
 * await assert.rejects(lockRunLakehouse(lake, "/runs/r2", { waitMs: 0 }), /r1/);
 * ```
 */
export async function lockRunLakehouse(
  lakehouseDir: string,
  runDir: string,
  options: { waitMs: number; onWarning?: (message: string) => void },
): Promise<LakehouseLock> {
  const lock = await acquireLakehouseLock(lakehouseDir, {
    owner: runDir,
    waitMs: options.waitMs,
  });
  const dead = lock.tookOverFrom;
  if (dead) {
    const closed = dead.owner
      ? await closeAbandonedRun(dead.owner, `its process ${dead.pid} died`).catch(() => false)
      : false;
    options.onWarning?.(
      `took over the lock of a dead run (pid ${dead.pid}, started ${dead.started_at}, ` +
        `owner ${dead.owner ?? "unknown"})${closed ? "; its manifest now says interrupted" : ""}`,
    );
  }
  return lock;
}

export { LakehouseLockedError };
