import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { COLUMNS, readEco2mix, readEco2mixFile } from "../eco2mix/mod.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { bronzeDelta, LINEAGE_COLUMNS, newFiles, ROW_KEY_COLUMNS, toBronze } from "./bronze.ts";
import { growingFileVersion } from "../testing/growing_file.ts";

const AT = new Date("2025-07-26T08:00:00Z");
const read = (path: string, name = path) =>
  readEco2mix(Deno.readFileSync(sharedDataPath(path)), name);

Deno.test("bronze keeps every data line of every file, with lineage", () => {
  const tr = read("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls", "tr2025.xls");
  const region = read("eco2mix/regional/eCO2mix_RTE_Bretagne_Annuel-Definitif_2014.xls", "b.xls");
  const odre = read("eco2mix/odre/eco2mix-national-tr_2021-12.csv", "odre.csv");
  const bronze = toBronze([tr, region, odre], { ingestedAt: AT });
  assert.equal(bronze.height, 19_968 + 35_040 + 2_976);
  assert.deepEqual(bronze.columns, [...COLUMNS.map((c) => c.name), ...LINEAGE_COLUMNS]);
  for (const name of COLUMNS.map((c) => c.name)) {
    assert.ok(bronze.getColumn(name).dtype.equals(pl.String), name);
  }
  assert.ok(bronze.getColumn("_source_line").dtype.equals(pl.Int32));
  assert.ok(bronze.getColumn("_ingested_at").dtype.equals(pl.Datetime("ms", "UTC")));

  const perFile = bronze.groupBy("_source_file").agg(
    pl.col("_source_line").count().alias("n"),
    pl.col("_source_line").min().alias("first"),
    pl.col("_source_line").max().alias("last"),
    pl.col("_format").first().alias("format"),
    pl.col("_source_sha256").first().alias("sha"),
  ).sort("_source_file").toRecords();
  assert.deepEqual(perFile, [
    {
      _source_file: "b.xls",
      n: 35_040,
      first: 2,
      last: 35_041,
      format: "rte_regional",
      sha: region.meta.sha256,
    },
    {
      _source_file: "odre.csv",
      n: 2_976,
      first: 2,
      last: 2_977,
      format: "odre_national",
      sha: odre.meta.sha256,
    },
    {
      _source_file: "tr2025.xls",
      n: 19_968,
      first: 2,
      last: 19_969,
      format: "rte_national",
      sha: tr.meta.sha256,
    },
  ]);
  assert.equal(
    (bronze.getColumn("_ingested_at").toArray()[0] as unknown as Date).toISOString(),
    "2025-07-26T08:00:00.000Z",
  );
  // Cells are untouched: the regional `-` and the absent national columns stay as read.
  const b = bronze.filter(pl.col("_source_file").eq(pl.lit("b.xls"))).head(2).toRecords();
  assert.equal(b[0].nucleaire, "-");
  assert.equal(b[0].fioul, null);
  assert.equal(b[1].consommation, null); // the empty 00:15 row is there
  const dst = bronze.filter(
    pl.col("_source_file").eq(pl.lit("tr2025.xls")).and(pl.col("date").eq(pl.lit("2025-03-30"))),
  );
  assert.equal(dst.height, 96); // DST filler rows included
});

Deno.test("unknown columns are kept as strings after the catalogue columns", () => {
  const text = "Date;Heure;Consommation;Indice X\r\n2025-01-01;00:00;1;a\r\n";
  const table = readEco2mix(new TextEncoder().encode(text), "x.csv");
  const bronze = toBronze([table], { ingestedAt: AT });
  assert.deepEqual(bronze.columns.slice(COLUMNS.length), ["indice_x", ...LINEAGE_COLUMNS]);
  assert.equal(bronze.getColumn("indice_x").toArray()[0], "a");
});

Deno.test("no table gives an empty frame with the bronze schema", () => {
  const bronze = toBronze([], { ingestedAt: AT });
  assert.equal(bronze.height, 0);
  assert.deepEqual(bronze.columns, [...COLUMNS.map((c) => c.name), ...LINEAGE_COLUMNS]);
});

Deno.test("newFiles: already-ingested hashes and duplicate contents are skipped", () => {
  const bytes = Deno.readFileSync(sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls"));
  const [a] = readEco2mixFile(bytes, "a.xls");
  const [copy] = readEco2mixFile(bytes, "copy.xls");
  const [other] = readEco2mixFile(bytes.subarray(0), "other.xls");
  assert.equal(a.meta.sha256, copy.meta.sha256);
  const metas = [a.meta, copy.meta, other.meta];
  assert.deepEqual(newFiles(metas, []).map((m) => m.file), ["a.xls"]);
  assert.deepEqual(newFiles(metas, [a.meta.sha256]), []);
  const files = [{ sha256: "1" }, { sha256: "2" }, { sha256: "1" }, { sha256: "3" }];
  assert.deepEqual(newFiles(files, new Set(["2"])), [{ sha256: "1" }, { sha256: "3" }]);
});

const TR_2025 = "eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls";

/** The bronze frame of the 2025 real-time file cut after `days` days, named like RTE's. */
function version(days: number, at: Date): pl.DataFrame {
  const bytes = growingFileVersion(Deno.readFileSync(sharedDataPath(TR_2025)), { days });
  return toBronze(readEco2mixFile(bytes, "eCO2mix_RTE_En-cours-TR.xls"), { ingestedAt: at });
}

Deno.test("_row_hash: the same content hashes alike in any file or batch, other content not", () => {
  const [a] = readEco2mixFile(Deno.readFileSync(sharedDataPath(TR_2025)), "a.xls");
  const text = "Date;Heure;Consommation;Indice X\r\n2025-01-01;00:00;1;a\r\n";
  const unknown = readEco2mix(new TextEncoder().encode(text), "x.csv");
  const alone = toBronze([a], { ingestedAt: AT }).getColumn("_row_hash").toArray();
  // Another file in the batch brings a column: this file's hashes do not move.
  const batch = toBronze([unknown, a], { ingestedAt: new Date(0) });
  assert.deepEqual(batch.getColumn("_row_hash").toArray().slice(1), alone);
  assert.match(String(alone[0]), /^\d+-\d+$/);
  // Every row holds its own instant: distinct content, distinct hashes.
  assert.equal(new Set(alone).size, alone.length);
  const edited = toBronze(
    readEco2mixFile(
      growingFileVersion(Deno.readFileSync(sharedDataPath(TR_2025)), { days: 207 }),
      "a.xls",
    ),
    { ingestedAt: AT },
  ).getColumn("_row_hash").toArray();
  // The 207-day version differs only in its 8 provisional rows: the download's own future rows
  // (from 2025-07-25 15:30) already hold nothing but forecasts and schedules.
  const changed = alone.filter((h, i) => h !== edited[i]).length;
  assert.equal(changed, 8);
});

Deno.test("bronzeDelta: a new version adds its new and revised rows, not the unchanged ones", () => {
  const v1 = version(100, new Date("2025-04-11T06:00:00Z"));
  const v2 = version(150, new Date("2025-05-31T06:00:00Z"));
  const first = bronzeDelta(v1, v1.head(0));
  assert.equal(first.rows.height, v1.height);
  const delta = bronzeDelta(v2, v1);
  // Day 100's 8 provisional rows and the 2 future days of v1 were revised; 48 days are new.
  assert.deepEqual(delta.counts.toRecords(), [{
    _source_file: "eCO2mix_RTE_En-cours-TR.xls",
    lignes_nouvelles: 48 * 96 + 2 * 96,
    lignes_revisees: 8 + 2 * 96,
    lignes_inchangees: 100 * 96 - 8,
  }]);
  assert.equal(delta.rows.height, v2.height - (100 * 96 - 8));
  assert.deepEqual(delta.rows.columns, v2.columns);
  assert.equal(delta.rows.getColumn("_source_line").min(), 1 + 100 * 96 - 8 + 1);
  // Against both earlier versions, the latest one counts: v2's own rows are unchanged.
  const bronze = pl.concat([v1, delta.rows]);
  const again = bronzeDelta(version(150, new Date("2025-06-01T06:00:00Z")), bronze);
  assert.equal(again.rows.height, 0);
  // v1 served again: its rows differ from v2's, the latest version of their keys.
  const v3 = version(100, new Date("2025-06-01T06:00:00Z"));
  const revert = bronzeDelta(v3, bronze).counts.toRecords()[0];
  assert.equal(revert.lignes_revisees, 8 + 2 * 96);
});

Deno.test("bronzeDelta: rows without a hash, and keys written twice, compare as a whole", () => {
  const v1 = version(10, new Date(0));
  const legacy = v1.withColumn(pl.lit(null).cast(pl.Utf8).alias("_row_hash"));
  const counts = bronzeDelta(version(10, new Date(1)), legacy).counts.toRecords()[0];
  assert.equal(counts.lignes_revisees, v1.height);
  // A key twice in the incoming file (once as bronze has it): the key is revised, both stay.
  const twice = pl.concat([v1, v1.tail(1)]);
  const delta = bronzeDelta(twice, v1);
  assert.equal(delta.rows.height, 2);
  assert.equal(delta.rows.select(...ROW_KEY_COLUMNS).unique().height, 1);
});
