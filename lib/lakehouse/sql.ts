/**
 * SQL over the lakehouse, like Databricks SQL over a catalogue: {@linkcode querySql} runs DuckDB
 * SQL on the tables of a {@linkcode Catalog} and returns a nodejs-polars DataFrame.
 *
 * Each table the query names becomes a DuckDB view over exactly the Parquet files of its current
 * Delta snapshot (or of a past version): the file list comes from this layer's own log replay,
 * never from listing the folder, so files removed by an overwrite, a merge or OPTIMIZE are not
 * read. Partition columns take their values from the log (`add.partitionValues`), typed as in the
 * Delta schema (a null partition is SQL NULL), not from directory names; column mapping (physical
 * names, also inside structs, arrays and maps) and deletion vectors are honoured. Reading the
 * Parquet files is DuckDB's, so a query only reads the columns and row groups it needs.
 *
 * - Tables are named as in the catalogue (`eco2mix_silver`), or qualified by their layer
 *   (`silver.eco2mix_silver`). Only the tables a statement names are opened (so `SHOW TABLES`
 *   does not list the others; `deno task sql --tables` does).
 * - Time travel: `{ version }` or `{ timestamp }` in the options applies to every table; a
 *   single table travels with Databricks' suffix on a quoted name: `"eco2mix_silver@v3"`,
 *   `"eco2mix_silver@20250701000000000"` (yyyyMMddHHmmssSSS, UTC) or
 *   `"eco2mix_silver@2025-07-01T00:00:00Z"`.
 * - The session time zone is UTC; timestamps (Delta `timestamp`) are `TIMESTAMPTZ` instants and
 *   come back as `Datetime("us", "UTC")`. Local French time is explicit:
 *   `timestamp_utc AT TIME ZONE 'Europe/Paris'` (a naive local timestamp).
 * - One statement per call (`SELECT`, `WITH`, `FROM`, `DESCRIBE`, `SUMMARIZE`, `EXPLAIN`...),
 *   with optional `$1` / `$name` placeholders bound from `params`.
 * - Read-only by default. DuckDB opens no file outside the session's tables' folders
 *   (`enable_external_access = false` with `allowed_directories`), its settings are locked
 *   (`lock_configuration`), and only queries run: `COPY`, `EXPORT`, `ATTACH`, `INSTALL`, `LOAD`,
 *   `SET`, `CREATE`... are refused with a {@linkcode SqlError}, as are the few functions that
 *   change the session or run SQL text ({@linkcode REFUSED_FUNCTIONS}). `allowExternalAccess:
 *   true` (`deno task sql --allow-external`) gives DuckDB its defaults back.
 * - Every data file of a table is checked against its `add` action before DuckDB reads it (size,
 *   and row count in the Parquet footer when the log has stats): a file replaced or truncated
 *   behind the log's back throws `DataFileCorruptError`, never rows it does not hold.
 * - Tables on Azure: DuckDB's `azure` extension cannot be installed here, so DuckDB reads local
 *   copies of their data files: a read-through cache ({@linkcode sqlCacheDir}) keyed by each
 *   file's location. Delta data files are never rewritten in place (each write makes new names),
 *   so a cached copy stays valid; a copy is used only when its size is the `add` action's, and
 *   is downloaded again otherwise. Nothing is evicted: delete the folder to reclaim its space.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { Catalog, querySql } from "./mod.ts";
 *
 * const root = await Deno.makeTempDir();
 * const catalog = new Catalog(root, [{ name: "mesures", layer: "gold", partitionColumns: ["annee"] }]);
 * await catalog.table("mesures").append(pl.DataFrame({ annee: [2024, 2025, 2025], mw: [1, 2, 3] }));
 * const df = await querySql(
 *   catalog,
 *   "SELECT annee, sum(mw) AS mw FROM gold.mesures GROUP BY annee ORDER BY annee",
 * );
 * assert.deepEqual(df.toRecords(), [{ annee: 2024, mw: 1 }, { annee: 2025, mw: 5 }]);
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * Why one module of this size: one `SqlSession` class keeps the read-only guard (statement
 * kinds, refused functions, locked settings) and the views it registers over each snapshot
 * (file list, partition values, column mapping, deletion vectors, type casts, cache copies) on
 * one DuckDB connection, under one invariant: DuckDB reads nothing but the files of the
 * registered snapshots. Its helpers serve only these views.
 *
 * @module
 */

import pl from "nodejs-polars";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBResult,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  StatementType,
} from "@duckdb/node-api";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { homedir, tmpdir } from "node:os";
import { Catalog, type TableDefinition } from "./catalog.ts";
import type { AddFile } from "./actions.ts";
import { deletedRows } from "./deletion_vector.ts";
import {
  CorruptLogError,
  DataFileCorruptError,
  DeltaError,
  NotADeltaTableError,
  UnsupportedFeatureError,
} from "./errors.ts";
import { LOG_DIR, type Snapshot, type TimeTravel } from "./log.ts";
import { parseTimestampMicros, resolveLogPath } from "./partition.ts";
import { type DeltaType, physicalName } from "./schema.ts";
import { verifyDataFiles } from "./_verify.ts";
import { isRemoteLocation, joinLocation, locate } from "./storage.ts";

/**
 * A statement failed in DuckDB (syntax, unknown table or column, type error, unreadable file),
 * named a table with an invalid time-travel suffix, or was refused by the read-only sandbox (the
 * message then says how to lift it). The message is DuckDB's, with the line and position of the
 * fault in the SQL text when DuckDB gives them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Catalog, querySql, SqlError } from "./mod.ts";
 * const catalog = new Catalog(await Deno.makeTempDir());
 * await assert.rejects(
 *   querySql(catalog, "SELECT * FROM nulle_part"),
 *   (e) => e instanceof SqlError && e.message.startsWith("unknown table nulle_part"),
 * );
 * ```
 */
export class SqlError extends DeltaError {
  override name = "SqlError";
}

/** A value bound to a `?`, `$1` or `$name` placeholder of the statement. */
export type SqlParameter = string | number | bigint | boolean | null;

/** Options of {@linkcode querySql}. */
export interface SqlOptions extends TimeTravel {
  /** Values of the statement's placeholders: positional (`?`, `$1`), or by `$name`. */
  params?: SqlParameter[] | Record<string, SqlParameter>;
  /**
   * Lifts the read-only sandbox (off by default): DuckDB may then read and write any file
   * (`read_csv('/any/file')`, `COPY ... TO`, `EXPORT DATABASE`), `ATTACH` databases, `INSTALL`
   * and `LOAD` extensions and change its settings. `deno task sql --allow-external`.
   */
  allowExternalAccess?: boolean;
  /** Cache of the data files of tables on object storage (default {@linkcode sqlCacheDir}). */
  cacheDir?: string;
}

/**
 * The default cache of the data files DuckDB reads for tables on object storage:
 * `$LAKEHOUSE_CACHE_DIR`, else `$XDG_CACHE_HOME/lakehouse`, else `~/.cache/lakehouse`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqlCacheDir } from "./sql.ts";
 * assert.ok(sqlCacheDir().endsWith("lakehouse") || Deno.env.has("LAKEHOUSE_CACHE_DIR"));
 * ```
 */
export function sqlCacheDir(): string {
  const explicit = Deno.env.get("LAKEHOUSE_CACHE_DIR");
  if (explicit) return explicit;
  const base = Deno.env.get("XDG_CACHE_HOME") || join(homedir() || tmpdir(), ".cache");
  return join(base, "lakehouse");
}

/**
 * Runs one DuckDB SQL statement over the tables of a catalog and returns its result.
 *
 * Types come back as polars types: integers keep their width (`Int64` for `BIGINT`, 128-bit
 * integers such as `sum(BIGINT)` are narrowed to `Int64`, an overflow is an error), floats,
 * decimals, strings, booleans, dates, `TIMESTAMPTZ` as `Datetime("us", "UTC")`, naive timestamps
 * as naive `Datetime`, lists, structs, maps (as lists of `{key, value}`), nulls. Intervals, UUIDs,
 * enums and other exotic types come back as text; `BLOB` columns are refused
 * ({@linkcode UnsupportedFeatureError}: nodejs-polars cannot hold binary data; select
 * `hex(col)`). Duplicate result names are made unique (`a`, `a_1`).
 *
 * Errors: {@linkcode SqlError} for SQL errors, unknown tables and what the read-only sandbox
 * refuses; the table layer's typed errors for a table it cannot read (`VersionNotFoundError` for
 * a version or time before its history, `UnsupportedFeatureError`, `CorruptLogError`,
 * `DataFileCorruptError` for a data file that does not match the log,
 * `NotADeltaTableError` for a catalogued table never written).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { Catalog, querySql, SqlError } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * const catalog = new Catalog(root, [{ name: "conso", layer: "silver" }]);
 * const t = catalog.table("conso");
 * await t.append(pl.DataFrame({ region: ["Bretagne", "PACA"], mw: [2500, 4800] }));   // v0
 * await t.overwrite(pl.DataFrame({ region: ["Bretagne"], mw: [2600] }));              // v1
 * const now = await querySql(catalog, "SELECT count(*) AS n FROM conso");
 * const v0 = await querySql(catalog, 'SELECT sum(mw) AS mw FROM "conso@v0" WHERE region = $1', {
 *   params: ["PACA"],
 * });
 * assert.equal(now.getColumn("n").toArray()[0], 1);
 * assert.equal(v0.getColumn("mw").toArray()[0], 4800);
 * // Read-only unless allowExternalAccess: true.
 * await assert.rejects(querySql(catalog, "COPY conso TO '/tmp/conso.csv'"), SqlError);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function querySql(
  catalog: Catalog,
  sql: string,
  options: SqlOptions = {},
): Promise<pl.DataFrame> {
  const session = await SqlSession.open(catalog, options);
  try {
    return await session.run(sql, options.params);
  } finally {
    await session.close();
  }
}

/**
 * The catalog's tables plus every Delta table found on disk at `<root>/<layer>/<name>/` (a folder
 * with a `_delta_log/`) that the catalog does not declare, so that SQL reaches tables written
 * outside the catalogue. Found tables are declared with their layer and name; declared ones keep
 * their definition.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { Catalog, DeltaTable, withTablesOnDisk } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * await new DeltaTable(`${root}/gold/bilan`).append(pl.DataFrame({ mw: [1.5] }));
 * const catalog = await withTablesOnDisk(new Catalog(root));
 * assert.deepEqual(catalog.list(), [{ name: "bilan", layer: "gold" }]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function withTablesOnDisk(catalog: Catalog): Promise<Catalog> {
  const declared = catalog.list();
  const names = new Set(declared.map((d) => d.name));
  const paths = new Set(declared.map((d) => catalog.pathOf(d.name)));
  const found: TableDefinition[] = [];
  for (const layer of await subfolders(catalog.root)) {
    for (const name of await subfolders(joinLocation(catalog.root, layer))) {
      const dir = joinLocation(catalog.root, layer, name);
      if (names.has(name) || paths.has(dir)) continue;
      if (!(await folders(dir)).includes(LOG_DIR)) continue;
      found.push({ name, layer });
      names.add(name);
    }
  }
  return new Catalog(catalog.root, [...declared, ...found]);
}

/** The sub-folders of a folder (a blob name prefix on Azure); none when it does not exist. */
async function folders(dir: string): Promise<string[]> {
  const { storage, key } = locate(dir);
  return (await storage.list(key)).filter((e) => e.folder).map((e) => e.name);
}

async function subfolders(dir: string): Promise<string[]> {
  return (await folders(dir)).filter((n) => !n.startsWith(".") && !n.startsWith("_")).sort();
}

/** Data files copied into the cache at once (each holds its bytes in memory meanwhile). */
const CACHE_CONCURRENCY = 8;
/** Schema holding the helper tables (partition values, deleted rows, results). */
const INTERNAL = "__lakehouse";
/** Characters DuckDB expands as a glob pattern in a file path. */
const GLOB_CHARS = /[*?[]/;
const MISSING_TABLE = /Table with name (?:"([^"]*)"|(.+?)) does not exist/;
const MISSING_SCHEMA = /because schema "([^"]*)" does not exist/;

/** What the read-only sandbox allows, and how to lift it (said by every refusal). */
const READ_ONLY = "SQL over the lakehouse is read-only and reads only the tables' own files " +
  "(allowExternalAccess: true, or deno task sql --allow-external, lifts this)";
/** Whitespace and comments before a statement's first keyword. */
const LEADING_COMMENTS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
/** `EXPLAIN`, `EXPLAIN ANALYZE` or `EXPLAIN (options)` before the query it explains. */
const EXPLAIN_PREFIX = /^EXPLAIN\s+(?:ANALY[SZ]E\s+|\([^()]*\)\s*)?/i;
/** PRAGMAs that DuckDB expands to a query reading the catalog or the build (no side effect). */
const READ_ONLY_PRAGMAS: ReadonlySet<string> = new Set([
  "collations",
  "database_list",
  "database_size",
  "functions",
  "metadata_info",
  "platform",
  "show",
  "show_databases",
  "show_tables",
  "show_tables_expanded",
  "storage_info",
  "table_info",
  "user_agent",
  "version",
]);
/**
 * Functions of DuckDB 1.5.6 a query may call although they change the session (logging and
 * profiling to files, checkpoints, the parser) or run SQL text the check cannot see (`query`).
 * sql_test.ts lists every table function of the pinned DuckDB, so an upgrade that adds one fails
 * there until it is sorted into this list or the allowed one.
 */
export const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set([
  "checkpoint",
  "disable_logging",
  "disable_peg_parser",
  "disable_profiling",
  "enable_logging",
  "enable_peg_parser",
  "enable_profiling",
  "force_checkpoint",
  "json_execute_serialized_sql",
  "query",
  "truncate_duckdb_logs",
]);

/** One in-memory DuckDB database, with the views of the tables queried so far. */
class SqlSession {
  readonly #catalog: Catalog;
  readonly #travel: TimeTravel;
  readonly #db: DuckDBInstance;
  readonly #conn: DuckDBConnection;
  readonly #dir: string;
  readonly #cacheDir: string;
  readonly #allowExternalAccess: boolean;
  /** Lower-cased names of the views created (DuckDB names are case-insensitive). */
  readonly #views = new Set<string>();
  #seq = 0;

  private constructor(
    catalog: Catalog,
    travel: TimeTravel,
    db: DuckDBInstance,
    conn: DuckDBConnection,
    dir: string,
    cacheDir: string,
    allowExternalAccess: boolean,
  ) {
    this.#catalog = catalog;
    this.#travel = travel;
    this.#db = db;
    this.#conn = conn;
    this.#dir = dir;
    this.#cacheDir = cacheDir;
    this.#allowExternalAccess = allowExternalAccess;
  }

  static async open(catalog: Catalog, options: SqlOptions): Promise<SqlSession> {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "lakehouse_sql_" }));
    const remote = isRemoteLocation(catalog.root);
    const cacheDir = options.cacheDir ?? sqlCacheDir();
    if (remote) await Deno.mkdir(cacheDir, { recursive: true });
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    // UTC, so that instants print and truncate as UTC unless the query asks for a zone.
    const settings = ["SET TimeZone = 'UTC'", "SET parquet_metadata_cache = true"];
    if (!options.allowExternalAccess) {
      // DuckDB checks the real path of every file it opens (symbolic links resolved) against
      // these folders; the session's own folder holds results, links and spilled data.
      const readable = remote ? [await Deno.realPath(cacheDir)] : await tableFolders(catalog);
      const folders = [dir, ...readable].map((d) => quoteString(`${d}/`));
      settings.push(
        `SET temp_directory = ${quoteString(join(dir, "spill"))}`,
        `SET allowed_directories = [${folders.join(", ")}]`,
        "SET enable_external_access = false",
        // Last: no statement can change any setting after this one.
        "SET lock_configuration = true",
      );
    }
    await conn.run(`${settings.join("; ")}; CREATE SCHEMA ${INTERNAL}`);
    const travel = { version: options.version, timestamp: options.timestamp };
    return new SqlSession(
      catalog,
      travel,
      db,
      conn,
      dir,
      cacheDir,
      options.allowExternalAccess ?? false,
    );
  }

  async close(): Promise<void> {
    this.#conn.closeSync();
    this.#db.closeSync();
    await Deno.remove(this.#dir, { recursive: true });
  }

  /** Runs one statement; its result as a DataFrame. */
  async run(sql: string, params?: SqlOptions["params"]): Promise<pl.DataFrame> {
    if (!this.#allowExternalAccess) await this.#checkReadOnly(sql);
    const prepared = await this.#prepare(sql);
    const type = prepared.statementType;
    if (
      !this.#allowExternalAccess && type !== StatementType.SELECT && type !== StatementType.EXPLAIN
    ) {
      // The parser's word was a query; DuckDB's binder disagreeing is not worth the risk.
      throw new SqlError(`${StatementType[type]} statements are refused: ${READ_ONLY}`);
    }
    if (!params && prepared.parameterCount > 0) {
      throw new SqlError(
        `the statement has ${prepared.parameterCount} placeholder(s): give their values in params`,
      );
    }
    if (!params && prepared.statementType === StatementType.SELECT) {
      // A query runs once, straight into the Parquet file polars reads.
      const names = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
      const types = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnType(i));
      try {
        return await this.#readAsPolars(`query(${quoteString(sql)})`, names, types);
      } catch (e) {
        // query() takes SELECT-like statements only; PRAGMA and a few others go the long way.
        if (!(e instanceof SqlError && e.message.includes("Expected a single SELECT"))) throw e;
      }
    }
    if (params) {
      duckSync(() => prepared.bind(params as DuckDBValue[] | Record<string, DuckDBValue>));
    }
    return await this.#resultAsPolars(await duck(() => prepared.stream()));
  }

  /**
   * Refuses, before DuckDB prepares it, a statement that could write or change the session
   * (preparing alone may create a folder, for `EXPORT DATABASE`, or read files, for `IMPORT
   * DATABASE`): only queries (`SELECT`, `WITH`, `FROM`, `VALUES`, `DESCRIBE`, `SHOW`,
   * `SUMMARIZE`), `EXPLAIN [ANALYZE]` of a query and the read-only PRAGMAs pass, and no query may
   * call a function of {@linkcode REFUSED_FUNCTIONS}. DuckDB's parser tells queries apart
   * (`json_serialize_sql` serializes queries only) without binding or running anything.
   */
  async #checkReadOnly(sql: string): Promise<void> {
    const text = sql.replace(LEADING_COMMENTS, "");
    const explain = EXPLAIN_PREFIX.exec(text);
    const query = explain ? text.slice(explain[0].length) : text;
    const [[json]] = await this.#query(`SELECT json_serialize_sql(${quoteString(query)})`);
    const tree = JSON.parse(String(json));
    if (tree.error) {
      // A syntax error in the whole statement: preparing it fails in the parser, with the
      // position, before anything runs.
      if (!explain && tree.error_type === "parser") return;
      const pragma = /^PRAGMA\s+(\w+)/i.exec(query)?.[1].toLowerCase();
      if (!explain && pragma && READ_ONLY_PRAGMAS.has(pragma)) return;
      const what = explain
        ? "EXPLAIN of anything but a query is"
        : `${/^\w+/.exec(text)?.[0].toUpperCase() ?? "This"} statements are`;
      throw new SqlError(`${what} refused: ${READ_ONLY}`);
    }
    for (const name of functionNames(tree)) {
      if (REFUSED_FUNCTIONS.has(name)) {
        throw new SqlError(
          `function ${name} is refused (it changes the session or runs SQL text): ${READ_ONLY}`,
        );
      }
    }
  }

  /**
   * Prepares the statement, creating the view of each lakehouse table DuckDB reports missing
   * (binding stops at the first unknown table, so this loops once per table named).
   */
  async #prepare(sql: string): Promise<DuckDBPreparedStatement> {
    for (;;) {
      try {
        return await this.#conn.prepare(sql);
      } catch (e) {
        const message = (e as Error).message;
        if (message.includes("Cannot prepare multiple statements")) {
          throw new SqlError("querySql runs one statement; this SQL text holds several");
        }
        if (message.includes("No statement to prepare")) {
          throw new SqlError("no SQL statement to run");
        }
        const missing = MISSING_TABLE.exec(message);
        if (!missing) throw new SqlError(readOnlyHint(message) + travelHint(sql, message));
        let name = missing[1] ?? missing[2];
        const schema = MISSING_SCHEMA.exec(message)?.[1];
        if (schema && name.startsWith(`${schema}.`)) name = name.slice(schema.length + 1);
        // A view that exists yet is not found was named in the wrong schema (layer).
        if (this.#views.has(name.toLowerCase())) throw new SqlError(message);
        const ref = this.#resolve(name);
        if (!ref) {
          const where = message.indexOf("\nLINE ");
          throw new SqlError(
            `unknown table ${name} (lakehouse tables: ${this.#describeTables()})` +
              (where >= 0 ? message.slice(where) : ""),
          );
        }
        await this.#register(name, ref.definition, ref.travel);
      }
    }
  }

  #describeTables(): string {
    const list = this.#catalog.list();
    return list.length ? list.map((d) => `${d.layer}.${d.name}`).join(", ") : "none";
  }

  /** The table (and time travel) a name in a statement refers to, or null. */
  #resolve(name: string): { definition: TableDefinition; travel: TimeTravel } | null {
    const tables = this.#catalog.list();
    const find = (n: string) =>
      tables.find((d) => d.name === n) ??
        tables.find((d) => d.name.toLowerCase() === n.toLowerCase());
    const whole = find(name);
    if (whole) return { definition: whole, travel: this.#travel };
    const at = name.lastIndexOf("@");
    if (at < 0) return null;
    const definition = find(name.slice(0, at));
    if (!definition) return null;
    return { definition, travel: parseTravelSuffix(name, name.slice(at + 1)) };
  }

  /** Creates the view `name` (and `<layer>.name`) over a table's snapshot. */
  async #register(name: string, definition: TableDefinition, travel: TimeTravel): Promise<void> {
    const table = this.#catalog.table(definition.name);
    let snapshot: Snapshot;
    try {
      snapshot = await table.snapshot(travel);
    } catch (e) {
      if (e instanceof NotADeltaTableError) {
        throw new NotADeltaTableError(
          `table ${definition.name} is in the catalogue but was never written (${e.message})`,
        );
      }
      throw e;
    }
    const body = await this.#viewSql(snapshot);
    const view = quoteIdent(name);
    const layer = quoteIdent(definition.layer);
    await this.#exec(`CREATE VIEW main.${view} AS ${body}`);
    if (definition.layer.toLowerCase() !== "main") {
      await this.#exec(
        `CREATE SCHEMA IF NOT EXISTS ${layer};
         CREATE VIEW ${layer}.${view} AS SELECT * FROM main.${view}`,
      );
    }
    this.#views.add(name.toLowerCase());
  }

  /**
   * The SELECT of a snapshot: its files read by `read_parquet`, joined by file index to their
   * typed partition values, minus the rows their deletion vectors delete, with the logical column
   * names and exactly the Delta schema's types.
   */
  async #viewSql(snap: Snapshot): Promise<string> {
    const fields = snap.schema.fields;
    for (const f of fields) duckType(f.type, f.name); // refuse unsupported types up front
    if (snap.files.length === 0) {
      const cols = fields.map((f) =>
        `CAST(NULL AS ${duckType(f.type, f.name)}) AS ${quoteIdent(f.name)}`
      );
      return `SELECT ${cols.join(", ")} WHERE false`;
    }
    // DuckDB would read a replaced or truncated file as whatever it now holds.
    await verifyDataFiles(snap);
    const id = `t${this.#seq++}`;
    const paths: string[] = [];
    for (let i = 0; i < snap.files.length; i += CACHE_CONCURRENCY) {
      paths.push(
        ...await Promise.all(
          snap.files.slice(i, i + CACHE_CONCURRENCY).map(async (f) =>
            this.#readablePath(await this.#localFile(snap, f))
          ),
        ),
      );
    }
    // No hive partitioning: DuckDB would take any `name=value` folder of the path for a column.
    const scan = `read_parquet([${paths.map(quoteString).join(", ")}], ` +
      "union_by_name = true, hive_partitioning = false)";
    const described = await this.#query(`DESCRIBE SELECT * FROM ${scan}`);
    const fileTypes = new Map(
      described.map((r) => [String(r[0]).toLowerCase(), String(r[1])]),
    );
    const parts = new Set(snap.metadata.partitionColumns);
    const withDeletions = snap.files.some((f) => f.deletionVector);
    // DuckDB's virtual columns hide data columns of the same name: refuse rather than misread.
    const virtual = [
      ...(parts.size || withDeletions ? ["file_index"] : []),
      ...(withDeletions ? ["file_row_number"] : []),
    ].filter((v) => fileTypes.has(v));
    if (virtual.length) {
      throw new UnsupportedFeatureError(
        `${snap.root}: a data column is named ${virtual.join(" and ")}, which SQL reserves ` +
          "to read partitioned tables and deletion vectors",
      );
    }
    const mode = snap.columnMapping;
    const columns = fields.map((f) => {
      const type = duckType(f.type, f.name);
      if (parts.has(f.name)) return `p.${quoteIdent(f.name)}`;
      const phys = physicalName(f, mode);
      const fileType = fileTypes.get(phys.toLowerCase());
      if (fileType === undefined) return `CAST(NULL AS ${type}) AS ${quoteIdent(f.name)}`;
      const col = `d.${quoteIdent(phys)}`;
      const value = mode === "none" ? col : renamedNested(col, f.type, 0) ?? col;
      return `${castTo(value, f.type, fileType)} AS ${quoteIdent(f.name)}`;
    });
    let from = `${scan} AS d`;
    if (parts.size) {
      const table = await this.#partitionTable(snap, id);
      from += ` JOIN ${table} AS p ON p.__file_index = d.file_index`;
    }
    if (withDeletions) {
      const table = await this.#deletedRowsTable(snap, id);
      from += ` ANTI JOIN ${table} AS x ON x.__file_index = d.file_index ` +
        "AND x.__row_index = d.file_row_number";
    }
    return `SELECT ${columns.join(", ")} FROM ${from}`;
  }

  /**
   * A table (__file_index, partition columns) with the partition values of each file, typed. The
   * values are validated first: a value its type cannot hold is a corrupt log, reported with the
   * file, never read as NULL.
   */
  async #partitionTable(snap: Snapshot, id: string): Promise<string> {
    const mode = snap.columnMapping;
    const fields = snap.schema.fields.filter((f) =>
      snap.metadata.partitionColumns.includes(f.name)
    );
    const raw = `${id}_partition_text`;
    const cols = fields.map((f) => quoteIdent(f.name));
    await this.#exec(
      `CREATE TABLE ${INTERNAL}.${raw} (__file_index UBIGINT, ${
        cols.map((c) => `${c} VARCHAR`).join(", ")
      })`,
    );
    const appender = await this.#conn.createAppender(raw, INTERNAL);
    snap.files.forEach((add, i) => {
      appender.appendUBigInt(BigInt(i));
      for (const f of fields) {
        const value = add.partitionValues?.[physicalName(f, mode)] ??
          add.partitionValues?.[f.name] ?? null;
        const text = partitionText(value, f.type, f.name, snap.root, add);
        if (text === null) appender.appendNull();
        else appender.appendVarchar(text);
      }
      appender.endRow();
    });
    appender.closeSync();
    const typed = (f: (typeof fields)[number], tryCast: boolean) => {
      const c = quoteIdent(f.name);
      if (f.type === "timestamp" || f.type === "timestamp_ntz") {
        // Epoch microseconds (parsed by the layer); no dependence on the session time zone.
        const ts = `make_timestamp(CAST(${c} AS BIGINT))`;
        return f.type === "timestamp" ? `timezone('UTC', ${ts})` : ts;
      }
      return `${tryCast ? "TRY_CAST" : "CAST"}(${c} AS ${duckType(f.type, f.name)})`;
    };
    const invalid = fields.map((f) =>
      `SELECT __file_index, ${quoteString(f.name)}, ${
        quoteIdent(f.name)
      } FROM ${INTERNAL}.${raw} ` +
      `WHERE ${quoteIdent(f.name)} IS NOT NULL AND ${typed(f, true)} IS NULL`
    );
    const bad = await this.#query(`${invalid.join(" UNION ALL ")} LIMIT 1`);
    if (bad.length) {
      const [index, column, value] = bad[0];
      const field = fields.find((f) => f.name === column)!;
      throw new CorruptLogError(
        `${snap.root}: file ${snap.files[Number(index)].path}: partition value ` +
          `${JSON.stringify(value)} of column ${column} is not a valid ${String(field.type)}`,
      );
    }
    const table = `${INTERNAL}.${id}_partitions`;
    await this.#exec(
      `CREATE TABLE ${table} AS SELECT __file_index, ${
        fields.map((f) => `${typed(f, false)} AS ${quoteIdent(f.name)}`).join(", ")
      } FROM ${INTERNAL}.${raw}`,
    );
    return table;
  }

  /** A table (__file_index, __row_index) of the rows the files' deletion vectors delete. */
  async #deletedRowsTable(snap: Snapshot, id: string): Promise<string> {
    const name = `${id}_deleted_rows`;
    await this.#exec(
      `CREATE TABLE ${INTERNAL}.${name} (__file_index UBIGINT, __row_index BIGINT)`,
    );
    const appender = await this.#conn.createAppender(name, INTERNAL);
    for (const [i, add] of snap.files.entries()) {
      if (!add.deletionVector) continue;
      for (const row of await deletedRows(snap.root, add.deletionVector)) {
        appender.appendUBigInt(BigInt(i));
        appender.appendBigInt(BigInt(row));
        appender.endRow();
      }
    }
    appender.closeSync();
    return `${INTERNAL}.${name}`;
  }

  /**
   * The local file DuckDB reads for a data file: itself when local, else its copy in the cache
   * (downloaded when absent or of another size than `size`, through a temporary file renamed
   * into place, so that concurrent sessions never read half a copy).
   */
  async #localFile(snap: Snapshot, add: AddFile): Promise<string> {
    const location = resolveLogPath(snap.root, add.path);
    const size = Number(add.size);
    const { storage, key } = locate(location);
    const local = storage.localPath(key);
    if (local) return local;
    const hash = createHash("sha256").update(location).digest("hex");
    const copy = join(this.#cacheDir, `${hash}.parquet`);
    const cached = await Deno.stat(copy).catch(() => null);
    if (cached?.size === size) return copy;
    const bytes = await storage.read(key);
    if (bytes === null || bytes.length !== size) {
      throw new DataFileCorruptError(
        bytes === null ? "the file is missing" : `size ${bytes.length} bytes, add.size ${size}`,
        { table: snap.root, version: snap.version, file: add.path },
      );
    }
    const tmp = `${copy}.${crypto.randomUUID()}.tmp`;
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, copy);
    return copy;
  }

  /**
   * DuckDB reads a path with `*`, `?` or `[` as a glob pattern (which can match other files):
   * such a file is read through a symbolic link with a plain name.
   */
  async #readablePath(path: string): Promise<string> {
    if (!GLOB_CHARS.test(path)) return path;
    const link = join(this.#dir, `file_${this.#seq++}.parquet`);
    await Deno.symlink(path, link);
    return link;
  }

  /**
   * Streams a result into a table, then reads that as polars. The table is created and filled
   * through a second connection: any statement on the streaming one would end the stream.
   */
  async #resultAsPolars(result: DuckDBResult): Promise<pl.DataFrame> {
    const names = result.columnNames();
    const types = result.columnTypes();
    const table = `${INTERNAL}.result_${this.#seq++}`;
    const writer = await this.#db.connect();
    try {
      await duck(() =>
        writer.run(
          `CREATE TABLE ${table} (${types.map((t, i) => `c${i} ${t.toString()}`).join(", ")})`,
        )
      );
      const appender = await writer.createAppender(table.split(".")[1], INTERNAL);
      for (;;) {
        const chunk = await duck(() => result.fetchChunk());
        if (!chunk || chunk.rowCount === 0) break;
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
    } finally {
      writer.closeSync();
    }
    return await this.#readAsPolars(table, names, types);
  }

  /**
   * Writes a relation (a table or a table function) as Parquet with polars-compatible types
   * (see {@linkcode polarsCompatible}) and reads that with polars, under unique column names.
   */
  async #readAsPolars(
    relation: string,
    names: string[],
    types: DuckDBType[],
  ): Promise<pl.DataFrame> {
    if (names.length === 0) return pl.DataFrame({});
    const unique = uniqueNames(names);
    const positional = names.map((_, i) => `c${i}`);
    const select = types.map((t, i) => {
      const converted = polarsCompatible(`c${i}`, t, unique[i], 0);
      return converted ? `${converted} AS c${i}` : `c${i}`;
    });
    const file = join(this.#dir, `result_${this.#seq++}.parquet`);
    await this.#exec(
      `COPY (SELECT ${select.join(", ")} FROM ${relation} AS q(${positional.join(", ")})) ` +
        `TO ${quoteString(file)} (FORMAT parquet, COMPRESSION uncompressed)`,
    );
    const df = pl.readParquet(file);
    await Deno.remove(file);
    return df.rename(Object.fromEntries(unique.map((n, i) => [`c${i}`, n])));
  }

  async #exec(sql: string): Promise<void> {
    await duck(() => this.#conn.run(sql));
  }

  async #query(sql: string): Promise<unknown[][]> {
    const reader = await duck(() => this.#conn.runAndReadAll(sql));
    return reader.getRowsJS();
  }
}

/** Runs a DuckDB call, turning its errors into {@linkcode SqlError}. */
async function duck<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof DeltaError) throw e;
    throw new SqlError(readOnlyHint((e as Error).message));
  }
}

function duckSync<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw new SqlError(readOnlyHint((e as Error).message));
  }
}

/** DuckDB's message, with what the sandbox allows when the sandbox refused the access. */
function readOnlyHint(message: string): string {
  const refused = message.includes("disabled by configuration") ||
    message.includes("configuration has been locked");
  return refused ? `${message}\n(${READ_ONLY})` : message;
}

/** Names of the functions a serialized statement calls (tables and scalars, at any depth). */
function functionNames(node: unknown, names = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const child of node) functionNames(child, names);
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "function_name" && typeof value === "string") names.add(value.toLowerCase());
      else functionNames(value, names);
    }
  }
  return names;
}

/**
 * The real paths of the catalog's table folders (as given for tables not written yet): DuckDB
 * compares the real path of each file it opens with them.
 */
async function tableFolders(catalog: Catalog): Promise<string[]> {
  return await Promise.all(
    catalog.list().map(async (d) => {
      const path = catalog.pathOf(d.name);
      try {
        return await Deno.realPath(path);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return path;
        throw e;
      }
    }),
  );
}

/** A hint for the usual mistake of an unquoted `table@v3` (a syntax error in DuckDB). */
function travelHint(sql: string, message: string): string {
  if (!message.startsWith("Parser Error")) return "";
  const m = /(?<!["\w])([A-Za-z_]\w*)@(v\d+|\d{14}(?:\d{3})?)\b/.exec(sql);
  return m ? `\n(to read a past version, quote the name: "${m[1]}@${m[2]}")` : "";
}

/** Time travel of a `name@...` suffix: `v3`, `yyyyMMddHHmmss[SSS]` (UTC) or ISO 8601. */
function parseTravelSuffix(name: string, suffix: string): TimeTravel {
  if (/^v\d+$/i.test(suffix)) return { version: Number(suffix.slice(1)) };
  const compact = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(suffix);
  const text = compact
    ? `${compact[1]}-${compact[2]}-${compact[3]} ${compact[4]}:${compact[5]}:${compact[6]}.` +
      (compact[7] ?? "000")
    : suffix;
  try {
    return { timestamp: Number(parseTimestampMicros(text) / 1000n) };
  } catch {
    throw new SqlError(
      `table ${name}: invalid time travel suffix @${suffix} (use @v<version>, ` +
        "@yyyyMMddHHmmssSSS or an ISO 8601 time, e.g. @2025-07-01T00:00:00Z)",
    );
  }
}

/** DuckDB type of a Delta type. */
function duckType(type: DeltaType, column: string): string {
  if (typeof type !== "string") {
    switch (type.type) {
      case "array":
        return `${duckType(type.elementType, column)}[]`;
      case "map":
        return `MAP(${duckType(type.keyType, column)}, ${duckType(type.valueType, column)})`;
      case "struct":
        return `STRUCT(${
          type.fields.map((f) => `${quoteIdent(f.name)} ${duckType(f.type, column)}`).join(", ")
        })`;
    }
  }
  const simple: Record<string, string> = {
    string: "VARCHAR",
    long: "BIGINT",
    integer: "INTEGER",
    short: "SMALLINT",
    byte: "TINYINT",
    double: "DOUBLE",
    float: "FLOAT",
    boolean: "BOOLEAN",
    binary: "BLOB",
    date: "DATE",
    timestamp: "TIMESTAMPTZ",
    timestamp_ntz: "TIMESTAMP",
    void: "INTEGER",
  };
  if (simple[type]) return simple[type];
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
  if (decimal && Number(decimal[1]) <= 38) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  throw new UnsupportedFeatureError(`column ${column}: Delta type ${type} is not supported by SQL`);
}

/**
 * A data column cast to its Delta type. A Delta `timestamp` stored as a naive Parquet timestamp
 * (Spark's INT96) is a UTC instant: converted with an explicit zone, not the session's.
 */
function castTo(value: string, type: DeltaType, fileType: string): string {
  const naive = /^TIMESTAMP(_S|_MS|_NS)?$/.test(fileType);
  if (type === "timestamp" && naive) return `timezone('UTC', CAST(${value} AS TIMESTAMP))`;
  if (type === "timestamp_ntz" && fileType === "TIMESTAMP WITH TIME ZONE") {
    return `timezone('UTC', ${value})`;
  }
  return `CAST(${value} AS ${duckType(type, "")})`;
}

/**
 * With column mapping, struct fields inside a column carry physical names too: rebuild the value
 * with the logical names, down arrays and maps (null if nothing needs renaming).
 */
function renamedNested(value: string, type: DeltaType, depth: number): string | null {
  if (typeof type === "string") return null;
  const v = `__e${depth}`;
  switch (type.type) {
    case "struct": {
      const entries = type.fields.map((f) => {
        const child = `${value}.${quoteIdent(physicalName(f, "name"))}`;
        return `${quoteIdent(f.name)} := ${renamedNested(child, f.type, depth + 1) ?? child}`;
      });
      return `CASE WHEN ${value} IS NULL THEN NULL ELSE struct_pack(${entries.join(", ")}) END`;
    }
    case "array": {
      const inner = renamedNested(v, type.elementType, depth + 1);
      return inner && `list_transform(${value}, lambda ${v}: ${inner})`;
    }
    case "map": {
      const key = renamedNested(`${v}.key`, type.keyType, depth + 1);
      const val = renamedNested(`${v}.value`, type.valueType, depth + 1);
      if (!key && !val) return null;
      return `map_from_entries(list_transform(map_entries(${value}), lambda ${v}: ` +
        `struct_pack(key := ${key ?? `${v}.key`}, value := ${val ?? `${v}.value`})))`;
    }
  }
}

/**
 * A partition value as text DuckDB casts to the column type (null for SQL NULL). An empty value
 * of a non-string column is null, as Spark writes it; timestamps become epoch microseconds.
 */
function partitionText(
  value: string | null,
  type: DeltaType,
  column: string,
  root: string,
  add: AddFile,
): string | null {
  if (value === null || (value === "" && type !== "string")) return null;
  if (type === "binary") {
    throw new UnsupportedFeatureError(`${root}: binary partition column ${column}`);
  }
  if (type === "timestamp" || type === "timestamp_ntz") {
    try {
      return parseTimestampMicros(value).toString();
    } catch (e) {
      throw new CorruptLogError(`${root}: file ${add.path}: ${(e as Error).message}`);
    }
  }
  return value;
}

/**
 * The expression a result column is converted with before polars reads it (null when polars reads
 * it as it is): 128-bit integers narrowed to BIGINT, types polars lacks as text, maps as lists of
 * `{key, value}` structs (polars reads a null Parquet map as an empty list), down nested types.
 */
function polarsCompatible(
  value: string,
  type: DuckDBType,
  column: string,
  depth: number,
): string | null {
  const v = `__r${depth}`;
  switch (type.typeId) {
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return `CAST(${value} AS BIGINT)`;
    case DuckDBTypeId.BIGNUM:
    case DuckDBTypeId.INTERVAL:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.BIT:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.TIME_NS:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.GEOMETRY:
      return `CAST(${value} AS VARCHAR)`;
    case DuckDBTypeId.BLOB:
      throw new UnsupportedFeatureError(
        `result column ${column} is binary (BLOB), which nodejs-polars cannot hold: ` +
          `select hex(...) or decode(...) of it instead`,
      );
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const inner = polarsCompatible(v, type.valueType, column, depth + 1);
      return inner && `list_transform(${value}, lambda ${v}: ${inner})`;
    }
    case DuckDBTypeId.MAP: {
      const key = polarsCompatible(`${v}.key`, type.keyType, column, depth + 1);
      const val = polarsCompatible(`${v}.value`, type.valueType, column, depth + 1);
      const entries = `map_entries(${value})`;
      if (!key && !val) return entries;
      return `list_transform(${entries}, lambda ${v}: ` +
        `struct_pack(key := ${key ?? `${v}.key`}, value := ${val ?? `${v}.value`}))`;
    }
    case DuckDBTypeId.STRUCT: {
      const children = type.entryNames.map((n, i) => {
        const child = `${value}.${quoteIdent(n)}`;
        return [n, polarsCompatible(child, type.entryTypes[i], column, depth + 1), child];
      });
      if (children.every(([, converted]) => converted === null)) return null;
      const entries = children.map(([n, converted, child]) =>
        `${quoteIdent(n!)} := ${converted ?? child}`
      );
      return `CASE WHEN ${value} IS NULL THEN NULL ELSE struct_pack(${entries.join(", ")}) END`;
    }
    default:
      return null;
  }
}

/** Column names made unique as DuckDB does in subqueries (`a`, `a_1`): polars needs them so. */
function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let k = 1; seen.has(unique); k++) unique = `${name}_${k}`;
    seen.add(unique);
    return unique;
  });
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
