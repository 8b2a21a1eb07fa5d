/**
 * First step of `deno task test`: installs the Debian packages some tests use, when missing.
 *
 * - `python3-nbformat`: Jupyter's reference validator, run on every notebook the runner writes;
 * - `chromium`: headless rendering of the dashboard and the report's PNG figures;
 * - `jupyter-notebook`: notebook 10 run through the classic Notebook server in Chromium;
 * - `python3-jupyterlab-server`, `python3-jupyter-server`: the server of the project's JupyterLab
 *   (`jupyterlab/`), whose front end it then installs with `npm ci` and builds (webpack) when
 *   missing or out of date (`lib/testing/jupyterlab.ts`).
 *
 * As root it runs `apt-get install`; otherwise through `sudo` when there is one (`sudo -n`
 * without a terminal, so CI never waits for a password). A failed install is retried after
 * `apt-get update`. When nothing works (no apt, no rights, no network) it says which packages
 * and which tests are concerned and lets the tests run: those tests then fail with their own
 * messages, the others are unaffected.
 *
 * ```sh
 * deno run -A scripts/setup_tests.ts
 * ```
 *
 * It also installs Azurite (the Azure Storage emulator, npm) into `azurite/node_modules/` for the
 * lakehouse's Azure tests (`lib/testing/azurite.ts`), and says when the shared RTE data are absent, and so which tests will be skipped (see
 * `lib/testing/shared_data.ts`).
 *
 * @module
 */

import { existsSync } from "node:fs";
import { sharedDataRoot } from "../lib/testing/shared_data.ts";
import { ensureJupyterLab } from "../lib/testing/jupyterlab.ts";
import { ensureAzurite } from "../lib/testing/azurite.ts";

/** The Debian packages the tests use, and what for. */
export const TEST_PACKAGES: Readonly<Record<string, string>> = {
  "python3-nbformat": "nbformat validation of executed notebooks (runner tests)",
  "chromium": "dashboard and figure rendering (viz, report, UI tests)",
  "jupyter-notebook": "notebook 10 in the classic Notebook UI (notebooks/jupyter_ui_test.ts)",
  "python3-jupyterlab-server": "the notebooks in JupyterLab (notebooks/jupyterlab_ui_test.ts)",
  "python3-jupyter-server": "the notebooks in JupyterLab (notebooks/jupyterlab_ui_test.ts)",
};

/** Who runs the install. */
export interface Privileges {
  /** Running as root. */
  root: boolean;
  /** `sudo` is on the PATH. */
  sudo: boolean;
  /** Standard input is a terminal (sudo may ask for a password). */
  interactive: boolean;
}

/**
 * The command line running `apt-get args` with the given privileges, or null when there is no
 * way to (not root, no sudo).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { aptCommand } from "./setup_tests.ts";
 * assert.deepEqual(aptCommand(["update"], { root: true, sudo: false, interactive: false }), [
 *   "apt-get",
 *   "update",
 * ]);
 * assert.deepEqual(aptCommand(["update"], { root: false, sudo: true, interactive: false }), [
 *   "sudo",
 *   "-n",
 *   "apt-get",
 *   "update",
 * ]);
 * assert.equal(aptCommand(["update"], { root: false, sudo: false, interactive: true }), null);
 * ```
 */
export function aptCommand(args: string[], privileges: Privileges): string[] | null {
  if (privileges.root) return ["apt-get", ...args];
  if (!privileges.sudo) return null;
  return ["sudo", ...(privileges.interactive ? [] : ["-n"]), "apt-get", ...args];
}

async function run(
  cmd: string[],
  env: Record<string, string> = {},
): Promise<{ ok: boolean; output: string }> {
  try {
    const out = await new Deno.Command(cmd[0], { args: cmd.slice(1), env, stdin: "inherit" })
      .output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { ok: out.success, output: text };
  } catch (e) {
    // The program itself is missing (no dpkg, no apt-get, no sudo).
    return { ok: false, output: String(e) };
  }
}

async function onPath(program: string): Promise<boolean> {
  return (await run(["sh", "-c", `command -v ${program}`])).ok;
}

/** Packages of `names` that dpkg does not report as installed; null when dpkg is absent. */
async function missingPackages(names: string[]): Promise<string[] | null> {
  if (!(await onPath("dpkg-query"))) return null;
  const missing: string[] = [];
  for (const name of names) {
    const status = await run(["dpkg-query", "-W", "-f=${db:Status-Status}", name]);
    if (!status.ok || status.output.trim() !== "installed") missing.push(name);
  }
  return missing;
}

function explain(packages: string[], why: string): string {
  return [
    `Test set-up: ${why}. Install these Debian packages, then run the tests again:`,
    `  apt-get install -y --no-install-recommends ${packages.join(" ")}`,
    "The tests that need them will fail until then:",
    ...packages.map((p) => `  ${p}: ${TEST_PACKAGES[p] ?? "?"}`),
  ].join("\n");
}

/** Installs those of `packages` that are missing, or says why it cannot. */
export async function setupTests(
  packages: string[] = Object.keys(TEST_PACKAGES),
): Promise<void> {
  const missing = await missingPackages(packages);
  if (missing === null) {
    console.warn(explain(packages, "this is not a Debian system (no dpkg-query)"));
    return;
  }
  if (missing.length === 0) return;
  const privileges: Privileges = {
    root: Deno.uid() === 0,
    sudo: await onPath("sudo"),
    interactive: Deno.stdin.isTerminal(),
  };
  const install = aptCommand(
    ["install", "-y", "--no-install-recommends", ...missing],
    privileges,
  );
  if (install === null) {
    console.warn(explain(missing, "not root and no sudo to install missing packages"));
    return;
  }
  console.log(`Test set-up: installing ${missing.join(", ")} (${install.join(" ")})`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  let result = await run(install, env);
  if (!result.ok) {
    // Usually a stale or empty package index (fresh containers have none).
    const update = await run(aptCommand(["update"], privileges)!, env);
    result = update.ok ? await run(install, env) : update;
  }
  if (!result.ok) {
    const tail = result.output.trim().split("\n").slice(-15).join("\n");
    console.warn(`${tail}\n${explain(missing, "apt-get failed (output above)")}`);
    return;
  }
  console.log(`Test set-up: installed ${missing.join(", ")}`);
}

/** Says when the tests that read the shared RTE data will be skipped (fresh clone). */
function announceSharedData(): void {
  const root = sharedDataRoot();
  if (root.explicit || existsSync(root.path)) return;
  console.warn(
    `Test set-up: shared RTE data not found at ${root.path} (ECO2MIX_SHARED_DATA unset): ` +
      "the tests that read it are reported as skipped, each with an ignored step naming the " +
      "folder. Set ECO2MIX_SHARED_DATA to run them.",
  );
}

if (import.meta.main) {
  // The tests run either way: a missing package fails only the tests that use it.
  await setupTests();
  announceSharedData();
  // After the Debian packages: a failed npm install or build fails only the JupyterLab tests.
  await ensureJupyterLab(console.log).then(
    (setup) => {
      if (setup.installed) console.log(`  npm ci: ${setup.installSeconds.toFixed(0)} s`);
      if (setup.built) console.log(`  webpack: ${setup.buildSeconds.toFixed(0)} s`);
    },
    (error) => console.warn(`Test set-up: the JupyterLab harness is not ready: ${error.message}`),
  );
  // The Azure Storage emulator of the lakehouse's Azure tests (npm, into azurite/node_modules).
  await ensureAzurite(console.log).catch((error) =>
    console.warn(`Test set-up: Azurite is not installed: ${error.message}`)
  );
}
