/**
 * Writing classic single-file Parquet checkpoints with the schema Spark writes (and reads back:
 * Spark's Parquet reader needs real MAP and LIST annotations, which polars cannot write, so the
 * file is built with hyparquet-writer), plus `_delta_log/_last_checkpoint`.
 *
 * @module
 */

import { ByteWriter, parquetWrite } from "hyparquet-writer";
import type { Action } from "./actions.ts";
import { LOG_DIR, type Snapshot } from "./log.ts";
import { joinLocation, locate } from "./storage.ts";

// deno-lint-ignore no-explicit-any
type SchemaElement = Record<string, any>;

const str = (name: string): SchemaElement[] => [{
  name,
  type: "BYTE_ARRAY",
  converted_type: "UTF8",
  logical_type: { type: "STRING" },
  repetition_type: "OPTIONAL",
}];
const i64 = (name: string): SchemaElement[] => [{
  name,
  type: "INT64",
  repetition_type: "OPTIONAL",
}];
const i32 = (name: string): SchemaElement[] => [{
  name,
  type: "INT32",
  repetition_type: "OPTIONAL",
}];
const bool = (name: string): SchemaElement[] => [{
  name,
  type: "BOOLEAN",
  repetition_type: "OPTIONAL",
}];
const group = (name: string, children: SchemaElement[][]): SchemaElement[] => [
  { name, repetition_type: "OPTIONAL", num_children: children.length },
  ...children.flat(),
];
const map = (name: string): SchemaElement[] => [
  {
    name,
    repetition_type: "OPTIONAL",
    num_children: 1,
    converted_type: "MAP",
    logical_type: { type: "MAP" },
  },
  { name: "key_value", repetition_type: "REPEATED", num_children: 2 },
  { ...str("key")[0], repetition_type: "REQUIRED" },
  ...str("value"),
];
const list = (name: string): SchemaElement[] => [
  {
    name,
    repetition_type: "OPTIONAL",
    num_children: 1,
    converted_type: "LIST",
    logical_type: { type: "LIST" },
  },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  ...str("element"),
];
const dv = () =>
  group("deletionVector", [
    str("storageType"),
    str("pathOrInlineDv"),
    i32("offset"),
    i32("sizeInBytes"),
    i64("cardinality"),
    i64("maxRowIndex"),
  ]);

/** The top-level checkpoint columns and their Parquet schema, in Spark's order. */
const COLUMNS: [string, SchemaElement[]][] = [
  ["txn", group("txn", [str("appId"), i64("version"), i64("lastUpdated")])],
  [
    "add",
    group("add", [
      str("path"),
      map("partitionValues"),
      i64("size"),
      i64("modificationTime"),
      bool("dataChange"),
      map("tags"),
      dv(),
      i64("baseRowId"),
      i64("defaultRowCommitVersion"),
      str("stats"),
    ]),
  ],
  [
    "remove",
    group("remove", [
      str("path"),
      i64("deletionTimestamp"),
      bool("dataChange"),
      bool("extendedFileMetadata"),
      map("partitionValues"),
      i64("size"),
      dv(),
      i64("baseRowId"),
      i64("defaultRowCommitVersion"),
    ]),
  ],
  [
    "metaData",
    group("metaData", [
      str("id"),
      str("name"),
      str("description"),
      group("format", [str("provider"), map("options")]),
      str("schemaString"),
      list("partitionColumns"),
      map("configuration"),
      i64("createdTime"),
    ]),
  ],
  [
    "protocol",
    group("protocol", [
      i32("minReaderVersion"),
      i32("minWriterVersion"),
      list("readerFeatures"),
      list("writerFeatures"),
    ]),
  ],
  [
    "domainMetadata",
    group("domainMetadata", [
      str("domain"),
      str("configuration"),
      bool("removed"),
    ]),
  ],
];

/** Checkpoint actions of a snapshot: protocol, metadata, txns, domains, files, live tombstones. */
export function checkpointActions(snapshot: Snapshot, now = Date.now()): Action[] {
  const retention = retentionMs(
    snapshot.metadata.configuration["delta.deletedFileRetentionDuration"],
  );
  return [
    { protocol: snapshot.protocol },
    { metaData: snapshot.metadata },
    ...[...snapshot.txns.values()].map((txn) => ({ txn })),
    ...[...snapshot.domains.values()].map((domainMetadata) => ({ domainMetadata })),
    ...snapshot.files.map((add) => ({ add: { ...add, dataChange: false } })),
    // Tombstones stay until VACUUM may delete their files, so that readers of older versions
    // and concurrent writers can still detect them.
    ...snapshot.tombstones
      .filter((r) => (r.deletionTimestamp ?? 0) > now - retention)
      .map((remove) => ({ remove: { ...remove, dataChange: false } })),
  ];
}

/** Default `delta.deletedFileRetentionDuration`: 7 days. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

const UNIT_MS: Record<string, number> = {
  microsecond: 1e-3,
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/**
 * Milliseconds of a Delta interval property such as `interval 7 days` (the default when
 * undefined).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retentionMs } from "./checkpoint.ts";
 * assert.equal(retentionMs("interval 2 hours"), 7_200_000);
 * assert.equal(retentionMs(undefined), 604_800_000);
 * ```
 */
export function retentionMs(value: string | undefined): number {
  if (!value) return DEFAULT_RETENTION_MS;
  const m = /^\s*(?:interval\s+)?(\d+)\s+([a-z]+?)s?\s*$/i.exec(value);
  const unit = m ? UNIT_MS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) return DEFAULT_RETENTION_MS;
  return Number(m[1]) * unit;
}

const INT64_FIELDS = new Set([
  "version",
  "lastUpdated",
  "size",
  "modificationTime",
  "deletionTimestamp",
  "createdTime",
  "cardinality",
  "maxRowIndex",
  "baseRowId",
  "defaultRowCommitVersion",
]);

// hyparquet-writer wants bigint for INT64 columns.
function withBigInts(value: unknown, key = ""): unknown {
  if (typeof value === "number" && INT64_FIELDS.has(key)) return BigInt(value);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  // Maps (partitionValues, tags, configuration, options) hold strings only: copy them as is.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withBigInts(v, k);
  return out;
}

/** Parquet bytes of a checkpoint holding these actions. */
export function checkpointBytes(actions: Action[]): Uint8Array {
  const schema: SchemaElement[] = [
    { name: "spark_schema", num_children: COLUMNS.length },
    ...COLUMNS.flatMap(([, s]) => s),
  ];
  const columnData = COLUMNS.map(([name]) => ({
    name,
    data: actions.map((a) => withBigInts((a as Record<string, unknown>)[name] ?? null)),
  }));
  const writer = new ByteWriter();
  // deno-lint-ignore no-explicit-any
  parquetWrite({ writer, columnData, schema, codec: "SNAPPY", statistics: false } as any);
  return new Uint8Array(writer.getBuffer());
}

/**
 * Writes the checkpoint of a snapshot (`%020d.checkpoint.parquet`, then `_last_checkpoint`).
 * Both are replaced atomically (`Storage.put`): a reader never sees half a checkpoint.
 *
 * @example
 * ```ts ignore
 * import { loadSnapshot } from "./log.ts";
 * import { writeCheckpoint } from "./checkpoint.ts";
 * await writeCheckpoint(await loadSnapshot("lakehouse/silver/eco2mix"));
 * ```
 */
export async function writeCheckpoint(snapshot: Snapshot): Promise<void> {
  const actions = checkpointActions(snapshot);
  const bytes = checkpointBytes(actions);
  const name = `${String(snapshot.version).padStart(20, "0")}.checkpoint.parquet`;
  const checkpoint = locate(joinLocation(snapshot.root, LOG_DIR, name));
  await checkpoint.storage.put(checkpoint.key, bytes);
  const last = {
    version: snapshot.version,
    size: actions.length,
    sizeInBytes: bytes.length,
    numOfAddFiles: snapshot.files.length,
  };
  const pointer = locate(joinLocation(snapshot.root, LOG_DIR, "_last_checkpoint"));
  await pointer.storage.put(pointer.key, new TextEncoder().encode(JSON.stringify(last)));
}
