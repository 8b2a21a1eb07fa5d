/**
 * The pipeline as declared steps: one declaration per notebook 01-10, naming the catalogue's
 * tables it reads and writes ({@linkcode TableName}) and what it depends on outside the
 * lakehouse (input files, reference folder, model registry). Like Kedro's nodes, the
 * declarations are the wiring: the order the notebooks run in is derived from them
 * ({@linkcode stepOrder}: a step runs after every step writing a table it reads), and
 * notebook 11 runs the notebooks in that order; `up_to_date.ts` reads them to decide which
 * notebooks a run can reuse (a notebook whose code and the tables it reads did not change).
 *
 * What a declaration must hold for reuse to be sound: every table the notebook (or a function it
 * calls) reads, and every table it writes. `steps_test.ts` checks the declarations against the
 * notebooks (tables named in their cells, parameters), and `up_to_date.ts` checks at run time
 * that a notebook changed no table beyond its declared writes.
 *
 * A step may read a table it writes (the incremental steps read their previous output): that
 * read orders nothing. Tables written outside the notebooks ({@linkcode EXTERNAL_TABLES}) may be
 * read without a writer.
 *
 * @module
 */

import { basename, join } from "node:path";
import type { TableDefinition } from "../lakehouse/mod.ts";
import { GOLD_TABLES, TABLE, type TableName, TABLES } from "./catalog.ts";

/**
 * What a step depends on outside the lakehouse, each located by a notebook parameter:
 * `input_files` (`input_path`, the run's input files), `reference_dir` (`reference_dir`) and
 * `model_registry` (`models_dir`, which the step also writes).
 */
export type ExternalInput = "input_files" | "reference_dir" | "model_registry";

/** The notebook parameter that locates each external input. */
export const INPUT_PARAMETERS: Readonly<Record<ExternalInput, string>> = {
  input_files: "input_path",
  reference_dir: "reference_dir",
  model_registry: "models_dir",
};

/** Each external input as notebook 11 names it (French, for the reader). */
export const INPUT_LABELS: Readonly<Record<ExternalInput, string>> = {
  input_files: "fichiers d'entrée",
  reference_dir: "dossier de référence",
  model_registry: "registre des modèles",
};

/** One step of the pipeline: a notebook and what it reads and writes. */
export interface StepDeclaration {
  /** File name of the notebook in `notebooks/`, its number first (`02_Bronze_Ingestion.ipynb`). */
  readonly notebook: string;
  /** Tables it reads (written by an earlier step, or external). */
  readonly reads: readonly TableName[];
  /** Tables it writes; one writer per table, except the tables of `shared`. */
  readonly writes: readonly TableName[];
  /**
   * Tables of `writes` that other steps write too, each updating its own rows; every writer
   * lists them here, and their readers run after all of them.
   */
  readonly shared?: readonly TableName[];
  /** What it depends on outside the lakehouse. */
  readonly inputs: readonly ExternalInput[];
  /**
   * Runs before every other step, though none reads what it writes: the set-up notebook checks
   * the runtime and the inputs, and a run that cannot work stops there.
   */
  readonly first?: true;
}

/** Tables no step writes, read when present, with the command that writes them. */
export const EXTERNAL_TABLES: Readonly<Partial<Record<TableName, string>>> = {
  backtest_consommation: "deno task backtest",
  scores_backtest_consommation: "deno task backtest",
  alertes: "deno task direct",
};

/** The steps of notebooks 01 to 10. */
export const STEPS: readonly StepDeclaration[] = [
  {
    // Shows the catalogue's state when it runs, which is not a data dependency: reading every
    // table would make it rerun after any run that wrote one.
    notebook: "01_Setup_Environnement.ipynb",
    reads: [],
    writes: [],
    inputs: ["input_files"],
    first: true,
  },
  {
    // The reference folder's consumption history is ingested like an input file.
    notebook: "02_Bronze_Ingestion.ipynb",
    reads: [],
    writes: [TABLE.eco2mix_bronze],
    inputs: ["input_files", "reference_dir"],
  },
  {
    notebook: "03_Silver_Transformation.ipynb",
    reads: [TABLE.eco2mix_bronze],
    writes: [
      TABLE.eco2mix_silver,
      TABLE.previsions_rte,
      TABLE.lacunes,
      TABLE.qualite_donnees,
      TABLE.quarantaine,
      TABLE.rejets_bronze,
      TABLE.temperatures_quotidiennes,
      TABLE.calendrier_tempo,
    ],
    inputs: ["reference_dir"],
  },
  {
    notebook: "04_Analyse_Exploratoire.ipynb",
    reads: [TABLE.eco2mix_silver, TABLE.qualite_donnees],
    writes: [],
    inputs: [],
  },
  {
    notebook: "05_Gold_Production.ipynb",
    reads: [TABLE.eco2mix_silver],
    writes: GOLD_TABLES,
    inputs: [],
  },
  {
    notebook: "06_Analyses_Avancees.ipynb",
    reads: [
      TABLE.eco2mix_silver,
      TABLE.mix_energetique_quotidien,
      TABLE.empreinte_carbone,
      TABLE.episodes_echanges,
    ],
    writes: [
      TABLE.anomalies,
      TABLE.evenements_anomalies,
      TABLE.prix_spot_quotidiens,
      TABLE.prix_mix_quotidien,
    ],
    inputs: ["reference_dir"],
  },
  {
    // The reference data come from the lakehouse; bronze names the history's files.
    notebook: "07_ML_Preparation.ipynb",
    reads: [
      TABLE.eco2mix_bronze,
      TABLE.eco2mix_silver,
      TABLE.previsions_rte,
      TABLE.temperatures_quotidiennes,
      TABLE.calendrier_tempo,
    ],
    writes: [TABLE.caracteristiques_consommation],
    inputs: [],
  },
  {
    notebook: "08_ML_Prevision_Consommation.ipynb",
    reads: [
      TABLE.caracteristiques_consommation,
      TABLE.backtest_consommation,
      TABLE.scores_backtest_consommation,
    ],
    writes: [TABLE.predictions_consommation, TABLE.importance_variables],
    inputs: ["model_registry"],
  },
  {
    notebook: "09_ML_Classification_Mix.ipynb",
    reads: [TABLE.eco2mix_silver],
    writes: [TABLE.predictions_mix],
    inputs: ["model_registry"],
  },
  {
    notebook: "10_Visualisations.ipynb",
    reads: [
      TABLE.eco2mix_silver,
      TABLE.echanges_internationaux,
      TABLE.empreinte_carbone,
      TABLE.prix_mix_quotidien,
      TABLE.predictions_consommation,
      TABLE.importance_variables,
    ],
    writes: [],
    inputs: [],
  },
];

/** The declarations cannot be ordered or contradict each other; the message says where. */
export class StepDeclarationError extends Error {
  override name = "StepDeclarationError";
}

/** The number a notebook's file name starts with (`02_…` → 2). */
function numberOf(step: StepDeclaration): number {
  const n = /^(\d+)_/.exec(step.notebook)?.[1];
  if (n === undefined) {
    throw new StepDeclarationError(
      `${step.notebook}: a step's notebook name starts with its number`,
    );
  }
  return Number(n);
}

/**
 * What each step waits for: every step writing a table it reads (its own writes aside), and the
 * steps declared `first`. Throws {@linkcode StepDeclarationError} for a notebook declared twice,
 * a table written by two steps that do not both declare it shared, a table read that no step
 * writes and that is not in {@linkcode EXTERNAL_TABLES} (or one of them written by a step).
 * Cycles are left to {@linkcode stepOrder}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STEPS, stepOf, stepPrerequisites } from "./steps.ts";
 * const waits = stepPrerequisites(STEPS);
 * const names = (n: string) => [...waits.get(stepOf(STEPS, n)!)!].map((s) => s.notebook).sort();
 * assert.deepEqual(names("07_ML_Preparation.ipynb"), [
 *   "01_Setup_Environnement.ipynb",
 *   "02_Bronze_Ingestion.ipynb",
 *   "03_Silver_Transformation.ipynb",
 * ]);
 * assert.deepEqual(names("01_Setup_Environnement.ipynb"), []);
 * ```
 */
export function stepPrerequisites(
  steps: readonly StepDeclaration[],
): Map<StepDeclaration, Set<StepDeclaration>> {
  const byNotebook = new Map<string, StepDeclaration>();
  for (const s of steps) {
    if (byNotebook.has(s.notebook)) {
      throw new StepDeclarationError(`${s.notebook} is declared twice`);
    }
    numberOf(s);
    byNotebook.set(s.notebook, s);
  }
  const writers = new Map<TableName, StepDeclaration[]>();
  for (const s of steps) {
    for (const t of s.writes) writers.set(t, [...(writers.get(t) ?? []), s]);
    for (const t of s.shared ?? []) {
      if (!s.writes.includes(t)) {
        throw new StepDeclarationError(`${s.notebook}: shared table ${t} is not among its writes`);
      }
    }
  }
  for (const [t, ws] of writers) {
    if (t in EXTERNAL_TABLES) {
      throw new StepDeclarationError(
        `${ws[0].notebook} writes ${t}, declared written outside the notebooks ` +
          `(${EXTERNAL_TABLES[t]})`,
      );
    }
    if (ws.length > 1 && !ws.every((w) => w.shared?.includes(t))) {
      throw new StepDeclarationError(
        `${t} is written by ${ws.map((w) => w.notebook).join(" and ")}: one writer per table, ` +
          `unless every writer declares it shared`,
      );
    }
  }
  // Edges: writer -> reader, for every table read (a step's own writes aside).
  const before = new Map<StepDeclaration, Set<StepDeclaration>>();
  const firsts = steps.filter((s) => s.first);
  for (const s of steps) {
    const needs = new Set<StepDeclaration>(s.first ? [] : firsts);
    for (const t of s.reads) {
      const ws = writers.get(t);
      if (!ws && !(t in EXTERNAL_TABLES)) {
        throw new StepDeclarationError(
          `${s.notebook} reads ${t}, which no step writes and which is not external`,
        );
      }
      for (const w of ws ?? []) if (w !== s) needs.add(w);
    }
    before.set(s, needs);
  }
  return before;
}

/**
 * The steps in the order they must run: each after its {@linkcode stepPrerequisites}; among the
 * steps free to run, the lowest notebook number first. Throws {@linkcode StepDeclarationError}
 * for what `stepPrerequisites` refuses, and for a cycle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STEPS, StepDeclarationError, stepOrder } from "./steps.ts";
 * assert.equal(stepOrder(STEPS)[0].notebook, "01_Setup_Environnement.ipynb");
 * // Silver declared as read by bronze, which silver reads: a cycle.
 * const [bronze, silver] = [STEPS[1], STEPS[2]];
 * assert.throws(
 *   () => stepOrder([{ ...bronze, reads: ["eco2mix_silver"] }, silver]),
 *   (e) => e instanceof StepDeclarationError && /cycle/.test(e.message),
 * );
 * ```
 */
export function stepOrder(steps: readonly StepDeclaration[]): StepDeclaration[] {
  const before = stepPrerequisites(steps);
  const order: StepDeclaration[] = [];
  const done = new Set<StepDeclaration>();
  const byNumber = [...steps].sort((a, b) => numberOf(a) - numberOf(b));
  while (order.length < steps.length) {
    const next = byNumber.find((s) =>
      !done.has(s) && [...before.get(s)!].every((w) => done.has(w))
    );
    if (!next) {
      const stuck = byNumber.filter((s) => !done.has(s)).map((s) => s.notebook);
      throw new StepDeclarationError(`the steps ${stuck.join(", ")} wait on each other: a cycle`);
    }
    order.push(next);
    done.add(next);
  }
  return order;
}

/**
 * A `dependsOn` option for `runNotebooks`: the notebooks (paths under `dir`) that the notebook
 * at `path` waits for, from its step's {@linkcode stepPrerequisites}, so that independent
 * notebooks may run side by side. A notebook no step declares waits for none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepDependencies, STEPS } from "./steps.ts";
 * const dependsOn = stepDependencies(STEPS, "nb");
 * assert.deepEqual(dependsOn("nb/06_Analyses_Avancees.ipynb"), [
 *   "nb/01_Setup_Environnement.ipynb",
 *   "nb/03_Silver_Transformation.ipynb",
 *   "nb/05_Gold_Production.ipynb",
 * ]);
 * ```
 */
export function stepDependencies(
  steps: readonly StepDeclaration[],
  dir: string,
): (path: string) => string[] {
  const before = stepPrerequisites(steps);
  return (path) => {
    const step = stepOf(steps, basename(path));
    return step ? [...before.get(step)!].map((s) => join(dir, s.notebook)).sort() : [];
  };
}

/**
 * The notebooks of the pipeline under `dir`, in {@linkcode stepOrder} of `steps` (default
 * {@linkcode STEPS}): what notebook 11 runs. Throws {@linkcode StepDeclarationError} when a
 * declared notebook is not in `dir`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { basename } from "node:path";
 * import { PATHS } from "../paths.ts";
 * import { pipelineNotebooks } from "./steps.ts";
 * const notebooks = await pipelineNotebooks(PATHS.notebooks);
 * assert.equal(basename(notebooks[1]), "02_Bronze_Ingestion.ipynb");
 * ```
 */
export async function pipelineNotebooks(
  dir: string,
  steps: readonly StepDeclaration[] = STEPS,
): Promise<string[]> {
  const paths = stepOrder(steps).map((s) => join(dir, s.notebook));
  for (const path of paths) {
    const found = await Deno.stat(path).then((i) => i.isFile, () => false);
    if (!found) throw new StepDeclarationError(`${path}: declared step notebook not found`);
  }
  return paths;
}

/**
 * The declaration of the notebook `name` (a file name) among `steps`, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STEPS, stepOf } from "./steps.ts";
 * assert.deepEqual(stepOf(STEPS, "02_Bronze_Ingestion.ipynb")?.writes, ["eco2mix_bronze"]);
 * assert.equal(stepOf(STEPS, "11_Pipeline_Complete.ipynb"), undefined);
 * ```
 */
export function stepOf(
  steps: readonly StepDeclaration[],
  name: string,
): StepDeclaration | undefined {
  return steps.find((s) => s.notebook === name);
}

/**
 * A `ran` hook for `runNotebooks` (called with each notebook that ran): calls `action` once, as
 * soon as every step writing a table of `layer` has run in this run, so that what reads the
 * whole layer (notebook 11's gold workbook) starts while the notebooks after them run. When a
 * writer is reused instead of run, `action` is never called: the layer may be as the previous
 * run left it, and its deliverables are reused or built at the end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { afterLayerWriters, STEPS } from "./steps.ts";
 * let calls = 0;
 * const ran = afterLayerWriters(STEPS, "bronze", () => calls++);
 * ran("notebooks/01_Setup_Environnement.ipynb");
 * assert.equal(calls, 0);
 * ran("notebooks/02_Bronze_Ingestion.ipynb");
 * ran("notebooks/03_Silver_Transformation.ipynb");
 * assert.equal(calls, 1);
 * ```
 */
export function afterLayerWriters(
  steps: readonly StepDeclaration[],
  layer: TableDefinition["layer"],
  action: () => void,
): (notebook: string) => void {
  const tables = new Set<string>(TABLES.filter((t) => t.layer === layer).map((t) => t.name));
  const waiting = new Set(
    steps.filter((s) => s.writes.some((t) => tables.has(t))).map((s) => s.notebook),
  );
  let done = false;
  return (notebook) => {
    waiting.delete(basename(notebook));
    if (waiting.size === 0 && !done) {
      done = true;
      action();
    }
  };
}
