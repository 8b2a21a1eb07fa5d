/**
 * The parsed reference data (see `reference.ts`) kept between runs, so that a daily run does not
 * parse ODRÉ's 2012-2025 history again (about 230 000 half-hours through the eCO2mix reader and
 * the silver layer: most of notebook 07's time) when the reference files did not change.
 *
 * An entry is keyed by what determines its content: the SHA-256 of every reference file found
 * (with its path relative to the reference folder, which the lineage records), the source of the
 * reading code and of the modules it imports (`sourceFingerprint`), and `deno.lock` (the npm
 * versions: the silver layer runs on polars). A changed file, a changed parser or a new polars
 * therefore misses the cache and parses the files again; the files are read and hashed on every
 * run anyway, since the lineage names them by SHA-256. The arrays are stored bit for bit, as
 * raw bytes after a JSON header (format 2; format 1 held them in base64 inside the JSON, whose
 * 13 MB took 0.3-0.6 s to decode on each daily run): a hit returns exactly what parsing returns,
 * which the tests compare. An entry written on a machine of the other byte order is a miss.
 *
 * Entries live in one folder (a local folder or an `az://` location: the pipeline puts it at the
 * root of the lakehouse, beside `_pipeline_state.json`); writing an entry removes the others, so
 * the folder holds one entry. An unreadable entry is a miss (parsed and written again): the
 * cache never decides the data, the files do.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { joinLocation, locate } from "../lakehouse/storage.ts";
import { PATHS } from "../paths.ts";
import { sourceFingerprint } from "../ml/mod.ts";
import {
  parseReference,
  readReferenceFiles,
  type ReferenceContents,
  type ReferenceData,
  type ReferenceFile,
  type ReferenceKind,
} from "./reference.ts";

/** Folder of the cache under a lakehouse root. */
export const REFERENCE_CACHE_DIR = "_reference_cache";

const FORMAT = 2;

/** Byte order of this machine, recorded in an entry (its arrays are stored in it). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** What {@linkcode loadReferenceCached} returns. */
export interface CachedReference {
  reference: ReferenceData;
  /** Whether the parsed data came from the cache (false: the files were parsed, and cached). */
  fromCache: boolean;
}

/** The entry's name: SHA-256 of the files' descriptions, the reading code and `deno.lock`. */
async function entryName(input: ReferenceContents): Promise<string> {
  const files = Object.fromEntries(
    Object.entries(input.files).map(([kind, list]) => [kind, list.map((f) => f.file)]),
  );
  const lock = await Deno.readTextFile(join(PATHS.root, "deno.lock")).catch(() => "");
  const code = await sourceFingerprint([
    new URL("./reference.ts", import.meta.url),
    new URL("./reference_cache.ts", import.meta.url),
  ]);
  const key = createHash("sha256")
    .update(JSON.stringify({ format: FORMAT, files, code }))
    .update(lock)
    .digest("hex");
  return `${key}.bin`;
}

/** Typed arrays an entry holds after its header. */
type StoredArray = Float64Array | Uint8Array;

/** Where an array lies in the data after the header (byte offset, 8-aligned). */
interface ArrayRef {
  dtype: "f64" | "u8";
  length: number;
  offset: number;
}

/**
 * The entry: a 4-byte little-endian header length, the JSON header (the arrays replaced by
 * their {@linkcode ArrayRef}), then the arrays' bytes, each at an 8-aligned offset.
 */
function encode(data: ReferenceData): Uint8Array {
  const { history: h, temperatures: t, tempo } = data;
  const arrays: StoredArray[] = [];
  let size = 0;
  const ref = (values: StoredArray): ArrayRef => {
    const offset = size;
    arrays.push(values);
    size += Math.ceil(values.byteLength / 8) * 8;
    return { dtype: values instanceof Float64Array ? "f64" : "u8", length: values.length, offset };
  };
  // The entry's keys are those of the files already written, whatever the fields' names in
  // ReferenceData.
  const header = {
    format: FORMAT,
    littleEndian: LITTLE_ENDIAN,
    historique: h && {
      files: h.files,
      startMs: h.series.startMs,
      consommation: ref(h.series.consommation),
      eolien: ref(h.series.eolien),
      solaire: ref(h.series.solaire),
      prevision_j1: ref(h.series.prevision_j1),
      prevision_j: ref(h.series.prevision_j),
      source: ref(h.series.source),
    },
    temperatures: t && {
      files: t.files,
      firstDay: t.daily.firstDay,
      tmoy: ref(t.daily.tmoy),
      tmin: ref(t.daily.tmin),
      tmax: ref(t.daily.tmax),
      interpole: ref(t.daily.interpole),
    },
    // Pairs in the map's order: the merged calendar is iterated in that order.
    tempo: tempo && { files: tempo.files, days: [...tempo.calendar] },
    manquants: data.missing,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((4 + json.length) / 8) * 8;
  const out = new Uint8Array(start + size);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  let offset = start;
  for (const values of arrays) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    offset += Math.ceil(values.byteLength / 8) * 8;
  }
  return out;
}

/**
 * The cached data, or null when the entry is not of this format or byte order (throws when it
 * is corrupt or truncated).
 */
function decode(bytes: Uint8Array, dir: string): ReferenceData | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  // deno-lint-ignore no-explicit-any
  const json: any = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  if (json?.format !== FORMAT || json.littleEndian !== LITTLE_ENDIAN) return null;
  const start = Math.ceil((4 + length) / 8) * 8;
  const array = (r: ArrayRef, dtype: ArrayRef["dtype"], name: string) => {
    const size = dtype === "f64" ? 8 : 1;
    const from = start + r?.offset;
    const to = from + r?.length * size;
    if (
      r?.dtype !== dtype || !Number.isInteger(from) || !Number.isInteger(to) || from < start ||
      to < from || to > bytes.length
    ) {
      throw new RangeError(`${REFERENCE_CACHE_DIR}: ${name}: truncated or corrupt entry`);
    }
    // A copy: the entry's buffer is not 8-aligned for Float64Array in general.
    const copy = bytes.buffer.slice(bytes.byteOffset + from, bytes.byteOffset + to);
    return dtype === "f64" ? new Float64Array(copy) : new Uint8Array(copy);
  };
  const f64 = (r: ArrayRef, name: string) => array(r, "f64", name) as Float64Array;
  const u8 = (r: ArrayRef, name: string) => array(r, "u8", name) as Uint8Array;
  const h = json.historique;
  const t = json.temperatures;
  return {
    dir,
    history: h && {
      files: h.files as ReferenceFile[],
      series: {
        startMs: h.startMs,
        consommation: f64(h.consommation, "consommation"),
        eolien: f64(h.eolien, "eolien"),
        solaire: f64(h.solaire, "solaire"),
        prevision_j1: f64(h.prevision_j1, "prevision_j1"),
        prevision_j: f64(h.prevision_j, "prevision_j"),
        source: u8(h.source, "source"),
      },
    },
    temperatures: t && {
      files: t.files as ReferenceFile[],
      daily: {
        firstDay: t.firstDay,
        tmoy: f64(t.tmoy, "tmoy"),
        tmin: f64(t.tmin, "tmin"),
        tmax: f64(t.tmax, "tmax"),
        interpole: u8(t.interpole, "interpole"),
      },
    },
    tempo: json.tempo && {
      files: json.tempo.files as ReferenceFile[],
      calendar: new Map(json.tempo.days as [number, number][]),
    },
    missing: json.manquants as string[],
  };
}

/**
 * The reference data under `dir`, as `loadReference` returns them, taken from the cache folder
 * `cache` when the files, the reading code and `deno.lock` are those of its entry; otherwise
 * parsed and written there (see the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadReferenceCached } from "./reference_cache.ts";
 * import { loadReference } from "./reference.ts";
 * import { sharedDataPath } from "../testing/shared_data.ts";
 * const cache = await Deno.makeTempDir();
 * const dir = sharedDataPath("eco2mix/tempo");
 * assert.equal((await loadReferenceCached(dir, cache)).fromCache, false);
 * const again = await loadReferenceCached(dir, cache);
 * assert.equal(again.fromCache, true);
 * assert.deepEqual(again.reference, await loadReference(dir));
 * ```
 */
export async function loadReferenceCached(dir: string, cache: string): Promise<CachedReference> {
  const input = await readReferenceFiles(dir);
  const name = await entryName(input);
  const { storage, key } = locate(joinLocation(cache, name));
  const stored = await storage.read(key);
  if (stored !== null) {
    let reference: ReferenceData | null = null;
    try {
      reference = decode(stored, dir);
    } catch {
      // A truncated or corrupt entry (an interrupted copy...): parsed again and replaced below.
    }
    if (reference && sameFiles(reference, input)) return { reference, fromCache: true };
  }
  const reference = await parseReference(input);
  const folder = locate(cache);
  for (const entry of await folder.storage.list(folder.key)) {
    if (!entry.folder && entry.name !== name) {
      await folder.storage.delete(locate(joinLocation(cache, entry.name)).key);
    }
  }
  await storage.put(key, encode(reference));
  return { reference, fromCache: false };
}

/** Whether an entry describes exactly the files read (a guard against a mislabelled entry). */
function sameFiles(data: ReferenceData, input: ReferenceContents): boolean {
  const kinds: ReferenceKind[] = ["history", "temperatures", "tempo"];
  return kinds.every((kind) =>
    JSON.stringify(data[kind]?.files ?? []) === JSON.stringify(input.files[kind].map((f) => f.file))
  );
}
