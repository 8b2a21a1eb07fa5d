/**
 * `deno task direct`: the live mode (`live.ts`) from the command line, in the foreground or as
 * a service.
 *
 * ```sh
 * deno task direct                                  # RTE's current file, a batch every 15 min
 * deno task direct --folder /srv/eco2mix/arrivees --interval 1m
 * deno task direct --once                           # one batch, then exit (cron)
 * ```
 *
 * Options (paths relative to the directory the task was started from):
 * - `--folder DIR`: read the files arriving in DIR (write them under a hidden name, then rename:
 *   hidden files are not read); without it, RTE's current file, downloaded into `--data-dir`
 *   (default `data/`) with one conditional request per batch (offline: the local copy).
 * - `--url URL`: address of RTE's current file (default RTE's).
 * - `--interval D`: trigger interval, `90s`, `15m`, `1h` or minutes (default `15m`).
 * - `--once`, `--max-batches N`: stop after 1 or N batches (default: run until SIGTERM/SIGINT).
 * - `--max-failures N`: failed batches in a row before exiting with 1 (default 3).
 * - `--lakehouse DIR` (default `lakehouse/`; or Azure: `az://container/prefix`, see the README),
 *   `--checkpoint DIR` (default `<lakehouse>/_direct`), `--config FILE` (default
 *   `config/alertes.yaml`).
 * - `--webhook URL`: POST each batch's alerts (JSON) there; else `ECO2MIX_WEBHOOK_URL`, else
 *   the configuration file's `webhook.url`.
 *
 * Exit codes: 0 when the loop stopped as asked (batches done, or SIGTERM/SIGINT: the batch under
 * way is finished first; a second signal exits at once with 130, which loses nothing: the next
 * start resumes), 1 when the last batch failed or `--max-failures` batches failed in a row, 2
 * for a wrong option or configuration file.
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isRemoteLocation } from "../lakehouse/mod.ts";
import { PATHS } from "../paths.ts";
import { AlertConfigError, loadAlertConfig } from "./alerts.ts";
import { type LiveOptions, runLive } from "./live.ts";

/** What `--help` prints. */
export const USAGE = `Usage: deno task direct [options]

Live mode: a batch every interval reads RTE's current file (or --folder), ingests the new
quarter-hours into bronze, silver and gold, stores the alerts of config/alertes.yaml in the
Delta table alertes and POSTs them to the webhook.

Options:
  --folder DIR        read the files arriving in DIR (hidden files are not read)
  --data-dir DIR      where RTE's current file is downloaded (default data/)
  --url URL           address of RTE's current file (default RTE's)
  --interval D        trigger interval: 90s, 15m, 1h or minutes (default 15m)
  --once              one batch, then exit
  --max-batches N     N batches, then exit
  --max-failures N    failed batches in a row before exiting with 1 (default 3)
  --lakehouse DIR     lakehouse folder or az://container/prefix (default lakehouse/)
  --checkpoint DIR    checkpoint folder (default <lakehouse>/_direct)
  --config FILE       alert rules (default config/alertes.yaml)
  --webhook URL       POST each batch's alerts there (else ECO2MIX_WEBHOOK_URL, else the file)

Exit codes: 0 stopped as asked, 1 batch(es) failed, 2 wrong option or configuration.`;

/** A wrong option; the message says which. */
export class LiveUsageError extends Error {
  override name = "LiveUsageError";
}

/** The options of {@linkcode runLive} the command line sets, and the configuration file. */
export interface LiveCliOptions extends Omit<LiveOptions, "config"> {
  configFile: string;
}

/**
 * A duration in milliseconds from `500ms`, `90s`, `15m`, `1h`, or a number of minutes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./live_cli.ts";
 * assert.equal(parseDuration("15m"), 900_000);
 * assert.equal(parseDuration("0.5"), 30_000);
 * assert.equal(parseDuration("200ms"), 200);
 * assert.throws(() => parseDuration("soon"), /soon/);
 * ```
 */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) {
    throw new LiveUsageError(`--interval ${text}: a duration is expected (90s, 15m, 1h, minutes)`);
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "m"]!;
  return Number(m[1]) * unit;
}

/**
 * Parses the command line (`args`) of `deno task direct`; relative paths are resolved against
 * `cwd`, `ECO2MIX_WEBHOOK_URL` is read from `env`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLiveArgs } from "./live_cli.ts";
 * const o = parseLiveArgs(["--folder", "in", "--once", "--interval", "30s"], "/w", {});
 * assert.deepEqual(o.source, { kind: "folder", dir: "/w/in" });
 * assert.deepEqual([o.maxBatches, o.intervalMs, o.webhookUrl], [1, 30_000, undefined]);
 * assert.equal(parseLiveArgs(["--lakehouse", "az://eco2mix/lake"], "/w", {}).lakehouse, "az://eco2mix/lake");
 * assert.throws(() => parseLiveArgs(["--max-batches", "0"], "/w", {}), /--max-batches/);
 * ```
 */
export function parseLiveArgs(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
): LiveCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        folder: { type: "string" },
        "data-dir": { type: "string" },
        url: { type: "string" },
        interval: { type: "string" },
        once: { type: "boolean" },
        "max-batches": { type: "string" },
        "max-failures": { type: "string" },
        lakehouse: { type: "string" },
        checkpoint: { type: "string" },
        config: { type: "string" },
        webhook: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new LiveUsageError((e as Error).message);
  }
  const count = (name: "max-batches" | "max-failures"): number | undefined => {
    const text = values[name];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      throw new LiveUsageError(`--${name} ${text}: a positive integer is expected`);
    }
    return n;
  };
  if (values.once && values["max-batches"] !== undefined) {
    throw new LiveUsageError("--once and --max-batches: give one of them");
  }
  if (values.folder !== undefined && (values.url ?? values["data-dir"]) !== undefined) {
    throw new LiveUsageError("--folder reads a folder: --url and --data-dir are for RTE's file");
  }
  const path = (p: string | undefined, fallback: string) => resolve(cwd, p ?? fallback);
  // The lakehouse and the checkpoint may be on Azure (az://, abfss://).
  const location = (p: string | undefined, fallback: string) =>
    p !== undefined && isRemoteLocation(p) ? p : path(p, fallback);
  return {
    lakehouse: location(values.lakehouse, PATHS.lakehouse),
    source: values.folder !== undefined
      ? { kind: "folder", dir: path(values.folder, "") }
      : { kind: "rte", dir: path(values["data-dir"], PATHS.data), url: values.url },
    configFile: path(values.config, resolve(PATHS.root, "config", "alertes.yaml")),
    checkpointDir: values.checkpoint === undefined ? undefined : location(values.checkpoint, ""),
    webhookUrl: values.webhook ?? (env.ECO2MIX_WEBHOOK_URL || undefined),
    intervalMs: parseDuration(values.interval ?? "15m"),
    maxBatches: values.once ? 1 : count("max-batches"),
    maxFailures: count("max-failures"),
  };
}

if (import.meta.main) {
  const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  let options: LiveCliOptions;
  let config;
  try {
    options = parseLiveArgs(Deno.args, cwd, Deno.env.toObject());
    config = await loadAlertConfig(options.configFile);
  } catch (e) {
    if (!(e instanceof LiveUsageError || e instanceof AlertConfigError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  }
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) Deno.exit(130);
    console.error("arrêt demandé : fin du lot en cours, puis sortie (un second signal : sortie)");
    stop.abort();
  };
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, onSignal);
  const { configFile: _, ...live } = options;
  const where = live.source.kind === "folder"
    ? `dossier ${live.source.dir}`
    : `fichier courant de RTE (copie dans ${live.source.dir})`;
  console.log(
    `mode direct : ${where}, lakehouse ${live.lakehouse}, un lot toutes les ` +
      `${live.intervalMs! / 1000} s${live.maxBatches ? `, ${live.maxBatches} lot(s) au plus` : ""}`,
  );
  const outcome = await runLive({ ...live, config, signal: stop.signal });
  Deno.exit(outcome.code);
}
