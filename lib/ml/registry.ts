/**
 * A small file-based model registry, in the spirit of MLflow's: every trained model is stored
 * as a numbered version with what is needed to trust and reproduce it, aliases (such as
 * "champion") point to versions, and a runs log records every training run, registered or
 * not.
 *
 * Layout under the models root:
 *
 * ```text
 * <root>/runs.jsonl                       one JSON object per training run (append-only)
 * <root>/<model>/aliases.json             {"champion": 3, ...}
 * <root>/<model>/versions/000003/model.json   the model (see model_io.ts)
 * <root>/<model>/versions/000003/meta.json    parameters, metrics, features, data, code, time
 * ```
 *
 * Writes are crash- and race-safe for versions (a version folder is prepared under a
 * temporary name and renamed into place; concurrent writers get distinct numbers) and runs
 * (one appended line each). Alias files are replaced atomically; two processes moving aliases
 * of the same model at the same instant keep the last write.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { RegistryError } from "./errors.ts";
import type { Model, ModelKind } from "./model.ts";
import { modelFromJSON, modelToJSONText, readJsonFile, writeFileAtomic } from "./model_io.ts";

/** A table version a model was trained on (e.g. a Delta table and its version). */
export interface TrainingDataRef {
  /** Table name, e.g. `eco2mix_gold_features`. */
  table: string;
  /** Table version (Delta version number or any stable identifier). */
  version: number | string;
  /** Optional details: row count, period, filters. */
  rows?: number;
  /** First instant or date of the rows used (ISO 8601). */
  from?: string;
  /** Last instant or date of the rows used (ISO 8601). */
  to?: string;
  /** Anything else worth knowing (filters, source natures). */
  description?: string;
}

/**
 * How a run decided to train, or not (see `selection_cache.ts`): the `reentrainement` policy,
 * the case that applied (`selection`, `reajustement`, `inchange`, `modeles_enregistres`,
 * `sans_modele`) and why.
 */
export interface RetrainingRecord {
  /** `auto`, `complet` or `aucun`. */
  policy: string;
  /** The case that applied. */
  case: string;
  /** Why, in words. */
  reason: string;
  /** ISO 8601 instant of the model selection reused, or null (a new selection, or none). */
  selectedAt: string | null;
}

/** Metric values; NaN is stored as null (JSON has no NaN). */
export type Metrics = Record<string, number | null>;

/** What the caller tells the registry about a model to register. */
export interface RegisterInfo {
  /** Training parameters (default: the model's own `params` when it has some). */
  params?: unknown;
  /** Evaluation metrics, e.g. `{ mape_test: 1.34 }`. */
  metrics: Metrics;
  /** Tables (and their versions) the model was trained on. */
  trainingData: TrainingDataRef[];
  /** Version of the code that trained it (a git commit). */
  codeVersion: string;
  /** Free text shown in listings. */
  description?: string;
  /** Free labels, e.g. `{ horizon: "h1" }`. */
  tags?: Record<string, string>;
  /** The run (see {@link ModelRegistry.logRun}) that produced it. */
  runId?: string;
  /** Why it was trained (policy and case of the model selection cache). */
  retraining?: RetrainingRecord;
  /**
   * Results that belong to this fit and are reused with it (e.g. a permutation importance that
   * costs more than the fit): each stored as `<key>.json` beside the model, read back with
   * {@linkcode ModelRegistry.attachment}. Keys follow the model-name rule.
   */
  attachments?: Record<string, unknown>;
}

/** Metadata of a registered version (`meta.json`). */
export interface ModelVersionInfo {
  /** Model name. */
  name: string;
  /** Version number, from 1. */
  version: number;
  /** Learner of the model. */
  kind: ModelKind;
  /** ISO 8601 UTC instant of registration. */
  createdAt: string;
  /** Training features, in order. */
  features: string[];
  /** Training parameters. */
  params: unknown;
  /** Evaluation metrics. */
  metrics: Metrics;
  /** Tables (and versions) trained on. */
  trainingData: TrainingDataRef[];
  /** Git commit of the training code. */
  codeVersion: string;
  /** Free text, or null. */
  description: string | null;
  /** Free labels. */
  tags: Record<string, string>;
  /** The run that produced it, or null. */
  runId: string | null;
  /** SHA-256 of model.json, checked on load. */
  modelSha256: string;
  /** Why it was trained; absent from versions registered before this field existed. */
  retraining?: RetrainingRecord | null;
}

/** A training run to log. */
export interface RunInput {
  /** Registered model name the run trains (if any). */
  model?: string;
  /** Parameters of the run. */
  params: unknown;
  /** Metrics of the run. */
  metrics: Metrics;
  /** Files produced (paths relative to the models root, or absolute). */
  artifacts?: string[];
  /** Outcome (default "succeeded"). */
  status?: "succeeded" | "failed";
  /** Error message of a failed run. */
  error?: string;
  /** When the run started (default: when it is logged). */
  startedAt?: Date;
  /** Duration of the training, in milliseconds. */
  durationMs?: number;
  /** Tables (and versions) used. */
  trainingData?: TrainingDataRef[];
  /** Git commit of the code. */
  codeVersion?: string;
  /** Version registered from this run, if any. */
  version?: number;
  /** Free labels. */
  tags?: Record<string, string>;
  /** How the run decided what to train (including to train nothing). */
  retraining?: RetrainingRecord;
}

/** A logged run (one line of `runs.jsonl`). */
export interface RunRecord {
  /** Unique id (UUID). */
  runId: string;
  /** Registered model name, or null. */
  model: string | null;
  /** Outcome of the run. */
  status: "succeeded" | "failed";
  /** ISO 8601 UTC instant the run started. */
  startedAt: string;
  /** ISO 8601 UTC instant it was logged. */
  loggedAt: string;
  /** Duration in milliseconds, or null. */
  durationMs: number | null;
  /** Parameters of the run. */
  params: unknown;
  /** Metrics of the run (NaN stored as null). */
  metrics: Metrics;
  /** Files produced. */
  artifacts: string[];
  /** Error message of a failed run, or null. */
  error: string | null;
  /** Tables (and versions) used. */
  trainingData: TrainingDataRef[];
  /** Git commit of the code, or null. */
  codeVersion: string | null;
  /** Version registered from the run, or null. */
  version: number | null;
  /** Free labels. */
  tags: Record<string, string>;
  /** How the run decided what to train; absent from runs logged before this field existed. */
  retraining?: RetrainingRecord | null;
}

/** A version, "latest", or an alias. */
export type VersionRef = number | string;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const VERSION_DIR = /^\d{6}$/;

function checkName(name: string, what: string): void {
  if (!NAME.test(name) || name.includes("..")) {
    throw new RegistryError(
      `invalid ${what} '${name}': use letters, digits, '_', '-', '.' (at most 128)`,
    );
  }
}

function cleanMetrics(metrics: Metrics, what: string): Metrics {
  const out: Metrics = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (value !== null && typeof value !== "number") {
      throw new RegistryError(`${what}: metric '${key}' is not a number`);
    }
    out[key] = value === null || Number.isNaN(value) ? null : value;
  }
  return out;
}

function sha256(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Registry of models under a root folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge } from "./linear.ts";
 * import { ModelRegistry } from "./registry.ts";
 * const registry = new ModelRegistry(await Deno.makeTempDir());
 * const model = fitRidge(featureMatrix({ t: [0, 1, 2] }), [1, 2, 4]);
 * const v = await registry.register("conso_h1", model, {
 *   metrics: { mape: 1.2 },
 *   trainingData: [{ table: "eco2mix_gold", version: 7 }],
 *   codeVersion: "0b10bec",
 * });
 * await registry.setAlias("conso_h1", "champion", v.version);
 * const { info } = await registry.load("conso_h1", "champion");
 * assert.ok(info.version === 1 && info.trainingData[0].version === 7);
 * ```
 */
export class ModelRegistry {
  readonly #clock: () => Date;

  /** `root` is created on first write; `clock` can be fixed in tests. */
  constructor(readonly root: string, options: { clock?: () => Date } = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  #modelDir(name: string): string {
    checkName(name, "model name");
    return join(this.root, name);
  }

  #versionDir(name: string, version: number): string {
    return join(this.#modelDir(name), "versions", String(version).padStart(6, "0"));
  }

  /** Stores `model` as the next version of `name` and returns its metadata. */
  async register(name: string, model: Model, info: RegisterInfo): Promise<ModelVersionInfo> {
    const versions = join(this.#modelDir(name), "versions");
    if (typeof info.codeVersion !== "string" || info.codeVersion === "") {
      throw new RegistryError(`register '${name}': codeVersion (a git commit) is required`);
    }
    if (!Array.isArray(info.trainingData)) {
      throw new RegistryError(`register '${name}': trainingData must list the tables used`);
    }
    await Deno.mkdir(versions, { recursive: true });
    const text = modelToJSONText(model, `model '${name}'`);
    const params = info.params ?? (model as { params?: unknown }).params ?? null;
    // Prepare the version in a private folder, then claim the next free number by renaming.
    const staging = join(versions, `.staging-${crypto.randomUUID()}`);
    await Deno.mkdir(staging);
    try {
      await Deno.writeTextFile(join(staging, "model.json"), text);
      for (const [key, value] of Object.entries(info.attachments ?? {})) {
        checkName(key, "attachment name");
        if (key === "model" || key === "meta") {
          throw new RegistryError(`register '${name}': attachment name '${key}' is reserved`);
        }
        await Deno.writeTextFile(join(staging, `${key}.json`), JSON.stringify(value));
      }
      for (let attempt = 0; attempt < 100; attempt++) {
        const version = (await this.#versionNumbers(name)).at(-1) ?? 0;
        const meta: ModelVersionInfo = {
          name,
          version: version + 1,
          kind: model.kind,
          createdAt: this.#clock().toISOString(),
          features: [...model.featureNames],
          params,
          metrics: cleanMetrics(info.metrics, `register '${name}'`),
          trainingData: info.trainingData,
          codeVersion: info.codeVersion,
          description: info.description ?? null,
          tags: info.tags ?? {},
          runId: info.runId ?? null,
          modelSha256: sha256(text),
          retraining: info.retraining ?? null,
        };
        await Deno.writeTextFile(join(staging, "meta.json"), JSON.stringify(meta, null, 2));
        try {
          await Deno.rename(staging, this.#versionDir(name, meta.version));
          return meta;
        } catch (error) {
          // Another writer took this number (the target exists and is not empty): retry.
          if (!(await exists(this.#versionDir(name, meta.version)))) throw error;
        }
      }
      throw new RegistryError(`register '${name}': could not claim a version number`);
    } finally {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
    }
  }

  async #versionNumbers(name: string): Promise<number[]> {
    const dir = join(this.#modelDir(name), "versions");
    const numbers: number[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isDirectory && VERSION_DIR.test(entry.name)) numbers.push(Number(entry.name));
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    return numbers.sort((a, b) => a - b);
  }

  /** Names of the registered models, sorted. */
  async listModels(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.root)) {
        if (entry.isDirectory && NAME.test(entry.name)) {
          if ((await this.#versionNumbers(entry.name)).length > 0) names.push(entry.name);
        }
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    return names.sort();
  }

  /** Metadata of every version of `name`, oldest first. */
  async listVersions(name: string): Promise<ModelVersionInfo[]> {
    const numbers = await this.#versionNumbers(name);
    return await Promise.all(numbers.map((v) => this.#readMeta(name, v)));
  }

  async #readMeta(name: string, version: number): Promise<ModelVersionInfo> {
    const path = join(this.#versionDir(name, version), "meta.json");
    const meta = await readJsonFile(path).catch((error) => {
      throw new RegistryError(`${path}: ${(error as Error).message}`);
    }) as ModelVersionInfo;
    if (meta?.name !== name || meta.version !== version) {
      throw new RegistryError(`${path}: metadata does not describe ${name} version ${version}`);
    }
    return meta;
  }

  /** The version number a reference designates: a number, "latest" or an alias. */
  async resolve(name: string, ref: VersionRef = "latest"): Promise<number> {
    const numbers = await this.#versionNumbers(name);
    if (numbers.length === 0) throw new RegistryError(`model '${name}' has no version`);
    if (typeof ref === "number") {
      if (!numbers.includes(ref)) throw new RegistryError(`model '${name}' has no version ${ref}`);
      return ref;
    }
    if (ref === "latest") return numbers[numbers.length - 1];
    const version = (await this.aliases(name))[ref];
    if (version === undefined) throw new RegistryError(`model '${name}' has no alias '${ref}'`);
    return version;
  }

  /**
   * An attachment registered with a version (see {@linkcode RegisterInfo.attachments}), or null
   * when the version has none of that name.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ModelRegistry } from "./registry.ts";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitRidge } from "./linear.ts";
   * const registry = new ModelRegistry(await Deno.makeTempDir());
   * const model = fitRidge(featureMatrix({ x: [1, 2, 3] }), [2, 4, 6]);
   * await registry.register("m", model, {
   *   metrics: {}, trainingData: [], codeVersion: "abc", attachments: { importance: { x: 0.5 } },
   * });
   * assert.deepEqual(await registry.attachment("m", "latest", "importance"), { x: 0.5 });
   * assert.equal(await registry.attachment("m", 1, "absent"), null);
   * ```
   */
  async attachment(name: string, ref: VersionRef, key: string): Promise<unknown | null> {
    checkName(key, "attachment name");
    const path = join(this.#versionDir(name, await this.resolve(name, ref)), `${key}.json`);
    if (!(await exists(path))) return null;
    return await readJsonFile(path).catch((error) => {
      throw new RegistryError(`${path}: ${(error as Error).message}`);
    });
  }

  /** Metadata of a version. */
  async getVersion(name: string, ref: VersionRef = "latest"): Promise<ModelVersionInfo> {
    return await this.#readMeta(name, await this.resolve(name, ref));
  }

  /** Loads a version's model (its checksum verified) and metadata. */
  async load(
    name: string,
    ref: VersionRef = "latest",
  ): Promise<{ model: Model; info: ModelVersionInfo }> {
    const version = await this.resolve(name, ref);
    const info = await this.#readMeta(name, version);
    const path = join(this.#versionDir(name, version), "model.json");
    // The checksum is of the UTF-8 bytes (what `register` hashed through its text): hashing the
    // bytes read spares re-encoding a text of tens of MB for a large forest.
    const bytes = await Deno.readFile(path);
    if (sha256(bytes) !== info.modelSha256) {
      throw new RegistryError(`${path}: checksum differs from meta.json (file altered?)`);
    }
    const text = new TextDecoder().decode(bytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RegistryError(`${path}: invalid JSON (${(error as Error).message})`);
    }
    return { model: modelFromJSON(json, path), info };
  }

  /** Aliases of `name` (alias -> version). */
  async aliases(name: string): Promise<Record<string, number>> {
    const path = join(this.#modelDir(name), "aliases.json");
    if (!(await exists(path))) return {};
    const aliases = await readJsonFile(path).catch((error) => {
      throw new RegistryError(`${path}: ${(error as Error).message}`);
    });
    if (!aliases || typeof aliases !== "object" || Array.isArray(aliases)) {
      throw new RegistryError(`${path}: expected an object of alias -> version`);
    }
    return aliases as Record<string, number>;
  }

  /** Points `alias` of `name` to an existing version (moving it if it existed). */
  async setAlias(name: string, alias: string, version: number): Promise<void> {
    checkName(alias, "alias");
    if (alias === "latest" || /^\d+$/.test(alias)) {
      throw new RegistryError(`'${alias}' is reserved and cannot be an alias`);
    }
    await this.resolve(name, version);
    const aliases = await this.aliases(name);
    aliases[alias] = version;
    await writeFileAtomic(
      join(this.#modelDir(name), "aliases.json"),
      JSON.stringify(aliases, null, 2),
    );
  }

  /**
   * Champion / challenger: points `alias` (default "champion") to `version` if the alias is
   * free or the version beats the current holder on `metric` (lower is better unless
   * `higherIsBetter`, e.g. for R2). A version without the metric never wins.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitRidge } from "./linear.ts";
   * import { ModelRegistry } from "./registry.ts";
   * const registry = new ModelRegistry(await Deno.makeTempDir());
   * const model = fitRidge(featureMatrix({ t: [0, 1, 2] }), [1, 2, 4]);
   * const common = { trainingData: [], codeVersion: "abc1234" };
   * await registry.register("m", model, { ...common, metrics: { mape: 2.1 } });
   * await registry.register("m", model, { ...common, metrics: { mape: 1.7 } });
   * assert.equal((await registry.promote("m", 1, "mape")).promoted, true);
   * assert.equal((await registry.promote("m", 2, "mape")).promoted, true);
   * assert.equal((await registry.promote("m", 1, "mape")).promoted, false);
   * assert.equal((await registry.aliases("m")).champion, 2);
   * ```
   */
  async promote(
    name: string,
    version: number,
    metric: string,
    options: { alias?: string; higherIsBetter?: boolean } = {},
  ): Promise<{ promoted: boolean; previous: number | null; reason: string }> {
    const alias = options.alias ?? "champion";
    const candidate = await this.getVersion(name, version);
    const value = candidate.metrics[metric];
    if (typeof value !== "number") {
      return { promoted: false, previous: null, reason: `version ${version} has no ${metric}` };
    }
    const previous = (await this.aliases(name))[alias] ?? null;
    if (previous !== null && previous !== version) {
      const current = (await this.getVersion(name, previous)).metrics[metric];
      const better = typeof current !== "number" ||
        (options.higherIsBetter ? value > current : value < current);
      if (!better) {
        return {
          promoted: false,
          previous,
          reason: `${metric} ${value} does not beat version ${previous} (${current})`,
        };
      }
    }
    await this.setAlias(name, alias, version);
    return {
      promoted: true,
      previous,
      reason: `${alias} -> version ${version} (${metric} ${value})`,
    };
  }

  /** Removes an alias; an unknown alias is an error. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    const aliases = await this.aliases(name);
    if (!(alias in aliases)) throw new RegistryError(`model '${name}' has no alias '${alias}'`);
    delete aliases[alias];
    await writeFileAtomic(
      join(this.#modelDir(name), "aliases.json"),
      JSON.stringify(aliases, null, 2),
    );
  }

  /** Appends a training run to the runs log and returns it with its id. */
  async logRun(run: RunInput): Promise<RunRecord> {
    if (run.model !== undefined) checkName(run.model, "model name");
    const now = this.#clock();
    const record: RunRecord = {
      runId: crypto.randomUUID(),
      model: run.model ?? null,
      status: run.status ?? "succeeded",
      startedAt: (run.startedAt ?? now).toISOString(),
      loggedAt: now.toISOString(),
      durationMs: run.durationMs ?? null,
      params: run.params,
      metrics: cleanMetrics(run.metrics, "logRun"),
      artifacts: run.artifacts ?? [],
      error: run.error ?? null,
      trainingData: run.trainingData ?? [],
      codeVersion: run.codeVersion ?? null,
      version: run.version ?? null,
      tags: run.tags ?? {},
      retraining: run.retraining ?? null,
    };
    await Deno.mkdir(this.root, { recursive: true });
    // One write of one line in append mode: concurrent runs never interleave.
    await Deno.writeTextFile(join(this.root, "runs.jsonl"), JSON.stringify(record) + "\n", {
      append: true,
    });
    return record;
  }

  /** Logged runs, oldest first, optionally of one model only. */
  async listRuns(filter: { model?: string } = {}): Promise<RunRecord[]> {
    const path = join(this.root, "runs.jsonl");
    if (!(await exists(path))) return [];
    const lines = (await Deno.readTextFile(path)).split("\n");
    const runs: RunRecord[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      let run: RunRecord;
      try {
        run = JSON.parse(line);
      } catch (error) {
        throw new RegistryError(`${path}: line ${i + 1}: ${(error as Error).message}`);
      }
      if (filter.model === undefined || run.model === filter.model) runs.push(run);
    });
    return runs;
  }
}
