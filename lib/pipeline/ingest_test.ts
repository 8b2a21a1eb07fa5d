import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pl from "nodejs-polars";
import {
  bronzeAppId,
  bronzeFileAppId,
  bronzeFiles,
  compareWithBronze,
  IngestError,
  ingestFiles,
  type IngestReport,
} from "./ingest.ts";
import { openCatalog } from "./catalog.ts";
import { Eco2mixError, readEco2mixFile } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { growingFileVersion } from "../testing/growing_file.ts";

const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
const TEMPO = sharedDataPath("eco2mix/tempo/eCO2mix_RTE_tempo_2016-2017.xls");
const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
/** The name RTE serves its current real-time file under, every day. */
const CURRENT = "eCO2mix_RTE_En-cours-TR.xls";

/** Writes the version of the 2025 file cut after `days` days to `dir`, under RTE's name. */
async function writeVersion(dir: string, days: number): Promise<string> {
  const path = join(dir, CURRENT);
  await Deno.writeFile(path, growingFileVersion(await Deno.readFile(TR_2025), { days }));
  return path;
}

const CHILD = fileURLToPath(new URL("./testdata/ingest_child.ts", import.meta.url));
const latin1 = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

/** A two-line national real-time file written to `path`. */
async function writeMiniFile(path: string, extraHeader = "", extraCells: string[] = []) {
  const header = "Périmètre\tNature\tDate\tHeures\tConsommation" + extraHeader;
  const rows = [
    `France\tDonnées temps réel\t2025-01-01\t00:00\t63949${extraCells[0] ?? ""}\t`,
    `France\tDonnées temps réel\t2025-01-01\t00:15\t63954${extraCells[1] ?? ""}\t`,
  ];
  const disclaimer = "RTE ne pourra être tenu responsable de l'usage des données.";
  await Deno.writeFile(path, latin1([header, ...rows, disclaimer, ""].join("\n") + "\n"));
}

/**
 * Checks what concurrent ingests of TR_2016 left: one report appended its 2496 lines, every
 * other one found it already ingested, bronze holds each line once, and no data file of a lost
 * attempt is left in the table folder.
 */
async function assertIngestedOnce(
  catalog: ReturnType<typeof openCatalog>,
  reports: IngestReport[],
  before: number,
): Promise<void> {
  const appended = reports.filter((r) => r.rowsAppended > 0);
  assert.equal(appended.length, 1, JSON.stringify(reports.map((r) => r.files)));
  assert.equal(appended[0].rowsAppended, 2496);
  assert.deepEqual(appended[0].files.map((f) => f.status), ["ingere"]);
  for (const r of reports.filter((r) => r.rowsAppended === 0)) {
    assert.deepEqual(r.files.map((f) => f.status), ["deja_ingere"]);
    assert.equal(r.version, null);
  }
  const table = catalog.table("eco2mix_bronze");
  const lines = (await table.read({ columns: ["_source_sha256", "_source_line"] }))
    .filter(pl.col("_source_sha256").eq(pl.lit(appended[0].files[0].sha256)))
    .getColumn("_source_line").toArray() as number[];
  assert.equal(lines.length, 2496);
  assert.equal(new Set(lines).size, 2496);
  assert.equal((await table.read({ columns: ["_source_line"] })).height, before + 2496);
  const onDisk = [...Deno.readDirSync(table.root)].filter((e) => e.name.endsWith(".parquet"));
  assert.equal(onDisk.length, (await table.files()).length);
}

function dataLines(path: string): number {
  // Independent count: lines between the header and RTE's disclaimer, which has no tab.
  const text = new TextDecoder("windows-1252").decode(Deno.readFileSync(path));
  return text.split("\n").slice(1).filter((l) => l.includes("\t")).length;
}

Deno.test("a file's every data line lands in bronze once; the same content again is a no-op", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const now = new Date("2026-11-29T10:00:00Z");
  const first = await ingestFiles(catalog, [TR_2016, TEMPO], { now });
  assert.equal(first.rowsAppended, dataLines(TR_2016));
  assert.equal(first.rowsAppended, 2496);
  assert.deepEqual(first.files.map((f) => [f.status, f.lines]), [["ingere", 2496], ["ignore", 0]]);
  assert.equal(first.version, 0);

  // Same bytes under another name: already ingested.
  const copy = join(await Deno.makeTempDir(), "copie.xls");
  await Deno.copyFile(TR_2016, copy);
  const again = await ingestFiles(catalog, [TR_2016, copy]);
  assert.deepEqual(again.files.map((f) => f.status), ["deja_ingere", "deja_ingere"]);
  assert.equal(again.version, null);

  const bronze = await catalog.table("eco2mix_bronze").read();
  assert.equal(bronze.height, 2496);
  assert.equal(await catalog.table("eco2mix_bronze").version(), 0);
  const lines = bronze.getColumn("_source_line").toArray() as number[];
  assert.equal(new Set(lines).size, 2496);
  assert.deepEqual(
    bronze.select("_source_file", "_source_sha256").unique().toRecords(),
    [{
      _source_file: "eCO2mix_RTE_En-cours-TR_2016-06.xls",
      _source_sha256: "83b9c55d7d0964c895ca0af6a1b81c2d7dee43b7e2c49ae11b30406611ee3606",
    }],
  );
});

Deno.test("a bad file in a batch fails with its file and line, and bronze is unchanged", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  await ingestFiles(catalog, [TR_2016]);
  const dir = await Deno.makeTempDir();
  const bad = join(dir, "tronque.xls");
  const text = new TextDecoder("windows-1252").decode(Deno.readFileSync(TR_2016));
  // Cut inside a data line: no disclaimer, a partial last row.
  await Deno.writeFile(bad, new TextEncoder().encode(text.slice(0, 5_000)));
  const good = join(dir, "autre.xls");
  await Deno.writeFile(
    good,
    Deno.readFileSync(sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls")),
  );
  await assert.rejects(
    ingestFiles(catalog, [good, bad]),
    (e: unknown) => e instanceof Eco2mixError && /tronque\.xls/.test(e.message),
  );
  assert.equal(await catalog.table("eco2mix_bronze").version(), 0);
  assert.equal(
    (await catalog.table("eco2mix_bronze").read({ columns: ["_source_line"] })).height,
    2496,
  );
});

Deno.test("a column unknown to the catalogue is kept, reported, and later files still append", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const dir = await Deno.makeTempDir();
  const withExtra = join(dir, "extra.xls");
  await writeMiniFile(withExtra, "\tColonne future", ["\t12", "\t13"]);
  const r1 = await ingestFiles(catalog, [withExtra]);
  assert.equal(r1.newColumns.length, 1);
  const r2 = await ingestFiles(catalog, [TR_2016]);
  assert.equal(r2.rowsAppended, 2496);
  const bronze = await catalog.table("eco2mix_bronze").read();
  assert.equal(bronze.height, 2498);
  const extra = bronze.getColumn(r1.newColumns[0]).toArray();
  assert.deepEqual(extra.filter((v) => v !== null), ["12", "13"]);
});

Deno.test("bronzeFiles counts each ingested file's lines", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const now = new Date("2026-11-29T10:00:00Z");
  await ingestFiles(catalog, [TR_2016], { now });
  await ingestFiles(catalog, [TEMPO], { now });
  const files = await bronzeFiles(catalog);
  assert.deepEqual(files.select("_source_file", "lignes").toRecords(), [
    { _source_file: "eCO2mix_RTE_En-cours-TR_2016-06.xls", lignes: dataLines(TR_2016) },
  ]);
  const [ingestedAt] = files.getColumn("_ingested_at").toArray() as unknown as Date[];
  assert.equal(ingestedAt.getTime(), now.getTime());
});

Deno.test("compareWithBronze matches lines read with lines stored, per content hash", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const report = await ingestFiles(catalog, [TR_2016, TEMPO]);
  assert.deepEqual(compareWithBronze(report, await bronzeFiles(catalog)), [
    {
      fichier: "eCO2mix_RTE_En-cours-TR_2016-06.xls",
      lignes_lues: 2496,
      lignes_bronze: 2496,
      lignes_inchangees: 0,
      ecart: 0,
    },
  ]);
  const lost = pl.DataFrame({ _source_sha256: [report.files[0].sha256], lignes: [2000] });
  assert.equal(compareWithBronze(report, lost)[0].ecart, -496);
});

Deno.test("the commit records each ingested content and file name as Delta txn actions", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const report = await ingestFiles(catalog, [TR_2016]);
  const snap = await catalog.table("eco2mix_bronze").snapshot();
  const name = bronzeFileAppId("eCO2mix_RTE_En-cours-TR_2016-06.xls");
  assert.deepEqual([...snap.txns.keys()], [bronzeAppId(report.files[0].sha256), name]);
  assert.equal(snap.txns.get(bronzeAppId(report.files[0].sha256))?.version, 0);
  assert.equal(snap.txns.get(name)?.version, 0);
});

Deno.test("a bronze written before txn actions: the rows' hashes still mark files ingested", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const tables = readEco2mixFile(await Deno.readFile(TR_2016), "ancien.xls");
  await catalog.table("eco2mix_bronze").append(toBronze(tables, { ingestedAt: new Date() }));
  const report = await ingestFiles(catalog, [TR_2016]);
  assert.deepEqual(report.files.map((f) => f.status), ["deja_ingere"]);
  assert.equal(report.version, null);
});

Deno.test("concurrent ingests of one file in one process append its lines once", async () => {
  for (const existing of [false, true]) {
    const root = await Deno.makeTempDir();
    const catalog = openCatalog(root);
    if (existing) await writeMiniFile(join(root, "mini.xls"));
    if (existing) await ingestFiles(catalog, [join(root, "mini.xls")]);
    const reports = await Promise.all(
      [1, 2, 3].map(() => ingestFiles(openCatalog(root), [TR_2016])),
    );
    await assertIngestedOnce(catalog, reports, existing ? 2 : 0);
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("concurrent ingests of one file in separate processes append its lines once", async () => {
  const root = await Deno.makeTempDir();
  const catalog = openCatalog(root);
  await writeMiniFile(join(root, "mini.xls"));
  await ingestFiles(catalog, [join(root, "mini.xls")]);
  const children = [1, 2, 3].map(() =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHILD, root, TR_2016],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn()
  );
  const outputs = children.map((c) => c.stdout.pipeThrough(new TextDecoderStream()).getReader());
  for (const out of outputs) assert.equal((await out.read()).value?.trim(), "ready");
  // All loaded: let them ingest together.
  await Promise.all(children.map((c) => c.stdin.close()));
  const reports: IngestReport[] = [];
  for (const [i, out] of outputs.entries()) {
    let text = "";
    for (let r = await out.read(); !r.done; r = await out.read()) text += r.value;
    assert.equal((await children[i].status).code, 0, `child ${i} ingesting ${TR_2016}`);
    reports.push(JSON.parse(text));
  }
  await assertIngestedOnce(catalog, reports, 2);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a new version of a file appends only its new and revised rows, with its lineage", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const dir = await Deno.makeTempDir();
  const bronze = catalog.table("eco2mix_bronze");
  const at = (iso: string) => ({ now: new Date(iso) });
  const first = await ingestFiles(catalog, [await writeVersion(dir, 100)], at("2025-04-11T06:00Z"));
  assert.equal(first.rowsAppended, 102 * 96);
  assert.equal(first.files[0].newRows, 102 * 96);
  // The next version: 48 new days and 2 new future days; day 100's provisional rows and the
  // 2 future days of the first version are revised (measured now).
  const second = await ingestFiles(
    catalog,
    [await writeVersion(dir, 150)],
    at("2025-05-31T06:00Z"),
  );
  const f = second.files[0];
  assert.deepEqual(
    [f.status, f.lines, f.newRows, f.revisedRows, f.unchangedRows],
    ["ingere", 152 * 96, 50 * 96, 8 + 2 * 96, 100 * 96 - 8],
  );
  assert.equal(second.rowsAppended, 50 * 96 + 8 + 2 * 96);
  assert.equal(second.rowsUnchanged, 100 * 96 - 8);
  const counts = compareWithBronze(second, await bronzeFiles(catalog));
  assert.deepEqual(counts.map((c) => c.ecart), [0]);
  // The revised rows carry the new version's lineage; the first version's rows stay.
  const rows = await bronze.read({ columns: ["_source_sha256", "_source_line", "date"] });
  const revised = rows.filter(
    pl.col("_source_sha256").eq(pl.lit(f.sha256)).and(pl.col("date").eq(pl.lit("2025-04-10"))),
  );
  assert.deepEqual(revised.getColumn("_source_line").toArray(), [
    9594,
    9595,
    9596,
    9597,
    9598,
    9599,
    9600,
    9601,
  ]);
  assert.equal(rows.height, 102 * 96 + second.rowsAppended);
  // The whole file, ingested with a clock running late: stamped after the previous version.
  const third = await ingestFiles(catalog, [await writeVersion(dir, 208)], at("2025-01-01T00:00Z"));
  const g = third.files[0];
  assert.deepEqual([g.newRows, g.revisedRows], [56 * 96, 8 + 2 * 96]);
  const stamps = (await bronzeFiles(catalog)).filter(
    pl.col("_source_file").eq(pl.lit(CURRENT)),
  ).getColumn("_ingested_at").toArray() as unknown as Date[];
  assert.equal(stamps.length, 3);
  assert.ok(stamps[2].getTime() > stamps[1].getTime());
  const snap = await bronze.snapshot();
  assert.equal(snap.txns.get(bronzeFileAppId(CURRENT))?.version, 2);
  // The same bytes again: a no-op, as before.
  const again = await ingestFiles(catalog, [await writeVersion(dir, 208)]);
  assert.deepEqual([again.files[0].status, again.version], ["deja_ingere", null]);
});

Deno.test("a version whose rows are all in bronze commits its content hash and no row", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const dir = await Deno.makeTempDir();
  const path = await writeVersion(dir, 20);
  await ingestFiles(catalog, [path]);
  // Same rows, other bytes (a trailing space after the disclaimer): a new content, no new row.
  const bytes = await Deno.readFile(path);
  await Deno.writeFile(path, Uint8Array.from([...bytes.subarray(0, -2), 0x20, 0x0a, 0x0a]));
  const report = await ingestFiles(catalog, [path]);
  assert.deepEqual([report.files[0].status, report.rowsAppended, report.version], ["ingere", 0, 1]);
  assert.equal(report.rowsUnchanged, 22 * 96);
  assert.equal((await ingestFiles(catalog, [path])).files[0].status, "deja_ingere");
});

Deno.test("two versions of a file in one batch are refused; a legacy bronze gains _row_hash", async () => {
  const catalog = openCatalog(await Deno.makeTempDir());
  const [a, b] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  await assert.rejects(
    ingestFiles(catalog, [await writeVersion(a, 10), await writeVersion(b, 11)]),
    (e: unknown) => e instanceof IngestError && e.message.includes(CURRENT),
  );
  assert.equal(await catalog.table("eco2mix_bronze").exists(), false);
  // Bronze written before row hashes: the next version is compared as all revised, once.
  const legacy = toBronze(
    readEco2mixFile(await Deno.readFile(await writeVersion(a, 10)), CURRENT),
    {
      ingestedAt: new Date("2025-01-11T06:00Z"),
    },
  ).drop("_row_hash");
  await catalog.table("eco2mix_bronze").append(legacy);
  const report = await ingestFiles(catalog, [await writeVersion(b, 11)]);
  assert.deepEqual(report.newColumns, []);
  assert.equal(report.files[0].revisedRows, 12 * 96);
  // Then as usual: all but day 11's provisional rows and day 12 (future, now measured).
  const next = await ingestFiles(catalog, [await writeVersion(b, 12)]);
  assert.equal(next.files[0].unchangedRows, 13 * 96 - 8 - 96);
});

Deno.test("concurrent ingests of two versions of a file: the later commit holds the latest rows", async () => {
  const root = await Deno.makeTempDir();
  const catalog = openCatalog(root);
  await ingestFiles(catalog, [await writeVersion(await Deno.makeTempDir(), 30)]);
  const paths = [
    await writeVersion(await Deno.makeTempDir(), 40),
    await writeVersion(await Deno.makeTempDir(), 41),
  ];
  const reports = await Promise.all(paths.map((p) => ingestFiles(openCatalog(root), [p])));
  assert.ok(reports.every((r) => r.files[0].status === "ingere"));
  // Per key, the rows of the latest ingestion are the content of the version committed last.
  const rows = await catalog.table("eco2mix_bronze").read();
  const latest = rows.filter(
    pl.col("_ingested_at").eq(pl.col("_ingested_at").max().over("date", "heure")),
  );
  const last = reports[0].version! > reports[1].version! ? 0 : 1;
  const contents = await Promise.all(
    paths.map(async (p) =>
      toBronze(readEco2mixFile(await Deno.readFile(p), CURRENT), { ingestedAt: new Date() })
    ),
  );
  // Keys the last version lacks (the 41st day, when the 40-day one commits last) keep the
  // other version's rows.
  const expected = pl.concat([
    contents[last],
    contents[1 - last].join(contents[last], { on: ["date", "heure"], how: "anti" }),
  ]);
  assert.deepEqual(
    latest.getColumn("_row_hash").toArray().sort(),
    expected.getColumn("_row_hash").toArray().sort(),
  );
  assert.equal(
    (await catalog.table("eco2mix_bronze").snapshot()).txns.get(bronzeFileAppId(CURRENT))?.version,
    2,
  );
});
