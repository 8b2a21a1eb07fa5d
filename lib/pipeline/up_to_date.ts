/**
 * Which notebooks of a pipeline run are up to date, so that notebook 11 does not run them again:
 * a daily run on unchanged inputs then takes seconds instead of minutes, and a change reruns the
 * notebooks it reaches and no others.
 *
 * The rule follows the steps' declarations (`steps.ts`: the tables each notebook reads and
 * writes, and its inputs outside the lakehouse):
 *
 * 1. At the end of a successful run, `<lakehouse>/_pipeline_state.json` (beside the tables, in
 *    the same storage: a local folder or Azure) records the Delta version of every table of the
 *    catalogue and a fingerprint of the model registry, then, for each notebook, a fingerprint of
 *    what it depends on outside the lakehouse (below), the versions of the tables it read when
 *    it last ran, and its executed copy.
 * 2. A notebook is reused when, as the run comes to it: its fingerprint is unchanged; every table
 *    it reads is at the version it read; every table it writes is still at the version the
 *    previous run left (nobody wrote it since); the registry, if it uses it, is as the previous
 *    run left it; and its executed copy still exists. Otherwise it runs, and the notebooks
 *    reading what it writes run after it only if it changed those tables (a step that finds
 *    nothing new commits nothing).
 * 3. A notebook that runs may change only the tables it declares: the versions of every table
 *    before and after it are compared, and an undeclared write throws
 *    {@linkcode UndeclaredWriteError} (the declarations are what makes rule 2 sound).
 *
 * A notebook's fingerprint covers: the notebook file; the source of every local module it
 * imports, transitively, and `deno.lock` (the npm versions); the parameters it declares; the
 * content of the input files (their SHA-256 from the run manifest) when its step declares
 * `input_files`, and the listing of `reference_dir` (names, sizes, dates) when it declares
 * `reference_dir`. A notebook no step declares is never reused.
 *
 * Notebook 11's OPTIMIZE of the gold tables after the notebooks writes new versions without
 * changing a row: {@linkcode UpToDate.record} is told which versions it wrote, and counts a read
 * of the version before as a read of the optimized one.
 *
 * A reused notebook's executed copy is copied into the new run folder and the manifest records it
 * as `up_to_date` ("à jour, non réexécuté") with the run it comes from.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { basename, dirname, join, relative, resolve } from "node:path";
import { joinSource, type Notebook } from "../runner/ipynb.ts";
import type { ParameterValue } from "../runner/parameters.ts";
import type { ReusableCopy } from "../runner/pipeline.ts";
import type { InputFile } from "../runner/manifest.ts";
import type { SkippedStep } from "../runner/progress.ts";
import { localModules, sourceFingerprint } from "../ml/mod.ts";
import { PATHS } from "../paths.ts";
import { openCatalog, TABLE_NAMES, type TableName } from "./catalog.ts";
import { type StepDeclaration, stepOf, STEPS } from "./steps.ts";
import { joinLocation, locate } from "../lakehouse/storage.ts";

/** File of the pipeline state, at the root of the lakehouse. */
export const STATE_FILE = "_pipeline_state.json";

/** Delta version of tables by name (null: the table does not exist). */
export type TableVersions = Partial<Record<TableName, number | null>>;

/** What a successful run leaves for the next one about one notebook. */
export interface NotebookState {
  fingerprint: string;
  executed_copy: string;
  skipped: SkippedStep[];
  /** Version of each table its step reads, as it last read them. */
  reads: TableVersions;
  /** Tables it changed when it last ran (reused: those of the run it comes from). */
  wrote: TableName[];
}

/** What a successful run leaves for the next one. */
export interface PipelineState {
  format: 2;
  run_id: string;
  ended_at: string;
  /** Delta version of every table of the catalogue at the end of the run. */
  tables: TableVersions;
  /** Fingerprint of the model registry at the end of the run. */
  models: string;
  /** Per notebook (file name). */
  notebooks: Record<string, NotebookState>;
  /** Deliverables of the run (paths), reused with the notebooks when nothing changed. */
  deliverables: Record<string, string>;
}

/** Where the pipeline's state lives and what it depends on. */
export interface UpToDateOptions {
  lakehouseDir: string;
  /** Model registry (default the project's `models/`). */
  modelsDir?: string;
  /** Reference folder, when the run has one. */
  referenceDir?: string;
  /** The run's input files with their SHA-256 (from the run manifest). */
  inputs: InputFile[];
  /** `false`: run everything (nothing is reused), but still record the state at the end. */
  reuse?: boolean;
  /** The steps' declarations (default {@linkcode STEPS}). */
  steps?: readonly StepDeclaration[];
}

/** A notebook changed a table its step does not declare among its writes. */
export class UndeclaredWriteError extends Error {
  override name = "UndeclaredWriteError";
}

/** A version written by maintenance that keeps the rows (OPTIMIZE): see {@linkcode UpToDate.record}. */
export interface MaintenanceCommit {
  table: string;
  /** Version the maintenance committed (null: it committed nothing). */
  version_optimize: number | null;
}

/**
 * Decides, notebook by notebook, whether a pipeline run can reuse the previous run's executed
 * copy (see the module documentation), checks what the notebooks that ran wrote, and records the
 * state at the end of a successful run. `reusable` is asked before each notebook and `ran` after
 * each one that ran (the `reuse` and `ran` hooks of `runNotebooks`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpToDate } from "./up_to_date.ts";
 * const lakehouseDir = await Deno.makeTempDir();
 * const check = await UpToDate.open({ lakehouseDir, modelsDir: lakehouseDir, inputs: [] });
 * // No state yet: nothing can be reused, and the check says why.
 * assert.equal(check.previousRun, null);
 * assert.equal(check.allReused, false);
 * ```
 */
export class UpToDate {
  readonly #options: UpToDateOptions;
  readonly #steps: readonly StepDeclaration[];
  readonly #previous: PipelineState | null;
  /** This run's record of each notebook asked about (executed copy set by `record`). */
  readonly #notebooks = new Map<string, Omit<NotebookState, "executed_copy" | "skipped">>();
  /** Why each notebook that runs is not reused, in French. */
  readonly #reasons = new Map<string, string>();
  /**
   * The notebooks running now (by name): the table versions before each, and the steps that ran
   * beside it, whose declared writes it may see change.
   */
  readonly #running = new Map<
    string,
    { step: StepDeclaration | undefined; before: TableVersions; alongside: StepDeclaration[] }
  >();
  /** Table versions after the last notebook asked about (before notebook 11's maintenance). */
  #latest: TableVersions | null = null;
  /** `deno.lock` (the npm versions), read once for every notebook's fingerprint. */
  #lock: string | undefined;
  #reused = 0;

  private constructor(options: UpToDateOptions, previous: PipelineState | null) {
    this.#options = options;
    this.#steps = options.steps ?? STEPS;
    this.#previous = previous;
  }

  /** Reads the state of the last successful run. */
  static async open(options: UpToDateOptions): Promise<UpToDate> {
    return new UpToDate(options, await readState(options.lakehouseDir));
  }

  /** Why `notebook` (a file name) ran instead of being reused, in French, or null. */
  reasonFor(notebook: string): string | null {
    return this.#reasons.get(basename(notebook)) ?? null;
  }

  /** The run the reused notebooks come from. */
  get previousRun(): string | null {
    return this.#previous?.run_id ?? null;
  }

  /** Location of the state file: `<lakehouse>/_pipeline_state.json`, local or on Azure. */
  get statePath(): string {
    return joinLocation(this.#options.lakehouseDir, STATE_FILE);
  }

  /** Whether every notebook asked about was reused (and at least one was). */
  get allReused(): boolean {
    return this.#reused > 0 && this.#reasons.size === 0;
  }

  /**
   * The previous executed copy of `notebook` if it can stand for running it with `parameters`
   * (those it declares), else null; a `runNotebooks` `reuse` hook.
   */
  async reusable(
    notebook: string,
    parameters: Record<string, ParameterValue>,
  ): Promise<ReusableCopy | null> {
    const name = basename(notebook);
    if (this.#running.has(name)) throw new Error(`${name}: asked about while it runs`);
    const step = stepOf(this.#steps, name);
    this.#lock ??= await Deno.readTextFile(join(PATHS.root, "deno.lock")).catch(() => "");
    const fingerprint = await notebookFingerprint(
      notebook,
      parameters,
      step,
      this.#options,
      this.#lock,
    );
    const versions = await tableVersions(this.#options.lakehouseDir);
    this.#latest = versions;
    const reads = pick(versions, step?.reads ?? []);
    const before = this.#previous?.notebooks[name];
    const reason = await this.#whyRun(step, fingerprint, versions, before);
    if (reason === null && before) {
      this.#reused++;
      this.#notebooks.set(name, { fingerprint, reads, wrote: before.wrote });
      return { executedCopy: before.executed_copy, skipped: before.skipped };
    }
    this.#reasons.set(name, reason!);
    this.#notebooks.set(name, { fingerprint, reads, wrote: [] });
    const alongside = [...this.#running.values()].flatMap((r) => r.step ? [r.step] : []);
    for (const other of this.#running.values()) if (step) other.alongside.push(step);
    this.#running.set(name, { step, before: versions, alongside });
    return null;
  }

  /** Why `name` must run (French), or null when its previous executed copy stands for it. */
  async #whyRun(
    step: StepDeclaration | undefined,
    fingerprint: string,
    versions: TableVersions,
    before: NotebookState | undefined,
  ): Promise<string | null> {
    const previous = this.#previous;
    if (this.#options.reuse === false) return "réexécution complète demandée";
    if (!previous) return "aucun run réussi n'a encore été enregistré sur ce lakehouse";
    if (!step) return "aucune étape ne le déclare (lib/pipeline/steps.ts)";
    if (!before) return `pas exécuté par le run ${previous.run_id}`;
    if (before.fingerprint !== fingerprint) {
      return "son code, ses paramètres ou ses fichiers ont changé";
    }
    const read = step.reads.filter((t) => versions[t] !== before.reads[t]);
    if (read.length) return `tables lues modifiées : ${tableList(read)}`;
    const written = step.writes.filter((t) => versions[t] !== previous.tables[t]);
    if (written.length) {
      return `tables écrites modifiées depuis le run ${previous.run_id} : ${tableList(written)}`;
    }
    if (
      step.inputs.includes("model_registry") &&
      await modelsFingerprint(this.#options.modelsDir) !== previous.models
    ) {
      return `le registre des modèles a changé depuis le run ${previous.run_id}`;
    }
    if (!(await exists(before.executed_copy))) {
      return `la copie exécutée ${before.executed_copy} n'existe plus`;
    }
    return null;
  }

  /**
   * Called once a notebook that was not reused has run: the tables it changed must be among its
   * step's writes, else {@linkcode UndeclaredWriteError}; a `runNotebooks` `ran` hook. Changes to
   * the tables declared by the steps that ran beside it are theirs (checked when they end).
   */
  async ran(notebook: string): Promise<void> {
    const name = basename(notebook);
    const running = this.#running.get(name);
    if (!running) throw new Error(`${name}: ran() without reusable() before it`);
    this.#running.delete(name);
    const after = await tableVersions(this.#options.lakehouseDir);
    this.#latest = after;
    const own = running.step?.writes ?? [];
    const theirs = new Set(running.alongside.flatMap((s) => s.writes));
    const wrote = TABLE_NAMES.filter((t) =>
      after[t] !== running.before[t] && (own.includes(t) || !theirs.has(t))
    );
    const undeclared = wrote.filter((t) => !own.includes(t));
    if (running.step && undeclared.length) {
      throw new UndeclaredWriteError(
        `${name} wrote ${undeclared.join(", ")}, which its step does not declare ` +
          `(lib/pipeline/steps.ts): reusing the notebooks that read them would not be sound`,
      );
    }
    this.#notebooks.get(name)!.wrote = wrote;
  }

  /**
   * A deliverable of the previous run that still exists, when every notebook was reused and no
   * table or model changed since that run (the deliverables read every gold table).
   */
  async reusableDeliverable(name: string): Promise<string | null> {
    const previous = this.#previous;
    const path = previous?.deliverables[name];
    if (!previous || !path || !this.allReused || !this.#latest) return null;
    const same = TABLE_NAMES.every((t) => this.#latest![t] === previous.tables[t]) &&
      await modelsFingerprint(this.#options.modelsDir) === previous.models;
    return same && await exists(path) ? path : null;
  }

  /**
   * Records the state at the end of a successful run: table versions and registry now, and the
   * fingerprint, reads and executed copy (in `runDir`) of every notebook asked about.
   * `maintenance`: the versions maintenance committed after the notebooks without changing a row
   * (notebook 11's OPTIMIZE, `maintainLayer`); a read of the version just before one of them
   * counts as a read of it, so that the next run does not rerun the readers.
   */
  async record(options: {
    runId: string;
    runDir: string;
    skipped: Record<string, SkippedStep[]>;
    deliverables: Record<string, string>;
    maintenance?: readonly MaintenanceCommit[];
  }): Promise<void> {
    for (const name of this.#running.keys()) throw new Error(`${name}: ran() was not called`);
    const tables = await tableVersions(this.#options.lakehouseDir);
    const latest = this.#latest ?? tables;
    // Versions committed after the notebooks by row-preserving maintenance, by table.
    const optimized = new Map<string, number>();
    for (const m of options.maintenance ?? []) {
      const t = m.table as TableName;
      if (m.version_optimize !== null && m.version_optimize === tables[t]) {
        if (latest[t] === m.version_optimize - 1) optimized.set(t, m.version_optimize);
      }
    }
    const notebooks: Record<string, NotebookState> = {};
    for (const [name, n] of this.#notebooks) {
      const reads = Object.fromEntries(
        Object.entries(n.reads).map(([t, v]) => [
          t,
          optimized.has(t) && v === latest[t as TableName] ? optimized.get(t)! : v,
        ]),
      );
      notebooks[name] = {
        ...n,
        reads,
        executed_copy: resolve(options.runDir, name),
        skipped: options.skipped[name] ?? [],
      };
    }
    const state: PipelineState = {
      format: 2,
      run_id: options.runId,
      ended_at: new Date().toISOString(),
      tables,
      models: await modelsFingerprint(this.#options.modelsDir),
      notebooks,
      deliverables: Object.fromEntries(
        Object.entries(options.deliverables).map(([k, v]) => [k, resolve(v)]),
      ),
    };
    // Beside the tables, through their storage (an atomic replace, locally or on Azure).
    const { storage, key } = locate(this.statePath);
    await storage.put(key, new TextEncoder().encode(JSON.stringify(state, null, 2) + "\n"));
  }
}

function tableList(tables: readonly string[]): string {
  return tables.map((t) => `\`${t}\``).join(", ");
}

function pick(versions: TableVersions, tables: readonly TableName[]): TableVersions {
  return Object.fromEntries(tables.map((t) => [t, versions[t] ?? null]));
}

async function readState(lakehouseDir: string): Promise<PipelineState | null> {
  const { storage, key } = locate(joinLocation(lakehouseDir, STATE_FILE));
  const bytes = await storage.read(key);
  if (bytes === null) return null;
  try {
    const state = JSON.parse(new TextDecoder().decode(bytes));
    // An older format (format 1 had no reads per notebook) is not trusted: everything runs once.
    return state?.format === 2 ? state as PipelineState : null;
  } catch (e) {
    if (e instanceof SyntaxError) return null;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Delta version of every table of the catalogue (null when the table does not exist). */
async function tableVersions(lakehouseDir: string): Promise<TableVersions> {
  const catalog = openCatalog(lakehouseDir);
  const versions = await Promise.all(TABLE_NAMES.map(async (name) => {
    const table = catalog.table(name);
    return await table.exists() ? await table.version() : null;
  }));
  return Object.fromEntries(TABLE_NAMES.map((name, i) => [name, versions[i]]));
}

/** Names, sizes and modification times of the files under `dir` (symlinks followed once). */
async function listingFingerprint(dir: string | undefined): Promise<string> {
  const hash = createHash("sha256");
  if (!dir) return hash.digest("hex");
  const walk = async (folder: string, depth: number): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(folder)].sort((a, b) => a.name.localeCompare(b.name));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const e of entries) {
      const path = join(folder, e.name);
      const info = await Deno.stat(path).catch(() => null);
      if (!info) continue;
      if (info.isDirectory) {
        // Real folders only: a symlinked folder could loop.
        if (e.isDirectory && depth < 8) await walk(path, depth + 1);
        continue;
      }
      hash.update(`${relative(dir, path)}\t${info.size}\t${info.mtime?.getTime() ?? ""}\n`);
    }
  };
  await walk(dir, 0);
  return hash.digest("hex");
}

function modelsFingerprint(modelsDir: string | undefined): Promise<string> {
  return listingFingerprint(modelsDir ?? PATHS.models);
}

async function notebookFingerprint(
  notebook: string,
  parameters: Record<string, ParameterValue>,
  step: StepDeclaration | undefined,
  options: UpToDateOptions,
  lock: string,
): Promise<string> {
  const hash = createHash("sha256");
  const text = await Deno.readTextFile(notebook);
  hash.update(text);
  const code = (JSON.parse(text) as Notebook).cells.filter((c) => c.cell_type === "code")
    .map((c) => joinSource(c.source)).join("\n");
  const base = new URL(`file://${resolve(dirname(notebook))}/`);
  const modules = localModules(code).sort().map((m) => new URL(m, base));
  if (modules.length) hash.update(await sourceFingerprint(modules));
  hash.update(lock);
  hash.update(JSON.stringify(Object.entries(parameters).sort(([a], [b]) => a.localeCompare(b))));
  if (step?.inputs.includes("input_files")) {
    hash.update(JSON.stringify(options.inputs.map((i) => [i.path, i.sha256])));
  }
  if (step?.inputs.includes("reference_dir")) {
    hash.update(await listingFingerprint(options.referenceDir || PATHS.reference));
  }
  return hash.digest("hex");
}
