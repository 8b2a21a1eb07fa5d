/**
 * Partition values and file paths as Spark and the Delta protocol spell them.
 *
 * Three encodings meet here:
 * 1. the partition value as text in the log (`add.partitionValues`), typed by the schema;
 * 2. the Hive directory name `col=value`, escaped like Spark's `escapePathName`;
 * 3. the URI form of a relative path in `add.path` (Hadoop `Path.toUri`), which percent-encodes
 *    the directory name once more: the value `A/A` lives in `x=A%2FA/` and the log says
 *    `x=A%252FA/...`.
 *
 * @module
 */

import pl from "nodejs-polars";
import { isAbsolute } from "node:path";
import { CorruptLogError } from "./errors.ts";
import { type DeltaType, polarsTypeOf } from "./schema.ts";
import { isRemoteLocation, joinLocation, normaliseLocation } from "./storage.ts";

/** Directory name Spark uses for a null partition value. */
export const HIVE_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

// Spark's ExternalCatalogUtils.charToEscape (non-Windows).
const ESCAPED = new Set<string>([
  ...Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)),
  ..."\"#%'*/:=?\\\u007f{[]^",
]);

/**
 * Escapes a partition value (or column name) for a Hive directory name, as Spark does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapePartitionValue } from "./partition.ts";
 * assert.equal(escapePartitionValue("A/A"), "A%2FA");
 * assert.equal(escapePartitionValue("bar+%21"), "bar+%2521");
 * ```
 */
export function escapePartitionValue(value: string): string {
  let out = "";
  for (const ch of value) {
    out += ESCAPED.has(ch)
      ? `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`
      : ch;
  }
  return out;
}

/**
 * Inverse of {@linkcode escapePartitionValue} (Spark's `unescapePathName`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unescapePartitionValue } from "./partition.ts";
 * assert.equal(unescapePartitionValue("A%2FA"), "A/A");
 * ```
 */
export function unescapePartitionValue(value: string): string {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * Hive-style relative directory of a partition (`a=1/b=x`), nulls as
 * `__HIVE_DEFAULT_PARTITION__`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { partitionDirectory } from "./partition.ts";
 * assert.equal(
 *   partitionDirectory([["annee", "2025"], ["region", null]]),
 *   "annee=2025/region=__HIVE_DEFAULT_PARTITION__",
 * );
 * ```
 */
export function partitionDirectory(values: [string, string | null][]): string {
  return values
    .map(([k, v]) =>
      `${escapePartitionValue(k)}=${v === null ? HIVE_DEFAULT_PARTITION : escapePartitionValue(v)}`
    )
    .join("/");
}

// Characters java.net.URI leaves alone in a path: unreserved, punct, "/" and "@".
const URI_PATH_SAFE = /[A-Za-z0-9_\-!.~'()*,;:$&+=/@]/;

/**
 * Encodes a relative file path for `add.path`, as Hadoop's `Path.toUri().toString()` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeLogPath } from "./partition.ts";
 * assert.equal(encodeLogPath("x=B B/part-0.parquet"), "x=B%20B/part-0.parquet");
 * assert.equal(encodeLogPath("x=A%2FA/f"), "x=A%252FA/f");
 * ```
 */
export function encodeLogPath(path: string): string {
  let out = "";
  for (const ch of path) {
    if (URI_PATH_SAFE.test(ch)) out += ch;
    else {
      for (const b of new TextEncoder().encode(ch)) {
        out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
      }
    }
  }
  return out;
}

/**
 * Location of an `add`/`remove` path (see `storage.ts`): relative paths are URI-decoded and joined
 * to the table root; `file:` URIs and absolute paths are decoded as they are (local tables only);
 * Azure URLs (`abfss://`, `wasbs://`, `az://`) are normalised (tables on Azure only). Other
 * schemes throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveLogPath } from "./partition.ts";
 * assert.equal(resolveLogPath("/t", "x=A%252FA/f.parquet"), "/t/x=A%2FA/f.parquet");
 * assert.equal(resolveLogPath("az://c/t", "x=B%20B/f.parquet"), "az://c/t/x=B B/f.parquet");
 * ```
 */
export function resolveLogPath(tableRoot: string, path: string): string {
  const remote = isRemoteLocation(tableRoot);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(path)?.[1].toLowerCase();
  if (scheme) {
    if (scheme === "file" && !remote) {
      return decodeURIComponent(path.replace(/^file:(\/\/)?/i, "").replace(/^\/*/, "/"));
    }
    if (scheme !== "file" && remote && isRemoteLocation(path)) {
      try {
        return normaliseLocation(path);
      } catch (e) {
        throw new CorruptLogError(`file ${path}: ${(e as Error).message}`);
      }
    }
    throw new CorruptLogError(
      `file ${path}: a table at ${tableRoot} reads only ${
        remote ? "Azure" : "local (file:)"
      } paths`,
    );
  }
  const decoded = decodeURIComponent(path);
  if (!remote && isAbsolute(decoded)) return decoded;
  return joinLocation(tableRoot, decoded);
}

/**
 * Canonical key of a log path, so that `file:///a/b`, `file:/a/b` and `/a/b` (and a relative
 * path and its absolute form under the table root) are the same file during log replay.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalPath } from "./partition.ts";
 * assert.equal(canonicalPath("/t", "file:///t/a%20b"), canonicalPath("/t", "a%20b"));
 * ```
 */
export function canonicalPath(tableRoot: string, path: string): string {
  return resolveLogPath(tableRoot, path);
}

const TS_RE =
  /^(-?\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Microseconds since the Unix epoch of a timestamp partition value. The protocol allows
 * `2021-09-08 11:11:11[.ffffff]` and ISO 8601 with an offset; a value without offset is read
 * as UTC (for `timestamp_ntz`, as wall-clock time).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTimestampMicros } from "./partition.ts";
 * assert.equal(parseTimestampMicros("1970-01-01 00:00:01.000002"), 1000002n);
 * assert.equal(parseTimestampMicros("1970-01-01T01:00:00+01:00"), 0n);
 * ```
 */
export function parseTimestampMicros(text: string): bigint {
  const m = TS_RE.exec(text.trim());
  if (!m) throw new CorruptLogError(`invalid timestamp partition value ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s = "0", frac = "", zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  let micros = BigInt(ms) * 1000n + BigInt((frac + "000000").slice(0, 6));
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1n : 1n;
    const digits = zone.slice(1).replace(":", "");
    const offsetMin = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    micros -= sign * offsetMin * 60_000_000n;
  }
  return micros;
}

/**
 * ISO 8601 UTC text of epoch microseconds, `1970-01-01T00:00:00.000000Z` (the unambiguous
 * spelling the protocol allows for timestamp partition values).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTimestampMicros } from "./partition.ts";
 * assert.equal(formatTimestampMicros(-1n), "1969-12-31T23:59:59.999999Z");
 * ```
 */
export function formatTimestampMicros(micros: bigint): string {
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const rest = micros - ms * 1000n;
  const iso = new Date(Number(ms)).toISOString(); // ...T00:00:00.000Z
  return `${iso.slice(0, -1)}${rest.toString().padStart(3, "0")}Z`;
}

/**
 * A one-row polars expression holding a partition value parsed by type (null for a null value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { partitionValueExpr } from "./partition.ts";
 * const df = pl.DataFrame({ a: [1] }).select(partitionValueExpr("9007199254740993", "long").alias("p"));
 * assert.equal(df.getColumn("p").cast(pl.String).toArray()[0], "9007199254740993");
 * ```
 */
export function partitionValueExpr(value: string | null, type: DeltaType): pl.Expr {
  const target = polarsTypeOf(type);
  if (value === null) return pl.lit(null).cast(target);
  if (typeof type !== "string") {
    throw new CorruptLogError(`partition column of complex type ${JSON.stringify(type)}`);
  }
  switch (type) {
    case "string":
      return pl.lit(value);
    case "boolean":
      return pl.lit(value.toLowerCase() === "true");
    case "timestamp":
    case "timestamp_ntz":
      return pl.lit(parseTimestampMicros(value).toString()).cast(pl.Int64).cast(target);
    case "binary":
      throw new CorruptLogError("binary partition columns are not supported");
    default:
      return pl.lit(value.trim()).cast(target, true);
  }
}
