/**
 * The daily job (`deno task quotidien`, whose entry point is `lib/pipeline/daily_cli.ts`): the
 * pipeline run as cron or a systemd timer runs it, with a status file per run and an optional
 * webhook notification.
 *
 * ```sh
 * deno task quotidien                                   # RTE's current file when online
 * deno task quotidien --webhook https://hooks.example/eco2mix -p reference_dir=/srv/reference
 * ```
 *
 * Every option of `deno task pipeline` is accepted and passed on; `--webhook URL` (or the
 * `ECO2MIX_WEBHOOK_URL` environment variable) adds a POST of the status, as JSON, when the run
 * ends, successful or not. The status file `statut_quotidien.json` is written into the run
 * folder, and the same document is POSTed. The exit status is the pipeline's (see cli.ts); a
 * webhook that cannot be reached is reported in the status file and on stderr, and does not
 * change it: the data job succeeded or failed on its own.
 *
 * @module
 */

import { join } from "node:path";
import { type CliOutcome, runCli } from "./cli.ts";
import { type Manifest, readManifest, type RunStop } from "./manifest.ts";
import type { SkippedStep } from "./progress.ts";

/** What the daily job says about one run (file `statut_quotidien.json`, webhook body). */
export interface DailyStatus {
  /** `succes`, `succes_avec_etapes_ignorees`, `echec` or `interrompu`. */
  statut: "succes" | "succes_avec_etapes_ignorees" | "echec" | "interrompu";
  code_sortie: number;
  run_id: string | null;
  dossier_run: string | null;
  debut: string;
  fin: string;
  /** Where and why a failed or interrupted run stopped. */
  arret: RunStop | null;
  etapes_ignorees: SkippedStep[];
  /** Latest measured instant in silver, and its age in hours when the run ended. */
  donnees_jusqu_a: string | null;
  anciennete_donnees_heures: number | null;
  /** Outcome of the webhook POST, when one was asked for. */
  notification?: { url: string; ok: boolean; detail: string };
}

/** File name of the status inside the run folder. */
export const DAILY_STATUS_FILE = "statut_quotidien.json";

/**
 * The status of a finished run, from its exit code and manifest, and the latest measured
 * instant (null when unknown).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dailyStatus } from "./daily.ts";
 * const s = dailyStatus({ code: 2, runDir: null }, null, {
 *   startedAt: new Date("2026-12-06T05:00:00Z"),
 *   endedAt: new Date("2026-12-06T05:00:01Z"),
 *   latestData: null,
 * });
 * assert.equal(s.statut, "echec");
 * assert.equal(s.anciennete_donnees_heures, null);
 * ```
 */
export function dailyStatus(
  outcome: CliOutcome,
  manifest: Manifest | null,
  times: { startedAt: Date; endedAt: Date; latestData: Date | null },
): DailyStatus {
  const statut = manifest?.status === "interrupted" || outcome.code > 128
    ? "interrompu"
    : outcome.code !== 0
    ? "echec"
    : manifest?.status === "completed_with_skipped_steps"
    ? "succes_avec_etapes_ignorees"
    : "succes";
  const latest = times.latestData;
  return {
    statut,
    code_sortie: outcome.code,
    run_id: manifest?.run_id ?? null,
    dossier_run: outcome.runDir,
    debut: times.startedAt.toISOString(),
    fin: times.endedAt.toISOString(),
    arret: manifest?.stopped ?? null,
    etapes_ignorees: manifest?.notebooks.flatMap((n) => n.skipped ?? []) ?? [],
    donnees_jusqu_a: latest?.toISOString() ?? null,
    anciennete_donnees_heures: latest
      ? Math.round((times.endedAt.getTime() - latest.getTime()) / 36e5 * 10) / 10
      : null,
  };
}

/**
 * POSTs `status` as JSON to `url` within `timeoutMs`; never throws, says how it went.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notify } from "./daily.ts";
 * const r = await notify("http://127.0.0.1:9/", { statut: "succes" }, 500);
 * assert.equal(r.ok, false);
 * ```
 */
export async function notify(
  url: string,
  status: unknown,
  timeoutMs = 10_000,
): Promise<{ url: string; ok: boolean; detail: string }> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(status),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return { url, ok: response.ok, detail: `HTTP ${response.status}` };
  } catch (e) {
    return { url, ok: false, detail: (e as Error).message };
  }
}

/** Separates the job's own options from those passed on to the pipeline. */
export function parseDailyArgs(
  args: string[],
  env: Record<string, string> = Deno.env.toObject(),
): { webhook: string | null; pipelineArgs: string[] } {
  const pipelineArgs: string[] = [];
  let webhook = env.ECO2MIX_WEBHOOK_URL || null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--webhook") webhook = args[++i] ?? null;
    else if (args[i].startsWith("--webhook=")) webhook = args[i].slice("--webhook=".length);
    else pipelineArgs.push(args[i]);
  }
  return { webhook, pipelineArgs };
}

/**
 * The latest measured instant of the data a run wrote, or null: the runner knows nothing of
 * tables, so the caller that does (`lib/pipeline/daily_cli.ts`) tells it.
 */
export type LatestData = (manifest: Manifest | null) => Promise<Date | null>;

/**
 * Runs the daily job: the pipeline (`notebook` with `args`), then the status file and the
 * webhook. Returns the pipeline's exit code.
 */
export async function runDaily(
  notebook: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = Deno.env.toObject(),
  latestMeasured: LatestData = () => Promise.resolve(null),
): Promise<number> {
  const { webhook, pipelineArgs } = parseDailyArgs(args, env);
  const startedAt = new Date();
  const report = async (outcome: CliOutcome) => {
    const manifest = outcome.runDir ? await readManifest(outcome.runDir).catch(() => null) : null;
    const status = dailyStatus(outcome, manifest, {
      startedAt,
      endedAt: new Date(),
      latestData: await latestMeasured(manifest),
    });
    if (webhook) {
      status.notification = await notify(webhook, status);
      if (!status.notification.ok) {
        console.error(`warning: webhook ${webhook}: ${status.notification.detail}`);
      }
    }
    if (outcome.runDir) {
      await Deno.writeTextFile(
        join(outcome.runDir, DAILY_STATUS_FILE),
        JSON.stringify(status, null, 2) + "\n",
      );
    }
    console.log(`Statut du job quotidien : ${status.statut}`);
  };
  const outcome = await runCli([notebook, ...pipelineArgs], cwd, {
    onInterrupted: (runDir, code) => report({ code, runDir }),
  });
  await report(outcome);
  return outcome.code;
}
