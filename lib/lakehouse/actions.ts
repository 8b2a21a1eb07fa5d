/**
 * Delta Lake log actions (one JSON object per line of a commit, or one row of a checkpoint).
 *
 * Field names follow the Delta protocol exactly, so an action serialises to the JSON Spark
 * writes with a plain `JSON.stringify`.
 *
 * @module
 */

/** `protocol` action: reader/writer versions and table features. */
export interface Protocol {
  /** Minimum reader protocol version. */
  minReaderVersion: number;
  /** Minimum writer protocol version. */
  minWriterVersion: number;
  /** Reader table features (reader version 3). */
  readerFeatures?: string[] | null;
  /** Writer table features (writer version 7). */
  writerFeatures?: string[] | null;
}

/** `metaData` action. */
export interface Metadata {
  /** Unique table id (a UUID). */
  id: string;
  /** Table name. */
  name?: string | null;
  /** Table description. */
  description?: string | null;
  /** Data file format, always Parquet. */
  format: { provider: string; options: Record<string, string> };
  /** Spark StructType JSON of the table schema. */
  schemaString: string;
  /** Partition columns, in directory order. */
  partitionColumns: string[];
  /** Table properties (`delta.*`). */
  configuration: Record<string, string>;
  /** Creation time, epoch milliseconds. */
  createdTime?: number | null;
}

/** Deletion vector descriptor of an `add`/`remove`. */
export interface DeletionVectorDescriptor {
  /** `u` (relative UUID path), `i` (inline) or `p` (absolute path). */
  storageType: string;
  /** Encoded path or inline bitmap. */
  pathOrInlineDv: string;
  /** Byte offset in the DV file. */
  offset?: number | null;
  /** Size of the serialised bitmap. */
  sizeInBytes: number;
  /** Number of deleted rows. */
  cardinality: number;
  /** Highest deleted row index. */
  maxRowIndex?: number | null;
}

/** `add` action: a data file that becomes part of the table. */
export interface AddFile {
  /** URI-encoded path, relative to the table root unless absolute. */
  path: string;
  /** Partition values as protocol text (null for a null partition). */
  partitionValues: Record<string, string | null>;
  /** File size in bytes. */
  size: number;
  /** File modification time, epoch milliseconds. */
  modificationTime: number;
  /** False for rearrangements (OPTIMIZE) that change no row. */
  dataChange: boolean;
  /** Statistics JSON (numRecords, minValues, maxValues, nullCount). */
  stats?: string | null;
  /** Free-form tags. */
  tags?: Record<string, string> | null;
  /** Deletion vector of the file. */
  deletionVector?: DeletionVectorDescriptor | null;
  /** Row tracking: first row id. */
  baseRowId?: number | null;
  /** Row tracking: default commit version. */
  defaultRowCommitVersion?: number | null;
  /** Liquid clustering provider. */
  clusteringProvider?: string | null;
}

/** `remove` action: a data file that leaves the table (kept as a tombstone until VACUUM). */
export interface RemoveFile {
  /** URI-encoded path, as in the `add`. */
  path: string;
  /** When the file was removed, epoch milliseconds. */
  deletionTimestamp?: number | null;
  /** False for rearrangements (OPTIMIZE) that change no row. */
  dataChange: boolean;
  /** True when partitionValues, size and tags are present. */
  extendedFileMetadata?: boolean | null;
  /** Partition values of the removed file. */
  partitionValues?: Record<string, string | null> | null;
  /** Size of the removed file in bytes. */
  size?: number | null;
  /** Statistics of the removed file. */
  stats?: string | null;
  /** Tags of the removed file. */
  tags?: Record<string, string> | null;
  /** Deletion vector of the removed file. */
  deletionVector?: DeletionVectorDescriptor | null;
  /** Row tracking: first row id. */
  baseRowId?: number | null;
  /** Row tracking: default commit version. */
  defaultRowCommitVersion?: number | null;
}

/** `txn` action: the last version an application (e.g. a streaming job) committed. */
export interface Txn {
  /** Application id. */
  appId: string;
  /** Application-defined version. */
  version: number;
  /** Epoch milliseconds. */
  lastUpdated?: number | null;
}

/** `commitInfo` action: provenance of a commit (DESCRIBE HISTORY). */
export interface CommitInfo {
  /** Commit time, epoch milliseconds. */
  timestamp?: number;
  /** In-commit timestamp, when the table enables it. */
  inCommitTimestamp?: number;
  /** Operation name (`WRITE`, `MERGE`, `OPTIMIZE`...). */
  operation?: string;
  /** Operation parameters (values are JSON-encoded strings in Spark's logs). */
  operationParameters?: Record<string, unknown>;
  /** Version the transaction read (absent for the first commit). */
  readVersion?: number;
  /** Isolation level. */
  isolationLevel?: string;
  /** True when the commit only added files without reading the table. */
  isBlindAppend?: boolean;
  /** Operation metrics (values as strings, like Spark). */
  operationMetrics?: Record<string, string>;
  /** Writer engine. */
  engineInfo?: string;
  /** Transaction id. */
  txnId?: string;
  /** Other fields written by other engines. */
  [key: string]: unknown;
}

/** `domainMetadata` action. */
export interface DomainMetadata {
  /** Domain name. */
  domain: string;
  /** Domain configuration (JSON text). */
  configuration: string;
  /** True when the domain is removed. */
  removed: boolean;
}

/** One log action; exactly one key is set. */
export interface Action {
  /** See {@linkcode AddFile}. */
  add?: AddFile;
  /** See {@linkcode RemoveFile}. */
  remove?: RemoveFile;
  /** See {@linkcode Metadata}. */
  metaData?: Metadata;
  /** See {@linkcode Protocol}. */
  protocol?: Protocol;
  /** See {@linkcode CommitInfo}. */
  commitInfo?: CommitInfo;
  /** See {@linkcode Txn}. */
  txn?: Txn;
  /** Change data file (ignored by snapshot reads). */
  cdc?: Record<string, unknown>;
  /** See {@linkcode DomainMetadata}. */
  domainMetadata?: DomainMetadata;
  /** V2 checkpoint header. */
  checkpointMetadata?: { version: number; tags?: Record<string, string> | null };
  /** V2 checkpoint sidecar file. */
  sidecar?: { path: string; sizeInBytes: number; modificationTime: number };
}
