/**
 * Model-selection cache: the outcome of a cross-validation (the learner chosen for a model, its
 * parameters, the scores that chose it) kept on disk beside the model registry, so that a run
 * whose configuration has not changed skips the cross-validation, and a run whose training data
 * has not changed either skips training altogether.
 *
 * Two keys, because they decide different things:
 *
 * - the **configuration** ({@linkcode SelectionConfig}: learners and their parameters, folds,
 *   features, the code of the features and of the learners, profile) determines the selection:
 *   when any of it changes, the selection is made again ({@linkcode selectionKey} hashes it);
 * - the **training data** ({@linkcode TrainingDataFingerprint}: a SHA-256 of the training rows)
 *   determines the fitted models: new or revised rows call for a refit of the selected models,
 *   not for a new selection, until they amount to a sizeable share of the rows the selection
 *   was made on (`reselectAfter`, default 10 %: a year of new half-hours on a ten-year history).
 *
 * {@linkcode planRetraining} turns the policy (`reentrainement` = `auto`, `complet` or `aucun`),
 * the cached selection and the current keys into one of four cases, with the reason in French
 * (shown to the user and recorded in the registry through {@linkcode retrainingRecord}):
 *
 * | case                  | when                                                             | work                              |
 * | --------------------- | ---------------------------------------------------------------- | --------------------------------- |
 * | `selection`           | `complet`; `auto` without a selection, or configuration changed  | cross-validation, fits, registry  |
 * | `reajustement`        | `auto`, same configuration, training data changed                | fits of the selected models only  |
 * | `inchange`            | `auto`, same configuration and data as the last fit              | none: the registered models serve |
 * | `modeles_enregistres` | `aucun` and models were fitted before                            | none, whatever changed            |
 * | `sans_modele`         | `aucun` and nothing was ever fitted                              | none possible: the caller skips   |
 *
 * A `reajustement` refits the champion, the model whose forecasts are published, on every change
 * of its training data; the models it is compared with (the other learners, the variants with
 * other inputs) only once their training data is a week behind (`refreshComparisonsAfterMs`):
 * a day of new rows barely moves a comparison, and refitting them all made the daily run
 * several times longer. The plan's `scope` says which ({@linkcode RefitScope}). Between those
 * weekly full refits a gradient-boosting champion keeps its trees and only has its leaf values
 * re-estimated on the day's rows (the plan's `method`, {@linkcode RefitMethod}): regrowing 600
 * trees was the largest part of the daily run.
 *
 * Files: `<models root>/_selections/<name>.json`, one per registered model name, replaced
 * atomically ({@linkcode SelectionStore}). The folder starts with `_`, which no model name can,
 * so the registry never lists it as a model.
 *
 * Why one module of this size: the plan and the store read the same selection file and decide
 * reuse from the same keys (configuration key, training-data fingerprint, fit record); the
 * table of cases above is their common contract and is kept beside both.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { type FeatureMatrix, type RetrainingRecord, writeFileAtomic } from "../ml/mod.ts";

/** A selection file that cannot be used (the message names the file), or a bad policy name. */
export class SelectionCacheError extends Error {
  override name = "SelectionCacheError";
}

/** The values of the `reentrainement` parameter. */
export const RETRAINING_POLICIES = ["auto", "complet", "aucun"] as const;
/** One of {@linkcode RETRAINING_POLICIES}. */
export type RetrainingPolicy = (typeof RETRAINING_POLICIES)[number];

/**
 * Checks a `reentrainement` parameter value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRetrainingPolicy } from "./selection_cache.ts";
 * assert.equal(parseRetrainingPolicy("auto"), "auto");
 * assert.throws(() => parseRetrainingPolicy("toujours"), /auto, complet ou aucun/);
 * ```
 */
export function parseRetrainingPolicy(value: string): RetrainingPolicy {
  if ((RETRAINING_POLICIES as readonly string[]).includes(value)) return value as RetrainingPolicy;
  throw new SelectionCacheError(
    `reentrainement = "${value}" : valeurs possibles auto, complet ou aucun`,
  );
}

/** Everything but the training data that determines a model selection (plain JSON). */
export interface SelectionConfig {
  /** Registered model name the selection is for, e.g. `consommation_h1`. */
  name: string;
  /** Training profile name. */
  profile: string;
  /** Learners compared, each with its parameters. */
  learners: Record<string, unknown>;
  /** How they are compared (folds, fold length, gap...). */
  validation: unknown;
  /** Model features, in order. */
  features: readonly string[];
  /** Fingerprint of the code computing the features (`sourceFingerprint` of `lib/ml`). */
  featureCode: string;
  /** Fingerprint of the learners' code. */
  learnerCode: string;
}

/** What the training rows were. */
export interface TrainingDataFingerprint {
  /** SHA-256 (hex) of the rows: feature names and values, target, instants. */
  sha256: string;
  rows: number;
  /** First and last instants of the rows (UTC epoch ms), null when not given. */
  first: number | null;
  last: number | null;
}

/** A learner's mean cross-validation scores. */
export interface LearnerScore {
  learner: string;
  /** The score the selection minimised (e.g. MAPE in %). */
  score: number;
  /** Other means (RMSE, MAE...), by name. */
  others?: Record<string, number>;
}

/** The last fit of the selected models. */
export interface FitRecord {
  data: TrainingDataFingerprint;
  /**
   * Registered version of each model fitted, by a label the caller chooses (the registered name,
   * or the learner when several learners share one name).
   */
  versions: Record<string, number>;
  /** ISO 8601 UTC instant of the fit. */
  fittedAt: string;
  /**
   * The training data of the last fit of every model, comparisons included (absent in files
   * written before comparisons were refitted separately: then `data`).
   */
  comparisonData?: TrainingDataFingerprint;
  /**
   * Results measured on this fit that later runs reuse with it (plain JSON, e.g. a permutation
   * importance that costs more than the daily refit), absent when none was given.
   */
  details?: unknown;
}

/** A cached selection (the JSON file). */
export interface ModelSelection {
  format: 1;
  name: string;
  /** {@linkcode selectionKey} of `config`. */
  configKey: string;
  config: SelectionConfig;
  /** The rows the cross-validation ran on. */
  data: TrainingDataFingerprint;
  /** The learner chosen and its parameters. */
  champion: string;
  params: unknown;
  /** Mean cross-validation score of every learner compared. */
  scores: LearnerScore[];
  /** Anything else worth keeping (per-fold scores...), plain JSON. */
  details: unknown;
  /** ISO 8601 UTC instant of the selection. */
  selectedAt: string;
  /** The last fit of the selected models, null until {@linkcode SelectionStore.recordFit}. */
  fit: FitRecord | null;
}

/**
 * JSON with object keys sorted, so that equal values give equal text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./selection_cache.ts";
 * assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(
          Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
        : v,
  );
}

/**
 * SHA-256 of a configuration, independent of the order of object keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectionKey } from "./selection_cache.ts";
 * const config = {
 *   name: "consommation_h1", profile: "complet", learners: { gbdt: { maxIter: 600, learningRate: 0.1 } },
 *   validation: { folds: 5 }, features: ["heure"], featureCode: "f1", learnerCode: "l1",
 * };
 * const reordered = { ...config, learners: { gbdt: { learningRate: 0.1, maxIter: 600 } } };
 * assert.equal(selectionKey(config), selectionKey(reordered));
 * assert.notEqual(selectionKey(config), selectionKey({ ...config, features: ["heure", "mois"] }));
 * ```
 */
export function selectionKey(config: SelectionConfig): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex");
}

/** Values hashed per chunk (NaN made canonical first: its bit pattern may vary). */
const CHUNK = 65_536;

/**
 * Fingerprint of training rows: feature names and values, target and (optionally) instants,
 * hashed bit for bit (any revised value changes it), every NaN counted as one value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "../ml/mod.ts";
 * import { fingerprintRows } from "./selection_cache.ts";
 * const x = featureMatrix({ heure: [0, 0.5, 1] });
 * const a = fingerprintRows(x, [50_000, 51_000, 52_000], [0, 1_800_000, 3_600_000]);
 * const b = fingerprintRows(x, [50_000, 51_000, 52_001], [0, 1_800_000, 3_600_000]);
 * assert.equal(a.rows, 3);
 * assert.equal(a.last, 3_600_000);
 * assert.notEqual(a.sha256, b.sha256);
 * ```
 */
export function fingerprintRows(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  epochMs?: ArrayLike<number>,
): TrainingDataFingerprint {
  if (y.length !== x.nRows || (epochMs && epochMs.length !== x.nRows)) {
    throw new SelectionCacheError(
      `fingerprintRows: ${x.nRows} rows, ${y.length} targets, ${epochMs?.length} instants`,
    );
  }
  const hash = createHash("sha256");
  hash.update(canonicalJson({ names: x.names, rows: x.nRows, instants: epochMs !== undefined }));
  const chunk = new Float64Array(CHUNK);
  const bytes = new Uint8Array(chunk.buffer);
  const add = (values: ArrayLike<number>) => {
    for (let start = 0; start < values.length; start += CHUNK) {
      const end = Math.min(values.length, start + CHUNK);
      for (let i = start; i < end; i++) {
        const v = values[i];
        chunk[i - start] = v === v ? v : NaN;
      }
      hash.update(bytes.subarray(0, (end - start) * 8));
    }
  };
  for (const column of x.columns) add(column);
  add(y);
  if (epochMs) add(epochMs);
  const n = x.nRows;
  return {
    sha256: hash.digest("hex"),
    rows: n,
    first: epochMs && n > 0 ? epochMs[0] : null,
    last: epochMs && n > 0 ? epochMs[n - 1] : null,
  };
}

/** The decision of {@linkcode planRetraining}. */
export type RetrainingCase =
  | "selection"
  | "reajustement"
  | "inchange"
  | "modeles_enregistres"
  | "sans_modele";

/**
 * Which models a plan fits: `all` (the champion and the models it is compared with),
 * `champion` (the others are reused from the registry) or `none`.
 */
export type RefitScope = "all" | "champion" | "none";

/**
 * How a plan fits the champion: `complet` (its trees grown again, as every other model fitted),
 * or `feuilles_reestimees` (a gradient-boosting champion between the weekly full refits: its
 * registered trees kept, their leaf values re-estimated on the current training rows, see
 * `refitForecasterLeaves`); null when nothing is fitted.
 */
export type RefitMethod = "complet" | "feuilles_reestimees";

/**
 * Champions whose trees a daily refit keeps, re-estimating only their leaves (an ensemble: those
 * of its gradient-boosting members, see `refitForecasterLeaves`).
 */
const LEAF_REFIT_LEARNERS: readonly string[] = ["gbdt", "moyenne_modeles"];

/** What to do for one model, and why. */
export interface RetrainingPlan {
  policy: RetrainingPolicy;
  case: RetrainingCase;
  scope: RefitScope;
  /** How the champion is fitted (null when nothing is). */
  method: RefitMethod | null;
  /** Why, in French (for the notebook and the registry). */
  reason: string;
  /** The cached selection to reuse (null for `selection` and `sans_modele`). */
  selection: ModelSelection | null;
}

/** The keys of the current run. */
export interface CurrentKeys {
  config: SelectionConfig;
  data: TrainingDataFingerprint;
}

/** Options of {@linkcode planRetraining}. */
export interface PlanOptions {
  /**
   * Under `auto`, select again once the training rows differ in number from the rows the
   * selection was made on by more than this share of them (default 0.1).
   */
  reselectAfter?: number;
  /**
   * Under `auto`, a `reajustement` refits the comparison models too once the last training
   * instant is this far past theirs (default 7 days); before, only the champion.
   */
  refreshComparisonsAfterMs?: number;
}

const WEEK_MS = 7 * 86_400_000;

const CONFIG_LABELS: Record<keyof SelectionConfig, string> = {
  name: "modèle",
  profile: "profil",
  learners: "paramètres des apprenants",
  validation: "validation croisée",
  features: "caractéristiques",
  featureCode: "code des caractéristiques",
  learnerCode: "code des apprenants",
};

/** The configuration fields that differ, as French labels. */
function changedFields(a: SelectionConfig, b: SelectionConfig): string[] {
  return (Object.keys(CONFIG_LABELS) as (keyof SelectionConfig)[])
    .filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]))
    .map((k) => CONFIG_LABELS[k]);
}

function rowsText(n: number): string {
  return n.toLocaleString("fr-FR");
}

/**
 * Decides what a run does for one model (see the table in the module doc). Pure: the caller
 * loads the cached selection ({@linkcode SelectionStore.load}) and computes the current keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newSelection, planRetraining } from "./selection_cache.ts";
 * const config = {
 *   name: "consommation_h1", profile: "complet", learners: { gbdt: {} }, validation: {},
 *   features: ["heure"], featureCode: "f", learnerCode: "l",
 * };
 * const data = { sha256: "a", rows: 1000, first: 0, last: 999 };
 * const cached = newSelection({ config, data, champion: "gbdt", params: {}, scores: [] });
 * cached.fit = { data, versions: { consommation_h1: 3 }, fittedAt: "2025-07-26T00:00:00Z" };
 * assert.equal(planRetraining("auto", null, { config, data }).case, "selection");
 * assert.equal(planRetraining("auto", cached, { config, data }).case, "inchange");
 * const newer = { sha256: "b", rows: 1048, first: 0, last: 1047 };
 * const refit = planRetraining("auto", cached, { config, data: newer });
 * assert.equal(refit.case, "reajustement");
 * assert.equal(refit.scope, "champion"); // 48 ms of new rows: the comparisons wait a week
 * assert.equal(refit.method, "feuilles_reestimees"); // a gbdt champion keeps its trees
 * const weekLater = { ...newer, last: 999 + 7 * 86_400_000 };
 * const weekly = planRetraining("auto", cached, { config, data: weekLater });
 * assert.deepEqual([weekly.scope, weekly.method], ["all", "complet"]);
 * assert.equal(planRetraining("complet", cached, { config, data }).case, "selection");
 * assert.equal(planRetraining("aucun", cached, { config, data: newer }).case, "modeles_enregistres");
 * ```
 */
export function planRetraining(
  policy: RetrainingPolicy,
  cached: ModelSelection | null,
  current: CurrentKeys,
  options: PlanOptions = {},
): RetrainingPlan {
  const reselectAfter = options.reselectAfter ?? 0.1;
  const refreshAfter = options.refreshComparisonsAfterMs ?? WEEK_MS;
  const plan = (
    c: RetrainingCase,
    reason: string,
    selection: ModelSelection | null,
    scope: RefitScope = c === "selection" ? "all" : "none",
    method: RefitMethod | null = scope === "none" ? null : "complet",
  ): RetrainingPlan => ({ policy, case: c, scope, method, reason, selection });
  const fitData = cached?.fit?.data ?? null;
  const sameData = fitData !== null && fitData.sha256 === current.data.sha256;
  if (policy === "aucun") {
    if (!cached?.fit) {
      return plan(
        "sans_modele",
        "reentrainement = aucun, mais aucun modèle n'a encore été entraîné pour " +
          current.config.name,
        null,
      );
    }
    const changes = [
      ...changedFields(cached.config, current.config),
      ...(sameData ? [] : ["données d'entraînement"]),
    ];
    return plan(
      "modeles_enregistres",
      "reentrainement = aucun : modèles enregistrés du " + cached.fit.fittedAt.slice(0, 10) +
        (changes.length ? ` réutilisés tels quels (changé depuis : ${changes.join(", ")})` : ""),
      cached,
    );
  }
  if (policy === "complet") return plan("selection", "reentrainement = complet demandé", null);
  if (cached === null) return plan("selection", "aucune sélection en cache", null);
  if (cached.configKey !== selectionKey(current.config)) {
    const fields = changedFields(cached.config, current.config);
    return plan("selection", `configuration changée (${fields.join(", ")})`, null);
  }
  const drift = Math.abs(current.data.rows - cached.data.rows) / Math.max(1, cached.data.rows);
  if (drift > reselectAfter) {
    return plan(
      "selection",
      `${rowsText(current.data.rows)} lignes d'entraînement contre ${rowsText(cached.data.rows)} ` +
        `lors de la sélection (écart de plus de ${Math.round(reselectAfter * 100)} %)`,
      null,
    );
  }
  if (sameData) {
    return plan(
      "inchange",
      `données d'entraînement inchangées depuis l'entraînement du ${
        cached.fit!.fittedAt.slice(0, 10)
      }`,
      cached,
    );
  }
  const added = current.data.rows - (fitData?.rows ?? cached.data.rows);
  const compared = cached.fit?.comparisonData ?? fitData;
  const comparisonsDue = compared === null || compared.last === null ||
    current.data.last === null || current.data.last - compared.last >= refreshAfter;
  const days = Math.round(refreshAfter / 86_400_000);
  // Between the weekly full refits, a gradient-boosting champion keeps its trees.
  const leaves = !comparisonsDue && LEAF_REFIT_LEARNERS.includes(cached.champion);
  return plan(
    "reajustement",
    `sélection du ${cached.selectedAt.slice(0, 10)} réutilisée ; données d'entraînement ` +
      (added === 0
        ? "révisées"
        : `${added > 0 ? "augmentées" : "réduites"} de ${rowsText(Math.abs(added))} ligne(s)`) +
      (comparisonsDue
        ? ""
        : leaves
        ? " ; les feuilles du modèle retenu sont réestimées sur les données du jour, ses arbres " +
          `regrandis et les modèles comparés réajustés après ${days} jours de nouvelles données`
        : ` ; seul le modèle retenu est réajusté, les modèles comparés le seront après ${days} ` +
          "jours de nouvelles données"),
    cached,
    comparisonsDue ? "all" : "champion",
    comparisonsDue ? "complet" : leaves ? "feuilles_reestimees" : "complet",
  );
}

/** What {@linkcode newSelection} needs. */
export interface SelectionInput {
  config: SelectionConfig;
  data: TrainingDataFingerprint;
  champion: string;
  params: unknown;
  scores: LearnerScore[];
  details?: unknown;
  /** Instant of the selection (default now). */
  selectedAt?: Date;
}

/**
 * A selection record for what a cross-validation chose (not fitted yet: `fit` is null).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newSelection, selectionKey } from "./selection_cache.ts";
 * const config = {
 *   name: "consommation_j1", profile: "rapide", learners: {}, validation: {}, features: [],
 *   featureCode: "f", learnerCode: "l",
 * };
 * const s = newSelection({
 *   config, data: { sha256: "x", rows: 10, first: null, last: null }, champion: "ridge",
 *   params: { alpha: 1 }, scores: [{ learner: "ridge", score: 2.5 }],
 * });
 * assert.equal(s.configKey, selectionKey(config));
 * assert.equal(s.fit, null);
 * ```
 */
export function newSelection(input: SelectionInput): ModelSelection {
  return {
    format: 1,
    name: input.config.name,
    configKey: selectionKey(input.config),
    config: input.config,
    data: input.data,
    champion: input.champion,
    params: input.params,
    scores: input.scores,
    details: input.details ?? null,
    selectedAt: (input.selectedAt ?? new Date()).toISOString(),
    fit: null,
  };
}

/**
 * What the registry records of a plan (in `runs.jsonl` and a version's `meta.json`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retrainingRecord } from "./selection_cache.ts";
 * const record = retrainingRecord({
 *   policy: "auto", case: "selection", scope: "all", method: "complet",
 *   reason: "aucune sélection en cache", selection: null,
 * });
 * assert.deepEqual(record, {
 *   policy: "auto", case: "selection", reason: "aucune sélection en cache", selectedAt: null,
 * });
 * ```
 */
export function retrainingRecord(plan: RetrainingPlan): RetrainingRecord {
  return {
    policy: plan.policy,
    case: plan.case,
    reason: plan.reason,
    selectedAt: plan.selection?.selectedAt ?? null,
  };
}

/** The name part of a selection file (registry model names: letters, digits, `_-.`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Cached selections under a models root (`<root>/_selections/<name>.json`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newSelection, SelectionStore } from "./selection_cache.ts";
 * const store = new SelectionStore(await Deno.makeTempDir());
 * const config = {
 *   name: "consommation_h1", profile: "complet", learners: {}, validation: {}, features: [],
 *   featureCode: "f", learnerCode: "l",
 * };
 * const data = { sha256: "x", rows: 10, first: null, last: null };
 * await store.save(newSelection({ config, data, champion: "gbdt", params: {}, scores: [] }));
 * await store.recordFit("consommation_h1", { data, versions: { consommation_h1: 1 } });
 * assert.equal((await store.load("consommation_h1"))?.fit?.versions.consommation_h1, 1);
 * assert.equal(await store.load("consommation_j1"), null);
 * ```
 */
export class SelectionStore {
  /** Folder of the selection files. */
  readonly dir: string;

  constructor(readonly modelsRoot: string) {
    this.dir = join(modelsRoot, "_selections");
  }

  #path(name: string): string {
    if (!NAME.test(name) || name.includes("..")) {
      throw new SelectionCacheError(`invalid model name '${name}'`);
    }
    return join(this.dir, `${name}.json`);
  }

  /** The cached selection of `name`, or null when there is none. */
  async load(name: string): Promise<ModelSelection | null> {
    const path = this.#path(name);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new SelectionCacheError(`${path}: invalid JSON (${(error as Error).message})`);
    }
    return checkedSelection(json, name, path);
  }

  /** Stores a selection (replacing the previous one of its name). */
  async save(selection: ModelSelection): Promise<void> {
    const path = this.#path(selection.name);
    checkedSelection(selection, selection.name, path);
    await Deno.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path, JSON.stringify(selection, null, 1));
  }

  /**
   * Records the fit of the selected models of `name` (data and versions), and returns it.
   * `comparisonData` is the training data of the comparison models when they were not refitted
   * with the champion (default `data`: they were).
   */
  async recordFit(
    name: string,
    fit: {
      data: TrainingDataFingerprint;
      versions: Record<string, number>;
      fittedAt?: Date;
      comparisonData?: TrainingDataFingerprint;
      details?: unknown;
    },
  ): Promise<ModelSelection> {
    const selection = await this.load(name);
    if (selection === null) {
      throw new SelectionCacheError(`${this.#path(name)}: no selection to record a fit on`);
    }
    selection.fit = {
      data: fit.data,
      versions: fit.versions,
      fittedAt: (fit.fittedAt ?? new Date()).toISOString(),
      comparisonData: fit.comparisonData ?? fit.data,
      ...(fit.details === undefined ? {} : { details: fit.details }),
    };
    await this.save(selection);
    return selection;
  }

  /** Forgets the selection of `name` (the next `auto` run selects again). */
  async remove(name: string): Promise<void> {
    await Deno.remove(this.#path(name)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}

/** Checks the shape of a selection read from `path` (a corrupt file must not be reused). */
function checkedSelection(json: unknown, name: string, path: string): ModelSelection {
  const s = json as Partial<ModelSelection> | null;
  const fail = (why: string): never => {
    throw new SelectionCacheError(`${path}: ${why}`);
  };
  if (!s || typeof s !== "object") return fail("not an object");
  if (s.format !== 1) fail(`unknown format ${JSON.stringify(s.format)}`);
  if (s.name !== name) fail(`holds the selection of '${s.name}', not '${name}'`);
  if (!s.config || typeof s.config !== "object") fail("no config");
  if (s.configKey !== selectionKey(s.config!)) fail("configKey does not match config");
  const data = (d: unknown, what: string) => {
    const f = d as Partial<TrainingDataFingerprint> | null;
    if (!f || typeof f.sha256 !== "string" || !Number.isInteger(f.rows)) fail(`invalid ${what}`);
  };
  data(s.data, "data");
  if (typeof s.champion !== "string" || s.champion === "") fail("no champion");
  if (!Array.isArray(s.scores)) fail("scores must be an array");
  if (typeof s.selectedAt !== "string") fail("no selectedAt");
  if (s.fit !== null) {
    if (!s.fit || typeof s.fit !== "object") fail("fit must be an object or null");
    data(s.fit!.data, "fit.data");
    if (!s.fit!.versions || typeof s.fit!.versions !== "object") fail("invalid fit.versions");
    if (s.fit!.comparisonData !== undefined) data(s.fit!.comparisonData, "fit.comparisonData");
  }
  return s as ModelSelection;
}
