/**
 * The revision stage ("nature") of eCO2mix data and its precedence: RTE publishes real-time
 * data, replaces it with consolidated data (metering, about M+1), then with definitive data
 * (A+1).
 *
 * @module
 */

import { normalizeHeader } from "./columns.ts";

/** Canonical revision stage, as stored in silver's `nature` column. */
export type Nature = "temps_reel" | "consolide" | "definitif";

/**
 * Precedence of each stage when files overlap: the higher wins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NATURE_RANK } from "./nature.ts";
 * assert.ok(NATURE_RANK.definitif > NATURE_RANK.consolide);
 * ```
 */
export const NATURE_RANK: Readonly<Record<Nature, number>> = {
  temps_reel: 1,
  consolide: 2,
  definitif: 3,
};

/**
 * Canonical stage of a raw `Nature` / `Statut - RTE` cell ("Données temps réel",
 * "Données consolidées", "Données définitives", "Définitif", "Consolidé", also with mojibake),
 * or undefined when the text is not a known stage.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNature } from "./nature.ts";
 * assert.equal(parseNature("Données consolidées"), "consolide");
 * assert.equal(parseNature("Définitif"), "definitif");
 * assert.equal(parseNature("DonnÃ©es temps rÃ©el"), "temps_reel");
 * assert.equal(parseNature("Meilleur Statut"), undefined);
 * ```
 */
export function parseNature(raw: string): Nature | undefined {
  const key = normalizeHeader(raw);
  if (/\btemps reel\b/.test(key)) return "temps_reel";
  if (/\bconsolide/.test(key)) return "consolide";
  if (/\bdefiniti/.test(key)) return "definitif";
  return undefined;
}
