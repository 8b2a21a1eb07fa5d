/**
 * Keeps a local copy of RTE's current real-time national file ("En-cours TR") up to date.
 *
 * Each call makes one conditional request (`If-None-Match` with the stored ETag,
 * `If-Modified-Since` with the stored `Last-Modified`), so an unchanged file costs one small
 * 304 answer. A new version replaces the copy only once the whole archive has arrived and every
 * entry checks out against its CRC-32; it is written to a temporary file and renamed, so the
 * folder never holds half a file. The ETag, `Last-Modified` and times sit beside the copy in a
 * hidden JSON file (`.<name>.json`), which input scans skip.
 *
 * The wait for the response headers is short (default 5 s) and doubles as the "online" test:
 * an offline machine gets its answer (the local copy and its age) without a long stall.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { basename, join } from "node:path";
import { unzipSync } from "fflate";

/** RTE's current real-time national file ("En-cours TR"), as served by eCO2mix. */
export const RTE_CURRENT_FILE_URL =
  "https://eco2mix.rte-france.com/download/eco2mix/eCO2mix_RTE_En-cours-TR.zip";

/** What is stored beside the local copy to make the next request conditional. */
export interface CurrentFileState {
  /** Address the copy came from. */
  url: string;
  /** The server's `ETag` header, if any. */
  etag: string | null;
  /** The server's `Last-Modified` header, if any. */
  lastModified: string | null;
  /** When this version was downloaded (ISO 8601). */
  downloadedAt: string;
  /** When the server last confirmed it as current (ISO 8601): download or 304 answer. */
  checkedAt: string;
  /** Size of the copy in bytes. */
  bytes: number;
  /** SHA-256 (hex) of the copy. */
  sha256: string;
}

/** Options of {@linkcode refreshCurrentFile}. */
export interface RefreshOptions {
  /** Folder holding the local copy and its state file. */
  dir: string;
  /** Address of the file (default {@linkcode RTE_CURRENT_FILE_URL}). */
  url?: string;
  /** Maximum wait for the response headers, in milliseconds (default 5,000). */
  headersTimeoutMs?: number;
  /** Maximum time to receive the body once the headers are in, in milliseconds (default 120,000). */
  bodyTimeoutMs?: number;
  /** Clock, for the age shown in messages (default `new Date()`). */
  now?: () => Date;
}

/** Outcome of {@linkcode refreshCurrentFile}. */
export interface RefreshResult {
  /** `downloaded`: new version saved; `unchanged`: 304; `failed`: the local copy (if any) stays. */
  status: "downloaded" | "unchanged" | "failed";
  /** The local copy after the call, or null when there is none. */
  file: string | null;
  /** Stored state of the local copy (null when there is no copy, or it was put there by hand). */
  state: CurrentFileState | null;
  /** Why the refresh failed (French), for `failed`. */
  reason?: string;
  /** One sentence in French for the user: what happened and which copy is used. */
  message: string;
}

/** A download could not be used; the message (French) says why. */
export class CurrentFileDownloadError extends Error {
  override name = "CurrentFileDownloadError";
}

/**
 * Checks that `bytes` are a complete zip archive: end-of-archive record present, every entry
 * inflates to its recorded size and CRC-32, at least one entry. Returns the entry names; throws
 * {@linkcode CurrentFileDownloadError} otherwise. A truncated transfer always loses the
 * end-of-archive record, which sits at the very end. Zip64 archives (over 4 GiB or 65,535
 * entries, far beyond RTE's file) are refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zipSync } from "fflate";
 * import { verifyZip } from "./rte_current.ts";
 * const zip = zipSync({ "a.xls": new TextEncoder().encode("x\ty\n") });
 * assert.deepEqual(verifyZip(zip), ["a.xls"]);
 * assert.throws(() => verifyZip(zip.subarray(0, zip.length - 10)), /incomplète/);
 * ```
 */
export function verifyZip(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new CurrentFileDownloadError("archive zip incomplète (fin d'archive absente)");
  }
  const count = view.getUint16(eocd + 10, true);
  const recorded = new Map<string, { crc: number; size: number }>();
  let at = view.getUint32(eocd + 16, true);
  for (let n = 0; n < count; n++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== 0x02014b50) {
      throw new CurrentFileDownloadError("archive zip corrompue (répertoire central illisible)");
    }
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    recorded.set(name, { crc: view.getUint32(at + 16, true), size: view.getUint32(at + 24, true) });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  if (recorded.size === 0) throw new CurrentFileDownloadError("archive zip vide");
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (cause) {
    throw new CurrentFileDownloadError(`archive zip corrompue (${(cause as Error).message})`, {
      cause,
    });
  }
  for (const [name, { crc, size }] of recorded) {
    const data = entries[name];
    if (!data || data.length !== size || crc32(data) !== crc) {
      throw new CurrentFileDownloadError(`archive zip corrompue (entrée ${name} altérée)`);
    }
  }
  return [...recorded.keys()];
}

/**
 * How long ago, in French words: "il y a 45 s", "il y a 12 min", "il y a 5 h", "il y a 3 jours".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ageInWords } from "./rte_current.ts";
 * assert.equal(ageInWords(3 * 86_400_000 + 5_000), "il y a 3 jours");
 * assert.equal(ageInWords(90 * 60_000), "il y a 1 h");
 * ```
 */
export function ageInWords(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `il y a ${s} s`;
  if (s < 3600) return `il y a ${Math.floor(s / 60)} min`;
  if (s < 86_400) return `il y a ${Math.floor(s / 3600)} h`;
  const days = Math.floor(s / 86_400);
  return `il y a ${days} jour${days > 1 ? "s" : ""}`;
}

function parisTime(date: Date): string {
  return date.toLocaleString("fr-FR", {
    timeZone: "Europe/Paris",
    dateStyle: "short",
    timeStyle: "short",
  });
}

/**
 * Path of the local copy of `url` in `dir`: the file name of the address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { currentFilePath } from "./rte_current.ts";
 * assert.equal(currentFilePath("/data"), "/data/eCO2mix_RTE_En-cours-TR.zip");
 * ```
 */
export function currentFilePath(dir: string, url: string = RTE_CURRENT_FILE_URL): string {
  return join(dir, basename(new URL(url).pathname) || "eCO2mix_RTE_En-cours-TR.zip");
}

/** Local copy and state-file paths for `url` in `dir`. */
function localPaths(dir: string, url: string): { file: string; stateFile: string } {
  const file = currentFilePath(dir, url);
  return { file, stateFile: join(dir, `.${basename(file)}.json`) };
}

/**
 * The local copy, and how current it is, in French: "<file>, à jour au <date> (il y a …)".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeCopy } from "./rte_current.ts";
 * const text = describeCopy("/data/x.zip", new Date("2026-11-10T08:00:00Z"), new Date("2026-11-12T09:00:00Z"));
 * assert.equal(text, "/data/x.zip, à jour au 10/11/2026 09:00 (il y a 2 jours)");
 * ```
 */
export function describeCopy(file: string, asOf: Date, now: Date): string {
  return `${file}, à jour au ${parisTime(asOf)} (${ageInWords(now.getTime() - asOf.getTime())})`;
}

async function readState(stateFile: string, url: string): Promise<CurrentFileState | null> {
  try {
    const state = JSON.parse(await Deno.readTextFile(stateFile)) as CurrentFileState;
    return state.url === url ? state : null;
  } catch {
    // No state (first run, or a copy put there by hand): the next request is unconditional.
    return null;
  }
}

/** Writes `data` to `path` through a temporary file in the same folder and a rename. */
async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = join(path, "..");
  const tmp = join(dir, `.${basename(path)}.${crypto.randomUUID()}.part`);
  try {
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/**
 * The stored state of the local copy of `url` in `dir`, or null (no copy, or no state file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { currentFileState } from "./rte_current.ts";
 * assert.equal(await currentFileState(await Deno.makeTempDir()), null);
 * ```
 */
export async function currentFileState(
  dir: string,
  url: string = RTE_CURRENT_FILE_URL,
): Promise<CurrentFileState | null> {
  const { file, stateFile } = localPaths(dir, url);
  const exists = await Deno.stat(file).then(() => true, () => false);
  return exists ? await readState(stateFile, url) : null;
}

/** Fetches with separate limits for the headers (the "online" probe) and the body. */
async function fetchConditional(
  url: string,
  headers: Record<string, string>,
  headersTimeoutMs: number,
  bodyTimeoutMs: number,
): Promise<{ response: Response; body: Uint8Array | null }> {
  const controller = new AbortController();
  let phase = "headers";
  let timer = setTimeout(() => controller.abort(), headersTimeoutMs);
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    clearTimeout(timer);
    if (response.status !== 200) {
      await response.body?.cancel();
      return { response, body: null };
    }
    phase = "body";
    timer = setTimeout(() => controller.abort(), bodyTimeoutMs);
    return { response, body: new Uint8Array(await response.arrayBuffer()) };
  } catch (cause) {
    if (controller.signal.aborted) {
      const limit = phase === "headers" ? headersTimeoutMs : bodyTimeoutMs;
      throw new CurrentFileDownloadError(
        phase === "headers"
          ? `pas de réponse en ${limit / 1000} s (hors ligne ?)`
          : `téléchargement non terminé en ${limit / 1000} s`,
        { cause },
      );
    }
    throw new CurrentFileDownloadError(
      phase === "headers"
        ? `hors ligne ou serveur injoignable : ${(cause as Error).message}`
        : `transfert interrompu : ${(cause as Error).message}`,
      { cause },
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Brings the local copy of RTE's current file in `dir` up to date with one conditional request.
 * Never throws for network or server trouble: the result says what happened, which copy is
 * used and, when the server could not be asked, how old the local copy is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refreshCurrentFile } from "./rte_current.ts";
 * // Port 9 on loopback refuses connections, as an offline machine would.
 * const result = await refreshCurrentFile({
 *   dir: await Deno.makeTempDir(),
 *   url: "http://127.0.0.1:9/eCO2mix_RTE_En-cours-TR.zip",
 * });
 * assert.equal(result.status, "failed");
 * assert.equal(result.file, null);
 * assert.match(result.message, /pas de copie locale/);
 * ```
 */
export async function refreshCurrentFile(options: RefreshOptions): Promise<RefreshResult> {
  const url = options.url ?? RTE_CURRENT_FILE_URL;
  const now = options.now ?? (() => new Date());
  const { file, stateFile } = localPaths(options.dir, url);
  const local = await Deno.stat(file).catch(() => null);
  const state = local ? await readState(stateFile, url) : null;
  const headers: Record<string, string> = {};
  if (state?.etag) headers["If-None-Match"] = state.etag;
  if (state?.lastModified) headers["If-Modified-Since"] = state.lastModified;

  try {
    const { response, body } = await fetchConditional(
      url,
      headers,
      options.headersTimeoutMs ?? 5_000,
      options.bodyTimeoutMs ?? 120_000,
    );
    if (response.status === 304 && state) {
      const checked = { ...state, checkedAt: now().toISOString() };
      await writeAtomic(stateFile, new TextEncoder().encode(JSON.stringify(checked, null, 2)));
      return {
        status: "unchanged",
        file,
        state: checked,
        message: `Fichier courant de RTE inchangé depuis son téléchargement du ${
          parisTime(new Date(state.downloadedAt))
        } : copie locale ${file} utilisée.`,
      };
    }
    if (body === null) throw new CurrentFileDownloadError(`réponse HTTP ${response.status}`);
    verifyZip(body);
    await Deno.mkdir(options.dir, { recursive: true });
    // The file first, then its state: a crash in between leaves the old ETag, so the next
    // run downloads again instead of trusting a state that does not match the file.
    await writeAtomic(file, body);
    const at = now().toISOString();
    const fresh: CurrentFileState = {
      url,
      etag: response.headers.get("ETag"),
      lastModified: response.headers.get("Last-Modified"),
      downloadedAt: at,
      checkedAt: at,
      bytes: body.length,
      sha256: createHash("sha256").update(body).digest("hex"),
    };
    await writeAtomic(stateFile, new TextEncoder().encode(JSON.stringify(fresh, null, 2)));
    return {
      status: "downloaded",
      file,
      state: fresh,
      message: `Fichier courant de RTE téléchargé (nouvelle version, ${
        (body.length / 1e6).toLocaleString("fr-FR", { maximumFractionDigits: 1 })
      } Mo) : ${file}.`,
    };
  } catch (error) {
    if (!(error instanceof CurrentFileDownloadError)) throw error;
    const reason = error.message;
    if (!local) {
      return {
        status: "failed",
        file: null,
        state: null,
        reason,
        message: `Fichier courant de RTE non téléchargé (${reason}) : pas de copie locale.`,
      };
    }
    // A copy put there by hand has no state: its modification time is the best age known.
    const asOf = state ? new Date(state.checkedAt) : local.mtime ?? now();
    return {
      status: "failed",
      file,
      state,
      reason,
      message: `Fichier courant de RTE non mis à jour (${reason}) : utilisation de la copie ` +
        `locale ${describeCopy(file, asOf, now())}.`,
    };
  }
}
