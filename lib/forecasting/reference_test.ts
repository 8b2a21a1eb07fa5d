import assert from "node:assert/strict";
import { join } from "node:path";
import { sharedDataPath } from "../testing/shared_data.ts";
import {
  findReferenceFiles,
  loadReference,
  readConsumptionHistory,
  ReferenceDataError,
} from "./reference.ts";
import { HALF_HOUR_MS, seriesLength, slotIndex } from "./series.ts";

const HISTORY = sharedDataPath("eco2mix/odre/consommation-quotidienne-brute.csv.gz");

async function csvLines(path: string): Promise<string[]> {
  const stream = (await Deno.open(path)).readable.pipeThrough(new DecompressionStream("gzip"));
  return (await new Response(stream).text()).split("\r\n");
}

Deno.test("the consumption history: every UTC half-hour of 2012-2025, values as in the CSV", async () => {
  const series = await readConsumptionHistory(HISTORY);
  assert.equal(series.startMs, Date.UTC(2011, 11, 31, 23)); // 2012-01-01 00:00 in Paris
  const end = Date.UTC(2025, 9, 31, 22, 30); // 2025-10-31 23:30 in Paris
  assert.equal(seriesLength(series), (end - series.startMs) / HALF_HOUR_MS + 1);
  // Independent reading of three rows by their UTC stamp (`Date - Heure`).
  const lines = await csvLines(HISTORY);
  const header = lines[0].replace(/^\uFEFF/, "").split(";");
  const column = header.indexOf("Consommation brute électricité (MW) - RTE");
  for (
    const stamp of [
      "2025-06-14T10:30:00+00:00",
      "2016-01-09T00:00:00+00:00",
      "2023-10-29T01:00:00+00:00",
    ]
  ) {
    const row = lines.find((l) => l.startsWith(stamp))!.split(";");
    assert.equal(
      series.consommation[slotIndex(series, Date.parse(stamp))],
      Number(row[column]),
      stamp,
    );
  }
  // Nothing is missing but the fall-back hours the file never holds (one CEST hour per year,
  // 2012-2024: 2 slots each) and the 3 half-hours quarantined as contradictory duplicates
  // that interpolation filled: so at most 26 missing slots.
  const missing = series.consommation.filter(Number.isNaN).length;
  assert.ok(missing <= 26, String(missing));
});

Deno.test("reference files are found by name anywhere under the folder", async () => {
  const found = await findReferenceFiles(sharedDataPath());
  assert.deepEqual(found.history.map((p) => p.split("/").at(-1)), [
    "consommation-quotidienne-brute.csv.gz",
  ]);
  assert.equal(found.temperatures.length, 1);
  assert.equal(found.tempo.length, 12);
  assert.deepEqual(await findReferenceFiles(join(await Deno.makeTempDir(), "absent")), {
    history: [],
    temperatures: [],
    tempo: [],
  });
});

Deno.test("what is missing is said, in French; two histories are an error", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "meteo"));
  await Deno.symlink(
    sharedDataPath("weather/temperature-quotidienne-regionale.csv"),
    join(dir, "meteo", "temperature-quotidienne-regionale.csv"),
  );
  await Deno.symlink(
    sharedDataPath("eco2mix/tempo/eCO2mix_RTE_tempo_2024-2025.xls"),
    join(dir, "eCO2mix_RTE_tempo_2024-2025.xls"),
  );
  const ref = await loadReference(dir);
  assert.equal(ref.history, null);
  assert.equal(ref.tempo!.calendar.size, 365);
  assert.deepEqual(ref.temperatures!.files.map((f) => f.file), [
    "meteo/temperature-quotidienne-regionale.csv",
  ]);
  assert.equal(
    ref.temperatures!.files[0].sha256,
    "acb21918c3746687ef421dabaf9c52a7654c6ee979def9e86fd63ea7a211c94e", // SOURCES.md §11
  );
  assert.equal(ref.missing.length, 1);
  assert.match(ref.missing[0], /^historique national de consommation/);
  await Deno.writeTextFile(join(dir, "consommation-quotidienne-brute.csv"), "a;b\r\n");
  await Deno.writeTextFile(join(dir, "meteo", "consommation-quotidienne-brute-2.csv"), "a;b\r\n");
  await assert.rejects(
    () => loadReference(dir),
    (e: unknown) =>
      e instanceof ReferenceDataError && /2 consumption histories found/.test(e.message),
  );
});
