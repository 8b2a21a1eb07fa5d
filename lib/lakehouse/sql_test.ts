import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { sharedDataPath } from "../testing/shared_data.ts";
import { canonicalRows, readParquetFolder } from "./_golden.ts";
import { Catalog } from "./catalog.ts";
import {
  CorruptLogError,
  DataFileCorruptError,
  NotADeltaTableError,
  UnsupportedFeatureError,
  VersionNotFoundError,
} from "./errors.ts";
import { commitFileName, loadSnapshot } from "./log.ts";
import { readFiles } from "./reader.ts";
import { DeltaTable } from "./table.ts";
import { querySql, REFUSED_FUNCTIONS, SqlError, withTablesOnDisk } from "./sql.ts";
import {
  frame,
  REGIONS,
  type Row,
  V0,
  V1_ADDED,
  V2,
  V3_MERGED,
  VERSIONS,
  withLakehouse,
} from "./_sql_testdata.ts";

/** One value per row of a column (Int64 columns come back as numbers or bigints). */
const column = (df: pl.DataFrame, name: string): unknown[] =>
  df.getColumn(name).toArray().map((v) => (typeof v === "bigint" ? Number(v) : v));
const dtype = (df: pl.DataFrame, name: string) => String(df.getColumn(name).dtype);
const sum = (rows: Row[]) => rows.reduce((s, r) => s + r.mw, 0);

Deno.test("sql: count, sum and group-by over the current snapshot", async () => {
  await withLakehouse(async (catalog) => {
    const current = VERSIONS[3];
    const total = await querySql(catalog, "SELECT count(*) AS n, sum(mw) AS mw FROM mesures");
    assert.deepEqual(column(total, "n"), [current.length]);
    assert.deepEqual(column(total, "mw"), [sum(current)]);

    const byRegion = await querySql(
      catalog,
      "SELECT region, count(*) AS n, sum(mw) AS mw FROM silver.mesures " +
        "GROUP BY region ORDER BY region NULLS LAST",
    );
    const regions = ["Bretagne", "Normandie", "PACA", null];
    assert.deepEqual(column(byRegion, "region"), regions);
    assert.deepEqual(
      column(byRegion, "n"),
      regions.map((g) => current.filter((r) => r.region === g).length),
    );
    assert.deepEqual(
      column(byRegion, "mw"),
      regions.map((g) => sum(current.filter((r) => r.region === g))),
    );
  });
});

Deno.test("sql: removed files stay on disk but are never read", async () => {
  await withLakehouse(async (catalog) => {
    const dir = catalog.pathOf("mesures");
    const onDisk = await querySql(
      catalog,
      `SELECT count(*) AS n FROM read_parquet('${dir}/**/*.parquet')`,
    );
    // The merge rewrote the (2025, PACA) file of V2 (ids 2 and 5): id 2 was copied.
    const allRowsEverWritten = V0.length + V1_ADDED.length + V2.length + 1 + V3_MERGED.length;
    assert.equal(column(onDisk, "n")[0], allRowsEverWritten);
    const n = await querySql(catalog, "SELECT count(*) AS n FROM mesures");
    assert.equal(column(n, "n")[0], VERSIONS[3].length);
    const ids = await querySql(catalog, "SELECT id FROM mesures ORDER BY id");
    assert.deepEqual(column(ids, "id"), VERSIONS[3].map((r) => r.id).sort((a, b) => a - b));
  });
});

Deno.test("sql: partition columns have their Delta types and null partitions are NULL", async () => {
  await withLakehouse(async (catalog) => {
    const types = await querySql(
      catalog,
      "SELECT typeof(annee) AS a, typeof(region) AS r, typeof(id) AS i, typeof(instant) AS t " +
        "FROM mesures LIMIT 1",
    );
    assert.deepEqual(types.toRecords(), [
      { a: "INTEGER", r: "VARCHAR", i: "BIGINT", t: "TIMESTAMP WITH TIME ZONE" },
    ]);
    const df = await querySql(catalog, "SELECT * FROM mesures ORDER BY id");
    assert.deepEqual(df.columns, ["annee", "region", "id", "instant", "mw"]);
    assert.equal(dtype(df, "annee"), "DataType(Int32)");
    assert.equal(dtype(df, "region"), "DataType(String)");
    assert.equal(dtype(df, "id"), "DataType(Int64)");
    assert.equal(dtype(df, "instant"), "DataType(Datetime(us,UTC))");
    assert.equal(dtype(df, "mw"), "DataType(Float64)");
    const expected = [...VERSIONS[3]].sort((a, b) => a.id - b.id);
    assert.deepEqual(column(df, "region"), expected.map((r) => r.region));
    assert.deepEqual(
      (column(df, "instant") as Date[]).map((d) => d.getTime()),
      expected.map((r) => Date.UTC(2025, 0, 1) + r.heure * 3_600_000),
    );
    const nulls = await querySql(
      catalog,
      "SELECT count(*) AS n FROM mesures WHERE region IS NULL AND annee = 2025",
    );
    assert.equal(column(nulls, "n")[0], VERSIONS[3].filter((r) => r.region === null).length);
  });
});

Deno.test("sql: join of two tables", async () => {
  await withLakehouse(async (catalog) => {
    const df = await querySql(
      catalog,
      "SELECT r.code_insee, r.nom, sum(m.mw) AS mw FROM mesures m " +
        "JOIN gold.regions r USING (region) GROUP BY ALL ORDER BY r.code_insee",
    );
    const codes = [28, 53, 93];
    const names = ["Normandie", "Bretagne", "PACA"];
    assert.deepEqual(column(df, "code_insee"), codes);
    assert.deepEqual(column(df, "nom"), ["Normandie", "Bretagne", "Provence-Alpes-Côte d'Azur"]);
    assert.deepEqual(
      column(df, "mw"),
      names.map((g) => sum(VERSIONS[3].filter((r) => r.region === g))),
    );
  });
});

Deno.test("sql: time travel by version, by timestamp, for all tables or one", async () => {
  await withLakehouse(async (catalog) => {
    const count = async (sql: string, options = {}) =>
      column(await querySql(catalog, sql, options), "n")[0];
    for (const [v, rows] of VERSIONS.entries()) {
      assert.equal(await count("SELECT count(*) AS n FROM mesures", { version: v }), rows.length);
      assert.equal(await count(`SELECT count(*) AS n FROM "mesures@v${v}"`), rows.length);
      const mw = await querySql(catalog, `SELECT sum(mw) AS s FROM silver."mesures@v${v}"`);
      assert.equal(column(mw, "s")[0], sum(rows));
    }
    // Noon on 2 January: version 1 (committed on the 2nd at midnight).
    const noon = Date.parse("2025-01-02T12:00:00Z");
    assert.equal(
      await count("SELECT count(*) AS n FROM mesures", { timestamp: noon }),
      VERSIONS[1].length,
    );
    assert.equal(await count('SELECT count(*) AS n FROM "mesures@20250103000000000"'), 5);
    assert.equal(await count('SELECT count(*) AS n FROM "mesures@2025-01-01T12:00:00Z"'), 6);
    // The same table at two versions in one query: rows whose value changed since v0.
    const changed = await querySql(
      catalog,
      'SELECT id FROM mesures JOIN "mesures@v0" AS old USING (id) ' +
        "WHERE mesures.mw <> old.mw ORDER BY id",
    );
    assert.deepEqual(column(changed, "id"), [1, 2, 3, 4, 5]);
    await assert.rejects(
      querySql(catalog, 'SELECT * FROM "mesures@v9"'),
      VersionNotFoundError,
    );
    await assert.rejects(
      querySql(catalog, "SELECT * FROM mesures", { timestamp: Date.parse("2024-12-31") }),
      VersionNotFoundError,
    );
    await assert.rejects(
      querySql(catalog, 'SELECT * FROM "mesures@hier"'),
      (e) => e instanceof SqlError && /invalid time travel suffix @hier/.test(e.message),
    );
  });
});

Deno.test("sql: an empty table is an empty view with the table's columns and types", async () => {
  const root = await Deno.makeTempDir();
  try {
    const catalog = new Catalog(root, [{ name: "vide", layer: "gold", partitionColumns: ["p"] }]);
    const table = catalog.table("vide");
    await table.append(frame(V0).rename({ annee: "p" }));
    await table.overwrite(frame(V0).rename({ annee: "p" }).head(0));
    assert.equal((await table.files()).length, 0);
    const df = await querySql(catalog, "SELECT * FROM vide");
    assert.equal(df.height, 0);
    assert.deepEqual(df.columns, ["p", "region", "id", "instant", "mw"]);
    assert.deepEqual(
      df.columns.map((c) => dtype(df, c)),
      [
        "DataType(Int32)",
        "DataType(String)",
        "DataType(Int64)",
        "DataType(Datetime(us,UTC))",
        "DataType(Float64)",
      ],
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("sql: a column added by mergeSchema is NULL for older files, even in all of them", async () => {
  const root = await Deno.makeTempDir();
  try {
    const catalog = new Catalog(root, [{ name: "t", layer: "silver", partitionColumns: ["lot"] }]);
    const t = catalog.table("t");
    const lot = (n: number, ids: number[]) =>
      pl.DataFrame({ lot: ids.map(() => n), id: ids })
        .withColumns(pl.col("lot").cast(pl.Int32), pl.col("id").cast(pl.Int64));
    await t.append(lot(1, [1, 2])); // v0: no note column
    await t.append(lot(2, [3]).withColumns(pl.lit("x").alias("note")), { mergeSchema: true });
    const df = await querySql(catalog, "SELECT id, note FROM t ORDER BY id");
    assert.deepEqual(column(df, "note"), [null, null, "x"]);
    // Lot 2 emptied: no remaining file has the column.
    await t.replaceWhere(lot(2, []).withColumns(pl.lit("x").alias("note")), [
      { column: "lot", eq: 2 },
    ]);
    const after = await querySql(catalog, "SELECT id, note FROM t ORDER BY id");
    assert.deepEqual(column(after, "id"), [1, 2]);
    assert.deepEqual(column(after, "note"), [null, null]);
    assert.equal(dtype(after, "note"), "DataType(String)");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("sql: result types reach polars exactly", async () => {
  const catalog = new Catalog(await Deno.makeTempDir());
  try {
    const df = await querySql(
      catalog,
      `SELECT
         9007199254740993::BIGINT AS big,
         sum(x)::HUGEINT AS hugeint_sum,
         42::TINYINT AS tiny, 7::UINTEGER AS unsigned,
         1.25::DECIMAL(5,2) AS dec, 0.1::FLOAT AS f32, NULL::DOUBLE AS nothing,
         'é"''' AS s, true AS b, DATE '2025-03-30' AS d,
         TIMESTAMPTZ '2025-03-30 01:30:00+00' AS utc,
         TIMESTAMPTZ '2025-03-30 01:30:00+00' AT TIME ZONE 'Europe/Paris' AS paris,
         INTERVAL 90 MINUTE AS duree, 'a'::ENUM('a', 'b') AS e,
         [1, NULL, 3] AS l, {'k': 'v', 'n': [1.5]} AS st,
         MAP {'x': 1} AS m, NULL::MAP(VARCHAR, INTEGER) AS m_null,
         1 AS a, 2 AS a
       FROM range(3) t(x)`,
    );
    assert.equal(df.height, 1);
    const types = Object.fromEntries(df.columns.map((c) => [c, dtype(df, c)]));
    assert.deepEqual(types, {
      big: "DataType(Int64)",
      hugeint_sum: "DataType(Int64)",
      tiny: "DataType(Int8)",
      unsigned: "DataType(UInt32)",
      dec: "DataType(Decimal(5,2))",
      f32: "DataType(Float32)",
      nothing: "DataType(Float64)",
      s: "DataType(String)",
      b: "DataType(Bool)",
      d: "DataType(Date)",
      utc: "DataType(Datetime(us,UTC))",
      paris: String(pl.Datetime("us")),
      duree: "DataType(String)",
      e: "DataType(String)",
      l: "DataType(List(DataType(Int32)))",
      st:
        'DataType(Struct(Field("k", DataType(String)),Field("n", DataType(List(DataType(Decimal(2,1)))))))',
      m: 'DataType(List(DataType(Struct(Field("key", DataType(String)),Field("value", DataType(Int32))))))',
      m_null:
        'DataType(List(DataType(Struct(Field("key", DataType(String)),Field("value", DataType(Int32))))))',
      a: "DataType(Int32)",
      a_1: "DataType(Int32)",
    });
    assert.equal(df.getColumn("big").cast(pl.String).toArray()[0], "9007199254740993");
    const r = df.drop("big", "dec", "st").toRecords()[0];
    assert.equal(r.hugeint_sum, 3);
    assert.equal(r.s, "é\"'");
    assert.equal((r.utc as unknown as Date).toISOString(), "2025-03-30T01:30:00.000Z");
    // 01:30 UTC on the spring-forward day is 03:30 in Paris (CEST, UTC+2).
    assert.equal(
      df.select(pl.col("paris").dt.strftime("%Y-%m-%d %H:%M")).getColumn("paris").toArray()[0],
      "2025-03-30 03:30",
    );
    assert.equal(r.duree, "01:30:00");
    assert.deepEqual(r.l, [1, null, 3]);
    assert.deepEqual(r.m, [{ key: "x", value: 1 }]);
    assert.equal(r.m_null, null);
    assert.equal(df.getColumn("dec").cast(pl.String).toArray()[0], "1.25");
    await assert.rejects(
      querySql(catalog, "SELECT 'x'::BLOB AS raw"),
      (e) => e instanceof UnsupportedFeatureError && /raw is binary/.test(e.message),
    );
    await assert.rejects(
      querySql(catalog, "SELECT 170141183460469231731687303715884105727::HUGEINT AS h"),
      (e) => e instanceof SqlError && /out of range/.test(e.message),
    );
    const empty = await querySql(catalog, "SELECT 1::BIGINT AS x, 'a' AS y WHERE false");
    assert.equal(empty.height, 0);
    assert.deepEqual([dtype(empty, "x"), dtype(empty, "y")], [
      "DataType(Int64)",
      "DataType(String)",
    ]);
  } finally {
    await Deno.remove(catalog.root, { recursive: true });
  }
});

Deno.test("sql: any statement with a result, in the order the query asks", async () => {
  const catalog = new Catalog(await Deno.makeTempDir());
  try {
    const n = 300_000; // several row groups and threads
    const sorted = await querySql(catalog, `SELECT x FROM range(${n}) t(x) ORDER BY x % 7, x DESC`);
    const xs = column(sorted, "x") as number[];
    const expected = Array.from({ length: n }, (_, i) => i)
      .sort((a, b) => a % 7 - b % 7 || b - a);
    assert.equal(xs.length, n);
    assert.ok(xs.every((x, i) => x === expected[i]));
    const pragma = await querySql(catalog, "PRAGMA version");
    assert.deepEqual(column(pragma, "library_version"), ["v1.5.6"]);
    const explain = await querySql(catalog, "EXPLAIN SELECT 42");
    assert.deepEqual(explain.columns, ["explain_key", "explain_value"]);
    const describe = await querySql(catalog, "DESCRIBE SELECT 1::SMALLINT AS petit");
    assert.deepEqual(describe.select("column_name", "column_type").toRecords(), [
      { column_name: "petit", column_type: "SMALLINT" },
    ]);
  } finally {
    await Deno.remove(catalog.root, { recursive: true });
  }
});

Deno.test("sql: placeholders are bound from params", async () => {
  await withLakehouse(async (catalog) => {
    const positional = await querySql(
      catalog,
      "SELECT count(*) AS n FROM mesures WHERE region = $1 AND mw > $2",
      { params: ["PACA", 5000] },
    );
    assert.equal(column(positional, "n")[0], 1);
    const named = await querySql(catalog, "SELECT $nom || '!' AS s", { params: { nom: "Lyon" } });
    assert.equal(column(named, "s")[0], "Lyon!");
    await assert.rejects(
      querySql(catalog, "SELECT * FROM mesures WHERE id = ?"),
      (e) => e instanceof SqlError && /1 placeholder\(s\)/.test(e.message),
    );
    await assert.rejects(querySql(catalog, "SELECT 1", { params: [1] }), SqlError);
  });
});

Deno.test("sql: errors are typed and say what is wrong", async () => {
  await withLakehouse(async (catalog) => {
    await assert.rejects(
      querySql(catalog, "SELECT * FROM mesure"),
      (e) =>
        e instanceof SqlError &&
        e.message.startsWith("unknown table mesure (lakehouse tables: silver.mesures, ") &&
        e.message.includes("LINE 1: SELECT * FROM mesure"),
    );
    await assert.rejects(
      querySql(catalog, "SELEC 1"),
      (e) => e instanceof SqlError && /syntax error at or near "SELEC"/.test(e.message),
    );
    await assert.rejects(
      querySql(catalog, "SELECT nope FROM mesures"),
      (e) => e instanceof SqlError && /nope/.test(e.message),
    );
    // regions is in the gold layer, not silver.
    await assert.rejects(
      querySql(catalog, "SELECT * FROM mesures, silver.regions"),
      (e) => e instanceof SqlError && /regions does not exist/.test(e.message),
    );
    await assert.rejects(
      querySql(catalog, "SELECT 1; SELECT 2"),
      (e) => e instanceof SqlError && /one statement/.test(e.message),
    );
    await assert.rejects(querySql(catalog, " -- rien\n"), SqlError);
    await assert.rejects(
      querySql(catalog, "SELECT * FROM jamais_ecrite"),
      (e) => e instanceof NotADeltaTableError && /never written/.test(e.message),
    );
  });
});

Deno.test("sql: an invalid partition value in the log is a corrupt log naming the file", async () => {
  const root = await Deno.makeTempDir();
  try {
    const catalog = new Catalog(root, [{
      name: "t",
      layer: "silver",
      partitionColumns: ["annee"],
    }]);
    await catalog.table("t").append(frame(V0.slice(0, 1)).select("annee", "id"));
    const log = join(catalog.pathOf("t"), "_delta_log", commitFileName(0));
    const text = await Deno.readTextFile(log);
    await Deno.writeTextFile(log, text.replace('"annee":"2024"', '"annee":"20x4"'));
    await assert.rejects(
      querySql(catalog, "SELECT * FROM t"),
      (e) =>
        e instanceof CorruptLogError &&
        /file annee=2024\/part-.*\.parquet: partition value "20x4" of column annee is not a valid integer/
          .test(e.message),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("sql: a data column named like a DuckDB virtual column is refused, not misread", async () => {
  const root = await Deno.makeTempDir();
  try {
    const catalog = new Catalog(root, [
      { name: "t", layer: "silver", partitionColumns: ["annee"] },
      { name: "plate", layer: "silver" },
    ]);
    const df = pl.DataFrame({ annee: [2025], file_index: [7] });
    await catalog.table("t").append(df);
    await assert.rejects(
      querySql(catalog, "SELECT * FROM t"),
      (e) => e instanceof UnsupportedFeatureError && /named file_index/.test(e.message),
    );
    // Without partitions nor deletion vectors the virtual column is not used: it reads.
    await catalog.table("plate").append(df);
    const plate = await querySql(catalog, "SELECT file_index FROM plate");
    assert.deepEqual(column(plate, "file_index"), [7]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("sql: a data file missing from disk is an error naming it", async () => {
  await withLakehouse(async (catalog) => {
    const [first] = await catalog.table("mesures").files();
    await Deno.remove(join(catalog.pathOf("mesures"), first.path));
    await assert.rejects(
      querySql(catalog, "SELECT count(*) FROM mesures"),
      (e) => e instanceof DataFileCorruptError && e.message.includes(first.path),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The read-only sandbox.

/** A SqlError saying what was refused and how to lift the sandbox. */
const refused = (what: RegExp) => (e: unknown) => {
  assert.ok(e instanceof SqlError, String(e));
  assert.match(e.message, what);
  assert.match(e.message, /read-only .*deno task sql --allow-external/s);
  return true;
};

Deno.test("sql: read-only by default: no file outside the tables, no write, no setting changed", async () => {
  await withLakehouse(async (catalog) => {
    const outside = await Deno.makeTempDir();
    try {
      const csv = join(outside, "a.csv");
      await Deno.writeTextFile(csv, "x\n1\n");
      const table = catalog.pathOf("mesures");
      const [file] = await catalog.table("mesures").files();
      const data = join(table, file.path);
      const attempts: [string, RegExp][] = [
        ["SELECT * FROM read_csv('/etc/passwd')", /Cannot access file "\/etc\/passwd"/],
        [`SELECT * FROM read_text('${csv}')`, /Cannot access file/],
        [`SELECT * FROM read_csv('${table}/../../../../etc/passwd')`, /Cannot access file/],
        [`COPY (SELECT 1 AS x) TO '${join(outside, "out.csv")}'`, /^COPY statements are refused/],
        // Over a data file, in a folder DuckDB may read.
        [`COPY (SELECT 1 AS x) TO '${data}' (FORMAT parquet)`, /^COPY statements are refused/],
        [
          `EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '${data}' (FORMAT parquet)`,
          /^EXPLAIN of anything but a query is refused/,
        ],
        [`EXPORT DATABASE '${join(table, "export")}'`, /^EXPORT statements are refused/],
        [`IMPORT DATABASE '${outside}'`, /^IMPORT statements are refused/],
        [`ATTACH '${join(outside, "x.duckdb")}' AS x`, /^ATTACH statements are refused/],
        ["INSTALL httpfs", /^INSTALL statements are refused/],
        ["LOAD httpfs", /^LOAD statements are refused/],
        ["SET enable_external_access = true", /^SET statements are refused/],
        ["RESET enable_external_access", /^RESET statements are refused/],
        ["SET lock_configuration = false", /^SET statements are refused/],
        ["/* comment */ PRAGMA enable_profiling", /^PRAGMA statements are refused/],
        ["CREATE TABLE t AS SELECT 1", /^CREATE statements are refused/],
        ["CALL enable_logging()", /^CALL statements are refused/],
        [
          `SELECT * FROM enable_logging(storage = 'file', storage_path = '${table}')`,
          /^function enable_logging is refused/,
        ],
        [
          `WITH p AS (FROM "ENABLE_PROFILING"(save_location = '${data}')) FROM p`,
          /^function enable_profiling is refused/,
        ],
        ["SELECT * FROM (FROM query('SELECT 1'))", /^function query is refused/],
      ];
      for (const [sql, what] of attempts) {
        await assert.rejects(querySql(catalog, sql), refused(what), sql);
      }
      // Nothing was written outside, nor in or over the tables' files.
      assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["a.csv"]);
      assert.equal((await Deno.stat(data)).size, file.size);
      await assert.rejects(Deno.stat(join(table, "export")), Deno.errors.NotFound);
      // The sandbox is DuckDB's own too (the statement check comes on top of it).
      const settings = await querySql(
        catalog,
        "SELECT name, value FROM duckdb_settings() " +
          "WHERE name IN ('enable_external_access', 'lock_configuration') ORDER BY name",
      );
      assert.deepEqual(settings.toRecords(), [
        { name: "enable_external_access", value: "false" },
        { name: "lock_configuration", value: "true" },
      ]);
      // Queries of every kind still run on the tables, and read the tables' folders.
      const n = await querySql(catalog, "SELECT count(*) AS n FROM mesures WHERE region = $1", {
        params: ["PACA"],
      });
      assert.equal(column(n, "n")[0], VERSIONS[3].filter((r) => r.region === "PACA").length);
      const files = await querySql(
        catalog,
        `SELECT count(*) AS n FROM glob('${catalog.pathOf("mesures")}/**/*.parquet')`,
      );
      assert.ok((column(files, "n")[0] as number) > 0);
      for (const sql of ["EXPLAIN ANALYZE SELECT count(*) FROM mesures", "PRAGMA show_tables"]) {
        await querySql(catalog, sql);
      }
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

Deno.test("sql: allowExternalAccess gives DuckDB its files and settings back", async () => {
  await withLakehouse(async (catalog) => {
    const outside = await Deno.makeTempDir();
    try {
      const out = join(outside, "regions.csv");
      const options = { allowExternalAccess: true };
      await querySql(catalog, `COPY (SELECT region FROM regions) TO '${out}'`, options);
      const back = await querySql(catalog, `SELECT count(*) AS n FROM read_csv('${out}')`, options);
      assert.equal(column(back, "n")[0], REGIONS.height);
      await querySql(catalog, "SET TimeZone = 'Europe/Paris'", options);
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

/**
 * Every table function of the pinned DuckDB, sorted: those a read-only query may call, and those
 * it may not ({@linkcode REFUSED_FUNCTIONS}). A DuckDB upgrade adding one fails here until the new
 * function is sorted into one list or the other.
 */
const ALLOWED_TABLE_FUNCTIONS = `arrow_scan arrow_scan_dumb check_peg_parser
  duckdb_approx_database_count duckdb_columns duckdb_connection_count duckdb_constraints
  duckdb_coordinate_systems duckdb_databases duckdb_dependencies duckdb_extensions
  duckdb_external_file_cache duckdb_functions duckdb_indexes duckdb_keywords duckdb_log_contexts
  duckdb_logs duckdb_memory duckdb_optimizers duckdb_prepared_statements duckdb_schemas
  duckdb_secret_types duckdb_secrets duckdb_sequences duckdb_settings duckdb_table_sample
  duckdb_tables duckdb_temporary_files duckdb_types duckdb_variables duckdb_views generate_series
  glob icu_calendar_names json_each json_tree parquet_bloom_probe parquet_file_metadata
  parquet_full_metadata parquet_kv_metadata parquet_metadata parquet_scan parquet_schema
  pg_timezone_names pragma_collations pragma_database_size pragma_metadata_info pragma_platform
  pragma_show pragma_storage_info pragma_table_info pragma_user_agent pragma_version query_table
  range read_blob read_csv read_csv_auto read_duckdb read_json read_json_auto read_json_objects
  read_json_objects_auto read_ndjson read_ndjson_auto read_ndjson_objects read_parquet read_text
  repeat repeat_row seq_scan sniff_csv sql_auto_complete summary test_all_types test_vector_types
  unnest which_secret`.split(/\s+/);

Deno.test("sql: every table function of DuckDB is either allowed or refused in read-only SQL", async () => {
  const catalog = new Catalog(await Deno.makeTempDir());
  try {
    const df = await querySql(
      catalog,
      "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'table' " +
        "ORDER BY 1",
    );
    const known = [...ALLOWED_TABLE_FUNCTIONS, ...REFUSED_FUNCTIONS].sort();
    assert.deepEqual(column(df, "function_name"), known);
  } finally {
    await Deno.remove(catalog.root, { recursive: true });
  }
});

Deno.test("sql: a path with glob characters reads that file, not what the pattern matches", async () => {
  const parent = await Deno.makeTempDir();
  try {
    // DuckDB would expand "lake[1]" to "lake1": both exist, with different rows.
    const lake = (dir: string) =>
      new Catalog(join(parent, dir), [{ name: "t", layer: "silver", partitionColumns: ["annee"] }]);
    await lake("lake[1]").table("t").append(frame(V0.slice(0, 2)));
    await lake("lake1").table("t").append(frame(V1_ADDED));
    const df = await querySql(lake("lake[1]"), "SELECT id FROM t ORDER BY id");
    assert.deepEqual(column(df, "id"), [1, 2]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("sql: a name=value folder in the path is not taken for a column", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const catalog = new Catalog(join(parent, "id=99"), [
      { name: "t", layer: "silver" },
      { name: "p", layer: "silver", partitionColumns: ["annee"] },
    ]);
    await catalog.table("t").append(pl.DataFrame({ id: [1, 2] }));
    await catalog.table("p").append(pl.DataFrame({ annee: [2025], id: [3] }));
    assert.deepEqual((await querySql(catalog, "SELECT id FROM t ORDER BY id")).toRecords(), [
      { id: 1 },
      { id: 2 },
    ]);
    assert.deepEqual((await querySql(catalog, "SELECT * FROM p")).toRecords(), [
      { annee: 2025, id: 3 },
    ]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("sql: tables on disk that the catalogue does not declare are found", async () => {
  await withLakehouse(async (catalog, root) => {
    await new DeltaTable(join(root, "gold", "bilan")).append(pl.DataFrame({ twh: [462.35] }));
    const all = await withTablesOnDisk(catalog);
    assert.deepEqual(
      all.list().map((d) => `${d.layer}.${d.name}`),
      ["silver.mesures", "gold.regions", "gold.jamais_ecrite", "gold.bilan"],
    );
    const df = await querySql(all, "SELECT twh FROM gold.bilan");
    assert.deepEqual(column(df, "twh"), [462.35]);
    await assert.rejects(querySql(catalog, "SELECT * FROM bilan"), SqlError);
  });
});

// ---------------------------------------------------------------------------------------------
// Tables written by Spark, Databricks and delta-rs (shared data `delta-golden/`, see its README).

const KERNEL = sharedDataPath("delta-golden", "kernel-golden");

Deno.test("sql: every Spark golden table reads exactly its expected rows", async (t) => {
  const names = [...Deno.readDirSync(KERNEL)].map((e) => e.name).filter((n) => {
    try {
      return Deno.statSync(join(KERNEL, n, "expected")).isDirectory;
    } catch {
      return false;
    }
  }).sort();
  assert.equal(names.length, 68);
  const catalog = new Catalog(
    KERNEL,
    names.map((name) => ({ name, layer: "golden", path: join(name, "delta") })),
  );
  for (const name of names) {
    await t.step(name, async () => {
      const table = join(KERNEL, name, "delta");
      const snapshot = await loadSnapshot(table);
      // nodejs-polars cannot hold binary data: those columns are left out (and refused).
      const binary = snapshot.schema.fields
        .filter((f) => JSON.stringify(f.type).includes('"binary"') || f.type === "binary")
        .map((f) => f.name);
      const exclude = binary.length ? ` EXCLUDE (${binary.map((b) => `"${b}"`).join(", ")})` : "";
      const got = await querySql(catalog, `SELECT *${exclude} FROM "${name}"`);
      const want = readParquetFolder(join(KERNEL, name, "expected")).drop(binary);
      if (name === "data-reader-partition-values") {
        // Expected rows were written in US-Pacific time, while the protocol (and the layer) read
        // the zone-less partition timestamp as UTC: that column is checked against the layer.
        assert.deepEqual(canonicalRows(got), canonicalRows(await readFiles(snapshot)));
        assert.deepEqual(
          canonicalRows(got.drop("as_timestamp")),
          canonicalRows(want.drop("as_timestamp")),
        );
        return;
      }
      assert.deepEqual([...got.columns].sort(), [...want.columns].sort());
      assert.deepEqual(canonicalRows(got), canonicalRows(want));
      if (binary.length) {
        await assert.rejects(
          querySql(catalog, `SELECT "${binary[0]}" FROM "${name}"`),
          UnsupportedFeatureError,
        );
      }
    });
  }
});

Deno.test("sql: Databricks deletion vectors and delta-rs null partitions", async () => {
  const catalog = new Catalog(sharedDataPath("delta-golden"), [
    { name: "dv", layer: "golden", path: "delta-rs/table-with-dv-small" },
    { name: "sans_dv", layer: "golden", path: "delta-rs/table-without-dv-small" },
    { name: "basic", layer: "golden", path: "kernel-data/basic_partitioned" },
  ]);
  const dv = await querySql(catalog, "SELECT value FROM dv ORDER BY value");
  assert.deepEqual(column(dv, "value"), [1, 2, 3, 4, 5, 6, 7, 8]);
  const raw = await querySql(catalog, "SELECT count(*) AS n FROM sans_dv");
  assert.equal(column(raw, "n")[0], 10);
  const basic = await querySql(
    catalog,
    "SELECT letter, number, a_float FROM basic ORDER BY number",
  );
  assert.deepEqual(basic.toRecords(), [
    { letter: "a", number: 1, a_float: 1.1 },
    { letter: "b", number: 2, a_float: 2.2 },
    { letter: "c", number: 3, a_float: 3.3 },
    { letter: "a", number: 4, a_float: 4.4 },
    { letter: "e", number: 5, a_float: 5.5 },
    { letter: null, number: 6, a_float: 6.6 },
  ]);
});

// ---------------------------------------------------------------------------------------------
// The command line.
