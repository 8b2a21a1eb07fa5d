/**
 * Command line SQL over the lakehouse (`deno task sql`): runs one DuckDB statement on the
 * catalogue's Delta tables (see {@linkcode querySql}) and prints the result.
 *
 * ```sh
 * deno task sql "SELECT perimetre, count(*) AS n FROM eco2mix_silver GROUP BY ALL"
 * deno task sql --format csv --version 3 "FROM silver.eco2mix_silver LIMIT 10" > extrait.csv
 * echo "SELECT 1" | deno task sql -
 * deno task sql --tables
 * ```
 *
 * Tables come from the project's catalogue (`catalog.ts`), plus any Delta table
 * found at `<lakehouse>/<layer>/<name>/` that the catalogue does not declare. A relative
 * `--lakehouse`, and any file a statement names, are resolved from the directory the command
 * was typed in (`deno task` itself runs in the project root and says where it was typed in
 * `INIT_CWD`). Errors (unknown table, SQL
 * error, unreadable table) print one message on standard error and exit with 1; a wrong command
 * line, or a lakehouse folder that does not exist, exits with 2.
 *
 * The statement runs read-only (see {@linkcode querySql}): it reads no file but the tables' own,
 * writes none, and cannot change DuckDB's settings. `--allow-external` lifts this, for a one-off
 * export or a join with a file outside the lakehouse:
 *
 * ```sh
 * deno task sql --allow-external "COPY (FROM gold.mix_energetique_quotidien) TO 'mix.parquet'"
 * ```
 *
 * @module
 */

import pl from "nodejs-polars";
import { parseArgs } from "node:util";
import { openCatalog } from "./catalog.ts";
import { PATHS } from "../paths.ts";
import type { Catalog } from "../lakehouse/catalog.ts";
import { DeltaError } from "../lakehouse/errors.ts";
import { parseTimestampMicros } from "../lakehouse/partition.ts";
import { numRecords } from "../lakehouse/stats.ts";
import { querySql, withTablesOnDisk } from "../lakehouse/sql.ts";
import { isRemoteLocation, locate, normaliseLocation } from "../lakehouse/storage.ts";

const USAGE = `Usage: deno task sql [options] "SQL statement"   (SQL "-" reads standard input)

Runs one DuckDB SQL statement on the lakehouse's Delta tables, named as in the catalogue
(eco2mix_silver) or by layer (silver.eco2mix_silver); "name@v3" reads one table at version 3.

Options:
  --lakehouse DIR   lakehouse root, relative to the current directory, or az://container/prefix
                    (default: ${PATHS.lakehouse}); it must exist
  --format FORMAT   table (default), csv, json or ndjson
  --version N       read every table at version N
  --timestamp TIME  read every table as of TIME (ISO 8601, UTC unless an offset is given,
                    e.g. 2025-07-01T00:00:00Z or "2025-07-01 02:00:00+02:00")
  --max-rows N      rows shown by the table format (default 100; csv and json print all)
  --tables          list the tables (layer, version, files, rows) instead of querying
  --allow-external  lift the read-only sandbox: let the statement read and write any file
                    (read_csv('/any/file'), COPY ... TO), ATTACH, INSTALL/LOAD extensions and
                    change DuckDB settings. Without it, only queries run, on the tables' own
                    files, and every data file is checked against the Delta log first.
  -h, --help        this help`;

/** Where the command writes (standard output and error by default; tests capture them). */
export interface CliOutput {
  /** Writes result text. */
  out(text: string): void;
  /** Writes an error or usage message. */
  err(text: string): void;
}

const STD: CliOutput = {
  out: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
  err: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
};

class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Runs the command with these arguments; resolves to the exit code (0 success, 1 query or
 * table error, 2 wrong command line or no lakehouse folder). `cwd` is where the command was
 * typed: a relative `--lakehouse` is resolved from it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./sql_cli.ts";
 * const lines: string[] = [];
 * const code = await main(["--lakehouse", await Deno.makeTempDir(), "--format", "csv", "SELECT 42 AS x"], {
 *   out: (t) => lines.push(t),
 *   err: (t) => lines.push(t),
 * });
 * assert.equal(code, 0);
 * assert.equal(lines.join(""), "x\n42\n");
 * ```
 */
export async function main(
  args: string[],
  output: CliOutput = STD,
  cwd: string = Deno.cwd(),
): Promise<number> {
  let options: ReturnType<typeof parseCommandLine>;
  try {
    options = parseCommandLine(args, cwd);
  } catch (e) {
    output.err(`error: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    output.out(`${USAGE}\n`);
    return 0;
  }
  const missing = await missingLakehouse(options.lakehouse);
  if (missing) {
    output.err(`error: ${missing}\n`);
    return 2;
  }
  try {
    const catalog = await withTablesOnDisk(openCatalog(options.lakehouse));
    const df = options.tables ? await listTables(catalog) : await querySql(
      catalog,
      options.sql === "-" ? await readStdin() : options.sql,
      {
        version: options.version,
        timestamp: options.timestamp,
        allowExternalAccess: options.allowExternal,
      },
    );
    output.out(format(df, options.format, options.maxRows));
    return 0;
  } catch (e) {
    const error = e as Error;
    output.err(`${error instanceof DeltaError ? error.name : "error"}: ${error.message}\n`);
    return 1;
  }
}

type Format = "table" | "csv" | "json" | "ndjson";

/**
 * Why `root` cannot be a lakehouse (it does not exist, or is a file), or null. Reading a typo's
 * folder would otherwise list empty tables and fail on "unknown table".
 */
async function missingLakehouse(root: string): Promise<string | null> {
  if (isRemoteLocation(root)) {
    const { storage, key } = locate(root);
    return (await storage.list(key)).length ? null : `no lakehouse at ${root} (nothing there)`;
  }
  const stat = await Deno.stat(root).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  });
  if (stat?.isDirectory) return null;
  return stat
    ? `the lakehouse ${root} is a file, not a folder`
    : root === PATHS.lakehouse
    ? `no lakehouse at ${root}: run the pipeline first (deno task pipeline) or give --lakehouse`
    : `no lakehouse folder at ${root} (--lakehouse is resolved from the current directory)`;
}

function parseCommandLine(args: string[], cwd: string) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      lakehouse: { type: "string" },
      format: { type: "string", default: "table" },
      version: { type: "string" },
      timestamp: { type: "string" },
      "max-rows": { type: "string", default: "100" },
      tables: { type: "boolean", default: false },
      "allow-external": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const formats: Format[] = ["table", "csv", "json", "ndjson"];
  if (!formats.includes(values.format as Format)) {
    throw new UsageError(`--format must be one of ${formats.join(", ")}`);
  }
  const integer = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new UsageError(`--${flag} must be a whole number: ${text}`);
    return Number(text);
  };
  let timestamp: number | undefined;
  if (values.timestamp !== undefined) {
    try {
      // A time without offset is UTC, never the machine's zone.
      timestamp = Number(parseTimestampMicros(values.timestamp) / 1000n);
    } catch {
      throw new UsageError(`--timestamp: invalid time ${values.timestamp}`);
    }
  }
  if (values.version !== undefined && timestamp !== undefined) {
    throw new UsageError("give --version or --timestamp, not both");
  }
  if (values.tables && positionals.length) {
    throw new UsageError("--tables takes no SQL statement");
  }
  if (!values.help && !values.tables && positionals.length !== 1) {
    throw new UsageError("give one SQL statement (quoted), or - to read it from standard input");
  }
  return {
    help: values.help,
    tables: values.tables,
    allowExternal: values["allow-external"],
    sql: positionals[0],
    lakehouse: normaliseLocation(values.lakehouse ?? PATHS.lakehouse, cwd),
    format: values.format as Format,
    version: integer("version", values.version),
    timestamp,
    maxRows: integer("max-rows", values["max-rows"])!,
  };
}

async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}

/** One row per table: layer, name, latest version, files, rows (from the log's stats), bytes. */
async function listTables(catalog: Catalog): Promise<pl.DataFrame> {
  const columns = {
    layer: [] as string[],
    table: [] as string[],
    version: [] as (number | null)[],
    files: [] as (number | null)[],
    rows: [] as (number | null)[],
    bytes: [] as (number | null)[],
  };
  for (const d of catalog.list()) {
    const table = catalog.table(d.name);
    const snap = (await table.exists()) ? await table.snapshot() : null;
    const counts = snap?.files.map(numRecords) ?? [];
    columns.layer.push(d.layer);
    columns.table.push(d.name);
    columns.version.push(snap?.version ?? null);
    columns.files.push(snap?.files.length ?? null);
    columns.rows.push(
      snap && counts.every((n) => n !== null) ? counts.reduce((s, n) => s! + n!, 0) : null,
    );
    columns.bytes.push(snap?.files.reduce((s, f) => s + f.size, 0) ?? null);
  }
  return pl.DataFrame(
    Object.entries(columns).map(([name, values]) =>
      pl.Series(name, values, name === "layer" || name === "table" ? pl.String : pl.Int64)
    ),
  );
}

function format(df: pl.DataFrame, fmt: Format, maxRows: number): string {
  switch (fmt) {
    case "csv":
      return df.writeCSV().toString();
    case "json":
      return `${new TextDecoder().decode(df.writeJSON({ format: "json" }))}\n`;
    case "ndjson":
      return new TextDecoder().decode(df.writeJSON({ format: "lines" }));
    case "table":
      // A plan reads as the text DuckDB drew, not as a table cell.
      if (df.columns.join() === "explain_key,explain_value") {
        return `${df.getColumn("explain_value").toArray().join("\n")}\n`;
      }
      pl.Config.setTblRows(maxRows);
      pl.Config.setTblCols(-1);
      if (Deno.stdout.isTerminal()) pl.Config.setTblWidthChars(Deno.consoleSize().columns);
      return `${df.toString()}\n`;
  }
}

if (import.meta.main) {
  // `deno task` runs in the project root; INIT_CWD is where the user typed the command. Moving
  // there also makes DuckDB read and write relative files (COPY ... TO 'x.csv') from there.
  const typedIn = Deno.env.get("INIT_CWD");
  if (typedIn) Deno.chdir(typedIn);
  Deno.exit(await main(Deno.args));
}
