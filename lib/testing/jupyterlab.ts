/**
 * The project's JupyterLab 4.6 (folder `jupyterlab/`): a front end built from npm packages
 * and served by Debian's `python3-jupyterlab-server` (JupyterLab itself is neither in Debian 12
 * nor reachable on PyPI here). See `jupyterlab/README.md`.
 *
 * {@linkcode ensureJupyterLab} installs its npm packages from the lockfile (`npm ci`) and
 * builds its static assets (webpack) when they are missing or out of date; `deno task test`
 * runs it once before the tests (scripts/setup_tests.ts), and {@linkcode JupyterServer} with
 * `frontEnd: "lab"` starts it. Run as a program, it builds and serves the project folder:
 *
 * ```sh
 * npx -y deno@2.9.6 task jupyterlab        # prints the URL, Ctrl-C stops it
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { PATHS } from "../paths.ts";
import { JupyterServer, JupyterServerError } from "./jupyter_server.ts";

/**
 * The harness folder (`jupyterlab/` of the project).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LAB_DIR } from "./jupyterlab.ts";
 * assert.ok(LAB_DIR.endsWith("/jupyterlab"));
 * ```
 */
export const LAB_DIR: string = join(PATHS.root, "jupyterlab");

/**
 * How to install the Debian side, as error messages say it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LAB_INSTALL_HINT } from "./jupyterlab.ts";
 * assert.ok(LAB_INSTALL_HINT.includes("python3-jupyterlab-server"));
 * ```
 */
export const LAB_INSTALL_HINT =
  "install Debian's server side: apt-get install -y --no-install-recommends " +
  "python3-jupyterlab-server python3-jupyter-server (deno task test does), or set " +
  "ECO2MIX_LAB_PYTHON to a Python that has jupyterlab_server 2.x";

/**
 * Installing or building the harness failed; the message ends with the command's output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JupyterLabBuildError } from "./jupyterlab.ts";
 * assert.equal(new JupyterLabBuildError("npm ci failed").name, "JupyterLabBuildError");
 * ```
 */
export class JupyterLabBuildError extends Error {
  override name = "JupyterLabBuildError";
}

/**
 * The Python that serves the harness: `$ECO2MIX_LAB_PYTHON`, else Debian's `/usr/bin/python3`
 * (a `python3` earlier on the PATH, pyenv's for one, lacks Debian's packages).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labPython } from "./jupyterlab.ts";
 * assert.ok(labPython().includes("python"));
 * ```
 */
export function labPython(): string {
  return Deno.env.get("ECO2MIX_LAB_PYTHON") ?? "/usr/bin/python3";
}

/** Versions of the harness's parts. */
export interface LabVersions {
  /** `@jupyterlab/application` of the lockfile (e.g. `4.6.6`). */
  readonly jupyterlab: string;
  /** Debian's `jupyterlab_server` and `jupyter_server` (e.g. `2.16.5`, `1.23.3`). */
  readonly jupyterlabServer: string;
  readonly jupyterServer: string;
}

/**
 * The versions of the front end and of the Python server, or a {@linkcode JupyterServerError}
 * saying what to install.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labVersions } from "./jupyterlab.ts";
 * const versions = await labVersions();
 * assert.match(versions.jupyterlab, /^4\.6\./);
 * assert.match(versions.jupyterServer, /^\d+\./);
 * ```
 */
export async function labVersions(python: string = labPython()): Promise<LabVersions> {
  const lock = JSON.parse(await Deno.readTextFile(join(LAB_DIR, "package-lock.json")));
  const jupyterlab = lock.packages["node_modules/@jupyterlab/application"].version as string;
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command(python, {
      args: [
        "-c",
        "import jupyterlab_server, jupyter_server; " +
        "print(jupyterlab_server.__version__, jupyter_server.__version__)",
      ],
      stdin: "null",
    }).output();
  } catch (error) {
    throw new JupyterServerError(
      `\`${python}\` cannot run (${(error as Error).message}): ${LAB_INSTALL_HINT}`,
    );
  }
  const d = new TextDecoder();
  if (!result.success) {
    const last = d.decode(result.stderr).trim().split("\n").at(-1);
    throw new JupyterServerError(
      `${python} has no jupyterlab_server (${last}): ${LAB_INSTALL_HINT}`,
    );
  }
  const [jupyterlabServer, jupyterServer] = d.decode(result.stdout).trim().split(" ");
  return { jupyterlab, jupyterlabServer, jupyterServer };
}

/** The files whose content decides the build (the lockfile decides `node_modules/`). */
const BUILD_INPUTS = [
  "package.json",
  "package-lock.json",
  "index.js",
  "webpack.config.js",
];
const INSTALL_STAMP = join("node_modules", ".eco2mix-lock.sha256");
const BUILD_STAMP = join("build", ".eco2mix-inputs.sha256");

/** What {@linkcode ensureJupyterLab} did, with the seconds each step took. */
export interface LabSetup {
  /** `npm ci` ran (node_modules was missing or installed from another lockfile). */
  readonly installed: boolean;
  readonly installSeconds: number;
  /** webpack ran (build/ was missing or built from other inputs). */
  readonly built: boolean;
  readonly buildSeconds: number;
}

/**
 * Installs the harness's npm packages with `npm ci` unless `node_modules/` was installed from
 * this very lockfile, then builds `build/` with webpack unless it was built from these very
 * inputs (package.json, lockfile, index.js, webpack.config.js). Each step writes a stamp (a
 * SHA-256 of its inputs) only once it succeeded, so an interrupted install or build is done
 * again. Needs Node.js and npm; the packages come from the npm registry (~700 MB).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureJupyterLab } from "./jupyterlab.ts";
 * await ensureJupyterLab();
 * // Everything is up to date now: a second call does nothing.
 * const again = await ensureJupyterLab();
 * assert.equal(again.installed || again.built, false);
 * ```
 */
export async function ensureJupyterLab(
  log: (line: string) => void = () => {},
): Promise<LabSetup> {
  const lockHash = await digest(["package-lock.json"]);
  let installed = false;
  let installSeconds = 0;
  if (await readStamp(INSTALL_STAMP) !== lockHash) {
    log("JupyterLab harness: npm ci (jupyterlab/node_modules)");
    const start = performance.now();
    // A changed lockfile invalidates the build too: remove its stamp before node_modules moves.
    await Deno.remove(join(LAB_DIR, BUILD_STAMP)).catch(() => {});
    await npm(["ci", "--no-audit", "--no-fund"]);
    await Deno.writeTextFile(join(LAB_DIR, INSTALL_STAMP), lockHash);
    installed = true;
    installSeconds = (performance.now() - start) / 1000;
  }
  const inputsHash = await digest(BUILD_INPUTS);
  let built = false;
  let buildSeconds = 0;
  if (await readStamp(BUILD_STAMP) !== inputsHash) {
    log("JupyterLab harness: webpack (jupyterlab/build)");
    const start = performance.now();
    await Deno.remove(join(LAB_DIR, "build"), { recursive: true }).catch(() => {});
    await npm(["run", "build"]);
    await Deno.writeTextFile(join(LAB_DIR, BUILD_STAMP), inputsHash);
    built = true;
    buildSeconds = (performance.now() - start) / 1000;
  }
  return { installed, installSeconds, built, buildSeconds };
}

async function digest(files: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(await Deno.readFile(join(LAB_DIR, file)));
  }
  return hash.digest("hex");
}

async function readStamp(path: string): Promise<string | null> {
  try {
    return (await Deno.readTextFile(join(LAB_DIR, path))).trim();
  } catch {
    return null;
  }
}

async function npm(args: string[]): Promise<void> {
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command("npm", { args, cwd: LAB_DIR, stdin: "null" }).output();
  } catch (error) {
    throw new JupyterLabBuildError(
      `npm cannot run (${(error as Error).message}): the JupyterLab harness needs Node.js and npm`,
    );
  }
  if (!result.success) {
    const d = new TextDecoder();
    const output = `${d.decode(result.stdout)}${d.decode(result.stderr)}`.trimEnd();
    throw new JupyterLabBuildError(
      `npm ${args.join(" ")} failed in ${LAB_DIR} (exit ${result.code}):\n` +
        output.split("\n").slice(-30).join("\n"),
    );
  }
}

/**
 * The command line that serves the harness (`lab_app.py` on Debian's Python) with the given
 * server options; {@linkcode JupyterServer.start} adds port, token, root and folders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labCommand } from "./jupyterlab.ts";
 * const [program, script, ...args] = labCommand("/tmp/x", ["--port=1"]);
 * assert.ok(program.includes("python") && script.endsWith("jupyterlab/lab_app.py"));
 * assert.ok(args.includes("--MappingKernelManager.default_kernel_name=deno"));
 * assert.ok(args.includes("--port=1"));
 * ```
 */
export function labCommand(workDir: string, serverArgs: string[]): string[] {
  return [
    labPython(),
    join(LAB_DIR, "lab_app.py"),
    ...serverArgs,
    // The Deno kernel is the default and the only one offered (not Debian's ipykernel).
    "--MappingKernelManager.default_kernel_name=deno",
    "--KernelSpecManager.ensure_native_kernel=False",
    "--KernelSpecManager.allowed_kernelspecs=deno",
    // Settings a user changes in the page, and workspaces, stay in the scratch folder.
    `--Eco2mixLab.user_settings_dir=${join(workDir, "lab", "user-settings")}`,
    `--Eco2mixLab.workspaces_dir=${join(workDir, "lab", "workspaces")}`,
  ];
}

if (import.meta.main) {
  await ensureJupyterLab(console.log);
  const server = await JupyterServer.start({ root: PATHS.root, frontEnd: "lab" });
  console.log(`JupyterLab ${server.version} (Deno kernel): ${server.url}lab?token=${server.token}`);
  console.log(`Server log: ${server.logPath}. Ctrl-C stops it.`);
  const stop = async () => {
    await server.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
