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
 * run anyway, since the lineage names them by SHA-256. The arrays are stored bit for bit
 * (`_codec.ts`): a hit returns exactly what parsing returns, which the tests compare.
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
import { decodeArray, encodeArray, sourceFingerprint } from "../ml/mod.ts";
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

const FORMAT = 1;

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
  return `${key}.json`;
}

function encode(data: ReferenceData): Uint8Array {
  const { history: h, temperatures: t, tempo } = data;
  // The entry's keys are those of the files already written (format 1), whatever the fields'
  // names in ReferenceData.
  const json = {
    format: FORMAT,
    historique: h && {
      files: h.files,
      startMs: h.series.startMs,
      consommation: encodeArray(h.series.consommation),
      eolien: encodeArray(h.series.eolien),
      solaire: encodeArray(h.series.solaire),
      prevision_j1: encodeArray(h.series.prevision_j1),
      prevision_j: encodeArray(h.series.prevision_j),
      source: encodeArray(h.series.source),
    },
    temperatures: t && {
      files: t.files,
      firstDay: t.daily.firstDay,
      tmoy: encodeArray(t.daily.tmoy),
      tmin: encodeArray(t.daily.tmin),
      tmax: encodeArray(t.daily.tmax),
      interpole: encodeArray(t.daily.interpole),
    },
    // Pairs in the map's order: the merged calendar is iterated in that order.
    tempo: tempo && { files: tempo.files, days: [...tempo.calendar] },
    manquants: data.missing,
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

/** The cached data, or null when the entry is not of this format (throws when it is corrupt). */
function decode(bytes: Uint8Array, dir: string): ReferenceData | null {
  // deno-lint-ignore no-explicit-any
  const json: any = JSON.parse(new TextDecoder().decode(bytes));
  if (json?.format !== FORMAT) return null;
  const h = json.historique;
  const t = json.temperatures;
  const what = (name: string) => `${REFERENCE_CACHE_DIR}: ${name}`;
  const f64 = (v: unknown, name: string) => decodeArray(v, "f64", what(name));
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
        source: decodeArray(h.source, "u8", what("source")),
      },
    },
    temperatures: t && {
      files: t.files as ReferenceFile[],
      daily: {
        firstDay: t.firstDay,
        tmoy: f64(t.tmoy, "tmoy"),
        tmin: f64(t.tmin, "tmin"),
        tmax: f64(t.tmax, "tmax"),
        interpole: decodeArray(t.interpole, "u8", what("interpole")),
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
