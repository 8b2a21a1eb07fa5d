/**
 * Live mode (`deno task direct`, CLI in `live_cli.ts`): a micro-batch loop, as Spark Structured
 * Streaming runs one with a processing-time trigger. Every interval, a batch reads its source
 * (RTE's current real-time file, refreshed with one conditional request, or a folder where
 * files arrive), ingests into bronze only the new and revised rows, brings silver and gold up to
 * date incrementally, evaluates the alert rules (`alerts.ts`) on the quarter-hours of silver
 * that are new or revised, stores each alert once in the Delta table `alertes`, and records its
 * progress; then the alerts of the batch are POSTed to the webhook, if any.
 *
 * **Exactly once across kills.** Every step is idempotent and records what it reflects in the
 * Delta log of the tables it writes (Delta `txn` actions, committed atomically with the rows), so
 * a process killed at any moment and restarted resumes where the log says:
 * - bronze: a file content already ingested (its SHA-256, a `txn` of bronze) is skipped, and a
 *   new version of a file adds only its new and revised rows (`ingest.ts`);
 * - silver and gold: each table records the bronze (silver) version it reflects, and a run reads
 *   what changed since; tables of a run stopped midway are caught up by the next one
 *   (`silver_step.ts`, `gold_step.ts`); silver MERGEs on its key, so a quarter-hour is one row;
 * - alerts: the commit that appends a batch's alerts also records, as `txn` actions of
 *   `alertes`, the batch id (`eco2mix-direct:lot`) and the versions of `eco2mix_silver` and
 *   `quarantaine` it evaluated. A batch killed before that commit is evaluated again from the
 *   same versions (plus whatever arrived since); after it, nothing of it is evaluated again.
 *   Alerts are also kept out when their key (regle, perimetre, instant) is already stored.
 * The checkpoint file (`etat.json` in the checkpoint folder, written atomically after the
 * commits) only saves work and drives the webhook: the size and modification time of each
 * source file already read (a file unchanged is not read again; one read again is skipped by its
 * hash), and the last batch delivered to the webhook. Delivery is at least once: a process
 * killed between a POST and the checkpoint POSTs that batch again; each alert carries a stable
 * `id` for the receiver to drop repeats.
 *
 * **Which quarter-hours.** A batch evaluates the rows of `eco2mix_silver` (and of `quarantaine`)
 * inserted or changed since the versions the previous batch evaluated, with the day before them
 * as context for the rules comparing neighbours. A revised quarter-hour is evaluated again; an
 * alert already stored for its key is not raised again. On the first batch of a lakehouse that
 * already holds data, the quarter-hours up to its latest instant are history: they never raise
 * alerts (`eco2mix-direct:depuis`, epoch milliseconds), even when a rebuild of silver rewrites
 * them.
 *
 * Each batch holds the lakehouse's write lock (`acquireLakehouseLock`), waiting for a pipeline
 * run that holds it. A source file that cannot be read is reported with its file and line, and
 * kept in the checkpoint's `fichiers_rejetes` until it changes; the other files are ingested.
 *
 * Why one module of this size: the exactly-once argument above spans its functions. Polling,
 * the batch (ingest, silver, gold, alerts committed with their `txn` actions), the checkpoint
 * and the webhook delivery share one private loop state, and their order is the invariant;
 * split across files, that order would no longer be readable in one place.
 *
 * @module
 */

import { basename } from "node:path";
import pl from "nodejs-polars";
import {
  acquireLakehouseLock,
  DeltaError,
  type DeltaTable,
  joinLocation,
  locate,
  type Predicate,
} from "../lakehouse/mod.ts";
import { Eco2mixError } from "../eco2mix/mod.ts";
import { notify } from "../runner/daily.ts";
import {
  InputNotFoundError,
  refreshCurrentFile,
  resolveInputs,
  RTE_CURRENT_FILE_URL,
} from "../setup/mod.ts";
import {
  ALERT_COLUMNS,
  ALERT_KEY,
  type AlertConfig,
  evaluateAlerts,
  noAlerts,
  staleDataAlerts,
} from "./alerts.ts";
import { type LakehouseCatalog, openCatalog, TABLE, type TableName } from "./catalog.ts";
import { type FileIngest, ingestFiles } from "./ingest.ts";
import { refreshSilver, type StepMode } from "./silver_step.ts";
import { refreshGold } from "./gold_step.ts";
import { epochMs } from "../layers/time_keys.ts";

/** Where a batch reads: a folder where files arrive, or RTE's current file (online). */
export type LiveSource =
  | { kind: "folder"; dir: string }
  | { kind: "rte"; dir: string; url?: string };

/** The points of a batch after which {@linkcode LiveOptions.onStage} is called. */
export type LiveStage = "source" | "bronze" | "silver" | "gold" | "alertes" | "etat" | "webhook";

/** Options of {@linkcode runLive}. */
export interface LiveOptions {
  /** Lakehouse folder. */
  lakehouse: string;
  source: LiveSource;
  config: AlertConfig;
  /** Folder of the checkpoint file (default `<lakehouse>/_direct`). */
  checkpointDir?: string;
  /** Webhook address (default the configuration's; null: none). */
  webhookUrl?: string | null;
  /** Trigger interval in milliseconds (default 15 minutes). */
  intervalMs?: number;
  /** Batches (triggers) before returning (default: until `signal` aborts). */
  maxBatches?: number;
  /** Consecutive failed batches before giving up (default 3). */
  maxFailures?: number;
  /** Wait for the lakehouse lock held by another writer, ms (default: the interval, ≥ 10 s). */
  lockWaitMs?: number;
  /** Stops the loop between two batches (a batch under way is finished). */
  signal?: AbortSignal;
  /** Clock for detection times and the staleness rule (default `new Date()`). */
  now?: () => Date;
  /** Called after each stage of a batch, with the batch id it will commit. */
  onStage?: (stage: LiveStage, lot: number) => void | Promise<void>;
  /** Where progress lines (French) go (default console.log / console.error). */
  log?: (line: string, error?: boolean) => void;
}

/** What one batch did. */
export interface BatchReport {
  /** Batch id committed to `alertes`, or null when there was nothing to commit. */
  batch: number | null;
  /** Source files read, and what became of them. */
  files: FileIngest[];
  /** Files that could not be read: path and error (file and line). */
  rejected: { file: string; error: string }[];
  /** Rows appended to bronze. */
  bronzeRows: number;
  /** How silver and gold ran (null: not run, nothing changed upstream). */
  silver: StepMode | null;
  gold: StepMode | null;
  /** Quarter-hours (perimeter, instant) new or revised evaluated by the rules. */
  quarterHours: number;
  /** Alerts stored by this batch ({@linkcode ALERT_COLUMNS}, `lot`, `detectee_a`). */
  alerts: pl.DataFrame;
  /** Webhook outcome, when one is set and something was to be sent. */
  webhook: string | null;
  /** Messages of the source (French), e.g. RTE offline and the local copy used. */
  messages: string[];
  /** Wall-clock duration of the batch (s). */
  seconds: number;
}

/** How the loop ended. */
export interface LiveOutcome {
  /** 0: stopped as asked (batches done, or signal); 1: the last batch(es) failed. */
  code: 0 | 1;
  batches: number;
  /** The error of the last failed batch. */
  error?: unknown;
}

/** What the checkpoint file `etat.json` holds. */
export interface LiveCheckpoint {
  /** Last batch id committed. */
  lot: number;
  mis_a_jour_a: string;
  /** Source files read: size, modification time (ms) and content hash. */
  fichiers: Record<string, FileOffset>;
  /** Files that could not be read (with their size and time, and why); read again if changed. */
  fichiers_rejetes: Record<string, FileOffset & { erreur: string }>;
  /** Versions of the tables after the batch. */
  versions: Record<string, number>;
  /** Last batch whose alerts the webhook acknowledged (2xx). */
  webhook_lot_livre: number;
}

/** A source file as last read. */
export interface FileOffset {
  taille: number;
  modifie_ms: number | null;
  sha256: string;
}

/** The live mode's state in `alertes` is inconsistent with silver (e.g. silver recreated). */
export class LiveStateError extends Error {
  override name = "LiveStateError";
}

const APP = "eco2mix-direct";
const LOT = `${APP}:lot`;
const SINCE = `${APP}:depuis`;
const ALERTS = TABLE.alertes;
const SILVER = TABLE.eco2mix_silver;
const QUARANTINE = TABLE.quarantaine;
const INPUTS = [SILVER, QUARANTINE] as const;
const DAY_MS = 86_400_000;
/** The silver step's options, the pipeline's defaults: its incremental state is shared. */
const SILVER_OPTIONS = { invalidValues: "quarantine" } as const;
const CHECKPOINT_FILE = "etat.json";

/** The alert state kept in the txn actions of `alertes`. */
interface AlertState {
  lot: number;
  /** Instants up to this one (epoch ms) never raise alerts. */
  depuis: number;
  /** Version of each input table evaluated (absent: none yet). */
  inputs: Map<string, number>;
}

/** The state of the loop between batches. */
interface Loop {
  catalog: LakehouseCatalog;
  options: LiveOptions;
  checkpointPath: string;
  checkpoint: LiveCheckpoint;
  webhookUrl: string | null;
  /** Run silver and gold even if bronze did not change (first batch, after a failure). */
  catchUp: boolean;
  now: () => Date;
}

/**
 * The location of the checkpoint file of live mode on the lakehouse at `lakehouse` (beside its
 * tables, where the lakehouse is: a folder or Azure), or in the folder `dir`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkpointPath } from "./live.ts";
 * assert.equal(checkpointPath("/srv/lake"), "/srv/lake/_direct/etat.json");
 * assert.equal(checkpointPath("/srv/lake", "/var/lib/direct"), "/var/lib/direct/etat.json");
 * ```
 */
export function checkpointPath(lakehouse: string, dir?: string): string {
  return joinLocation(dir ?? joinLocation(lakehouse, "_direct"), CHECKPOINT_FILE);
}

/**
 * Reads the checkpoint file at `location`, or the empty checkpoint when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCheckpoint } from "./live.ts";
 * const empty = await readCheckpoint(`${await Deno.makeTempDir()}/etat.json`);
 * assert.deepEqual([empty.lot, empty.webhook_lot_livre], [-1, -1]);
 * ```
 */
export async function readCheckpoint(location: string): Promise<LiveCheckpoint> {
  const { storage, key } = locate(location);
  const bytes = await storage.read(key);
  if (bytes !== null) return JSON.parse(new TextDecoder().decode(bytes)) as LiveCheckpoint;
  return {
    lot: -1,
    mis_a_jour_a: "",
    fichiers: {},
    fichiers_rejetes: {},
    versions: {},
    webhook_lot_livre: -1,
  };
}

/** Writes the checkpoint (an atomic replace, on a folder as on Azure). */
async function saveCheckpoint(loop: Loop): Promise<void> {
  loop.checkpoint.mis_a_jour_a = loop.now().toISOString();
  const text = JSON.stringify(loop.checkpoint, null, 2) + "\n";
  const { storage, key } = locate(loop.checkpointPath);
  await storage.put(key, new TextEncoder().encode(text));
}

/** The live mode's state recorded in `alertes`, or null before its first batch. */
async function alertState(table: DeltaTable): Promise<AlertState | null> {
  if (!(await table.exists())) return null;
  const txns = (await table.snapshot()).txns;
  const lot = txns.get(LOT)?.version;
  if (lot === undefined) return null;
  const inputs = new Map<string, number>();
  for (const name of INPUTS) {
    const v = txns.get(`${APP}:${name}`)?.version;
    if (v !== undefined) inputs.set(name, v);
  }
  return { lot, depuis: txns.get(SINCE)?.version ?? 0, inputs };
}

/** An empty frame of the `alertes` table's columns. */
function emptyAlerts(): pl.DataFrame {
  return withBatch(noAlerts(), 0, new Date(0));
}

/** Alerts with their batch id and detection time: the rows of `alertes`. */
function withBatch(alerts: pl.DataFrame, lot: number, at: Date): pl.DataFrame {
  return alerts.select(
    ...ALERT_COLUMNS.map((c) => pl.col(c)),
    pl.lit(lot).cast(pl.Int64).alias("lot"),
    pl.lit(at.getTime()).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC").alias("detectee_a"),
  );
}

/**
 * The first batch on a lakehouse: records batch 0, the versions of silver already there and
 * the instant up to which they are history, before anything is ingested (a restart must not
 * take the new rows for history).
 */
async function initialState(catalog: LakehouseCatalog, config: AlertConfig): Promise<AlertState> {
  const inputs = new Map<string, number>();
  for (const name of INPUTS) {
    const table = catalog.table(name);
    if (await table.exists()) inputs.set(name, await table.version());
  }
  let depuis = 0;
  const silverVersion = inputs.get(SILVER);
  if (silverVersion !== undefined) {
    // Of the watched series only: ODRÉ's consumption history may run months ahead of them.
    const times = await catalog.table(SILVER).read({
      version: silverVersion,
      columns: ["timestamp_utc"],
      where: watched(config),
    });
    depuis = times.height ? epochRange(times, "timestamp_utc")[1] : 0;
  }
  await catalog.table(ALERTS).append(emptyAlerts(), {
    txns: [
      { appId: LOT, version: 0 },
      { appId: SINCE, version: depuis },
      ...[...inputs].map(([name, version]) => ({ appId: `${APP}:${name}`, version })),
    ],
  });
  return { lot: 0, depuis, inputs };
}

/** The rows of silver the rules watch: eco2mix rows of the configured perimeters. */
function watched(config: AlertConfig): Predicate {
  return [
    { column: "jeu_donnees", eq: "eco2mix" },
    { column: "perimetre", in: config.perimetres },
  ];
}

/** Rows of `table` inserted or changed between `from` (null: none) and `to`. */
async function changedRows(table: DeltaTable, from: number | undefined, to: number) {
  if (from === to) return null;
  if (from !== undefined && from > to) {
    throw new LiveStateError(
      `${table.root} is at version ${to}, before the version ${from} the live mode evaluated: ` +
        "the table was recreated; remove the table alertes (or start from a new lakehouse)",
    );
  }
  if (from !== undefined) {
    try {
      return (await table.changesSince(from, to)).inserted;
    } catch (e) {
      // The older version was vacuumed, or its schema differs: every row is a candidate, and
      // the alerts already stored are kept out by their key.
      if (!(e instanceof DeltaError)) throw e;
    }
  }
  return await table.read({ version: to });
}

/** Reads the watched rows of a table within [lo, hi] (timestamp_utc) at a version. */
function rowsBetween(
  table: DeltaTable,
  version: number,
  lo: Date,
  hi: Date,
  config: AlertConfig,
) {
  return table.read({
    version,
    where: [
      ...watched(config),
      { column: "timestamp_utc", gte: lo },
      { column: "timestamp_utc", lte: hi },
    ],
  });
}

/** A timestamp column as Datetime("ms", "UTC"), the unit of the alerts (tables read "us"). */
const asMs = (column: string) => pl.col(column).cast(pl.Datetime("ms", "UTC"));

/** The earliest and latest instants (epoch ms) of a timestamp column of a non-empty frame. */
function epochRange(df: pl.DataFrame, column: string): [number, number] {
  const [r] = df.select(
    epochMs(pl.col(column)).min().alias("lo"),
    epochMs(pl.col(column)).max().alias("hi"),
  ).toRecords();
  return [Number(r.lo), Number(r.hi)];
}

/**
 * Evaluates the rules on what changed in silver since the state's versions, and appends the
 * new alerts to `alertes` in one commit with the new state (batch `state.lot + 1`). Returns
 * null when nothing changed and no alert is due (no commit).
 */
async function evaluateBatch(
  catalog: LakehouseCatalog,
  config: AlertConfig,
  state: AlertState,
  now: Date,
): Promise<{ lot: number; alerts: pl.DataFrame; instants: number } | null> {
  const versions = new Map<TableName, number>();
  for (const name of INPUTS) {
    const table = catalog.table(name);
    if (await table.exists()) versions.set(name, await table.version());
  }
  const changed: pl.DataFrame[] = [];
  for (const [name, version] of versions) {
    const rows = await changedRows(catalog.table(name), state.inputs.get(name), version);
    if (rows?.height) changed.push(rows.select("jeu_donnees", "perimetre", "timestamp_utc"));
  }
  const candidates = changed.length
    ? pl.concat(changed.map((df) => df.withColumns(asMs("timestamp_utc"))))
      .filter(
        pl.col("jeu_donnees").eq(pl.lit("eco2mix"))
          .and(pl.col("perimetre").isIn(config.perimetres))
          .and(epochMs(pl.col("timestamp_utc")).gt(state.depuis)),
      ).select("perimetre", pl.col("timestamp_utc").alias("instant")).unique()
    : pl.DataFrame({});
  const found: pl.DataFrame[] = [];
  if (candidates.height) {
    const [first, last] = epochRange(candidates, "instant");
    const [lo, hi] = [new Date(first - DAY_MS), new Date(last)];
    const context = [];
    for (const [name, version] of versions) {
      const rows = await rowsBetween(catalog.table(name), version, lo, hi, config);
      // Quarantined rows are silver rows kept out by a rule: checked like the others.
      context.push(name === QUARANTINE ? rows.drop("regle").unique() : rows);
    }
    const rows = pl.concat(context.map((df) => df.withColumns(asMs("timestamp_utc"))), {
      how: "diagonal",
    });
    found.push(evaluateAlerts(rows, config).join(candidates, { on: ["perimetre", "instant"] }));
  }
  if (config.regles.donnees_anciennes && versions.has(SILVER)) {
    const latest = (await catalog.table(SILVER).read({
      version: versions.get(SILVER),
      columns: ["perimetre", "timestamp_utc"],
      where: watched(config),
    })).groupBy("perimetre").agg(asMs("timestamp_utc").max());
    found.push(staleDataAlerts(latest, now, config));
  } else if (config.regles.donnees_anciennes) {
    found.push(staleDataAlerts(pl.DataFrame({ perimetre: [], timestamp_utc: [] }), now, config));
  }
  const table = catalog.table(ALERTS);
  const stored = (await table.read({ columns: ALERT_KEY })).withColumns(asMs("instant"));
  const alerts = found.length
    ? pl.concat(found).unique({ subset: ALERT_KEY, keep: "first" })
      .join(stored, { on: ALERT_KEY, how: "anti" }).sort(ALERT_KEY)
    : noAlerts();
  const advanced = [...versions].filter(([name, v]) => state.inputs.get(name) !== v);
  if (alerts.height === 0 && advanced.length === 0) return null;
  const lot = state.lot + 1;
  await table.append(withBatch(alerts, lot, now), {
    txns: [
      { appId: LOT, version: lot },
      ...advanced.map(([name, version]) => ({ appId: `${APP}:${name}`, version })),
    ],
  });
  return { lot, alerts: withBatch(alerts, lot, now), instants: candidates.height };
}

/** The files of the source to read this batch: new, or changed since the checkpoint. */
async function poll(loop: Loop): Promise<{ paths: string[]; messages: string[] }> {
  const { source } = loop.options;
  const messages: string[] = [];
  let files: string[];
  if (source.kind === "rte") {
    const refresh = await refreshCurrentFile({
      dir: source.dir,
      url: source.url ?? RTE_CURRENT_FILE_URL,
    });
    if (refresh.status !== "unchanged") messages.push(refresh.message);
    files = refresh.file ? [refresh.file] : [];
  } else {
    try {
      files = (await resolveInputs({ input_path: source.dir })).files;
    } catch (e) {
      // A folder without input file yet: nothing new. A missing folder is an error.
      if (!(e instanceof InputNotFoundError) || !(await isFolder(source.dir))) throw e;
      files = [];
    }
  }
  const paths: string[] = [];
  for (const path of files) {
    const info = await Deno.stat(path);
    const seen = loop.checkpoint.fichiers[path] ?? loop.checkpoint.fichiers_rejetes[path];
    if (seen?.taille !== info.size || seen?.modifie_ms !== (info.mtime?.getTime() ?? null)) {
      paths.push(path);
    }
  }
  return { paths, messages };
}

async function isFolder(path: string): Promise<boolean> {
  return await Deno.stat(path).then((s) => s.isDirectory, () => false);
}

/**
 * Ingests `paths`; a file that cannot be read (its typed error names file and line) is set
 * aside and the others are ingested.
 */
async function ingest(catalog: LakehouseCatalog, paths: string[]) {
  const rejected: { fichier: string; erreur: string; offset: FileOffset }[] = [];
  let left = [...paths];
  for (;;) {
    const stats = new Map(
      await Promise.all(left.map(async (p) => [p, await Deno.stat(p)] as const)),
    );
    try {
      const report = left.length ? await ingestFiles(catalog, left) : null;
      return { report, stats, rejected };
    } catch (e) {
      if (!(e instanceof Eco2mixError)) throw e;
      const bad = left.find((p) => basename(p) === e.file.split("!/")[0]);
      if (bad === undefined) throw e;
      const info = stats.get(bad)!;
      rejected.push({
        fichier: bad,
        erreur: e.message,
        offset: { taille: info.size, modifie_ms: info.mtime?.getTime() ?? null, sha256: "" },
      });
      left = left.filter((p) => p !== bad);
    }
  }
}

/** One batch (module doc). */
async function runBatch(loop: Loop): Promise<BatchReport> {
  const t0 = performance.now();
  const { catalog, options } = loop;
  const stage = async (s: LiveStage, lot: number) => await options.onStage?.(s, lot);
  const { paths, messages } = await poll(loop);
  const intervalMs = options.intervalMs ?? 15 * 60_000;
  await using lock = await acquireLakehouseLock(catalog.root, {
    owner: `deno task direct (pid ${Deno.pid})`,
    waitMs: options.lockWaitMs ?? Math.max(intervalMs, 10_000),
  });
  const alertsTable = catalog.table(ALERTS);
  const state = await alertState(alertsTable) ?? await initialState(catalog, options.config);
  const next = state.lot + 1;
  await stage("source", next);

  const { report, stats, rejected } = await ingest(catalog, paths);
  await stage("bronze", next);
  let silver: StepMode | null = null;
  let gold: StepMode | null = null;
  const bronzeChanged = report?.version != null;
  if ((bronzeChanged || loop.catchUp) && await catalog.table(TABLE.eco2mix_bronze).exists()) {
    silver = (await refreshSilver(catalog, SILVER_OPTIONS)).mode;
    await stage("silver", next);
    if (silver !== "a_jour" || loop.catchUp) {
      gold = (await refreshGold(catalog)).mode;
      await stage("gold", next);
    }
  }
  const now = loop.now();
  const evaluated = await evaluateBatch(catalog, options.config, state, now);
  await stage("alertes", next);

  const checkpoint = loop.checkpoint;
  checkpoint.lot = evaluated?.lot ?? state.lot;
  if (checkpoint.webhook_lot_livre < 0) checkpoint.webhook_lot_livre = state.lot;
  for (const f of report?.files ?? []) {
    const path = paths.find((p) => basename(p) === f.file)!;
    const info = stats.get(path)!;
    checkpoint.fichiers[path] = {
      taille: info.size,
      modifie_ms: info.mtime?.getTime() ?? null,
      sha256: f.sha256,
    };
    delete checkpoint.fichiers_rejetes[path];
  }
  for (const r of rejected) {
    checkpoint.fichiers_rejetes[r.fichier] = { ...r.offset, erreur: r.erreur };
    delete checkpoint.fichiers[r.fichier];
  }
  for (const name of [TABLE.eco2mix_bronze, SILVER, ALERTS]) {
    const table = catalog.table(name);
    if (await table.exists()) checkpoint.versions[name] = await table.version();
  }
  await saveCheckpoint(loop);
  await stage("etat", next);
  await lock.release();

  const webhook = await deliver(loop);
  await stage("webhook", next);
  // Saved after the POSTs: a process killed in between sends them again (at least once).
  if (webhook !== null) await saveCheckpoint(loop);
  return {
    batch: evaluated?.lot ?? null,
    files: report?.files ?? [],
    rejected: rejected.map(({ fichier, erreur }) => ({ file: fichier, error: erreur })),
    bronzeRows: report?.rowsAppended ?? 0,
    silver,
    gold,
    quarterHours: evaluated?.instants ?? 0,
    alerts: evaluated?.alerts ?? emptyAlerts(),
    webhook,
    messages,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * POSTs, batch by batch and in order, the alerts of the batches committed since the last one
 * the webhook acknowledged, and advances the checkpoint's `webhook_lot_livre` (the caller saves
 * it). Stops at the first failure (retried at the next batch). Returns what happened, or null
 * when nothing was due.
 */
async function deliver(loop: Loop): Promise<string | null> {
  const { checkpoint, webhookUrl: url } = loop;
  if (url === null) return null;
  const from = checkpoint.webhook_lot_livre;
  if (from >= checkpoint.lot) return null;
  const alerts = await loop.catalog.table(ALERTS).read({
    where: [{ column: "lot", gt: from }, { column: "lot", lte: checkpoint.lot }],
  });
  const timeoutMs = loop.options.config.webhook.delai_secondes * 1000;
  const said: string[] = [];
  for (let lot = from + 1; lot <= checkpoint.lot; lot++) {
    const mine = alerts.filter(pl.col("lot").eq(lot)).sort(ALERT_KEY);
    if (mine.height) {
      const outcome = await notify(url, webhookPayload(lot, mine), timeoutMs);
      said.push(`lot ${lot} : ${outcome.detail}`);
      if (!outcome.ok) break;
    }
    checkpoint.webhook_lot_livre = lot;
  }
  return said.length ? said.join(", ") : "rien à envoyer";
}

/**
 * The JSON POSTed to the webhook for one batch: its id and its alerts, each with a stable `id`
 * (rule/perimeter/instant) that a receiver uses to drop a repeated delivery.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { webhookPayload } from "./live.ts";
 * const alerts = pl.DataFrame({
 *   regle: ["co2_eleve"], perimetre: ["France"], instant: [new Date("2025-01-01T07:15:00Z")],
 *   valeur: [62], seuil: [50], message: ["..."], lot: [3],
 *   detectee_a: [new Date("2025-01-01T07:31:00Z")],
 * });
 * const payload = webhookPayload(3, alerts);
 * assert.equal(payload.alertes[0].id, "co2_eleve/France/2025-01-01T07:15:00.000Z");
 * assert.equal(payload.alertes[0].instant, "2025-01-01T07:15:00.000Z");
 * ```
 */
export function webhookPayload(lot: number, alerts: pl.DataFrame): {
  source: string;
  lot: number;
  alertes: Record<string, unknown>[];
} {
  const iso = (d: unknown) => (d as Date).toISOString();
  return {
    source: "eco2mix deno task direct",
    lot,
    alertes: (alerts.toRecords() as Record<string, unknown>[]).map((a) => ({
      id: `${a.regle}/${a.perimetre}/${iso(a.instant)}`,
      regle: a.regle,
      perimetre: a.perimetre,
      instant: iso(a.instant),
      valeur: a.valeur,
      seuil: a.seuil,
      message: a.message,
      detectee_a: iso(a.detectee_a),
    })),
  };
}

/** One line (French) saying what a batch did. */
function describe(r: BatchReport): string {
  const fr = (x: number, d = 0) => x.toLocaleString("fr-FR", { maximumFractionDigits: d });
  const counts = new Map<string, number>();
  for (const rule of r.alerts.getColumn("regle").toArray() as string[]) {
    counts.set(rule, (counts.get(rule) ?? 0) + 1);
  }
  const rules = [...counts].map(([k, n]) => `${k} ×${n}`).join(", ");
  const head = r.batch === null ? "rien de nouveau" : `lot ${r.batch}`;
  return `${head} : ${r.files.filter((f) => f.status === "ingere").length} fichier(s) ` +
    `ingéré(s), ${fr(r.bronzeRows)} ligne(s) bronze, silver ${r.silver ?? "inchangé"}, ` +
    `gold ${r.gold ?? "inchangé"}, ${fr(r.quarterHours)} quart(s) d'heure évalué(s), ` +
    `${r.alerts.height} alerte(s)${rules ? ` (${rules})` : ""}` +
    `${r.webhook ? `, webhook ${r.webhook}` : ""} (${fr(r.seconds, 1)} s)`;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted) return done();
    const timer = setTimeout(finish, Math.max(0, ms));
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      done();
    }
    signal?.addEventListener("abort", finish);
  });
}

/**
 * Runs the micro-batch loop (module doc): a batch every `intervalMs` (the next one starts at
 * once when a batch took longer), until `maxBatches` batches ran or `signal` aborts. A failed
 * batch is reported and run again at the next trigger; after `maxFailures` failures in a row,
 * or when the last batch failed, the outcome's code is 1.
 *
 * @example
 * ```ts ignore
 * const outcome = await runLive({
 *   lakehouse: "lakehouse",
 *   source: { kind: "folder", dir: "arrivees" },
 *   config: await loadAlertConfig("config/alertes.yaml"),
 *   maxBatches: 1,
 * });
 * ```
 */
export async function runLive(options: LiveOptions): Promise<LiveOutcome> {
  const log = options.log ??
    ((line: string, error?: boolean) => error ? console.error(line) : console.log(line));
  const catalog = openCatalog(options.lakehouse);
  const path = checkpointPath(catalog.root, options.checkpointDir);
  const loop: Loop = {
    catalog,
    options,
    checkpointPath: path,
    checkpoint: await readCheckpoint(path),
    webhookUrl: options.webhookUrl === undefined ? options.config.webhook.url : options.webhookUrl,
    catchUp: true,
    now: options.now ?? (() => new Date()),
  };
  const interval = options.intervalMs ?? 15 * 60_000;
  const maxBatches = options.maxBatches ?? Infinity;
  const maxFailures = options.maxFailures ?? 3;
  let batches = 0;
  let failures = 0;
  let error: unknown;
  while (batches < maxBatches && !options.signal?.aborted) {
    const started = Date.now();
    try {
      const report = await runBatch(loop);
      loop.catchUp = false;
      failures = 0;
      for (const m of report.messages) log(m);
      for (const r of report.rejected) log(`fichier écarté : ${r.error}`, true);
      log(describe(report));
    } catch (e) {
      failures++;
      error = e;
      loop.catchUp = true;
      log(`échec du lot (${failures}/${maxFailures}) : ${(e as Error)?.stack ?? e}`, true);
      if (failures >= maxFailures) return { code: 1, batches: batches + 1, error };
    }
    batches++;
    if (batches < maxBatches) await sleep(started + interval - Date.now(), options.signal);
  }
  return failures ? { code: 1, batches, error } : { code: 0, batches };
}
