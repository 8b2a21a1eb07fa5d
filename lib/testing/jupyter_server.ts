/**
 * A private, throw-away Jupyter server running the project's Deno kernel, for end-to-end tests
 * that drive the notebooks in a browser: the classic Notebook 6 Debian ships, or the project's
 * JupyterLab 4.6 (`frontEnd: "lab"`, see `lib/testing/jupyterlab.ts`).
 *
 * Everything the server reads or writes besides the notebooks lives in one scratch folder: the
 * Deno kernelspec (installed there by the running `deno`, so the kernel is the Deno under test,
 * not whatever `deno` a user installed), the configuration (a user's `jupyter_notebook_config`
 * is not read), the runtime files (connection files, the server's info file), the notebooks'
 * checkpoints (no `.ipynb_checkpoints` folder appears beside them) and the log. So
 * two servers can run side by side, and every process the server starts names that folder on
 * its command line.
 *
 * @module
 */

import { join } from "node:path";
import { labCommand, labVersions } from "./jupyterlab.ts";

/**
 * How to install the classic Notebook on Debian, as error messages say it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JUPYTER_INSTALL_HINT } from "./jupyter_server.ts";
 * assert.ok(JUPYTER_INSTALL_HINT.includes("jupyter-notebook"));
 * ```
 */
export const JUPYTER_INSTALL_HINT =
  "install Debian's classic Notebook: apt-get install -y --no-install-recommends jupyter-notebook " +
  "(.ci/run does), or set ECO2MIX_JUPYTER to a `jupyter` command that has it";

/**
 * The Notebook server is missing, failed to start, or did not answer in time. The message says
 * how to install it, or ends with the server's log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JupyterServerError } from "./jupyter_server.ts";
 * assert.equal(new JupyterServerError("no jupyter").name, "JupyterServerError");
 * ```
 */
export class JupyterServerError extends Error {
  override name = "JupyterServerError";
}

/**
 * The `jupyter` command: `$ECO2MIX_JUPYTER`, else `jupyter` on the PATH.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jupyterCommand } from "./jupyter_server.ts";
 * assert.ok(jupyterCommand().endsWith("jupyter"));
 * ```
 */
export function jupyterCommand(): string {
  return Deno.env.get("ECO2MIX_JUPYTER") ?? "jupyter";
}

/**
 * The version of the Notebook server (`jupyter notebook --version`, e.g. `6.4.12`), or a
 * {@linkcode JupyterServerError} saying how to install it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookVersion } from "./jupyter_server.ts";
 * const version = await notebookVersion().catch((e) => e.message);
 * assert.ok(/^6\.|jupyter-notebook/.test(version));
 * ```
 */
export async function notebookVersion(jupyter: string = jupyterCommand()): Promise<string> {
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command(jupyter, { args: ["notebook", "--version"], stdin: "null" })
      .output();
  } catch (error) {
    throw new JupyterServerError(
      `\`${jupyter}\` cannot run (${(error as Error).message}): ${JUPYTER_INSTALL_HINT}`,
    );
  }
  const d = new TextDecoder();
  if (!result.success) {
    throw new JupyterServerError(
      `\`${jupyter} notebook --version\` failed (${d.decode(result.stderr).trim()}): ` +
        JUPYTER_INSTALL_HINT,
    );
  }
  return d.decode(result.stdout).trim();
}

/**
 * Installs the kernelspec of the running `deno` (`deno jupyter --install`) under
 * `$XDG_DATA_HOME/jupyter/kernels/<name>` with `dataHome` as `XDG_DATA_HOME`; returns the
 * kernelspec folder. `deno jupyter --install` ignores `JUPYTER_DATA_DIR`, hence the variable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { installDenoKernel } from "./jupyter_server.ts";
 * const dir = await installDenoKernel(await Deno.makeTempDir());
 * const spec = JSON.parse(await Deno.readTextFile(`${dir}/kernel.json`));
 * assert.equal(Deno.realPathSync(spec.argv[0]), Deno.execPath());
 * ```
 */
export async function installDenoKernel(dataHome: string, name = "deno"): Promise<string> {
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["jupyter", "--install", "--name", name, "--display", "Deno", "--force"],
    env: { XDG_DATA_HOME: dataHome },
    stdin: "null",
  }).output();
  const dir = join(dataHome, "jupyter", "kernels", name);
  if (!success || !(await exists(join(dir, "kernel.json")))) {
    throw new JupyterServerError(
      `deno jupyter --install did not write ${dir}/kernel.json: ${
        new TextDecoder().decode(stderr).trim()
      }`,
    );
  }
  return dir;
}

/** Which front end the server serves. */
export type FrontEnd = "notebook" | "lab";

/** Options of {@linkcode JupyterServer.start}. */
export interface JupyterServerOptions {
  /** The classic Notebook (default) or the project's JupyterLab (built beforehand). */
  readonly frontEnd?: FrontEnd;
  /** The folder the server serves (`notebook_dir`); notebook paths are relative to it. */
  readonly root: string;
  /** Scratch folder for the kernelspec, configuration, runtime files and log (default: new). */
  readonly workDir?: string;
  /** The `jupyter` command of the classic Notebook (default: {@linkcode jupyterCommand}). */
  readonly jupyter?: string;
  /** How long to wait for the server to answer, in ms (default 60 000). */
  readonly startTimeoutMs?: number;
  /**
   * How long {@linkcode JupyterServer.stop} waits for the server and its processes to end
   * before it kills them, in ms (default 20 000).
   */
  readonly stopGraceMs?: number;
}

/** A kernel as the server's REST API lists it (`GET /api/kernels`). */
export interface KernelModel {
  readonly id: string;
  readonly name: string;
  readonly execution_state: string;
  readonly connections: number;
}

/** The `nbserver-<pid>.json` (`jpserver-` for JupyterLab) file a server writes once it listens. */
interface ServerInfo {
  url: string;
  token: string;
  pid: number;
}

const POLL_MS = 100;
const STOP_GRACE_MS = 20_000;

/**
 * A running Notebook server with the Deno kernel; {@linkcode JupyterServer.stop} ends it with
 * its kernels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JupyterServer } from "./jupyter_server.ts";
 * const root = await Deno.makeTempDir();
 * const server = await JupyterServer.start({ root });
 * try {
 *   const api = await (await server.request("api")).json();
 *   assert.equal(api.version, server.version);
 *   assert.ok(server.notebookUrl("a b.ipynb").includes("/notebooks/a%20b.ipynb?token="));
 * } finally {
 *   assert.equal((await server.stop()).length, 0);
 * }
 * ```
 */
export class JupyterServer {
  /** The front end served. */
  readonly frontEnd: FrontEnd;
  /** The version of the front end (Notebook `6.4.12`, JupyterLab `4.6.6`). */
  readonly version: string;
  /** Base URL, with a trailing slash (e.g. `http://127.0.0.1:41234/`). */
  readonly url: string;
  /** The access token. */
  readonly token: string;
  /** The scratch folder (see {@linkcode JupyterServerOptions.workDir}). */
  readonly workDir: string;
  /** Folder of the connection files: every kernel's command line names it. */
  readonly runtimeDir: string;
  /** The server's log (its stdout and stderr, and those of its kernels). */
  readonly logPath: string;
  readonly #child: Deno.ChildProcess;
  readonly #logged: Promise<unknown>;
  readonly #stopGraceMs: number;
  #stopped?: Promise<string[]>;

  private constructor(
    fields: {
      frontEnd: FrontEnd;
      version: string;
      info: ServerInfo;
      workDir: string;
      runtimeDir: string;
      logPath: string;
      stopGraceMs: number;
    },
    child: Deno.ChildProcess,
    logged: Promise<unknown>,
  ) {
    this.frontEnd = fields.frontEnd;
    this.version = fields.version;
    this.url = fields.info.url.endsWith("/") ? fields.info.url : `${fields.info.url}/`;
    this.token = fields.info.token;
    this.workDir = fields.workDir;
    this.runtimeDir = fields.runtimeDir;
    this.logPath = fields.logPath;
    this.#child = child;
    this.#logged = logged;
    this.#stopGraceMs = fields.stopGraceMs;
  }

  /** The server's process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /**
   * Installs the Deno kernelspec in the scratch folder, starts the server (`jupyter notebook`,
   * or JupyterLab's `lab_app.py`) on a free port of 127.0.0.1 with a random token, and waits
   * until its REST API answers.
   */
  static async start(options: JupyterServerOptions): Promise<JupyterServer> {
    const frontEnd = options.frontEnd ?? "notebook";
    const jupyter = options.jupyter ?? jupyterCommand();
    const version = frontEnd === "lab"
      ? (await labVersions()).jupyterlab
      : await notebookVersion(jupyter);
    const workDir = options.workDir ?? await Deno.makeTempDir({ prefix: "jupyter-server-" });
    const dataHome = join(workDir, "data");
    const runtimeDir = join(workDir, "runtime");
    const configDir = join(workDir, "config");
    const logPath = join(workDir, "server.log");
    await installDenoKernel(dataHome);
    await Deno.mkdir(configDir, { recursive: true });
    const jupyterData = join(dataHome, "jupyter");
    const serverArgs = [
      "--no-browser",
      // Containers and CI run as root; the server refuses root without this.
      "--allow-root",
      "--ip=127.0.0.1",
      `--port=${freePort()}`,
      // Notebook 6 is configured as NotebookApp, jupyter_server (JupyterLab's) as ServerApp.
      ...frontEnd === "lab"
        ? [`--ServerApp.token=${crypto.randomUUID()}`, `--ServerApp.root_dir=${options.root}`]
        : [
          `--NotebookApp.token=${crypto.randomUUID()}`,
          `--NotebookApp.notebook_dir=${options.root}`,
        ],
      // Tests open hidden copies (`.name.ipynb`) that no other tool picks up.
      "--ContentsManager.allow_hidden=True",
      // An absolute folder: checkpoints (first save, autosave) stay out of the served tree.
      `--FileCheckpoints.checkpoint_dir=${join(workDir, "checkpoints")}`,
    ];
    const [program, ...args] = frontEnd === "lab"
      ? labCommand(workDir, serverArgs)
      : [jupyter, "notebook", ...serverArgs];
    const child = new Deno.Command(program, {
      args,
      env: {
        // Kernelspecs are looked up in JUPYTER_PATH first: ours shadows any installed `deno`.
        JUPYTER_PATH: jupyterData,
        JUPYTER_DATA_DIR: jupyterData,
        XDG_DATA_HOME: dataHome,
        JUPYTER_CONFIG_DIR: configDir,
        JUPYTER_RUNTIME_DIR: runtimeDir,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Chunk by chunk, as they come: `pipeTo(file.writable)` held everything until the server
    // ended, and a failure message quoting the log while it ran quoted nothing.
    const logged = Promise.all([child.stdout, child.stderr].map(async (stream) => {
      using file = await Deno.open(logPath, { append: true, create: true });
      for await (const chunk of stream) {
        for (let written = 0; written < chunk.length;) {
          written += await file.write(chunk.subarray(written));
        }
      }
    }));
    const stopGraceMs = options.stopGraceMs ?? STOP_GRACE_MS;
    const fields = { frontEnd, version, workDir, runtimeDir, logPath, stopGraceMs };
    try {
      const info = await waitForServer(child, runtimeDir, options.startTimeoutMs ?? 60_000);
      const server = new JupyterServer({ ...fields, info }, child, logged);
      await server.#waitForApi(options.startTimeoutMs ?? 60_000);
      return server;
    } catch (error) {
      await stopProcess(child, stopGraceMs);
      await logged;
      throw new JupyterServerError(
        `${(error as Error).message}\n--- ${logPath} ---\n${await tail(logPath)}`,
      );
    }
  }

  /**
   * The URL that opens `path` (relative to the root) in the notebook editor, token included:
   * `notebooks/<path>` in the classic Notebook, `lab/tree/<path>` in JupyterLab.
   */
  notebookUrl(path: string): string {
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    const prefix = this.frontEnd === "lab" ? "lab/tree" : "notebooks";
    return `${this.url}${prefix}/${encoded}?token=${encodeURIComponent(this.token)}`;
  }

  /** A request to the server (`path` relative to the base URL), authenticated by the token. */
  request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `token ${this.token}`);
    return fetch(new URL(path, this.url), { ...init, headers });
  }

  /** The running kernels (`GET /api/kernels`). */
  async kernels(): Promise<KernelModel[]> {
    const response = await this.request("api/kernels");
    if (!response.ok) {
      throw new JupyterServerError(`GET api/kernels: ${response.status} ${await response.text()}`);
    }
    return await response.json();
  }

  /** The last lines of the server's log (for failure messages). */
  logTail(lines = 40): Promise<string> {
    return tail(this.logPath, lines);
  }

  /**
   * Shuts every kernel down through the REST API, stops the server (SIGTERM: it shuts down
   * what is left and removes its runtime files; SIGKILL after the grace period,
   * {@linkcode JupyterServerOptions.stopGraceMs}), and waits for every process the server
   * started, directly or not: kernels, the kernels and browsers those kernels launched, even
   * those orphaned by a kernel shut down earlier. They are found by their environment, which
   * they all inherit from the server (`JUPYTER_RUNTIME_DIR` names
   * {@linkcode JupyterServer.runtimeDir}). Those still alive after the grace period are killed
   * (SIGKILL) and returned, as `pid: command line`: empty when everything ended by itself.
   * Calling it again returns the same answer.
   */
  stop(): Promise<string[]> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<string[]> {
    try {
      // Bounded: a server that no longer answers is stopped by the signals below.
      const signal = AbortSignal.timeout(this.#stopGraceMs);
      const listed = await this.request("api/kernels", { signal });
      for (const kernel of await listed.json() as KernelModel[]) {
        const response = await this.request(`api/kernels/${kernel.id}`, {
          method: "DELETE",
          signal,
        });
        await response.body?.cancel();
      }
    } catch {
      // The server is already gone or hung: the signals below and the wait still apply.
    }
    await stopProcess(this.#child, this.#stopGraceMs);
    await this.#logged;
    const marker = `JUPYTER_RUNTIME_DIR=${this.runtimeDir}`;
    const deadline = Date.now() + this.#stopGraceMs;
    let alive = await processesWithEnv(marker);
    while (alive.size > 0 && Date.now() < deadline) {
      await sleep(POLL_MS);
      alive = await processesWithEnv(marker);
    }
    for (const pid of alive.keys()) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // ended meanwhile
      }
    }
    return [...alive].map(([pid, cmdline]) => `${pid}: ${cmdline}`);
  }

  async #waitForApi(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const response = await this.request("api/status");
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new JupyterServerError(`${this.url}api/status did not answer in ${timeoutMs} ms`);
      }
      await sleep(POLL_MS);
    }
  }
}

/** A TCP port free right now on 127.0.0.1 (the server retries the next ones if taken since). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Waits for the server's `nbserver-<pid>.json`: written once it listens, with the port it
 * actually took (it moves on to the next port when the chosen one was taken meanwhile).
 */
async function waitForServer(
  child: Deno.ChildProcess,
  runtimeDir: string,
  timeoutMs: number,
): Promise<ServerInfo> {
  let exited: Deno.CommandStatus | undefined;
  child.status.then((status) => exited = status);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new JupyterServerError(`the Jupyter server exited with code ${exited.code}`);
    for (const name of await listDir(runtimeDir)) {
      if (!/^(nb|jp)server-\d+\.json$/.test(name)) continue;
      try {
        return JSON.parse(await Deno.readTextFile(join(runtimeDir, name)));
      } catch {
        // caught while being written: read it again on the next round
      }
    }
    if (Date.now() > deadline) {
      throw new JupyterServerError(`the Jupyter server did not start in ${timeoutMs} ms`);
    }
    await sleep(POLL_MS);
  }
}

async function stopProcess(child: Deno.ChildProcess, graceMs: number): Promise<void> {
  const timer = setTimeout(() => signal(child, "SIGKILL"), graceMs);
  signal(child, "SIGTERM");
  await child.status;
  clearTimeout(timer);
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // already ended
  }
}

/**
 * Live (not zombie) processes, other than this one, whose environment holds `entry`
 * (`NAME=value`), as pid -> command line (from /proc).
 */
async function processesWithEnv(entry: string): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  for (const name of await listDir("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === Deno.pid) continue;
    try {
      const environ = (await Deno.readTextFile(`/proc/${name}/environ`)).split("\0");
      if (!environ.includes(entry)) continue;
      const stat = await Deno.readTextFile(`/proc/${name}/stat`);
      // "pid (comm) state ...": comm may hold spaces and parentheses, so read after the last ")".
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const cmdline = await Deno.readTextFile(`/proc/${name}/cmdline`);
      found.set(Number(name), cmdline.replaceAll("\0", " ").trim());
    } catch {
      // ended while we looked, or not ours to read
    }
  }
  return found;
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function tail(path: string, lines = 40): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
