import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { REGIONS, VERSIONS, withLakehouse } from "../lakehouse/_sql_testdata.ts";
import { main } from "./sql_cli.ts";

async function cli(
  args: string[],
  cwd?: string,
): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await main(args, { out: (t) => out += t, err: (t) => err += t }, cwd);
  return { code, out, err };
}

Deno.test("sql_cli: prints csv, json and tables, and lists the tables", async () => {
  await withLakehouse(async (catalog, root) => {
    const sql = "SELECT region, count(*) AS n FROM mesures GROUP BY region ORDER BY region";
    const csv = await cli(["--lakehouse", root, "--format", "csv", "--version", "1", sql]);
    assert.deepEqual(csv, {
      code: 0,
      out: "region,n\nBretagne,3\nNormandie,1\nPACA,2\n,3\n",
      err: "",
    });
    const json = await cli(["--lakehouse", root, "--format", "json", sql]);
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.out), [
      { region: "Bretagne", n: 1 },
      { region: "Normandie", n: 1 },
      { region: "PACA", n: 2 },
      { region: null, n: 2 },
    ]);
    const table = await cli(["--lakehouse", root, "SELECT 'Lyon' AS ville"]);
    assert.equal(table.code, 0);
    assert.match(table.out, /│ ville │/);
    assert.ok(table.out.includes("│ Lyon  │"));
    const plan = await cli(["--lakehouse", root, "EXPLAIN SELECT count(*) FROM mesures"]);
    assert.equal(plan.code, 0);
    assert.match(plan.out, /READ_PARQUET/);
    assert.doesNotMatch(plan.out, /shape:|explain_value/);
    // The project catalogue's tables are not on disk here (no version); mesures and regions,
    // which it does not declare, are found on disk (gold.jamais_ecrite never was written).
    const tables = await cli(["--lakehouse", root, "--format", "ndjson", "--tables"]);
    const listed = tables.out.trim().split("\n").map((l) => JSON.parse(l));
    const expected = async (layer: string, table: string, version: number, rows: number) => {
      const files = await catalog.table(table).files();
      const bytes = files.reduce((s, f) => s + f.size, 0);
      return { layer, table, version, files: files.length, rows, bytes };
    };
    assert.deepEqual(listed.filter((r) => r.version !== null), [
      await expected("gold", "regions", 0, REGIONS.height),
      await expected("silver", "mesures", 3, VERSIONS[3].length),
    ]);
    assert.ok(listed.some((r) => r.table === "eco2mix_silver" && r.version === null));
  });
});

Deno.test("sql_cli: errors exit with 1, a wrong command line with 2", async () => {
  const root = await Deno.makeTempDir();
  try {
    const unknown = await cli(["--lakehouse", root, "SELECT * FROM nulle_part"]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.out, "");
    assert.match(unknown.err, /^SqlError: unknown table nulle_part/);
    const syntax = await cli(["--lakehouse", root, "SELEC 1"]);
    assert.equal(syntax.code, 1);
    assert.match(syntax.err, /^SqlError: Parser Error: syntax error/);
    const copy = `COPY (SELECT 1 AS x) TO '${root}/x.csv'`;
    const write = await cli(["--lakehouse", root, copy]);
    assert.equal(write.code, 1);
    assert.match(write.err, /^SqlError: COPY statements are refused: .*--allow-external/s);
    await assert.rejects(Deno.stat(join(root, "x.csv")), Deno.errors.NotFound);
    const allowed = await cli(["--lakehouse", root, "--allow-external", copy]);
    assert.equal(allowed.code, 0, allowed.err);
    assert.equal(await Deno.readTextFile(join(root, "x.csv")), "x\n1\n");
    for (const args of [[], ["--format", "xml", "SELECT 1"], ["--version", "x", "SELECT 1"]]) {
      const bad = await cli(args);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /^error: .*\n\nUsage: deno task sql/);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("sql_cli: a relative --lakehouse is resolved from the current directory, also under deno task", async () => {
  await withLakehouse(async (_catalog, root) => {
    const sql = "SELECT count(*) AS n FROM mesures";
    const args = ["--lakehouse", basename(root), "--format", "csv", sql];
    const expected = { code: 0, out: `n\n${VERSIONS[3].length}\n`, err: "" };
    assert.deepEqual(await cli(args, dirname(root)), expected);
    // `deno task` runs the command in the project root; the path is still read from where the
    // task was typed. Without the INIT_CWD that npx (running these tests) set for its own
    // directory: deno task sets it only when absent.
    const env = Deno.env.toObject();
    delete env.INIT_CWD;
    const task = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "--quiet",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        "sql",
        ...args,
      ],
      cwd: dirname(root),
      clearEnv: true,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assert.deepEqual(
      { code: task.code, out: text.decode(task.stdout), err: text.decode(task.stderr) },
      expected,
    );
  });
});

Deno.test("sql_cli: a lakehouse folder that does not exist is refused with exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await cli(["--lakehouse", "lakehuose", "SELECT 1"], dir);
    assert.deepEqual(missing, {
      code: 2,
      out: "",
      err: `error: no lakehouse folder at ${dir}/lakehuose ` +
        "(--lakehouse is resolved from the current directory)\n",
    });
    await assert.rejects(Deno.stat(join(dir, "lakehuose")), Deno.errors.NotFound);
    await Deno.writeTextFile(join(dir, "file"), "");
    const file = await cli(["--lakehouse", "file", "--tables"], dir);
    assert.equal(file.code, 2);
    assert.equal(file.err, `error: the lakehouse ${dir}/file is a file, not a folder\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sql_cli: the task reads the statement from standard input and sets the exit code", async () => {
  await withLakehouse(async (_catalog, root) => {
    const run = async (args: string[], stdin: string) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("./sql_cli.ts", import.meta.url).pathname, ...args],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(stdin));
      await writer.close();
      const { code, stdout, stderr } = await child.output();
      const text = new TextDecoder();
      return { code, out: text.decode(stdout), err: text.decode(stderr) };
    };
    const ok = await run(
      ["--lakehouse", root, "--format", "csv", "--timestamp", "2025-01-02 12:00:00", "-"],
      "SELECT count(*) AS n FROM mesures;\n",
    );
    assert.deepEqual(ok, { code: 0, out: `n\n${VERSIONS[1].length}\n`, err: "" });
    const failed = await run(["--lakehouse", root, "-"], "SELECT * FROM mesures@v1");
    assert.equal(failed.code, 1);
    assert.match(failed.err, /^SqlError: Parser Error/);
    assert.match(failed.err, /quote the name: "mesures@v1"/);
  });
});
