import assert from "node:assert/strict";
import * as XLSX from "xlsx";
import { deflateStoredEntries, ZipFormatError } from "./_zip.ts";

function storedWorkbook(rows: number): Uint8Array {
  const book = XLSX.utils.book_new();
  const cells = [["instant", "valeur", "texte"]];
  for (let i = 0; i < rows; i++) cells.push([String(i), String(i * 1.5), `ligne ${i} é`]);
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(cells), "donnees");
  const zip = XLSX.write(book, { type: "buffer", bookType: "xlsx", compression: false });
  return new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength);
}

/** Python's zipfile, an independent reader: each entry's name, method and CRC-checked content. */
async function pythonEntries(zip: Uint8Array): Promise<[string, number, string][]> {
  const path = await Deno.makeTempFile({ suffix: ".zip" });
  try {
    await Deno.writeFile(path, zip);
    const script = "import sys, zipfile, hashlib, json\n" +
      "z = zipfile.ZipFile(sys.argv[1])\n" +
      "assert z.testzip() is None\n" +
      "print(json.dumps([[i.filename, i.compress_type, " +
      "hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))";
    const out = await new Deno.Command("python3", { args: ["-c", script, path], stderr: "piped" })
      .output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("every stored entry is deflated, with the same names, order and contents", async () => {
  const stored = storedWorkbook(5_000);
  const zipped = deflateStoredEntries(stored);
  const before = await pythonEntries(stored);
  const after = await pythonEntries(zipped);
  assert.ok(before.every(([, method]) => method === 0));
  assert.deepEqual(after.map(([name, , sha]) => [name, sha]), before.map(([n, , s]) => [n, s]));
  assert.ok(after.every(([, method]) => method === 8), JSON.stringify(after));
  assert.ok(zipped.length < stored.length / 4, `${zipped.length} of ${stored.length}`);
  // And SheetJS reads its own workbook back.
  const sheet = XLSX.read(zipped).Sheets.donnees;
  assert.equal(XLSX.utils.sheet_to_json(sheet).length, 5_000);
});

Deno.test("an archive already deflated passes through unchanged in content", async () => {
  const once = deflateStoredEntries(storedWorkbook(50));
  const twice = deflateStoredEntries(once);
  assert.deepEqual(twice, once);
  assert.equal((await pythonEntries(twice)).length, (await pythonEntries(once)).length);
});

Deno.test("what SheetJS never writes is a ZipFormatError", () => {
  const stored = storedWorkbook(10);
  // A comment after the end record.
  const commented = new Uint8Array(stored.length + 2);
  commented.set(stored);
  assert.throws(() => deflateStoredEntries(commented), ZipFormatError);
  // A data descriptor flag on the first entry.
  const flagged = stored.slice();
  flagged[6] |= 1 << 3;
  assert.throws(() => deflateStoredEntries(flagged), /data descriptor/);
  // Cut in the middle.
  assert.throws(() => deflateStoredEntries(stored.subarray(0, stored.length / 2)), ZipFormatError);
});
