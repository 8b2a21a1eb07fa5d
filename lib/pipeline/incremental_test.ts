// The daily refresh end to end (issue 12, item 1): RTE's current real-time file ingested as it
// grows, version by version, with its last rows revised each time; bronze, silver and gold
// updated incrementally; every table compared with a build from scratch of the last version.
import assert from "node:assert/strict";
import { join } from "node:path";
import { GOLD_TABLES, type LakehouseCatalog, openCatalog } from "./catalog.ts";
import { ingestFiles } from "./ingest.ts";
import { refreshSilver } from "./silver_step.ts";
import { refreshGold } from "./gold_step.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { assertSameRows } from "../testing/same_rows.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
const SILVER_TABLES = [
  "eco2mix_silver",
  "previsions_rte",
  "lacunes",
  "rejets_bronze",
  "qualite_donnees",
  "quarantaine",
];
/** Cut after 100 days, then 150, then the whole download (208 days), each ingested next day. */
const VERSIONS: [number, string][] = [
  [100, "2025-04-11T06:00:00Z"],
  [150, "2025-05-31T06:00:00Z"],
  [208, "2025-07-26T06:00:00Z"],
];

/** Data lines of a version, independently of the readers: lines between header and disclaimer. */
function dataLines(bytes: Uint8Array): string[] {
  return new TextDecoder("windows-1252").decode(bytes).split("\n").slice(1)
    .filter((l) => l.includes("\t"));
}

async function refresh(catalog: LakehouseCatalog) {
  const silver = await refreshSilver(catalog, { invalidValues: "quarantine" });
  const gold = await refreshGold(catalog);
  return { silver, gold };
}

Deno.test("a growing file ingested day after day gives the tables of its last version built from scratch", async () => {
  const download = await Deno.readFile(TR_2025);
  const dir = await Deno.makeTempDir();
  const current = join(dir, "eCO2mix_RTE_En-cours-TR.xls");
  const catalog = openCatalog(join(dir, "incremental"));
  let previous: string[] = [];
  let revisions = 0;
  const modes: string[] = [];
  for (const [days, at] of VERSIONS) {
    const bytes = growingFileVersion(download, { days });
    await Deno.writeFile(current, bytes);
    // Rows the new version changes: lines at a position the previous version had, different.
    const lines = dataLines(bytes);
    revisions += previous.filter((l, i) => lines[i] !== l).length;
    previous = lines;
    await ingestFiles(catalog, [current], { now: new Date(at) });
    const { silver, gold } = await refresh(catalog);
    modes.push(`${silver.mode}/${gold.mode}`);
  }
  assert.deepEqual(modes, [
    "complet/complet",
    "incremental/incremental",
    "incremental/incremental",
  ]);
  // Bronze: the file's rows and their revisions, once each; not three copies.
  assert.equal(revisions, 2 * (8 + 2 * 96)); // provisional rows and future days, each time
  const bronze = await catalog.table("eco2mix_bronze").read({ columns: ["_source_sha256"] });
  assert.equal(bronze.height, 19_968 + revisions);

  const scratch = openCatalog(join(dir, "scratch"));
  await ingestFiles(scratch, [current], { now: new Date(VERSIONS[2][1]) });
  await refresh(scratch);
  for (const name of [...SILVER_TABLES, ...GOLD_TABLES]) {
    const [got, want] = [await catalog.table(name).read(), await scratch.table(name).read()];
    assert.ok(want.height > 0 || ["lacunes", "rejets_bronze", "quarantaine"].includes(name), name);
    // Forecasts come from the version that last changed them: their ingestion time says so.
    assertSameRows(got, want, { label: name, ignore: ["ingested_at"] });
  }
  // The forecasts in force are those of the last version: its future rows are new keys.
  const forecasts = await catalog.table("previsions_rte").read();
  const stamps = forecasts.getColumn("ingested_at").toArray() as unknown as Date[];
  assert.ok(stamps.length > 0 && stamps.every((d) => d.getTime() === Date.parse(VERSIONS[2][1])));
});
