import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { COLUMNS, readEco2mix, readEco2mixFile } from "../eco2mix/mod.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { LINEAGE_COLUMNS, newFiles, toBronze } from "./bronze.ts";

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
