import assert from "node:assert/strict";
import { readEco2mixFile } from "../eco2mix/mod.ts";
import { GrowingFileError, growingFileVersion } from "./growing_file.ts";
import { sharedDataPath } from "./shared_data.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
const text = (b: Uint8Array) => new TextDecoder("windows-1252").decode(b);

Deno.test("a version keeps the download's lines, then provisional and future rows", () => {
  const download = Deno.readFileSync(TR_2025);
  const lines = text(download).split("\n");
  const cut = text(growingFileVersion(download, { days: 100 })).split("\n");
  // Header, 100 days and 2 future days of 96 rows, the disclaimer and the empty line ("\n\n").
  assert.equal(cut.length, 1 + 102 * 96 + 3);
  assert.deepEqual(cut.slice(0, 1 + 100 * 96 - 8), lines.slice(0, 1 + 100 * 96 - 8));
  assert.deepEqual(cut.slice(-3), lines.slice(-3));
  // Day 100 is 2025-04-10: its last two hours are provisional (consumption and gas + 10 MW).
  const header = lines[0].split("\t");
  const [conso, gaz, j1] = ["Consommation", "Gaz", "Prévision J-1"].map((h) => header.indexOf(h));
  const last = 100 * 96;
  const [real, provisional] = [lines[last].split("\t"), cut[last].split("\t")];
  assert.equal(real[2], "2025-04-10");
  assert.equal(Number(provisional[conso]), Number(real[conso]) + 10);
  assert.equal(Number(provisional[gaz]), Number(real[gaz]) + 10);
  assert.deepEqual(
    provisional.filter((_, i) => i !== conso && i !== gaz),
    real.filter((_, i) => i !== conso && i !== gaz),
  );
  // Future rows: the forecast stays, the measurements are gone.
  const future = cut[last + 1].split("\t");
  assert.equal(future[2], "2025-04-11");
  assert.equal(future[conso], "");
  assert.equal(future[j1], lines[last + 1].split("\t")[j1]);
  // The reader takes it as an RTE file with the download's line numbers.
  const [table] = readEco2mixFile(growingFileVersion(download, { days: 100 }), "tr.xls");
  assert.equal(table.meta.dataLines, 102 * 96);
  assert.equal(table.frame.getColumn("_source_line").toArray().at(-1), 1 + 102 * 96);
});

Deno.test("a cut at or after the last day is the download itself; a bad cut is refused", () => {
  const download = Deno.readFileSync(TR_2025);
  assert.deepEqual(growingFileVersion(download, { days: 208 }), download);
  assert.deepEqual(growingFileVersion(download, { days: 400 }), download);
  assert.throws(() => growingFileVersion(download, { days: 0 }), GrowingFileError);
  assert.throws(
    () => growingFileVersion(new TextEncoder().encode("a\tb\n1\t2\n"), { days: 1 }),
    GrowingFileError,
  );
});

Deno.test("a quarter-hour version measures that many rows of the next day, the rest is future", () => {
  const download = Deno.readFileSync(TR_2025);
  const lines = text(download).split("\n");
  const conso = lines[0].split("\t").indexOf("Consommation");
  const options = { days: 2, quarterHours: 37, provisionalRows: 0 };
  const cut = text(growingFileVersion(download, options)).split("\n");
  // Header, days 1 and 2, day 3 (37 rows measured) and day 4 in the future, disclaimer, "\n\n".
  assert.equal(cut.length, 1 + 4 * 96 + 3);
  const measured = 1 + 2 * 96 + 37;
  assert.deepEqual(cut.slice(0, measured), lines.slice(0, measured));
  const next = cut[measured].split("\t");
  assert.deepEqual([next[2], next[3], next[conso]], ["2025-01-03", "09:15", ""]);
  const [table] = readEco2mixFile(growingFileVersion(download, options), "tr.xls");
  assert.equal(table.meta.dataLines, 4 * 96);
  assert.throws(
    () => growingFileVersion(download, { days: 2, quarterHours: 96 }),
    GrowingFileError,
  );
});
