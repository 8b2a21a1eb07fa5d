import assert from "node:assert/strict";
import { NATURE_RANK, parseNature } from "./nature.ts";

Deno.test("parseNature knows RTE's and ODRÉ's spellings", () => {
  assert.equal(parseNature("Données temps réel"), "temps_reel");
  assert.equal(parseNature("Données consolidées"), "consolide");
  assert.equal(parseNature("Données définitives"), "definitif");
  assert.equal(parseNature("Consolidé"), "consolide");
  assert.equal(parseNature("Définitif"), "definitif");
  assert.equal(parseNature("Temps réel"), "temps_reel");
  assert.equal(parseNature("DonnÃ©es dÃ©finitives"), "definitif");
  assert.equal(parseNature("Meilleur Statut"), undefined);
  assert.equal(parseNature(""), undefined);
});

Deno.test("precedence: definitive > consolidated > real-time", () => {
  assert.deepEqual(
    (["consolide", "temps_reel", "definitif"] as const).toSorted((a, b) =>
      NATURE_RANK[b] - NATURE_RANK[a]
    ),
    ["definitif", "consolide", "temps_reel"],
  );
});
