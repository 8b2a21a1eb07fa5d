/**
 * Benchmarks of SQL over the lakehouse: `deno bench -A lib/bench/sql_bench.ts`.
 *
 * Queried end to end (DuckDB start, log replay, views, query, result into polars), with the
 * layer's own read + polars as a baseline:
 * - a synthetic eco2mix-like silver table (100,000 quarter-hours, 12 columns, partitioned by
 *   local month: 35 partitions);
 * - the real silver table of the 12 regional 2014 files (210,240 half-hours, 75 columns), built
 *   with the project's bronze and silver steps;
 * - a table of 1,000 one-row files (view creation grows with the file count).
 */

import pl from "nodejs-polars";
import { readEco2mix } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import { Catalog } from "../lakehouse/catalog.ts";
import { querySql } from "../lakehouse/sql.ts";

const tmp = await Deno.makeTempDir();
globalThis.addEventListener("unload", () => Deno.removeSync(tmp, { recursive: true }));

const ROWS = 100_000;
const catalog = new Catalog(tmp, [
  { name: "eco2mix_silver", layer: "silver", partitionColumns: ["annee_mois"] },
  { name: "regions_2014", layer: "silver", partitionColumns: ["annee_mois"] },
  { name: "petits_fichiers", layer: "bronze" },
]);

const start = Date.UTC(2022, 0, 1);
const wave = (period: number, amplitude: number, base: number) =>
  Float64Array.from(
    { length: ROWS },
    (_, k) => base + amplitude * Math.sin(2 * Math.PI * k / period),
  );
const silver = pl.DataFrame({
  perimetre: Array(ROWS).fill("France"),
  timestamp_utc: Float64Array.from({ length: ROWS }, (_, k) => start + k * 900_000),
  consommation: wave(96, 8000, 52000),
  nucleaire: wave(96 * 7, 3000, 38000),
  eolien: wave(96 * 3, 4000, 5000),
  solaire: wave(96, 3000, 3000),
  gaz: wave(96 * 2, 1500, 3500),
  hydraulique: wave(96, 2000, 6000),
  ech_physiques: wave(96 * 5, 5000, -5000),
  taux_co2: wave(96, 10, 25),
}).withColumns(
  pl.col("timestamp_utc").cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
).withColumns(
  pl.col("timestamp_utc").dt.convertTimeZone("Europe/Paris").dt.strftime("%Y-%m")
    .alias("annee_mois"),
  pl.col("timestamp_utc").dt.convertTimeZone("Europe/Paris").dt.strftime("%Y-%m-%d")
    .alias("jour"),
);
await catalog.table("eco2mix_silver").append(silver);

const tables = REGIONAL_2014.map((p) => readEco2mix(Deno.readFileSync(sharedDataPath(p)), p));
const { silver: real } = toSilver(
  toBronze(tables, { ingestedAt: new Date("2025-07-26T08:00:00Z") }),
);
await catalog.table("regions_2014").append(real);

// 1,000 small files (one row each): view creation cost grows with the file count.
const tiny = catalog.table("petits_fichiers");
for (let f = 0; f < 1000; f++) await tiny.append(pl.DataFrame({ f: [f], mw: [f * 1.5] }));

const GROUP_BY = "SELECT annee_mois, count(*) AS n, avg(consommation) AS conso_moy, " +
  "max(consommation) AS conso_max, sum(consommation * 0.25) AS mwh " +
  "FROM eco2mix_silver GROUP BY annee_mois ORDER BY annee_mois";

Deno.bench("SQL group-by month over 100k rows (end to end)", { baseline: true }, async () => {
  const df = await querySql(catalog, GROUP_BY);
  if (df.height !== 35) throw new Error(`${df.height} months`);
});

Deno.bench("layer read() + polars group-by, same result", async () => {
  const df = (await catalog.table("eco2mix_silver").read())
    .groupBy("annee_mois")
    .agg(
      pl.len().alias("n"),
      pl.col("consommation").mean().alias("conso_moy"),
      pl.col("consommation").max().alias("conso_max"),
      pl.col("consommation").mul(0.25).sum().alias("mwh"),
    )
    .sort("annee_mois");
  if (df.height !== 35) throw new Error(`${df.height} months`);
});

Deno.bench("SQL daily mean of one month (partition filter)", async () => {
  const df = await querySql(
    catalog,
    "SELECT jour, avg(consommation) AS mw FROM eco2mix_silver " +
      "WHERE annee_mois = '2023-03' GROUP BY jour",
  );
  if (df.height !== 31) throw new Error(`${df.height} days`);
});

Deno.bench("SQL SELECT * of 100k rows into polars", async () => {
  const df = await querySql(catalog, "SELECT * FROM eco2mix_silver");
  if (df.height !== ROWS) throw new Error(`${df.height} rows`);
});

Deno.bench("real 2014 regions: national consumption in TWh (210k rows)", async () => {
  const df = await querySql(
    catalog,
    "SELECT sum(consommation * pas_minutes / 60) / 1e6 AS twh FROM regions_2014",
  );
  // RTE's 2014 mainland consumption (SOURCES.md): about 462.3 TWh.
  if (Math.abs((df.getColumn("twh").toArray()[0] as number) - 462.3) > 0.1) {
    throw new Error("wrong total");
  }
});

Deno.bench("real 2014 regions: monthly GWh and peak per region (144 groups)", async () => {
  const df = await querySql(
    catalog,
    "SELECT perimetre, annee_mois, sum(consommation * pas_minutes / 60) / 1e3 AS gwh, " +
      "max(consommation) AS pointe_mw FROM silver.regions_2014 GROUP BY ALL ORDER BY ALL",
  );
  if (df.height !== 144) throw new Error(`${df.height} groups`);
});

Deno.bench("real 2014 regions: SELECT * into polars (210k x 75)", async () => {
  const df = await querySql(catalog, "SELECT * FROM regions_2014");
  if (df.height !== real.height) throw new Error(`${df.height} rows`);
});

Deno.bench("real 2014 regions: layer read() of every column", async () => {
  const df = await catalog.table("regions_2014").read();
  if (df.height !== real.height) throw new Error(`${df.height} rows`);
});

Deno.bench("SQL count over 1,000 small files", async () => {
  const df = await querySql(catalog, "SELECT count(*) AS n FROM petits_fichiers");
  if (df.getColumn("n").toArray()[0] !== 1000) throw new Error("wrong count");
});

Deno.bench("SQL without a table (DuckDB start + result into polars)", async () => {
  await querySql(catalog, "SELECT 42 AS x");
});
