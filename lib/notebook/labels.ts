/**
 * French names of the identifiers of the data (sources of production, borders, mix shares, trend
 * series, models), with their article where a sentence needs one, for the prose and the tables of
 * the report and the notebooks.
 *
 * Why one place: "l'hydraulique", "vers l'Italie" or "la part du gaz" must read the same in every
 * sentence, and a raw identifier (`nucleaire`, `part_fossiles_total_pct`) must never reach a
 * reader.
 *
 * @module
 */

/** A French noun phrase: the bare name, the name with its definite article, and its `de` form. */
interface FrenchName {
  /** "nucléaire", "Italie". */
  name: string;
  /** "le nucléaire", "l'hydraulique", "les bioénergies", "l'Italie". */
  withArticle: string;
  /** "du nucléaire", "de l'hydraulique", "des bioénergies". */
  of: string;
}

function noun(name: string, article: "le" | "la" | "les" | "l'"): FrenchName {
  const withArticle = article === "l'" ? `l'${name}` : `${article} ${name}`;
  const of = article === "le"
    ? `du ${name}`
    : article === "les"
    ? `des ${name}`
    : `de ${withArticle}`;
  return { name, withArticle, of };
}

/** Sources of production (silver column names) and aggregates. */
const SOURCES: Readonly<Record<string, FrenchName>> = {
  nucleaire: noun("nucléaire", "le"),
  hydraulique: noun("hydraulique", "l'"),
  eolien: noun("éolien", "l'"),
  eolien_terrestre: noun("éolien terrestre", "l'"),
  eolien_offshore: noun("éolien en mer", "l'"),
  solaire: noun("solaire", "le"),
  bioenergies: noun("bioénergies", "les"),
  gaz: noun("gaz", "le"),
  charbon: noun("charbon", "le"),
  fioul: noun("fioul", "le"),
  thermique: noun("thermique fossile", "le"),
  fossiles_total: noun("fossiles", "les"),
  renouvelables_total: noun("renouvelables", "les"),
  renouvelables: noun("renouvelables", "les"),
  pompage: noun("pompage", "le"),
  ech_physiques: noun("solde des échanges physiques", "le"),
};

/** Borders, by the `pays` / `frontiere` labels of the gold tables. */
const COUNTRIES: Readonly<Record<string, FrenchName>> = {
  UK: noun("Grande-Bretagne", "la"),
  Espagne: noun("Espagne", "l'"),
  Italie: noun("Italie", "l'"),
  Suisse: noun("Suisse", "la"),
  "DE-BE": {
    name: "Allemagne et Belgique",
    withArticle: "l'Allemagne et la Belgique",
    of: "de l'Allemagne et de la Belgique",
  },
};

function lookup(table: Readonly<Record<string, FrenchName>>, id: string): FrenchName {
  // An unknown identifier is shown as written, with underscores as spaces: readable, never hidden.
  return table[id] ??
    {
      name: id.replaceAll("_", " "),
      withArticle: id.replaceAll("_", " "),
      of: `de ${id.replaceAll("_", " ")}`,
    };
}

/**
 * The French name of a source of production (`nucleaire` → "nucléaire"), with its article when
 * `article` is `"le"` ("l'hydraulique", "les bioénergies") or its `de` form when `"de"`
 * ("de l'éolien", "du gaz").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceName } from "./labels.ts";
 * assert.equal(sourceName("nucleaire"), "nucléaire");
 * assert.equal(sourceName("hydraulique", "le"), "l'hydraulique");
 * assert.equal(sourceName("nucleaire", "le"), "le nucléaire");
 * assert.equal(sourceName("bioenergies", "de"), "des bioénergies");
 * assert.equal(sourceName("eolien", "de"), "de l'éolien");
 * ```
 */
export function sourceName(id: string, article?: "le" | "de"): string {
  const n = lookup(SOURCES, id);
  return article === "le" ? n.withArticle : article === "de" ? n.of : n.name;
}

/**
 * A border (`pays` of `echanges_internationaux`) with its article, after "vers" or "depuis":
 * "l'Italie", "la Grande-Bretagne"; without it (a table cell) when `article` is false.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countryName } from "./labels.ts";
 * assert.equal(`vers ${countryName("Italie")}`, "vers l'Italie");
 * assert.equal(countryName("DE-BE"), "l'Allemagne et la Belgique");
 * assert.equal(countryName("UK"), "la Grande-Bretagne");
 * assert.equal(countryName("DE-BE", false), "Allemagne et Belgique");
 * ```
 */
export function countryName(pays: string, article = true): string {
  const n = lookup(COUNTRIES, pays);
  return article ? n.withArticle : n.name;
}

/**
 * A mix-share variable of `mixCo2Correlation` (`part_<source>_pct`) in French, with its article:
 * "la part des fossiles", "la part du nucléaire".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shareName } from "./labels.ts";
 * assert.equal(shareName("part_fossiles_total_pct"), "la part des fossiles");
 * assert.equal(shareName("part_hydraulique_pct"), "la part de l'hydraulique");
 * ```
 */
export function shareName(variable: string): string {
  const source = /^part_(.+)_pct$/.exec(variable)?.[1];
  return source ? `la part ${sourceName(source, "de")}` : lookup({}, variable).name;
}

/**
 * A series of `mixTrends` / `yearOverYearTrends` (`serie`) in French, with its article: "la part
 * des renouvelables", "la puissance moyenne de l'éolien en mer".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trendName } from "./labels.ts";
 * assert.equal(trendName("part_renouvelables"), "la part des renouvelables");
 * assert.equal(trendName("eolien_offshore"), "la puissance moyenne de l'éolien en mer");
 * ```
 */
export function trendName(serie: string): string {
  return serie === "eolien_offshore"
    ? `la puissance moyenne ${sourceName("eolien_offshore", "de")}`
    : shareName(`${serie}_pct`);
}

/**
 * Learners and baselines by their identifier in the predictions tables and the registry (the
 * `model` column, a registered version's kind).
 */
const MODELS: Readonly<Record<string, string>> = {
  gbdt: "gradient boosting",
  random_forest: "forêt aléatoire",
  ridge: "ridge",
  // `ENSEMBLE_MEMBERS` of `lib/forecasting/forecaster_config.ts`.
  moyenne_modeles: "moyenne de trois modèles",
  gbdt_regressor: "gradient boosting",
  average_regressor: "moyenne de modèles",
  random_forest_regressor: "forêt aléatoire",
  gbdt_classifier: "gradient boosting (classifieur)",
  random_forest_classifier: "forêt aléatoire (classifieur)",
  persistance: "persistance",
  persistance_semaine: "persistance à une semaine",
  // The mix classifiers' second baseline: the class at the same hour the day before.
  persistance_veille: "persistance de la veille",
  rte_j1: "prévision J-1 de RTE",
  rte_j: "prévision J de RTE",
};

/**
 * The variants of a learner: its temperature inputs (`TEMPERATURE_SUFFIX` of
 * `lib/forecasting/forecaster_config.ts`), and its forecasts corrected by RTE's J-1
 * (`RTE_J1_CORRECTION_SUFFIX`).
 */
const MODEL_VARIANTS: readonly [suffix: string, name: string][] = [
  ["_temperature_observee", "température observée (borne haute)"],
  ["_temperature_prevue", "température prévue"],
  ["_sans_temperature", "sans température"],
  ["_corrige_rte_j1", "corrigé par la prévision J-1 de RTE"],
];

/**
 * A model's French name for a reader, from its identifier (`gbdt`, `rte_j1`,
 * `gbdt_temperature_observee`); the identifier stays in the tables' data. The upper bound (the
 * observed temperature of the forecast day, known to nobody at the cut-off) says it is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelName } from "./labels.ts";
 * assert.equal(modelName("gbdt"), "gradient boosting");
 * assert.equal(modelName("random_forest"), "forêt aléatoire");
 * assert.equal(
 *   modelName("gbdt_temperature_observee"),
 *   "gradient boosting, température observée (borne haute)",
 * );
 * assert.equal(modelName("ridge_sans_temperature"), "ridge, sans température");
 * assert.equal(modelName("moyenne_modeles_sans_temperature"), "moyenne de trois modèles, sans température");
 * assert.equal(modelName("gbdt_corrige_rte_j1"), "gradient boosting, corrigé par la prévision J-1 de RTE");
 * assert.equal(modelName("rte_j1"), "prévision J-1 de RTE");
 * assert.equal(modelName("persistance_semaine"), "persistance à une semaine");
 * assert.equal(modelName("gbdt_regressor"), "gradient boosting");
 * assert.equal(modelName("nouveau_modele"), "nouveau modele");
 * ```
 */
export function modelName(id: string): string {
  if (MODELS[id]) return MODELS[id];
  for (const [suffix, name] of MODEL_VARIANTS) {
    if (id.endsWith(suffix)) return `${modelName(id.slice(0, -suffix.length))}, ${name}`;
  }
  return lookup({}, id).name;
}

/**
 * Whether a model is an upper bound (given the observed temperature of the day it forecasts):
 * never a forecast anyone could make, so never "our best model".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUpperBound } from "./labels.ts";
 * assert.equal(isUpperBound("gbdt_temperature_observee"), true);
 * assert.equal(isUpperBound("gbdt"), false);
 * ```
 */
export function isUpperBound(id: string): boolean {
  return id.endsWith(MODEL_VARIANTS[0][0]);
}
