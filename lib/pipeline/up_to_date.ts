/**
 * Which notebooks of a pipeline run are up to date, so that notebook 11 does not run them again:
 * a daily run on unchanged inputs then takes seconds instead of minutes.
 *
 * The rule is deliberately simple, and sound because the notebooks run in data-flow order (a
 * notebook reads only what the notebooks before it wrote, or what lies outside the lakehouse):
 *
 * 1. At the end of a successful run, `<lakehouse>/_pipeline_state.json` (beside the tables, in
 *    the same storage: a local folder or Azure) records the Delta version
 *    of every table of the catalogue and a fingerprint of the model registry, then, for each
 *    notebook, a fingerprint of everything it depends on outside the lakehouse (below) and its
 *    executed copy.
 * 2. The next run may reuse anything only if the lakehouse and the registry are exactly as that
 *    run left them (no table written, no model registered since, by anyone).
 * 3. Notebooks are then reused in order while their fingerprint is unchanged; from the first one
 *    that changed, every notebook runs (its tables change, and everything after reads them).
 *
 * A notebook's fingerprint covers: the notebook file; the source of every local module it
 * imports, transitively, and `deno.lock` (the npm versions); the parameters it declares; and,
 * when it declares them, the content of the input files (`input_path`, `data_dir`: their
 * SHA-256 from the run manifest) and the listing of `reference_dir` (names, sizes, dates).
 * Anything else a notebook reads must come from the lakehouse or the registry (rule 2).
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
import { localModules, sourceFingerprint } from "../ml/selection_cache.ts";
import { PATHS } from "../paths.ts";
import { openCatalog, TABLES } from "./catalog.ts";
import { joinLocation, locate } from "../lakehouse/storage.ts";

/** File of the pipeline state, at the root of the lakehouse. */
export const STATE_FILE = "_pipeline_state.json";

/** What a successful run leaves for the next one. */
export interface PipelineState {
  format: 1;
  run_id: string;
  ended_at: string;
  /** Delta version of every table of the catalogue at the end of the run (null: absent). */
  tables: Record<string, number | null>;
  /** Fingerprint of the model registry at the end of the run. */
  models: string;
  /** Per notebook (file name): its fingerprint, executed copy and skipped steps. */
  notebooks: Record<string, { fingerprint: string; executed_copy: string; skipped: SkippedStep[] }>;
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
}

/** Why nothing is reused, or null when reuse is possible. */
type Blocker = string | null;

/**
 * Decides, notebook by notebook, whether a pipeline run can reuse the previous run's executed
 * copy (see the module documentation), and records the state at the end of a successful run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpToDate } from "./up_to_date.ts";
 * const lakehouseDir = await Deno.makeTempDir();
 * const check = await UpToDate.open({ lakehouseDir, modelsDir: lakehouseDir, inputs: [] });
 * // No state yet: nothing is reused, and the check says why.
 * assert.equal(check.blocker, "aucun run réussi n'a encore été enregistré sur ce lakehouse");
 * assert.equal(check.allReused, false);
 * ```
 */
export class UpToDate {
  readonly #options: UpToDateOptions;
  readonly #previous: PipelineState | null;
  readonly #fingerprints = new Map<string, string>();
  #blocker: Blocker;
  /** `deno.lock` (the npm versions), read once for every notebook's fingerprint. */
  #lock: string | undefined;
  #reused = 0;
  #ran = 0;

  private constructor(options: UpToDateOptions, previous: PipelineState | null, blocker: Blocker) {
    this.#options = options;
    this.#previous = previous;
    this.#blocker = blocker;
  }

  /**
   * Reads the state of the last successful run. The lakehouse is compared with it when the
   * first notebook is asked about, that is once the run holds the lakehouse's lock.
   */
  static async open(options: UpToDateOptions): Promise<UpToDate> {
    const previous = await readState(options.lakehouseDir);
    const blocker = options.reuse === false
      ? "réexécution complète demandée"
      : previous
      ? null
      : "aucun run réussi n'a encore été enregistré sur ce lakehouse";
    return new UpToDate(options, previous, blocker);
  }

  /** Why the lakehouse or the registry differ from the end of the previous run, if they do. */
  async #changedSince(previous: PipelineState): Promise<Blocker> {
    const tables = await tableVersions(this.#options.lakehouseDir);
    const changed = Object.keys({ ...tables, ...previous.tables })
      .filter((t) => tables[t] !== previous.tables[t]);
    if (changed.length) {
      return `des tables ont changé depuis le run ${previous.run_id} : ` +
        changed.map((t) => `\`${t}\``).join(", ");
    }
    if (await modelsFingerprint(this.#options.modelsDir) !== previous.models) {
      return `le registre des modèles a changé depuis le run ${previous.run_id}`;
    }
    return null;
  }

  /**
   * Why no notebook can be reused (in French), or null while the notebooks checked so far were
   * reused. After the first notebook that must run, it says which.
   */
  get blocker(): string | null {
    return this.#blocker;
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
    return this.#reused > 0 && this.#ran === 0;
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
    this.#lock ??= await Deno.readTextFile(join(PATHS.root, "deno.lock")).catch(() => "");
    const fingerprint = await notebookFingerprint(notebook, parameters, this.#options, this.#lock);
    this.#fingerprints.set(name, fingerprint);
    const before = this.#previous?.notebooks[name];
    if (this.#previous && !this.#blocker && this.#reused + this.#ran === 0) {
      this.#blocker = await this.#changedSince(this.#previous);
    }
    if (!this.#blocker) {
      if (!before) this.#blocker = `${name} n'a pas été exécuté par le run précédent`;
      else if (before.fingerprint !== fingerprint) {
        this.#blocker = `${name} ou ce dont il dépend (code, paramètres, fichiers) a changé`;
      } else if (!(await exists(before.executed_copy))) {
        this.#blocker = `la copie exécutée de ${name} n'existe plus (${before.executed_copy})`;
      }
    }
    if (this.#blocker || !before) {
      this.#ran++;
      return null;
    }
    this.#reused++;
    return { executedCopy: before.executed_copy, skipped: before.skipped };
  }

  /** A deliverable of the previous run that still exists, when every notebook was reused. */
  async reusableDeliverable(name: string): Promise<string | null> {
    const path = this.#previous?.deliverables[name];
    return this.allReused && path && await exists(path) ? path : null;
  }

  /**
   * Records the state at the end of a successful run: table versions and registry now, and the
   * fingerprint and executed copy (in `runDir`) of every notebook asked about.
   */
  async record(options: {
    runId: string;
    runDir: string;
    skipped: Record<string, SkippedStep[]>;
    deliverables: Record<string, string>;
  }): Promise<void> {
    const state: PipelineState = {
      format: 1,
      run_id: options.runId,
      ended_at: new Date().toISOString(),
      tables: await tableVersions(this.#options.lakehouseDir),
      models: await modelsFingerprint(this.#options.modelsDir),
      notebooks: Object.fromEntries(
        [...this.#fingerprints].map(([name, fingerprint]) => [name, {
          fingerprint,
          executed_copy: resolve(options.runDir, name),
          skipped: options.skipped[name] ?? [],
        }]),
      ),
      deliverables: Object.fromEntries(
        Object.entries(options.deliverables).map(([k, v]) => [k, resolve(v)]),
      ),
    };
    // Beside the tables, through their storage (an atomic replace, locally or on Azure).
    const { storage, key } = locate(this.statePath);
    await storage.put(key, new TextEncoder().encode(JSON.stringify(state, null, 2) + "\n"));
  }
}

async function readState(lakehouseDir: string): Promise<PipelineState | null> {
  const { storage, key } = locate(joinLocation(lakehouseDir, STATE_FILE));
  const bytes = await storage.read(key);
  if (bytes === null) return null;
  try {
    const state = JSON.parse(new TextDecoder().decode(bytes));
    return state?.format === 1 ? state as PipelineState : null;
  } catch (e) {
    if (e instanceof SyntaxError) return null;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Delta version of every table of the catalogue (null when the table does not exist). */
async function tableVersions(lakehouseDir: string): Promise<Record<string, number | null>> {
  const catalog = openCatalog(lakehouseDir);
  const out: Record<string, number | null> = {};
  for (const { name } of TABLES) {
    const table = catalog.table(name);
    out[name] = await table.exists() ? await table.version() : null;
  }
  return out;
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
  if ("input_path" in parameters || "data_dir" in parameters) {
    hash.update(JSON.stringify(options.inputs.map((i) => [i.path, i.sha256])));
  }
  if ("reference_dir" in parameters) {
    hash.update(await listingFingerprint(options.referenceDir || PATHS.reference));
  }
  return hash.digest("hex");
}
