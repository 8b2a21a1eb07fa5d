/**
 * The project's catalogue: every table of the lakehouse, its layer, partitioning, keys and
 * what it holds. Pipeline steps and notebooks name tables only through it (Kedro style), so a
 * reader sees in one place what exists and where.
 *
 * The names are a type, {@linkcode TableName}, derived from the list: a step that names a table
 * the catalogue does not declare fails `deno check` (through {@linkcode TABLE} or the typed
 * {@linkcode openCatalog}), and the steps' declarations (`steps.ts`) use the same names.
 *
 * @module
 */

import type pl from "nodejs-polars";
import { Catalog, locate, StorageLocationError, type TableDefinition } from "../lakehouse/mod.ts";
import { GOLD_PERIODS, type GoldTables } from "../layers/gold.ts";
import { PATHS } from "../paths.ts";

/** Every table, in data-flow order. */
export const TABLES = [
  {
    name: "eco2mix_bronze",
    layer: "bronze",
    description: "Chaque ligne de données de chaque fichier ingéré, telle que lue (cellules en " +
      "texte), avec sa provenance (_ingested_at, _source_file, _source_sha256, _source_line) et " +
      "une empreinte du contenu (_row_hash). Ajout seul : un fichier dont le contenu est déjà " +
      "ingéré est ignoré, et une nouvelle version d'un fichier (même nom) n'ajoute que ses lignes " +
      "nouvelles ou révisées. L'historique national de consommation d'ODRÉ trouvé dans le " +
      "dossier de référence y est ingéré comme les fichiers d'entrée.",
  },
  {
    name: "eco2mix_silver",
    layer: "silver",
    partitionColumns: ["annee"],
    keyColumns: ["jeu_donnees", "perimetre", "timestamp_utc"],
    // The eCO2mix rows and ODRÉ's history never share a file: readers of eco2mix only skip
    // the history's files by stats.
    fileSplitColumns: ["jeu_donnees"],
    description: "Une ligne par (jeu_donnees, perimetre, instant), jeu_donnees valant eco2mix " +
      "(fichiers eCO2mix) ou consommation_brute (historique d'ODRÉ, lu par les modèles) : heure " +
      "UTC et heure de Paris, pas réel, valeurs en MW (Float64), totaux et parts dérivés, " +
      "énergies en MWh. Partitionnée " +
      "par année locale (17 500 à 35 000 lignes par périmètre et par an : des fichiers de " +
      "quelques Mo).",
  },
  {
    name: "previsions_rte",
    layer: "silver",
    keyColumns: ["jeu_donnees", "perimetre", "timestamp_utc"],
    description: "Prévisions J-1 et J de RTE (et programmes d'échanges commerciaux) des instants " +
      "pas encore mesurés : la prévision officielle du lendemain.",
  },
  {
    name: "lacunes",
    layer: "silver",
    description: "Chaque lacune des séries mesurées : instants et cellules manquants, interpolés " +
      "(lacunes courtes) ou laissés vides (lacunes longues), y compris l'heure du passage à " +
      "l'heure d'hiver que RTE ne publie jamais.",
  },
  {
    name: "qualite_donnees",
    layer: "silver",
    description: "Résultats des règles de qualité par run et par fichier : règle, action, " +
      "période, lignes vérifiées, lignes en échec, pire valeur.",
  },
  {
    name: "quarantaine",
    layer: "silver",
    description: "Lignes de silver écartées de eco2mix_silver par une règle de qualité dont " +
      "l'action est la quarantaine, une ligne par (ligne, règle), le nom de la règle dans regle.",
  },
  {
    name: "rejets_bronze",
    layer: "silver",
    description: "Lignes de bronze qui n'ont pas pu devenir des lignes de silver (instants en " +
      "double avec des valeurs différentes, cellules non numériques en mode quarantaine...) : " +
      "fichier, ligne, motif.",
  },
  {
    name: "temperatures_quotidiennes",
    layer: "silver",
    description: "Températures quotidiennes régionales d'ODRÉ (temperature-quotidienne-" +
      "regionale.csv, trouvé dans le dossier de référence) : date, région (code INSEE et nom), " +
      "températures minimale, maximale et moyenne (°C), avec le fichier, son empreinte SHA-256 " +
      "et la ligne ; la température nationale des modèles en est la moyenne pondérée (notebook " +
      "07). Vide sans ce fichier.",
  },
  {
    name: "calendrier_tempo",
    layer: "silver",
    description: "Couleur Tempo de chaque jour (BLEU, BLANC, ROUGE) des calendriers de RTE " +
      "(eCO2mix_RTE_tempo_AAAA-AAAA.xls, trouvés dans le dossier de référence), avec le fichier, " +
      "son empreinte SHA-256 et la ligne. Vide sans ces fichiers.",
  },
  {
    name: "production_par_source_horaire",
    layer: "gold",
    description: "Par périmètre, date locale, heure locale et source : puissance moyenne, " +
      "minimale, maximale et son écart-type (MW), énergie (MWh) et nombre de mesures.",
  },
  {
    name: "mix_energetique_quotidien",
    layer: "gold",
    description: "Par périmètre et jour local : énergie nucléaire, renouvelable et fossile (MWh) " +
      "et leurs parts de la production, avec la complétude du jour (pas présents et attendus).",
  },
  {
    name: "consommation_previsions",
    layer: "gold",
    description:
      "Par périmètre et instant : consommation mesurée, prévisions J-1 et J de RTE, et " +
      "leurs erreurs en MW et en %.",
  },
  {
    name: "precision_previsions",
    layer: "gold",
    description: "Précision des prévisions de RTE (MAPE, MAE, RMSE, biais) sur toute la période " +
      "et par heure, jour de la semaine et mois.",
  },
  {
    name: "pires_heures_previsions",
    layer: "gold",
    description: "Les heures où les prévisions de RTE se sont le plus trompées.",
  },
  {
    name: "echanges_internationaux",
    layer: "gold",
    description: "Par périmètre, jour local et pays : imports (> 0), exports (< 0) et solde " +
      "commerciaux en MWh, avec le solde physique sur la ligne Total.",
  },
  {
    name: "empreinte_carbone",
    layer: "gold",
    description: "Par périmètre, jour local et heure : intensité carbone (g/kWh), tonnes émises, " +
      "part bas carbone et émissions par source selon les facteurs de RTE.",
  },
  {
    name: "statistiques_hebdomadaires",
    layer: "gold",
    description: "Par périmètre et semaine ISO : énergie consommée, pointe et creux, parts des " +
      "sources, CO2 et solde des échanges, avec la complétude de la semaine.",
  },
  {
    name: "episodes_echanges",
    layer: "gold",
    description: "Épisodes d'import ou d'export massif par périmètre et frontière (et toutes " +
      "frontières) : au moins 3 heures consécutives où le solde horaire atteint le 95e centile de " +
      "sa valeur absolue sur la période, dans un même sens ; début, fin, énergie, puissance " +
      "moyenne et maximale, seuil.",
  },
  {
    name: "prix_spot_quotidiens",
    layer: "silver",
    description: "Prix de gros quotidiens de l'électricité en France (EUR/MWh, marché day-ahead) " +
      "du fichier quotidien d'Ember trouvé dans le dossier de référence, avec son fichier et sa " +
      "ligne ; vide sans ce fichier.",
  },
  {
    name: "prix_mix_quotidien",
    layer: "gold",
    description:
      "Par périmètre national et jour local des données : le prix de gros à côté de la " +
      "consommation du jour, des parts du nucléaire, des renouvelables et des fossiles et de " +
      "l'intensité carbone, et la catégorie de prix (negatif, tres_bas, normal, tres_eleve) ; " +
      "vide quand aucun prix ne couvre la période.",
  },
  {
    name: "anomalies",
    layer: "gold",
    description: "Pics et creux de consommation et chutes de production inhabituels : valeur, " +
      "valeur attendue (médiane du même créneau hebdomadaire sur ±3 semaines), écart, score " +
      "robuste et motif.",
  },
  {
    name: "evenements_anomalies",
    layer: "gold",
    description: "Les anomalies regroupées en événements (pas anormaux d'une même série, du même " +
      "côté, séparés d'au plus 3 heures) : début, fin, instant et écart du pic, écart d'énergie " +
      "(MWh) sur l'événement et cause probable (jour férié ou pont).",
  },
  {
    // Row-level model inputs (330k rows, 40 columns for 2016-2025), not a KPI table: silver.
    name: "caracteristiques_consommation",
    layer: "silver",
    partitionColumns: ["horizon"],
    keyColumns: ["horizon", "timestamp_utc"],
    description: "Par horizon de prévision (h1 : une heure avant, j1 : la veille à 12:00) et par " +
      "demi-heure : les caractéristiques connues à la coupure (calendrier, Tempo, consommations " +
      "passées et moyennes glissantes, températures), la cible, les prévisions de RTE et le jeu " +
      "(entrainement, ecart, test, prevision), avec la version de silver et les fichiers de " +
      "référence utilisés.",
  },
  {
    name: "predictions_consommation",
    layer: "gold",
    keyColumns: ["horizon", "model", "timestamp_utc"],
    description: "Prévisions de consommation des modèles entraînés et des références " +
      "(persistance, RTE J-1 et J) sur la période de test et pour le lendemain : instant, " +
      "horizon, modèle, version au registre, prévision, réalisé et erreur = prévision - réalisé " +
      "(MW), et P10, P50 et P90 du modèle en service.",
  },
  {
    name: "predictions_mix",
    layer: "gold",
    keyColumns: ["schema", "horizon_heures", "model", "timestamp_utc"],
    description: "Classe de la part des renouvelables prévue 1 à 6 heures à l'avance sur la " +
      "période de test, par les classifieurs (classes du cahier des charges et terciles) et par " +
      "la persistance : classe prévue et réelle, part réelle (periode test) ; et les classes " +
      "prévues par les classifieurs pour les 1 à 6 heures après le dernier instant mesuré " +
      "(periode prevision, sans classe réelle).",
  },
  {
    name: "backtest_consommation",
    layer: "gold",
    keyColumns: ["horizon", "model", "timestamp_utc"],
    description: "Backtest à origine glissante des prévisions de consommation, semaine par " +
      "semaine sur toutes les périodes où les prévisions J-1 et J de RTE sont publiées : chaque " +
      "prévision (modèles en service avec P10, P50, P90 ; borne haute de la veille avec la " +
      "température observée ; sans température ; J ou J-1 de RTE), la semaine, l'instant " +
      "jusqu'auquel son modèle a appris, et la valeur réalisée.",
  },
  {
    name: "scores_backtest_consommation",
    layer: "gold",
    description: "Scores du backtest par semaine, mois, saison et sur l'ensemble : chaque modèle " +
      "face à la prévision de RTE de son horizon sur les mêmes instants (MAPE, MAE, RMSE, biais, " +
      "écart de MAPE avec son intervalle à 95 % par tirage de journées entières) et couverture " +
      "P10-P90.",
  },
  {
    name: "importance_variables",
    layer: "gold",
    description: "Importance par permutation de chaque variable des modèles de consommation " +
      "retenus, par horizon : hausse de la MAPE de test (en points) quand la variable est " +
      "mélangée (moyenne et écart-type sur les répétitions).",
  },
  {
    name: "alertes",
    layer: "gold",
    keyColumns: ["regle", "perimetre", "instant"],
    description: "Alertes du mode direct (deno task direct), chacune enregistrée une fois : " +
      "règle, périmètre, instant (quart d'heure), valeur, seuil, message, lot et heure de " +
      "détection ; règles et seuils dans config/alertes.yaml. Ses actions txn Delta enregistrent " +
      "l'avancement du mode direct (dernier lot, versions de silver évaluées).",
  },
] as const satisfies readonly TableDefinition[];

/** The name of a table of the catalogue. */
export type TableName = (typeof TABLES)[number]["name"];

/** The lakehouse's catalogue, whose tables are named by {@linkcode TableName}. */
export type LakehouseCatalog = Catalog<TableName>;

/** Every table name, in catalogue order. */
export const TABLE_NAMES: readonly TableName[] = TABLES.map((t) => t.name);

/**
 * Every table name as a constant of its own type, for code that names a table: `TABLE.lacunes`
 * is `"lacunes"`, and a name the catalogue lacks does not compile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TABLE } from "./catalog.ts";
 * assert.equal(TABLE.eco2mix_silver, "eco2mix_silver");
 * ```
 */
export const TABLE: { readonly [N in TableName]: N } = Object.freeze(
  Object.fromEntries(TABLE_NAMES.map((n) => [n, n])) as { [N in TableName]: N },
);

/** A table the gold layer builds (`lib/layers/gold.ts`). */
export type GoldTableName = keyof GoldTables;

/**
 * The tables the gold layer builds from silver, in catalogue order (the order notebook 05 writes
 * them): the catalogue's tables that `lib/layers/gold.ts` knows how to build.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GOLD_TABLES } from "./catalog.ts";
 * assert.equal(GOLD_TABLES[0], "production_par_source_horaire");
 * assert.ok(!GOLD_TABLES.includes("anomalies" as never)); // gold, but built by notebook 06
 * ```
 */
export const GOLD_TABLES: readonly GoldTableName[] = TABLE_NAMES.filter(
  // A type guard's type must be assignable to its parameter's: a gold table missing from the
  // catalogue fails to compile here.
  (n): n is GoldTableName => Object.hasOwn(GOLD_PERIODS, n),
);

/** A location no storage of the lakehouse layer holds (re-exported from `lib/lakehouse`). */
export { StorageLocationError };

/**
 * The catalogue of the lakehouse at `root` (default: the project's `lakehouse/`): a local folder
 * (a relative one is resolved), or Azure Blob storage as `az://<container>/<prefix>` or
 * `abfss://<container>@<account>.dfs.core.windows.net/<prefix>` with the credentials of the
 * `AZURE_STORAGE_*` environment variables (see `lib/lakehouse/storage.ts`). An unsupported
 * scheme, or Azure without credentials, throws {@linkcode StorageLocationError} at once: never a
 * local folder named after a URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openCatalog, StorageLocationError } from "./catalog.ts";
 * const catalog = openCatalog(await Deno.makeTempDir());
 * assert.ok(catalog.pathOf("eco2mix_silver").endsWith("/silver/eco2mix_silver"));
 * assert.throws(() => openCatalog("s3://bucket/lake"), StorageLocationError);
 * ```
 */
export function openCatalog(root: string = PATHS.lakehouse): LakehouseCatalog {
  // Resolves the storage now, so that missing credentials fail before any step runs.
  locate(root);
  return new Catalog(root, TABLES);
}

/** One line of {@linkcode catalogOverview}. */
export interface TableOverview {
  table: string;
  couche: string;
  partitions: string;
  existe: boolean;
  version: number | null;
  derniere_operation: string | null;
  fichiers: number;
  lignes: number | null;
  octets: number;
  description: string;
}

/**
 * What every table of the catalogue holds now: existence, current version, last operation,
 * files, rows (from the log's statistics) and size, for notebooks 01 and 11.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { catalogOverview, openCatalog } from "./catalog.ts";
 * const rows = await catalogOverview(openCatalog(await Deno.makeTempDir()));
 * assert.ok(rows.every((r) => !r.existe && r.fichiers === 0));
 * ```
 */
export async function catalogOverview(catalog: Catalog): Promise<TableOverview[]> {
  return await Promise.all(
    catalog.list().map(async (d): Promise<TableOverview> => {
      const table = catalog.table(d.name);
      const base = {
        table: d.name,
        couche: d.layer,
        partitions: (d.partitionColumns ?? []).join(", "),
      };
      const description = d.description ?? "";
      if (!(await table.exists())) {
        return {
          ...base,
          existe: false,
          version: null,
          derniere_operation: null,
          fichiers: 0,
          lignes: null,
          octets: 0,
          description,
        };
      }
      const [last] = await table.history(1);
      const files = await table.files();
      const counted = files.every((f) => f.numRecords !== null);
      return {
        ...base,
        existe: true,
        version: last.version,
        derniere_operation: last.operation ?? null,
        fichiers: files.length,
        lignes: counted ? files.reduce((n, f) => n + (f.numRecords ?? 0), 0) : null,
        octets: files.reduce((n, f) => n + f.size, 0),
        description,
      };
    }),
  );
}

/**
 * The current rows of `name`, or null when it has not been written yet (e.g. models not trained
 * in this lakehouse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openCatalog, readIfPresent } from "./catalog.ts";
 * assert.equal(await readIfPresent(openCatalog(await Deno.makeTempDir()), "anomalies"), null);
 * ```
 */
export async function readIfPresent(
  catalog: LakehouseCatalog,
  name: TableName,
): Promise<pl.DataFrame | null> {
  const table = catalog.table(name);
  return (await table.exists()) ? await table.read() : null;
}
