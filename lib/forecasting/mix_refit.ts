/**
 * When notebook 09's renewable-share classifiers are fitted again, and when the registered ones
 * serve. Twelve gradient-boosted classifiers (six horizons, two class schemes) took 70-110 s of
 * every daily run on this machine, for a day of new instants out of months: a classifier now
 * serves until its training data is a week behind, as the consumption models' comparisons do
 * (`refreshComparisonsAfterMs` in selection_cache.ts), or until anything that shaped it changed.
 *
 * A reused classifier is scored on the current test period like a new one. That stays honest: it
 * was trained on targets up to its own cut-off, before the test period it was scored on then,
 * and the test period only moves forward with the data (a classifier trained past the current
 * test start is never reused). Its class scheme is the one it was trained with (the terciles
 * are recomputed from the training shares at each fit, so a reused tercile classifier keeps its
 * bounds).
 *
 * @module
 */

import type { ModelVersionInfo } from "../ml/mod.ts";
import { canonicalJson, type RetrainingPolicy } from "./selection_cache.ts";
import type { ClassScheme } from "./classification.ts";

const DAY_MS = 86_400_000;

/** What a classifier is fitted with, as recorded in its registry `params`. */
export interface MixFitKey {
  /** Gradient boosting parameters of the profile. */
  gbdt: unknown;
  /** The profile's name (`complet`, `rapide`). */
  profile: string;
  /** Feature names, in order. */
  features: readonly string[];
  /** Fingerprint of the classification code (see `sourceFingerprint`). */
  code: string;
  /** The brief's fixed classes, or null for a scheme computed at each fit (terciles). */
  fixedScheme: ClassScheme | null;
  /** Last training target instant the current data allows (epoch ms). */
  trainingEnd: number;
}

/** Registry `params` of a classifier (the names are the registry's, in French). */
export interface MixFitParams {
  horizon_heures: number;
  schema: ClassScheme;
  features: string[];
  gbdt: unknown;
  profil: string;
  empreinte_code: string;
  /** ISO 8601 instant of the last training target. */
  fin_entrainement: string;
}

/** The decision for one classifier; `reason` is French, for the notebook and the manifest. */
export type MixRefitPlan =
  | { refit: true; reason: string }
  | { refit: false; reason: string; version: number; scheme: ClassScheme; rows: number };

/** Options of {@linkcode planMixRefit}. */
export interface MixRefitOptions {
  /** Under `auto`, a classifier this far behind the data is fitted again (default 7 days). */
  refreshAfterMs?: number;
}

function frenchDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).split("-").reverse().join("/");
}

/**
 * Whether to fit a classifier again, given the policy (`reentrainement`), its registered
 * champion (or null) and the current key. `aucun` keeps any registered classifier that ends
 * before the current test period; `complet` always fits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planMixRefit } from "./mix_refit.ts";
 * const day = 86_400_000;
 * const scheme = { name: "terciles", labels: ["a", "b", "c"], bounds: [20, 30] };
 * const key = { gbdt: { maxIter: 300 }, profile: "complet", features: ["f"], code: "c1", fixedScheme: null, trainingEnd: 10 * day };
 * const registered = {
 *   version: 4,
 *   params: {
 *     horizon_heures: 1, schema: scheme, features: ["f"], gbdt: { maxIter: 300 }, profil: "complet",
 *     empreinte_code: "c1", fin_entrainement: new Date(9 * day).toISOString(),
 *   },
 *   trainingData: [{ table: "eco2mix_silver", version: 3, rows: 900 }],
 *   createdAt: "2026-01-01T00:00:00Z",
 * };
 * const reuse = planMixRefit("auto", registered, key);
 * assert.equal(reuse.refit, false);
 * assert.equal(reuse.refit === false && reuse.version, 4);
 * assert.equal(planMixRefit("auto", registered, { ...key, trainingEnd: 16 * day }).refit, true);
 * assert.equal(planMixRefit("auto", registered, { ...key, code: "c2" }).refit, true);
 * assert.equal(planMixRefit("complet", registered, key).refit, true);
 * assert.equal(planMixRefit("aucun", registered, { ...key, code: "c2", trainingEnd: 99 * day }).refit, false);
 * assert.equal(planMixRefit("auto", null, key).refit, true);
 * ```
 */
export function planMixRefit(
  policy: RetrainingPolicy,
  registered: Pick<ModelVersionInfo, "version" | "params" | "trainingData" | "createdAt"> | null,
  key: MixFitKey,
  options: MixRefitOptions = {},
): MixRefitPlan {
  const refit = (reason: string): MixRefitPlan => ({ refit: true, reason });
  if (policy === "complet") return refit("reentrainement = complet demandé");
  if (registered === null) return refit("aucun classifieur enregistré");
  const params = registered.params as Partial<MixFitParams>;
  const end = Date.parse(params.fin_entrainement ?? "");
  if (!Number.isFinite(end) || !params.schema) {
    return refit("classifieur enregistré sans fin d'entraînement connue");
  }
  if (end > key.trainingEnd) {
    return refit("le classifieur enregistré a appris sur des instants de la période de test");
  }
  const reuse = (reason: string): MixRefitPlan => ({
    refit: false,
    reason,
    version: registered.version,
    scheme: params.schema!,
    rows: registered.trainingData[0]?.rows ?? 0,
  });
  const since = `classifieur du ${registered.createdAt.slice(0, 10)} (données jusqu'au ${
    frenchDate(end)
  })`;
  if (policy === "aucun") return reuse(`reentrainement = aucun : ${since} réutilisé`);
  const changed = [
    canonicalJson(params.gbdt) !== canonicalJson(key.gbdt) || params.profil !== key.profile
      ? "paramètres"
      : null,
    canonicalJson(params.features) !== canonicalJson(key.features) ? "caractéristiques" : null,
    params.empreinte_code !== key.code ? "code de la classification" : null,
    key.fixedScheme && canonicalJson(params.schema) !== canonicalJson(key.fixedScheme)
      ? "classes"
      : null,
  ].filter((c) => c !== null);
  if (changed.length) return refit(`changé depuis le ${since} : ${changed.join(", ")}`);
  const refreshAfter = options.refreshAfterMs ?? 7 * DAY_MS;
  const behind = key.trainingEnd - end;
  if (behind >= refreshAfter) {
    return refit(`${Math.round(behind / DAY_MS)} jours de nouvelles données depuis le ${since}`);
  }
  return reuse(
    behind === 0
      ? `${since} réutilisé : aucun nouvel instant d'entraînement`
      : `${since} réutilisé : réajusté après ${Math.round(refreshAfter / DAY_MS)} jours de ` +
        "nouvelles données",
  );
}
