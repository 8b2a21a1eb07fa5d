/**
 * Azurite, the Azure Storage emulator (an npm package, folder `azurite/` of the project), for the
 * tests of the lakehouse on Azure Blob storage.
 *
 * {@linkcode ensureAzurite} installs it from its lockfile (`npm ci`, ~360 MB, into the ignored
 * `azurite/node_modules/`) unless it was installed from this very lockfile; `deno task test` runs
 * it once before the tests (scripts/setup_tests.ts). {@linkcode startAzurite} starts its Blob
 * service on 127.0.0.1, on a free port, in a new temporary folder, and gives the environment
 * (`AZURE_STORAGE_CONNECTION_STRING` of the emulator's well-known account `devstoreaccount1`)
 * that points the lakehouse at it; `stop()` (or `await using`) ends the process and removes the
 * folder. Azurite emulates the Blob endpoint only, not ADLS Gen2's dfs endpoint.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { PATHS } from "../paths.ts";

/**
 * The harness folder (`azurite/` of the project).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AZURITE_DIR } from "./azurite.ts";
 * assert.ok(AZURITE_DIR.endsWith("/azurite"));
 * ```
 */
export const AZURITE_DIR: string = join(PATHS.root, "azurite");

/** Azurite's well-known development account and its published key (not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const INSTALL_STAMP = join("node_modules", ".eco2mix-lock.sha256");
const BLOB_BIN = join("node_modules", "azurite", "dist", "src", "blob", "main.js");

/**
 * Installing or starting Azurite failed; the message ends with the command's output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AzuriteError } from "./azurite.ts";
 * assert.equal(new AzuriteError("npm ci failed").name, "AzuriteError");
 * ```
 */
export class AzuriteError extends Error {
  override name = "AzuriteError";
}

/**
 * Installs Azurite with `npm ci` unless `azurite/node_modules/` was installed from this lockfile
 * (a stamp holding the lockfile's SHA-256 is written once the install succeeded). Returns whether
 * it installed. Needs Node.js and npm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureAzurite } from "./azurite.ts";
 * await ensureAzurite();
 * assert.equal(await ensureAzurite(), false); // up to date now
 * ```
 */
export async function ensureAzurite(log: (line: string) => void = () => {}): Promise<boolean> {
  const lock = await Deno.readFile(join(AZURITE_DIR, "package-lock.json"));
  const hash = createHash("sha256").update(lock).digest("hex");
  const stamp = await Deno.readTextFile(join(AZURITE_DIR, INSTALL_STAMP)).catch(() => null);
  if (stamp?.trim() === hash) return false;
  log("Azurite: npm ci (azurite/node_modules)");
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command("npm", {
      args: ["ci", "--no-audit", "--no-fund"],
      cwd: AZURITE_DIR,
      stdin: "null",
    }).output();
  } catch (error) {
    throw new AzuriteError(`npm cannot run (${(error as Error).message}): Azurite needs npm`);
  }
  if (!result.success) {
    const d = new TextDecoder();
    const output = `${d.decode(result.stdout)}${d.decode(result.stderr)}`.trimEnd();
    throw new AzuriteError(
      `npm ci failed in ${AZURITE_DIR} (exit ${result.code}):\n` +
        output.split("\n").slice(-30).join("\n"),
    );
  }
  await Deno.writeTextFile(join(AZURITE_DIR, INSTALL_STAMP), hash);
  return true;
}

/** A running Azurite Blob service. */
export interface Azurite extends AsyncDisposable {
  /** Blob endpoint, e.g. `http://127.0.0.1:41234/devstoreaccount1`. */
  readonly endpoint: string;
  /** Connection string of the well-known account. */
  readonly connectionString: string;
  /** Environment pointing the lakehouse at this emulator. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the emulator and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite's Blob service on 127.0.0.1 on a free port, storing into a new temporary folder
 * (installed first by {@linkcode ensureAzurite} when needed). Throws {@linkcode AzuriteError}
 * when it does not report listening within `timeoutMs` (default 60 s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startAzurite } from "./azurite.ts";
 * await using azurite = await startAzurite();
 * assert.match(azurite.endpoint, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
 * const unsigned = await fetch(`${azurite.endpoint}?comp=list`);
 * await unsigned.body?.cancel();
 * assert.equal(unsigned.status, 403); // the emulator checks signatures as Azure does
 * ```
 */
export async function startAzurite(options: { timeoutMs?: number } = {}): Promise<Azurite> {
  await ensureAzurite();
  const folder = await Deno.makeTempDir({ prefix: "azurite_" });
  const child = new Deno.Command("node", {
    args: [
      join(AZURITE_DIR, BLOB_BIN),
      "--silent",
      "--skipApiVersionCheck",
      "--loose",
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      "0",
      "--location",
      folder,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stop = async () => {
    const kill = (signal: Deno.Signal) => {
      try {
        child.kill(signal);
      } catch {
        // already ended
      }
    };
    // Azurite closes gracefully on SIGTERM, but waits for clients' keep-alive connections to
    // close (minutes): killed if still there after a short grace.
    kill("SIGTERM");
    const grace = setTimeout(() => kill("SIGKILL"), 2000);
    await child.status;
    clearTimeout(grace);
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  };
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) =>
    timer = setTimeout(() => resolve(null), timeoutMs)
  );
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === null || next.done) {
        await stop();
        throw new AzuriteError(
          `Azurite did not report listening within ${timeoutMs} ms:\n${seen}${await stderr}`,
        );
      }
      seen += next.value;
      const port = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen)?.[1];
      if (port) {
        // Keep reading (and dropping) its output, so that a full pipe never blocks it.
        (async () => {
          while (!(await reader.read()).done) { /* drained */ }
        })().catch(() => {});
        const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
        const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};` +
          `AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
        return {
          endpoint,
          connectionString,
          env: { AZURE_STORAGE_CONNECTION_STRING: connectionString },
          stop,
          [Symbol.asyncDispose]: stop,
        };
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
