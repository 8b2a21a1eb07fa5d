// deno-lint-ignore-file no-import-prefix
/**
 * Where tables live: a local folder or Azure Blob storage, behind one small {@linkcode Storage}
 * interface that holds exactly what Delta needs (read, ranged read, stat, list, put, put-if-absent,
 * delete, and a compare-and-swap for the lakehouse lock).
 *
 * ## Locations
 *
 * Every table, file and folder of the layer is named by a location string:
 *
 * - a local path (`/data/lakehouse/silver/eco2mix_silver`; relative paths are resolved);
 * - `az://<container>/<prefix>` for Azure Blob storage;
 * - `abfss://<container>@<account>.dfs.core.windows.net/<prefix>` (the ADLS Gen2 form Spark and
 *   Databricks use) is accepted and mapped to the same blobs through the Blob endpoint: it is
 *   normalised to `az://<container>/<prefix>`, after checking that `<account>` is the account of
 *   the credentials. `wasbs://` and `abfs://` are mapped the same way.
 *
 * {@linkcode locate} splits a location into the {@linkcode Storage} that holds it and the key in
 * that storage (an absolute path for the local file system, `<container>/<blob>` for Azure).
 * {@linkcode joinLocation} joins location parts (`node:path`'s `join` would turn `az://c` into
 * `az:/c`).
 *
 * ## Azure credentials
 *
 * Read from the environment, the variables the Azure CLI uses, in this order:
 * `AZURE_STORAGE_CONNECTION_STRING`; or `AZURE_STORAGE_ACCOUNT` with `AZURE_STORAGE_KEY` (shared
 * key) or `AZURE_STORAGE_SAS_TOKEN` (SAS). `AZURE_STORAGE_BLOB_ENDPOINT` overrides the endpoint
 * (`https://<account>.blob.core.windows.net` by default), e.g. for an emulator. Credentials never
 * appear in a location (a location holding a SAS token is refused) nor in an error message (SDK
 * messages are redacted: SAS signatures and the key are replaced by `REDACTED`).
 *
 * ## Semantics
 *
 * - `put` replaces atomically: a reader sees the old object or the new one, whole. Locally a
 *   temporary sibling is synced then renamed; a blob upload is atomic by itself.
 * - `putIfAbsent` creates an object only if its name is free: locally a hard link of a synced
 *   temporary file; on Azure an upload with `If-None-Match: *` (409 when the blob exists). This is
 *   the primitive a Delta commit needs, and the only one that decides between concurrent writers.
 * - Local writes are durable when they return (files, then the folders holding new names, are
 *   fsynced; see `_fs.ts`).
 *
 * Why one module of this size: `locate` maps a location to one of two implementations of
 * {@linkcode Storage} (local, Azure) that must keep the semantics above alike, and the Azure
 * credentials checked when a location is parsed (the abfss account) are those the client is
 * built from; the contract, its parsing and both implementations are read together.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
// A full specifier, not the import map's name (hence the lint exception at the top): the runner
// imports the lakehouse lock, and a kernel started outside the project (no deno.json above its
// notebook) has no import map, so a bare name here broke every notebook run that way (runner
// tests, users' own folders).
import type { BlobServiceClient, ContainerClient } from "npm:@azure/storage-blob@12.34.0";
import { durability, makeDirectory, putIfAbsent, writeFileAtomic } from "./_fs.ts";
import { DeltaError } from "./errors.ts";

/**
 * A location that names no storage this layer can use (an unknown scheme, a URL carrying a query
 * string, Azure without credentials, an abfss account other than the credentials'), or a storage
 * call that failed (the message names the location, never a credential).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locate, StorageLocationError } from "./storage.ts";
 * assert.throws(() => locate("s3://bucket/lake"), StorageLocationError);
 * ```
 */
export class StorageLocationError extends DeltaError {
  override name = "StorageLocationError";
}

/** An object found by {@linkcode Storage.stat}. */
export interface StoredObject {
  /** Size in bytes. */
  size: number;
  /** Last modification, epoch ms. */
  lastModified: number;
}

/** An entry of {@linkcode Storage.list}: a name relative to the listed folder. */
export interface ListEntry {
  /** Name relative to the listed folder (holds `/` in a recursive listing). */
  name: string;
  /** A folder (a blob name prefix on Azure); only in a non-recursive listing. */
  folder: boolean;
}

/** The bytes of an object with an opaque version for {@linkcode Storage.replaceIfVersion}. */
export interface VersionedObject {
  bytes: Uint8Array;
  /** An ETag on Azure, a content digest locally. */
  version: string;
}

/** Options of a write. */
export interface PutOptions {
  /** Permissions of a new local file (e.g. 0o600); ignored by object storage. */
  mode?: number;
  /**
   * The name is new and no reader looks for it yet (a data file, unreferenced until its commit):
   * written in place, without the temporary sibling an atomic replace needs.
   */
  fresh?: boolean;
}

/**
 * What the Delta layer needs from a storage. Keys are absolute paths on the local file system and
 * `<container>/<blob name>` on Azure; {@linkcode locate} gives the storage and key of a location.
 */
export interface Storage {
  /** `local` or `azure`. */
  readonly kind: "local" | "azure";
  /** The location of a key (for messages: holds no credential). */
  location(key: string): string;
  /** The local file of a key, for readers that open files themselves; null on object storage. */
  localPath(key: string): string | null;
  /** The object's bytes, or null when it does not exist. */
  read(key: string): Promise<Uint8Array | null>;
  /** `length` bytes from `offset` (the object must exist and hold them). */
  readRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** Size and modification time, or null when the object does not exist. */
  stat(key: string): Promise<StoredObject | null>;
  /**
   * The objects under the folder `prefix` (relative names): with `recursive`, every object below
   * it; without, its direct objects and sub-folders. A missing folder lists as empty.
   */
  list(prefix: string, options?: { recursive?: boolean }): Promise<ListEntry[]>;
  /** Writes an object, replacing any (atomically: see the module documentation). */
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void>;
  /** Creates an object only if the name is free; false when it already exists. */
  putIfAbsent(key: string, bytes: Uint8Array, options?: PutOptions): Promise<boolean>;
  /** Deletes an object; false when there was none. */
  delete(key: string): Promise<boolean>;
  /** The object's bytes and version, or null when it does not exist. */
  readVersioned(key: string): Promise<VersionedObject | null>;
  /** Replaces the object only if it still has this version; false otherwise. */
  replaceIfVersion(
    key: string,
    bytes: Uint8Array,
    version: string,
    options?: PutOptions,
  ): Promise<boolean>;
  /** Deletes the object only if it still has this version; false otherwise. */
  deleteIfVersion(key: string, version: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Locations

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * Whether a location is a URL (object storage) rather than a local path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRemoteLocation } from "./storage.ts";
 * assert.equal(isRemoteLocation("az://eco2mix/lake"), true);
 * assert.equal(isRemoteLocation("/data/lake"), false);
 * ```
 */
export function isRemoteLocation(location: string): boolean {
  return SCHEME.test(location);
}

/** An Azure location split: container and blob prefix (no leading or trailing `/`). */
interface AzureLocation {
  container: string;
  path: string;
  /** Account named by the location (abfss/wasbs forms), else null. */
  account: string | null;
}

/** A query string carrying credentials (a SAS token) or a connection string's key. */
const CREDENTIALS_IN_URL = /[?&](?:sig|sv|se|sp|st|srt|ss|spr|skoid)=|AccountKey=/i;

/**
 * Splits an Azure location. Locations are raw names, not URL-encoded (`%` and spaces are part of
 * blob names, as in Delta's Hive folders), so they are split by hand, not by `URL`.
 */
function parseAzure(location: string): AzureLocation {
  if (CREDENTIALS_IN_URL.test(location)) {
    throw new StorageLocationError(
      `${location.replace(/\?.*$/, "")}: a storage location holds no credentials; give them ` +
        `in environment variables (${CREDENTIAL_VARIABLES})`,
    );
  }
  const scheme = location.slice(0, location.indexOf("://")).toLowerCase();
  const rest = location.slice(scheme.length + 3);
  const slash = rest.indexOf("/");
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = (slash < 0 ? "" : rest.slice(slash + 1))
    .replace(/^\/+|\/+$/g, "").replace(/\/{2,}/g, "/");
  if (scheme === "az") {
    if (!/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/.test(authority)) {
      throw new StorageLocationError(
        `${location}: expected az://<container>/<prefix>, the container named in lower case ` +
          "(3 to 63 letters, digits and hyphens)",
      );
    }
    return { container: authority, path, account: null };
  }
  // abfss://container@account.dfs.core.windows.net/path (and abfs, wasb, wasbs with .blob.)
  const user = /^([^@]+)@([^.]+)\.(?:dfs|blob)\./.exec(authority);
  if (!user) {
    throw new StorageLocationError(
      `${location}: expected ${scheme}://<container>@<account>.dfs.core.windows.net/<prefix>`,
    );
  }
  return { container: user[1], path, account: user[2] };
}

const AZURE_SCHEMES = new Set(["az", "abfss", "abfs", "wasbs", "wasb"]);

/**
 * The canonical form of a location: a local path made absolute (against `cwd`, by default the
 * working directory), an Azure URL as `az://<container>/<prefix>` (abfss and wasbs forms mapped
 * to it). Throws {@linkcode StorageLocationError} for another scheme or a location holding a SAS
 * token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normaliseLocation } from "./storage.ts";
 * assert.equal(normaliseLocation("lake", "/home/me"), "/home/me/lake");
 * assert.equal(
 *   normaliseLocation("abfss://eco2mix@compte.dfs.core.windows.net/lake/"),
 *   "az://eco2mix/lake",
 * );
 * assert.throws(() => normaliseLocation("az://eco2mix/lake?sv=1&sig=abc"), /environment variables/);
 * ```
 */
export function normaliseLocation(location: string, cwd?: string): string {
  const scheme = SCHEME.exec(location)?.[1].toLowerCase();
  if (scheme === undefined) {
    // The working directory only for a relative path (every file access locates its path).
    return isAbsolute(location) ? resolve(location) : resolve(cwd ?? Deno.cwd(), location);
  }
  if (scheme === "file") return resolve(decodeURIComponent(location.replace(/^file:\/\//i, "")));
  if (!AZURE_SCHEMES.has(scheme)) {
    throw new StorageLocationError(
      `${location}: unsupported storage (${scheme}://); use a local folder, ` +
        "az://<container>/<prefix> or abfss://<container>@<account>.dfs.core.windows.net/<prefix>",
    );
  }
  const { container, path } = parseAzure(location);
  return `az://${container}${path ? `/${path}` : ""}`;
}

/**
 * Joins location parts: local paths as `node:path` does, URLs with single slashes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinLocation } from "./storage.ts";
 * assert.equal(joinLocation("az://c/lake/", "silver", "t"), "az://c/lake/silver/t");
 * assert.equal(joinLocation("/lake", "silver/t", "_delta_log"), "/lake/silver/t/_delta_log");
 * ```
 */
export function joinLocation(base: string, ...parts: string[]): string {
  if (!isRemoteLocation(base)) return join(base, ...parts);
  const rest = parts.flatMap((p) => p.split("/")).filter((p) => p !== "" && p !== ".");
  return [base.replace(/\/+$/, ""), ...rest].join("/");
}

/**
 * The storage holding a location, and the location's key in it. Azure clients are made once per
 * set of credentials. Throws {@linkcode StorageLocationError} for a location no storage holds, or
 * an Azure location without credentials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locate } from "./storage.ts";
 * const dir = await Deno.makeTempDir();
 * const { storage, key } = locate(`${dir}/a.json`);
 * await storage.put(key, new TextEncoder().encode("{}"));
 * assert.equal(await storage.putIfAbsent(key, new TextEncoder().encode("[]")), false);
 * assert.equal(new TextDecoder().decode((await storage.read(key))!), "{}");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function locate(location: string): { storage: Storage; key: string } {
  const normal = normaliseLocation(location);
  if (!isRemoteLocation(normal)) return { storage: LOCAL, key: normal };
  const { container, path } = parseAzure(normal);
  const account = isRemoteLocation(location) ? parseAzure(location).account : null;
  const storage = azureStorage(Deno.env.toObject());
  if (account !== null && storage.account !== null && account !== storage.account) {
    throw new StorageLocationError(
      `${location}: the location names account ${account}, the credentials are for ` +
        `${storage.account}`,
    );
  }
  // Credentials that do not name their account: checked when the client is made.
  if (account !== null && storage.account === null) storage.expectedAccounts.add(account);
  return { storage, key: path ? `${container}/${path}` : container };
}

/**
 * Checks that a location can be written (a probe object written then deleted under it), so that
 * a run fails at once, not at its end, on a location it cannot use. Throws
 * {@linkcode StorageLocationError} saying why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWritable, StorageLocationError } from "./storage.ts";
 * const dir = await Deno.makeTempDir();
 * await checkWritable(`${dir}/lake`);
 * assert.deepEqual([...Deno.readDirSync(`${dir}/lake`)], []); // the probe is gone
 * await Deno.writeTextFile(`${dir}/file`, "");
 * await assert.rejects(checkWritable(`${dir}/file/lake`), StorageLocationError);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checkWritable(location: string): Promise<void> {
  const { storage, key } = locate(location);
  const probe = joinKey(key, `.write-check-${crypto.randomUUID()}`);
  try {
    await storage.put(probe, new Uint8Array());
    await storage.delete(probe);
  } catch (e) {
    if (e instanceof StorageLocationError) throw e;
    throw new StorageLocationError(
      `cannot write into ${storage.location(key)}: ${redact((e as Error).message)}`,
    );
  }
}

function joinKey(key: string, name: string): string {
  return key.startsWith("/") ? join(key, name) : `${key.replace(/\/+$/, "")}/${name}`;
}

// ---------------------------------------------------------------------------------------------
// Local file system

class LocalStorage implements Storage {
  readonly kind = "local";

  location(key: string): string {
    return key;
  }

  localPath(key: string): string {
    return key;
  }

  async read(key: string): Promise<Uint8Array | null> {
    try {
      return await Deno.readFile(key);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
  }

  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    using file = await Deno.open(key);
    const bytes = new Uint8Array(length);
    await file.seek(offset, Deno.SeekMode.Start);
    let done = 0;
    while (done < length) {
      const n = await file.read(bytes.subarray(done));
      if (n === null) throw new Deno.errors.UnexpectedEof(`${key} shorter than ${offset + length}`);
      done += n;
    }
    return bytes;
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const s = await Deno.stat(key);
      return s.isFile ? { size: s.size, lastModified: s.mtime?.getTime() ?? 0 } : null;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
      throw e;
    }
  }

  async list(prefix: string, options: { recursive?: boolean } = {}): Promise<ListEntry[]> {
    const out: ListEntry[] = [];
    const walk = async (dir: string) => {
      try {
        for await (const e of Deno.readDir(dir)) {
          const name = relative(prefix, join(dir, e.name));
          if (e.isDirectory) {
            if (options.recursive) await walk(join(dir, e.name));
            else out.push({ name, folder: true });
          } else if (e.isFile) out.push({ name, folder: false });
        }
      } catch (e) {
        if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return;
        throw e;
      }
    };
    await walk(prefix);
    return out;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    await makeDirectory(dirname(key));
    if (!options.fresh) return await writeFileAtomic(key, bytes, options);
    await Deno.writeFile(key, bytes, { mode: options.mode, createNew: true });
    await durability.syncFile(key);
    await durability.syncDirectory(dirname(key));
  }

  async putIfAbsent(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<boolean> {
    await makeDirectory(dirname(key));
    return await putIfAbsent(key, bytes, options);
  }

  async delete(key: string): Promise<boolean> {
    try {
      await Deno.remove(key);
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
  }

  async readVersioned(key: string): Promise<VersionedObject | null> {
    const bytes = await this.read(key);
    return bytes && { bytes, version: digest(bytes) };
  }

  /**
   * Under an advisory `flock` of `<key>.takeover` (the kernel drops it when its process dies, so
   * it never goes stale; the file stays: unlinking a locked file lets two processes lock two
   * inodes), re-reads the object and renames the new bytes over it only if its digest is still
   * `version`. Writers that only create the name (`putIfAbsent`) never replace it, so the check
   * and the rename cannot be separated by another replace.
   */
  async replaceIfVersion(
    key: string,
    bytes: Uint8Array,
    version: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    const guard = await Deno.open(`${key}.takeover`, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    try {
      await guard.lock(true);
      const current = await this.read(key);
      if (current === null || digest(current) !== version) return false;
      await writeFileAtomic(key, bytes, options);
      return true;
    } finally {
      guard.close(); // closing drops the flock
    }
  }

  async deleteIfVersion(key: string, version: string): Promise<boolean> {
    const current = await this.read(key);
    if (current === null || digest(current) !== version) return false;
    return await this.delete(key);
  }
}

function digest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The local file system. */
const LOCAL = new LocalStorage();

// ---------------------------------------------------------------------------------------------
// Azure Blob storage

/** The environment variables credentials are read from, as messages name them. */
const CREDENTIAL_VARIABLES = "AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT with " +
  "AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN";

/** Azure clients by credentials (a digest of them, so that no map key holds a secret). */
const AZURE_CLIENTS = new Map<string, AzureBlobStorage>();

type AzureSdk = typeof import("npm:@azure/storage-blob@12.34.0");
/** The Azure SDK once loaded (its errors are told apart with it). */
let azureSdk: AzureSdk | null = null;

/**
 * The Azure SDK, loaded on first use: importing it costs about 0.3 s of CPU, paid by every kernel
 * of a run that imports the lakehouse, and most lakehouses are local.
 */
async function loadAzureSdk(): Promise<AzureSdk> {
  return azureSdk ??= await import("npm:@azure/storage-blob@12.34.0");
}

/** The account named by the credentials, when they name it (not a bare endpoint with a SAS). */
function credentialAccount(connection: string | undefined, account: string | undefined) {
  if (!connection) return account ?? null;
  if (/(^|;)\s*UseDevelopmentStorage=true/i.test(connection)) return "devstoreaccount1";
  return /(^|;)\s*AccountName=([^;]+)/i.exec(connection)?.[2].trim() ?? null;
}

function azureStorage(env: Record<string, string>): AzureBlobStorage {
  const connection = env.AZURE_STORAGE_CONNECTION_STRING;
  const account = env.AZURE_STORAGE_ACCOUNT;
  const key = env.AZURE_STORAGE_KEY;
  const sas = env.AZURE_STORAGE_SAS_TOKEN?.replace(/^\?/, "");
  const endpoint = env.AZURE_STORAGE_BLOB_ENDPOINT?.replace(/\/+$/, "");
  if (!connection && !(account && (key || sas))) {
    throw new StorageLocationError(
      `no Azure credentials in the environment: set ${CREDENTIAL_VARIABLES}`,
    );
  }
  const id = digest(
    new TextEncoder().encode(JSON.stringify([connection, account, key, sas, endpoint])),
  );
  let storage = AZURE_CLIENTS.get(id);
  if (!storage) {
    const secrets = [key, sas, ...secretsOf(connection)].filter((s): s is string => !!s);
    const client = async () => {
      const { BlobServiceClient, StorageSharedKeyCredential } = await loadAzureSdk();
      try {
        if (connection) return BlobServiceClient.fromConnectionString(connection);
        const url = endpoint ?? `https://${account}.blob.core.windows.net`;
        return key
          ? new BlobServiceClient(url, new StorageSharedKeyCredential(account!, key))
          : new BlobServiceClient(`${url}?${sas}`);
      } catch (e) {
        throw new StorageLocationError(
          `invalid Azure credentials (${redact((e as Error).message, secrets)})`,
        );
      }
    };
    storage = new AzureBlobStorage(client, secrets, credentialAccount(connection, account));
    AZURE_CLIENTS.set(id, storage);
  }
  return storage;
}

/** The secret parts of a connection string (key, SAS). */
function secretsOf(connection: string | undefined): string[] {
  if (!connection) return [];
  return connection.split(";").flatMap((part) => {
    const m = /^(AccountKey|SharedAccessSignature)=(.+)$/i.exec(part.trim());
    return m ? [m[2]] : [];
  });
}

/**
 * A message with SAS signatures and the given secrets replaced by `REDACTED`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redact } from "./storage.ts";
 * assert.equal(redact("GET https://a/b?sv=1&sig=abc%3D failed", ["k3y"]), "GET https://a/b?sv=1&sig=REDACTED failed");
 * assert.equal(redact("key k3y leaked", ["k3y"]), "key REDACTED leaked");
 * ```
 */
export function redact(message: string, secrets: string[] = []): string {
  let out = message.replace(/([?&]sig=)[^&\s"']+/gi, "$1REDACTED");
  for (const s of secrets) if (s.length >= 3) out = out.replaceAll(s, "REDACTED");
  return out;
}

function status(e: unknown): number | undefined {
  return azureSdk && e instanceof azureSdk.RestError ? e.statusCode : undefined;
}

function errorCode(e: unknown): string | undefined {
  return azureSdk && e instanceof azureSdk.RestError ? e.code : undefined;
}

class AzureBlobStorage implements Storage {
  readonly kind = "azure";
  /** The account the credentials name (null: known once the client exists). */
  readonly account: string | null;
  /** Accounts that locations named: checked against the client's once it exists. */
  readonly expectedAccounts = new Set<string>();
  readonly #client: () => Promise<BlobServiceClient>;
  #ready: Promise<BlobServiceClient> | null = null;
  #service: BlobServiceClient | null = null;
  readonly #secrets: string[];
  readonly #containers = new Map<string, ContainerClient>();

  constructor(
    client: () => Promise<BlobServiceClient>,
    secrets: string[],
    account: string | null,
  ) {
    this.#client = client;
    this.#secrets = secrets;
    this.account = account;
  }

  /** The SDK client, made on the first call (when the SDK is loaded). */
  async #connect(): Promise<void> {
    const ready = this.#ready ??= this.#client().then((service) => {
      const other = [...this.expectedAccounts].find((a) => a !== service.accountName);
      if (other !== undefined) {
        throw new StorageLocationError(
          `a location names account ${other}, the credentials are for ${service.accountName}`,
        );
      }
      return service;
    });
    this.#service = await ready;
  }

  location(key: string): string {
    return `az://${key}`;
  }

  localPath(): null {
    return null;
  }

  #split(key: string): { container: ContainerClient; blob: string } {
    const slash = key.indexOf("/");
    const name = slash < 0 ? key : key.slice(0, slash);
    let container = this.#containers.get(name);
    if (!container) {
      container = this.#service!.getContainerClient(name);
      this.#containers.set(name, container);
    }
    return { container, blob: slash < 0 ? "" : key.slice(slash + 1) };
  }

  #blob(key: string) {
    const { container, blob } = this.#split(key);
    // Escaped here: the SDK leaves `%XX` sequences of a name alone (and Azure reads `+` in a
    // URL path as is), so a name such as `x=A%2FA` would otherwise reach Azure as `x=A/A`.
    return container.getBlockBlobClient(blob);
  }

  /** Runs an SDK call; its errors become {@linkcode StorageLocationError}, redacted. */
  async #call<T>(what: string, key: string, call: () => Promise<T>): Promise<T> {
    await this.#connect();
    try {
      return await call();
    } catch (e) {
      if (e instanceof DeltaError) throw e;
      const code = [status(e), errorCode(e)].filter((x) => x !== undefined).join(" ");
      const message = redact((e as Error).message ?? String(e), this.#secrets).split("\n")[0];
      throw new StorageLocationError(
        `${this.location(key)}: ${what} failed${code ? ` (${code})` : ""}: ${message}`,
      );
    }
  }

  read(key: string): Promise<Uint8Array | null> {
    return this.#call("read", key, async () => {
      try {
        return new Uint8Array(await this.#blob(key).downloadToBuffer());
      } catch (e) {
        if (status(e) === 404) return null;
        throw e;
      }
    });
  }

  readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#call("ranged read", key, async () => {
      if (length === 0) return new Uint8Array();
      return new Uint8Array(await this.#blob(key).downloadToBuffer(offset, length));
    });
  }

  stat(key: string): Promise<StoredObject | null> {
    return this.#call("stat", key, async () => {
      try {
        const p = await this.#blob(key).getProperties();
        return { size: p.contentLength ?? 0, lastModified: p.lastModified?.getTime() ?? 0 };
      } catch (e) {
        if (status(e) === 404) return null;
        throw e;
      }
    });
  }

  list(prefix: string, options: { recursive?: boolean } = {}): Promise<ListEntry[]> {
    return this.#call("list", prefix, async () => {
      const { container, blob } = this.#split(prefix);
      const folder = blob ? `${blob.replace(/\/+$/, "")}/` : "";
      const out: ListEntry[] = [];
      try {
        if (options.recursive) {
          for await (const b of container.listBlobsFlat({ prefix: folder })) {
            out.push({ name: b.name.slice(folder.length), folder: false });
          }
        } else {
          for await (const item of container.listBlobsByHierarchy("/", { prefix: folder })) {
            const name = item.name.slice(folder.length).replace(/\/$/, "");
            out.push({ name, folder: item.kind === "prefix" });
          }
        }
      } catch (e) {
        if (errorCode(e) === "ContainerNotFound") return [];
        throw e;
      }
      return out;
    });
  }

  /** Runs an upload, creating the container first when it does not exist yet. */
  async #upload<T>(key: string, upload: () => Promise<T>): Promise<T> {
    try {
      return await upload();
    } catch (e) {
      if (errorCode(e) !== "ContainerNotFound") throw e;
      await this.#split(key).container.createIfNotExists();
      return await upload();
    }
  }

  put(key: string, bytes: Uint8Array, _options?: PutOptions): Promise<void> {
    return this.#call("write", key, async () => {
      await this.#upload(key, () => this.#blob(key).uploadData(Buffer.from(bytes)));
    });
  }

  putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    return this.#call("create", key, async () => {
      try {
        await this.#upload(
          key,
          () =>
            this.#blob(key).upload(Buffer.from(bytes), bytes.length, {
              conditions: { ifNoneMatch: "*" },
            }),
        );
        return true;
      } catch (e) {
        // 409 BlobAlreadyExists; 412 when a concurrent create is still in flight.
        if (status(e) === 409 || status(e) === 412) return false;
        throw e;
      }
    });
  }

  delete(key: string): Promise<boolean> {
    return this.#call("delete", key, async () => {
      try {
        return (await this.#blob(key).deleteIfExists()).succeeded;
      } catch (e) {
        if (errorCode(e) === "ContainerNotFound") return false;
        throw e;
      }
    });
  }

  readVersioned(key: string): Promise<VersionedObject | null> {
    return this.#call("read", key, async () => {
      try {
        const response = await this.#blob(key).download();
        const chunks: Uint8Array[] = [];
        for await (const chunk of response.readableStreamBody!) chunks.push(chunk as Uint8Array);
        return { bytes: new Uint8Array(Buffer.concat(chunks)), version: response.etag! };
      } catch (e) {
        if (status(e) === 404) return null;
        throw e;
      }
    });
  }

  replaceIfVersion(key: string, bytes: Uint8Array, version: string): Promise<boolean> {
    return this.#call("conditional write", key, async () => {
      try {
        await this.#blob(key).upload(Buffer.from(bytes), bytes.length, {
          conditions: { ifMatch: version },
        });
        return true;
      } catch (e) {
        if (status(e) === 412 || status(e) === 404) return false;
        throw e;
      }
    });
  }

  deleteIfVersion(key: string, version: string): Promise<boolean> {
    return this.#call("conditional delete", key, async () => {
      try {
        await this.#blob(key).delete({ conditions: { ifMatch: version } });
        return true;
      } catch (e) {
        if (status(e) === 412 || status(e) === 404) return false;
        throw e;
      }
    });
  }
}
