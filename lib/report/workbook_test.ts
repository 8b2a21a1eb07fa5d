import assert from "node:assert/strict";
import pl from "nodejs-polars";
import * as XLSX from "xlsx";
import {
  goldWorkbook,
  MAX_SHEET_CELLS,
  WorkbookLimitError,
  WorkbookValueError,
} from "./workbook.ts";

Deno.test("every table is a sheet with its rows, dates as Excel dates in Paris time", () => {
  const mix = pl.DataFrame({
    perimetre: ["France", "France"],
    date: pl.Series(
      "date",
      [new Date("2025-03-30T00:00:00Z"), new Date("2025-03-31T00:00:00Z")],
      pl.Date,
    ),
    part_nucleaire_pct: [68.25, 70.5],
  });
  const forecasts = pl.DataFrame({
    timestamp: pl.Series("timestamp", [new Date("2025-03-30T01:00:00Z")], pl.Datetime("ms", "UTC")),
    consommation_reelle: [55_000],
  });
  const bytes = goldWorkbook([
    { name: "mix_energetique_quotidien", description: "Mix quotidien", frame: mix },
    {
      name: "consommation_previsions_avec_un_nom_tres_long",
      description: "Prévisions",
      frame: forecasts,
    },
  ], new Date("2026-01-01T00:00:00Z"));
  const book = XLSX.read(bytes, { type: "array" });
  assert.deepEqual(book.SheetNames, [
    "Lisez-moi",
    "mix_energetique_quotidien",
    "consommation_previsions_avec_un",
  ]);
  const rows = XLSX.utils.sheet_to_json(book.Sheets.mix_energetique_quotidien, {
    raw: false,
  }) as Record<string, string>[];
  assert.deepEqual(rows.map((r) => r.date), ["2025-03-30", "2025-03-31"]);
  const raw = XLSX.utils.sheet_to_json(book.Sheets.mix_energetique_quotidien) as Record<
    string,
    number
  >[];
  assert.equal(raw[1].part_nucleaire_pct, 70.5);
  assert.equal(raw[0].date, 45746); // Excel's serial number of 2025-03-30
  const f = XLSX.utils.sheet_to_json(book.Sheets.consommation_previsions_avec_un, {
    raw: false,
  }) as Record<string, string>[];
  // 01:00 UTC on 30 March 2025 is 03:00 in Paris (summer time started at 02:00).
  assert.equal(f[0]["timestamp (heure de Paris)"], "2025-03-30 03:00");
  const readme = XLSX.utils.sheet_to_json(book.Sheets["Lisez-moi"], { header: 1 }) as unknown[][];
  assert.deepEqual(readme.at(-1), [
    "consommation_previsions_avec_un",
    "consommation_previsions_avec_un_nom_tres_long",
    1,
    "Prévisions",
  ]);
});

Deno.test("a table of more cells than a sheet holds is refused with its size", () => {
  const rows = MAX_SHEET_CELLS / 2 + 1;
  const frame = pl.DataFrame({ a: new Float64Array(rows), b: new Float64Array(rows) });
  assert.throws(
    () => goldWorkbook([{ name: "grande", description: "", frame }]),
    (e: unknown) =>
      e instanceof WorkbookLimitError && e.message.startsWith("grande: 1000001 rows × 2"),
  );
});

Deno.test("cells keep their type, missing values stay empty, a list is refused with its column", () => {
  const frame = pl.DataFrame({
    texte: ["a", null],
    nombre: [1.5, null],
    vrai: [true, false],
  }).withColumns(pl.lit(7).cast(pl.UInt64).alias("compte"));
  const book = XLSX.read(goldWorkbook([{ name: "t", description: "", frame }]), { type: "array" });
  const cells = book.Sheets.t;
  assert.deepEqual(
    ["A2", "B2", "C2", "D2", "C3", "D3"].map((a) => [cells[a].t, cells[a].v]),
    [["s", "a"], ["n", 1.5], ["b", true], ["n", 7], ["b", false], ["n", 7]],
  );
  assert.equal(cells.A3, undefined);
  assert.equal(cells.B3, undefined);
  const lists = pl.DataFrame({ l: [[1, 2]] });
  assert.throws(
    () => goldWorkbook([{ name: "listes", description: "", frame: lists }]),
    (e: unknown) => e instanceof WorkbookValueError && e.message.startsWith("listes, column l:"),
  );
});
