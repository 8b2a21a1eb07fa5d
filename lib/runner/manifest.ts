/**
 * The run manifest: one JSON file per run saying what ran, on which inputs (with SHA-256),
 * with which parameters and code version, and how each notebook ended.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join, relative, resolve } from "node:path";
import type { NotebookRun } from "./execute.ts";
import type { SkippedStep } from "./progress.ts";
import type { ParameterValue } from "./parameters.ts";
import { PATHS } from "../paths.ts";
import { isAlive, processInfo } from "./supervision.ts";
import { removeConnectionFiles } from "./kernel.ts";

/** One input file of a run. */
export interface InputFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** One notebook's entry in the manifest. */
export interface ManifestNotebook {
  input: string;
  output: string;
  /** `up_to_date`: not run again, nothing it depends on changed ("à jour, non réexécuté"). */
  status: "completed" | "failed" | "up_to_date";
  /** For an `up_to_date` notebook: the executed copy of the run that last ran it. */
  reused_from?: string;
  started_at: string;
  ended_at: string;
  duration_s: number;
  kernel_start_s: number;
  peak_rss_mb: number | null;
  cells: number;
  error?: NotebookRun["error"];
  /** Steps the notebook skipped because they could not run on the data, and why. */
  skipped: SkippedStep[];
}

/**
 * How a run ended. `completed_with_skipped_steps`: every notebook ran to its end but some
 * steps could not run on the data (listed per notebook); `interrupted`: stopped by a signal,
 * its launcher's death or a lost parent.
 */
export type RunStatus =
  | "running"
  | "completed"
  | "completed_with_skipped_steps"
  | "failed"
  | "interrupted";

/** Where and why a failed or interrupted run stopped. */
export interface RunStop {
  reason: string;
  /** The innermost notebook that was running, and its 1-based code cell, when known. */
  notebook?: string;
  cell?: number;
}

/** The manifest document (`manifest.json` in the run folder). */
export interface Manifest {
  run_id: string;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
  /** The process that runs it, so that a run left `running` by a dead process can be told. */
  process: { pid: number; host: string; start_ticks: number | null };
  stopped?: RunStop;
  parameters: Record<string, ParameterValue>;
  git: { commit: string | null; dirty: boolean | null };
  runtime: { deno: string; v8: string; typescript: string; os: string };
  inputs: InputFile[];
  notebooks: ManifestNotebook[];
}

/** File name of the manifest inside a run folder. */
export const MANIFEST_FILE = "manifest.json";

/**
 * A sortable, unique run id: UTC time plus a random suffix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newRunId } from "./manifest.ts";
 * assert.ok(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/.test(newRunId(new Date())));
 * ```
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${crypto.randomUUID().slice(0, 6)}`;
}

/** SHA-256 of a file, hex, streamed so large inputs are not loaded at once. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * The files at `path` with size and SHA-256, sorted by path: the file itself, or the files at
 * the top of a folder (a link to a file counts once; sub-folders and links to folders are not
 * entered, as ingestion does not read them). A missing path gives an empty list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeInputs } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.xls`, "x");
 * await Deno.mkdir(`${dir}/sub`);
 * await Deno.writeTextFile(`${dir}/sub/b.xls`, "y");
 * await Deno.symlink("..", `${dir}/up`);
 * assert.deepEqual((await describeInputs(dir)).map((f) => f.path), [`${dir}/a.xls`]);
 * ```
 */
export async function describeInputs(path: string): Promise<InputFile[]> {
  const files: string[] = [];
  const info = await Deno.stat(path).catch(() => null);
  if (info?.isFile) files.push(path);
  else if (info?.isDirectory) {
    for await (const e of Deno.readDir(path)) {
      if (e.name.startsWith(".")) continue;
      const target = await Deno.stat(join(path, e.name)).catch(() => null);
      if (target?.isFile) files.push(join(path, e.name));
    }
  }
  files.sort();
  return await Promise.all(files.map(async (f) => ({
    path: f,
    bytes: (await Deno.stat(f)).size,
    sha256: await sha256File(f),
  })));
}

/**
 * Replaces the input list of the run's manifest with `files` (hashed): the files the run
 * actually reads, once they are resolved (notebook 11 resolves them after the CLI opened the
 * run).
 */
export async function recordInputs(runDir: string, files: string[]): Promise<void> {
  const described = (await Promise.all(files.map(describeInputs))).flat();
  const manifest = await readManifest(runDir);
  manifest.inputs = described;
  await writeManifest(runDir, manifest);
}

/** The current git commit of `cwd` and whether tracked files are modified (null outside git). */
export async function gitState(cwd: string): Promise<Manifest["git"]> {
  const git = async (...args: string[]) => {
    try {
      const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "null" })
        .output();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
    } catch {
      return null;
    }
  };
  const commit = await git("rev-parse", "HEAD");
  const status = await git("status", "--porcelain", "--untracked-files=no");
  return { commit, dirty: status === null ? null : status !== "" };
}

/** Starts a manifest for a new run and writes it into `runDir`. */
export async function createManifest(
  runDir: string,
  init: { runId: string; parameters: Record<string, ParameterValue>; inputs: InputFile[] },
): Promise<Manifest> {
  const manifest: Manifest = {
    run_id: init.runId,
    status: "running",
    started_at: new Date().toISOString(),
    ended_at: null,
    process: {
      pid: Deno.pid,
      host: Deno.hostname(),
      start_ticks: processInfo(Deno.pid)?.startTicks ?? null,
    },
    parameters: init.parameters,
    git: await gitState(runDir),
    runtime: { ...Deno.version, os: `${Deno.build.os}-${Deno.build.arch}` },
    inputs: init.inputs,
    notebooks: [],
  };
  await writeManifest(runDir, manifest);
  return manifest;
}

/** Reads the manifest of a run folder. */
export async function readManifest(runDir: string): Promise<Manifest> {
  return JSON.parse(await Deno.readTextFile(join(runDir, MANIFEST_FILE)));
}

async function writeManifest(runDir: string, manifest: Manifest): Promise<void> {
  const path = join(runDir, MANIFEST_FILE);
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(manifest, null, 2) + "\n");
  await Deno.rename(tmp, path);
}

/** Converts a notebook run into its manifest entry, with paths relative to the run folder. */
export function manifestEntry(runDir: string, run: NotebookRun): ManifestNotebook {
  return {
    input: run.input,
    output: relative(resolve(runDir), resolve(run.output)),
    status: run.status,
    started_at: run.startedAt,
    ended_at: run.endedAt,
    duration_s: run.durationS,
    kernel_start_s: run.kernelStartS,
    peak_rss_mb: run.peakRssMb,
    cells: run.cells.length,
    ...(run.error ? { error: run.error } : {}),
    ...(run.reusedFrom ? { reused_from: run.reusedFrom } : {}),
    skipped: run.skipped,
  };
}

/**
 * Adds a notebook entry to the manifest of `runDir`: at the end, or, given `order` (the inputs
 * of a run's notebooks in the order they are listed), after the entries of the notebooks listed
 * before it, so that notebooks ending side by side keep that order.
 */
export async function recordNotebook(
  runDir: string,
  run: NotebookRun,
  order?: readonly string[],
): Promise<void> {
  const manifest = await readManifest(runDir);
  const entry = manifestEntry(runDir, run);
  const rank = (input: string) => order?.indexOf(input) ?? -1;
  const at = rank(run.input);
  const after = at < 0 ? -1 : manifest.notebooks.findIndex((n) => rank(n.input) > at);
  if (after < 0) manifest.notebooks.push(entry);
  else manifest.notebooks.splice(after, 0, entry);
  await writeManifest(runDir, manifest);
}

/**
 * Marks the run as finished. A completed run whose notebooks skipped steps ends as
 * `completed_with_skipped_steps`; a failed one without `stop` is explained by its first failed
 * notebook.
 */
export async function finishManifest(
  runDir: string,
  status: "completed" | "failed" | "interrupted",
  stop?: RunStop,
): Promise<Manifest> {
  const manifest = await readManifest(runDir);
  const skips = manifest.notebooks.some((n) => n.skipped?.length);
  manifest.status = status === "completed" && skips ? "completed_with_skipped_steps" : status;
  manifest.ended_at = new Date().toISOString();
  const failed = manifest.notebooks.find((n) => n.status === "failed" && n.error);
  const explained: RunStop | undefined = stop ??
    (status === "failed" && failed
      ? {
        reason: `${failed.error!.ename}: ${failed.error!.evalue}`,
        notebook: failed.output,
        cell: failed.cells,
      }
      : undefined);
  if (explained) manifest.stopped = explained;
  await writeManifest(runDir, manifest);
  return manifest;
}

/**
 * Marks as `interrupted` a manifest left `running` by a process that no longer exists on this
 * host (killed with SIGKILL, machine stopped), and removes the kernel connection files it left;
 * returns whether it did.
 */
export async function closeAbandonedRun(runDir: string, reason: string): Promise<boolean> {
  const manifest = await readManifest(runDir).catch(() => null);
  if (!manifest || manifest.status !== "running") return false;
  const owner = manifest.process;
  if (!owner || owner.host !== Deno.hostname() || owner.start_ticks === null) return false;
  if (isAlive({ pid: owner.pid, startTicks: owner.start_ticks })) return false;
  // Killed outright, the run could not remove the file of a kernel it was starting.
  await removeConnectionFiles(runDir);
  await finishManifest(runDir, "interrupted", { reason });
  return true;
}

/** An open run folder. */
export interface OpenRun {
  dir: string;
  runId: string;
}

/**
 * Opens the run folder `runDir` (creating its manifest when it has none), or a new folder
 * `runs/<run id>` when `runDir` is empty. The CLI opens the run and passes it to notebook 11;
 * notebook 11 run by hand in JupyterLab opens its own.
 *
 * @example
 * ```ts ignore
 * const run = await openRun({ runDir: "", parameters: {}, inputs: ["data/x.xls"] });
 * console.log(run.dir);
 * ```
 */
export async function openRun(options: {
  runDir: string;
  parameters: Record<string, ParameterValue>;
  /** The input files, as `resolveInputs` (lib/setup/inputs.ts) found them. */
  inputs: string[];
}): Promise<OpenRun> {
  if (options.runDir) {
    const existing = await readManifest(options.runDir).catch(() => null);
    if (existing) return { dir: options.runDir, runId: existing.run_id };
  }
  const runId = newRunId();
  const dir = options.runDir || join(PATHS.runs, runId);
  await Deno.mkdir(dir, { recursive: true });
  await createManifest(dir, {
    runId,
    parameters: options.parameters,
    inputs: (await Promise.all(options.inputs.map(describeInputs))).flat(),
  });
  return { dir, runId };
}
