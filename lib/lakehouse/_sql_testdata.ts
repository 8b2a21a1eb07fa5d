/**
 * Test fixture of the SQL layer and of its command line (lib/pipeline/sql_cli_test.ts): a small
 * lakehouse built with the layer. `mesures` (silver, partitioned by annee and region with a null
 * region) goes through append, append, overwrite and merge; `regions` (gold) is joined.
 *
 * @module
 */

import pl from "nodejs-polars";
import { join } from "node:path";
import { Catalog } from "./catalog.ts";
import { commitFileName } from "./log.ts";

export interface Row {
  annee: number;
  region: string | null;
  id: number;
  heure: number; // hours after 2025-01-01T00:00Z
  mw: number;
}

/**
 * The polars frame of `rows` (`instant` is a UTC datetime, `heure` hours after 2025-01-01).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frame, V0 } from "./_sql_testdata.ts";
 * assert.equal(frame(V0).height, V0.length);
 * ```
 */
export const frame = (rows: Row[]) =>
  pl.DataFrame({
    annee: rows.map((r) => r.annee),
    region: rows.map((r) => r.region),
    id: rows.map((r) => r.id),
    instant: rows.map((r) => Date.UTC(2025, 0, 1) + r.heure * 3_600_000),
    mw: rows.map((r) => r.mw),
  }).withColumns(
    pl.col("annee").cast(pl.Int32),
    pl.col("region").cast(pl.String),
    pl.col("id").cast(pl.Int64),
    pl.col("instant").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
  );

export const V0: Row[] = [
  { annee: 2024, region: "Bretagne", id: 1, heure: 0, mw: 2500 },
  { annee: 2024, region: "PACA", id: 2, heure: 1, mw: 4800.5 },
  { annee: 2025, region: "Bretagne", id: 3, heure: 2, mw: 2600 },
  { annee: 2025, region: null, id: 4, heure: 3, mw: 100 },
  { annee: 2025, region: "PACA", id: 5, heure: 4, mw: 5000 },
  { annee: 2025, region: null, id: 6, heure: 5, mw: 200.25 },
];
export const V1_ADDED: Row[] = [
  { annee: 2025, region: "Normandie", id: 7, heure: 6, mw: 3100 },
  { annee: 2025, region: "Bretagne", id: 8, heure: 7, mw: 2700 },
  { annee: 2025, region: null, id: 9, heure: 8, mw: 300 },
];
export const V2: Row[] = [
  { annee: 2025, region: "Bretagne", id: 1, heure: 10, mw: 2550 },
  { annee: 2025, region: "PACA", id: 2, heure: 11, mw: 4900 },
  { annee: 2025, region: null, id: 3, heure: 12, mw: 150 },
  { annee: 2025, region: "Normandie", id: 4, heure: 13, mw: 3000 },
  { annee: 2025, region: "PACA", id: 5, heure: 14, mw: 5100 },
];
export const V3_MERGED: Row[] = [
  { annee: 2025, region: "PACA", id: 5, heure: 14, mw: 5200 }, // updates id 5
  { annee: 2025, region: null, id: 10, heure: 15, mw: 50 }, // new
];
/** The rows of each version, computed independently of the layer and of SQL. */
export const VERSIONS: Row[][] = [
  V0,
  [...V0, ...V1_ADDED],
  V2,
  [...V2.filter((r) => !V3_MERGED.some((m) => m.id === r.id)), ...V3_MERGED],
];
const COMMIT_TIMES = ["2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z"]
  .concat("2025-01-04T00:00:00Z").map((t) => Date.parse(t));

export const REGIONS = pl.DataFrame({
  region: ["Bretagne", "Normandie", "PACA"],
  nom: ["Bretagne", "Normandie", "Provence-Alpes-Côte d'Azur"],
  code_insee: [53, 28, 93],
}).withColumns(pl.col("code_insee").cast(pl.Int32));

/**
 * Runs `fn` on a fresh temporary lakehouse holding `mesures` at its four versions and
 * `regions`, then removes the folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSIONS, withLakehouse } from "./_sql_testdata.ts";
 * await withLakehouse(async (catalog) => {
 *   assert.equal((await catalog.table("mesures").read()).height, VERSIONS[3].length);
 * });
 * ```
 */
export async function withLakehouse(fn: (catalog: Catalog, root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "sql_test_" });
  try {
    const catalog = new Catalog(root, [
      { name: "mesures", layer: "silver", partitionColumns: ["annee", "region"] },
      { name: "regions", layer: "gold" },
      { name: "jamais_ecrite", layer: "gold" },
    ]);
    const mesures = catalog.table("mesures");
    await mesures.append(frame(V0));
    await mesures.append(frame(V1_ADDED));
    await mesures.overwrite(frame(V2));
    await mesures.merge(frame(V3_MERGED), { keys: ["id"] });
    // Commit times the timestamp time travel can rely on (file times are the commit times).
    for (const [v, t] of COMMIT_TIMES.entries()) {
      const file = join(catalog.pathOf("mesures"), "_delta_log", commitFileName(v));
      await Deno.utime(file, t / 1000, t / 1000);
    }
    await catalog.table("regions").append(REGIONS);
    await fn(catalog, root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
