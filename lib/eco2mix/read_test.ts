import assert from "node:assert/strict";
import { zipSync } from "fflate";
import pl from "nodejs-polars";
import * as XLSX from "xlsx";
import { sharedDataPath } from "../testing/shared_data.ts";
import {
  Eco2mixColumnError,
  Eco2mixEmptyError,
  Eco2mixFormatError,
  Eco2mixNotDataError,
  Eco2mixRowError,
  Eco2mixTruncatedError,
} from "./errors.ts";
import { readEco2mix, readEco2mixFile, sha256Hex } from "./read.ts";

const TR_2016 = "eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls";
const TR_2025 = "eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls";
const ODRE_TR = "eco2mix/odre/eco2mix-national-tr_2021-12.csv";
const CONSO_BRUTE = "eco2mix/odre/consommation-quotidienne-brute.csv.gz";
const REGIONAL = "eco2mix/regional";

const bytesOf = (path: string) => Deno.readFileSync(sharedDataPath(path));
const latin1Text = (bytes: Uint8Array) => new TextDecoder("windows-1252").decode(bytes);
const latin1Bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** Rows where `expr` holds (Series.sum() of booleans is broken in nodejs-polars 0.25). */
const count = (frame: pl.DataFrame, expr: pl.Expr) => frame.filter(expr).height;
const column = (frame: pl.DataFrame, name: string) =>
  frame.getColumn(name).toArray() as (string | null)[];

/** Independent reference: split the RTE text by hand (data lines between header and disclaimer). */
function handSplit(text: string): string[][] {
  const lines = text.split("\n");
  const end = lines.findIndex((l) => l.startsWith("RTE ne pourra"));
  return lines.slice(1, end).map((l) => l.split("\t"));
}

Deno.test("TR 2025 (40 columns): 19,968 data lines, every cell as in the file", () => {
  const bytes = bytesOf(TR_2025);
  const { frame, meta } = readEco2mix(bytes, "TR_2025.xls");
  assert.equal(meta.variant, "rte_national");
  assert.equal(meta.encoding, "iso-8859-1");
  assert.equal(meta.separator, "\t");
  assert.equal(meta.columns.length, 40);
  assert.equal(meta.dataLines, 19_968);
  assert.equal(frame.height, 19_968);
  assert.deepEqual(meta.natures, ["temps_reel"]);
  assert.deepEqual(meta.perimeters, ["France"]);
  assert.deepEqual(meta.unknownColumns, []);
  assert.match(meta.disclaimer ?? "", /^RTE ne pourra être tenu responsable/);
  assert.equal(meta.sha256, "71434e40f3920aedbdf2e339d7b2ad45437e9d16c66b701771001708aaa87bca");

  const rows = handSplit(latin1Text(bytes));
  assert.equal(rows.length, 19_968);
  assert.ok(rows.every((r) => r.length === 41 && r[40] === ""));
  // Column by column, the reader returns exactly the hand-split cells (empty -> null).
  for (const [i, name] of meta.columns.map((c) => c.name).entries()) {
    const expected = rows.map((r) => r[i] === "" ? null : r[i]);
    assert.deepEqual(column(frame, name), expected, name);
  }
  assert.deepEqual(column(frame, "_source_line").slice(0, 3), [2, 3, 4]);
  assert.equal(column(frame, "_source_line").at(-1), 19_969);
  // 19,742 rows with a consumption value, 226 future rows; ND only in 95 future cells.
  assert.equal(count(frame, pl.col("consommation").isNotNull()), 19_742);
  assert.equal(count(frame, pl.col("prevision_j1").eq(pl.lit("ND"))), 95);
  assert.equal(meta.columns[36].header, " Stockage batterie");
  assert.equal(meta.columns[36].name, "stockage_batterie");
});

Deno.test("TR 2016 (36 columns): 2,496 lines, 2,344 with consumption, ND forecasts", () => {
  const { frame, meta } = readEco2mix(bytesOf(TR_2016), "TR_2016.xls");
  assert.equal(meta.columns.length, 36);
  assert.equal(frame.height, 2_496);
  assert.ok(!frame.columns.includes("stockage_batterie"));
  assert.equal(count(frame, pl.col("consommation").isNotNull()), 2_344);
  assert.equal(count(frame, pl.col("prevision_j1").eq(pl.lit("ND"))), 95);
  assert.equal(count(frame, pl.col("prevision_j").eq(pl.lit("ND"))), 96);
  // Ech. comm. are half-hourly in 2016: filled on :00/:30 only (until the future rows).
  const row = frame.filter(
    pl.col("date").eq(pl.lit("2016-06-01")).and(pl.col("heure").eq(pl.lit("00:15"))),
  );
  assert.equal(row.getColumn("ech_comm_angleterre").toArray()[0], null);
});

Deno.test("ODRÉ national TR CSV: 2,976 unordered rows, Date - Heure kept verbatim", () => {
  const { frame, meta } = readEco2mix(bytesOf(ODRE_TR), "odre_tr.csv");
  assert.equal(meta.variant, "odre_national");
  assert.equal(meta.encoding, "utf-8");
  assert.equal(meta.separator, ";");
  assert.equal(frame.height, 2_976);
  assert.equal(meta.disclaimer, null);
  assert.deepEqual(column(frame, "date_heure")[0], "2021-12-11T10:00:00+01:00");
  const empties = meta.columns.filter((c) => c.name.startsWith("ech_comm_"))
    .reduce((n, c) => n + count(frame, pl.col(c.name).isNull()), 0);
  assert.equal(empties, 7_440);
  assert.equal(count(frame, pl.col("consommation").isNull()), 0);
});

Deno.test("consommation-quotidienne-brute (.csv.gz, UTF-8 BOM, CRLF): 242,544 rows", () => {
  const { frame, meta } = readEco2mix(bytesOf(CONSO_BRUTE), "conso.csv.gz");
  assert.equal(meta.variant, "odre_consommation_brute");
  assert.equal(meta.container, "gzip");
  assert.equal(meta.encoding, "utf-8-bom");
  assert.equal(frame.height, 242_544);
  assert.deepEqual(meta.natures, ["consolide", "definitif"]);
  assert.deepEqual(meta.perimeters, ["France"]);
  assert.equal(count(frame, pl.col("consommation").isNull()), 0);
  assert.deepEqual(column(frame, "date_heure")[0], "2025-10-31T22:30:00+00:00");
  assert.deepEqual(column(frame, "date")[0], "31/10/2025");
  assert.deepEqual(column(frame, "flag_ignore").filter((v) => v !== "non"), []);
});

Deno.test("regional files: 13 columns, 35,040 rows, `-` counts as published", () => {
  // `-` cells per 2014 file, from SOURCES.md.
  const dashes: Record<string, number> = {
    "Auvergne-Rhône-Alpes": 0,
    "Bourgogne-Franche-Comté": 17_520,
    "Bretagne": 17_520,
    "Centre-Val-de-Loire": 17_520,
    "Grand-Est": 0,
    "Hauts-de-France": 17_520,
    "Ile-de-France": 35_040,
    "Normandie": 17_520,
    "Nouvelle-Aquitaine": 17_520,
    "Occitanie": 0,
    "PACA": 17_520,
    "Pays-de-la-Loire": 35_040,
  };
  for (const [region, expected] of Object.entries(dashes)) {
    const name = `eCO2mix_RTE_${region}_Annuel-Definitif_2014.xls`;
    const { frame, meta } = readEco2mix(bytesOf(`${REGIONAL}/${name}`), name);
    assert.equal(meta.variant, "rte_regional", region);
    assert.equal(frame.height, 35_040, region);
    assert.equal(count(frame, pl.col("consommation").isNotNull()), 17_520, region);
    const values = meta.columns.slice(4).map((c) => c.name);
    const dashCount = values.reduce((n, c) => n + count(frame, pl.col(c).eq(pl.lit("-"))), 0);
    assert.equal(dashCount, expected, region);
    assert.deepEqual(meta.natures, ["definitif"]);
  }
});

Deno.test("regional perimeter names as written inside the files", () => {
  const { meta } = readEco2mix(
    bytesOf(`${REGIONAL}/eCO2mix_RTE_Centre-Val-de-Loire_Annuel-Definitif_2014.xls`),
    "cvl.xls",
  );
  assert.deepEqual(meta.perimeters, ["Centre-Val de Loire"]);
});

Deno.test("Bretagne 2013: first row ND in all nine value columns", () => {
  const { frame } = readEco2mix(
    bytesOf(`${REGIONAL}/eCO2mix_RTE_Bretagne_Annuel-Definitif_2013.xls`),
    "b2013.xls",
  );
  const first = frame.head(1).toRecords()[0];
  assert.equal(frame.height, 35_040);
  assert.deepEqual(
    Object.entries(first).filter(([, v]) => v === "ND").map(([k]) => k),
    [
      "consommation",
      "thermique",
      "nucleaire",
      "eolien",
      "solaire",
      "hydraulique",
      "pompage",
      "bioenergies",
      "ech_physiques",
    ],
  );
});

Deno.test("Bretagne consolidated 2016-01..2017-08: 58,464 rows, nucleaire always -", () => {
  const { frame, meta } = readEco2mix(
    bytesOf(`${REGIONAL}/eCO2mix_RTE_Bretagne_En-cours-Consolide_2016-01_2017-08.xls`),
    "bc.xls",
  );
  assert.deepEqual(meta.natures, ["consolide"]);
  assert.equal(frame.height, 58_464);
  assert.equal(count(frame, pl.col("consommation").isNotNull()), 29_232);
  assert.equal(count(frame, pl.col("nucleaire").eq(pl.lit("-"))), 29_232);
});

Deno.test("a zip as RTE serves it reads like the .xls inside it", () => {
  const xls = bytesOf(TR_2016);
  const zip = zipSync({ "eCO2mix_RTE_En-cours-TR.xls": xls });
  const [table] = readEco2mixFile(zip, "eCO2mix_RTE_En-cours-TR.zip");
  const direct = readEco2mix(xls, "x.xls");
  assert.equal(table.meta.file, "eCO2mix_RTE_En-cours-TR.zip!/eCO2mix_RTE_En-cours-TR.xls");
  assert.equal(table.meta.container, "zip");
  assert.equal(table.meta.sha256, sha256Hex(zip));
  assert.ok(table.frame.frameEqual(direct.frame, true));
});

Deno.test("a zip without data file is an empty-file error naming the archive", () => {
  const zip = zipSync({ "LISEZMOI.md": new TextEncoder().encode("rien") });
  assert.throws(() => readEco2mixFile(zip, "vide.zip"), (e) => {
    assert.ok(e instanceof Eco2mixEmptyError);
    assert.match(e.message, /^vide\.zip: zip archive without data file \(entries: LISEZMOI\.md\)/);
    return true;
  });
});

Deno.test("a UTF-8 re-save of the .xls reads identically (encoding detected)", () => {
  const text = latin1Text(bytesOf(TR_2016));
  const resaved = readEco2mix(new TextEncoder().encode(text), "utf8.xls");
  const original = readEco2mix(bytesOf(TR_2016), "orig.xls");
  assert.equal(resaved.meta.encoding, "utf-8");
  assert.ok(resaved.frame.frameEqual(original.frame, true));
});

Deno.test("a ';' re-save with a double-encoded (mojibake) header still resolves", () => {
  const lines = handSplit(latin1Text(bytesOf(TR_2016))).slice(0, 96);
  const header = latin1Text(bytesOf(TR_2016)).split("\n")[0].split("\t");
  const mangle = (s: string) => new TextDecoder("windows-1252").decode(new TextEncoder().encode(s));
  const csv = [header.map(mangle), ...lines.map((r) => r.slice(0, 36))].map((r) => r.join(";"))
    .join("\r\n") + "\r\n";
  const { frame, meta } = readEco2mix(new TextEncoder().encode(csv), "resave.csv");
  assert.equal(meta.variant, "rte_national");
  assert.equal(meta.separator, ";");
  assert.deepEqual(meta.unknownColumns, []);
  assert.equal(meta.columns[0].header, "PÃ©rimÃ¨tre");
  assert.equal(frame.height, 96);
  assert.deepEqual(column(frame, "consommation"), lines.map((r) => r[4]));
});

Deno.test("real .xlsx and BIFF .xls re-saves (Excel dates, times, numbers) read like the text", () => {
  const text = latin1Text(bytesOf(TR_2025));
  const header = text.split("\n")[0].split("\t");
  const rows = handSplit(text).slice(0, 200);
  const serial = (d: string) => {
    const [y, m, day] = d.split("-").map(Number);
    return (Date.UTC(y, m - 1, day) - Date.UTC(1899, 11, 30)) / 86_400_000;
  };
  // Like an Excel re-save: dates and times become date cells, numbers become numbers.
  const sheet: XLSX.WorkSheet = XLSX.utils.aoa_to_sheet([header]);
  rows.forEach((r, i) => {
    const cells = r.slice(0, 40).map((v, c): XLSX.CellObject | null => {
      if (v === "") return null;
      if (c === 2) return { t: "n", v: serial(v), z: "yyyy-mm-dd" };
      if (c === 3) {
        return { t: "n", v: (Number(v.slice(0, 2)) * 60 + Number(v.slice(3))) / 1440, z: "hh:mm" };
      }
      return /^-?\d+$/.test(v) ? { t: "n", v: Number(v) } : { t: "s", v };
    });
    cells.forEach((cell, c) => {
      if (cell) sheet[XLSX.utils.encode_cell({ r: i + 1, c })] = cell;
    });
  });
  sheet[XLSX.utils.encode_cell({ r: 201, c: 0 })] = {
    t: "s",
    v: "RTE ne pourra être tenu responsable de l'usage qui pourrait être fait des données",
  };
  sheet["!ref"] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: 201, c: 39 } });
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, "eCO2mix");
  const fromText = readEco2mix(bytesOf(TR_2025), "t.xls").frame.head(200);
  // Excel 2007+ (.xlsx, a zip) and a genuine Excel 97 BIFF8 .xls (an OLE2 container).
  for (const bookType of ["xlsx", "biff8"] as const) {
    const bytes = new Uint8Array(XLSX.write(book, { type: "array", bookType }));
    const { frame, meta } = readEco2mix(bytes, `resave.${bookType}`);
    assert.equal(meta.fileType, "spreadsheet");
    assert.equal(meta.variant, "rte_national");
    assert.equal(frame.height, 200);
    assert.match(meta.disclaimer ?? "", /^RTE ne pourra/);
    for (const name of meta.columns.map((c) => c.name)) {
      assert.deepEqual(column(frame, name), column(fromText, name), `${bookType} ${name}`);
    }
    assert.deepEqual(column(frame, "_source_line").slice(0, 2), [2, 3]);
  }
});

// ---- Error cases, one per kind, on small fixtures made from the real file ----

const TR_2016_TEXT = () => latin1Text(bytesOf(TR_2016));

Deno.test("truncated download (cut inside a line): error names the partial line", () => {
  const text = TR_2016_TEXT();
  const cut = text.indexOf("\n", text.indexOf("2016-06-10\t12:00")) - 20;
  const bytes = latin1Bytes(text.slice(0, cut));
  assert.throws(() => readEco2mix(bytes, "cut.xls"), (e) => {
    assert.ok(e instanceof Eco2mixTruncatedError);
    // 2016-06-10 12:00 is data row (9 days * 96 + 48) + 1 -> line 914.
    assert.equal(e.line, 9 * 96 + 48 + 2);
    assert.match(e.message, /^cut\.xls:914: partial last line/);
    return true;
  });
});

Deno.test("truncated download (cut at a line end): missing disclaimer", () => {
  const text = TR_2016_TEXT();
  const bytes = latin1Bytes(text.slice(0, text.indexOf("RTE ne pourra")));
  assert.throws(() => readEco2mix(bytes, "cut.xls"), (e) => {
    assert.ok(e instanceof Eco2mixTruncatedError);
    assert.equal(e.line, 2_497);
    assert.match(e.message, /without RTE's closing disclaimer/);
    return true;
  });
});

Deno.test("truncated .csv.gz download: truncation error naming the file", () => {
  const gz = bytesOf(CONSO_BRUTE);
  assert.throws(() => readEco2mix(gz.subarray(0, 100_000), "cut.csv.gz"), (e) => {
    assert.ok(e instanceof Eco2mixTruncatedError);
    assert.match(e.message, /^cut\.csv\.gz: gzip stream ends early/);
    return true;
  });
});

Deno.test("missing required column: error names the file and the header line", () => {
  const text = TR_2016_TEXT().split("\n").map((l) =>
    l.split("\t").filter((_, i) => i !== 4).join("\t")
  )
    .join("\n");
  assert.throws(() => readEco2mix(latin1Bytes(text), "noconso.xls"), (e) => {
    assert.ok(e instanceof Eco2mixColumnError);
    assert.equal(e.line, 1);
    assert.match(e.message, /missing required column\(s\) consommation/);
    return true;
  });
});

Deno.test("a line with an extra field: row error naming the line", () => {
  const lines = TR_2016_TEXT().split("\n");
  lines[10] += "999\t";
  assert.throws(() => readEco2mix(latin1Bytes(lines.join("\n")), "extra.xls"), (e) => {
    assert.ok(e instanceof Eco2mixRowError);
    assert.equal(e.line, 11);
    assert.match(e.message, /38 fields instead of 37/);
    return true;
  });
});

Deno.test("an extra header column is kept and reported as unknown", () => {
  const lines = TR_2016_TEXT().split("\n");
  const end = lines.findIndex((l) => l.startsWith("RTE ne pourra"));
  const patched = lines.map((l, i) => i === 0 ? l + "\tIndice X" : i < end ? l + "7\t" : l);
  const { frame, meta } = readEco2mix(latin1Bytes(patched.join("\n")), "plus.xls");
  assert.deepEqual(meta.unknownColumns.map((c) => [c.header, c.name, c.position]), [[
    "Indice X",
    "indice_x",
    36,
  ]]);
  assert.deepEqual(column(frame, "indice_x").slice(0, 2), ["7", "7"]);
});

Deno.test("empty file and header-only file are empty-file errors", () => {
  assert.throws(() => readEco2mix(new Uint8Array(), "vide.xls"), Eco2mixEmptyError);
  const headerOnly = TR_2016_TEXT().split("\n")[0] + "\n";
  assert.throws(() => readEco2mix(latin1Bytes(headerOnly), "entete.xls"), (e) => {
    assert.ok(e instanceof Eco2mixEmptyError);
    assert.equal(e.line, 2);
    return true;
  });
});

Deno.test("random bytes are a format error", () => {
  const random = new Uint8Array(4096);
  crypto.getRandomValues(random);
  random[0] = 0x00; // make sure it is not accidentally a zip/gzip/OLE2 signature
  assert.throws(() => readEco2mix(random, "bruit.bin"), Eco2mixFormatError);
  assert.throws(() => readEco2mix(latin1Bytes("foo;bar\n1;2\n"), "autre.csv"), (e) => {
    assert.ok(e instanceof Eco2mixFormatError);
    assert.match(e.message, /^autre\.csv:1: not an eCO2mix file/);
    return true;
  });
});

Deno.test("a Tempo calendar is recognised and refused as not-data", () => {
  const bytes = bytesOf("eco2mix/tempo/eCO2mix_RTE_tempo_2014-2015.xls");
  assert.throws(() => readEco2mix(bytes, "tempo.xls"), Eco2mixNotDataError);
});

Deno.test("CSV with quoted fields keeps separators inside quotes", () => {
  const csv = 'Date;Heure;Consommation;Commentaire\n2025-01-01;00:00;"63949";"a;b"\n';
  const { frame, meta } = readEco2mix(latin1Bytes(csv), "q.csv");
  assert.deepEqual(frame.select("consommation", "commentaire").toRecords(), [
    { consommation: "63949", commentaire: "a;b" },
  ]);
  assert.equal(meta.variant, "odre_consommation_brute");
});

Deno.test("a 10 MB cell (text or .xlsx) is an error naming file, line and column", () => {
  const header = "Périmètre\tNature\tDate\tHeures\tConsommation";
  const huge = "F".repeat(10 * 1024 * 1024);
  const text = `${header}\nFrance\tDonnées temps réel\t2025-01-01\t00:00\t63949\t\n` +
    `${huge}\tDonnées temps réel\t2025-01-01\t00:15\t63000\t\n` +
    "RTE ne pourra être tenu responsable de l'usage des données.\n";
  assert.throws(
    () => readEco2mix(new TextEncoder().encode(text), "big.xls"),
    (e: Error) =>
      e instanceof Eco2mixRowError && /^big\.xls:3:/.test(e.message) &&
      /10485760 characters in column "Périmètre"/.test(e.message),
  );
  const sheet = XLSX.utils.aoa_to_sheet([
    header.split("\t"),
    ["France", "Données temps réel", "2025-01-01", "00:00", 63949],
    ["France", "x".repeat(300), "2025-01-01", "00:15", 63000],
  ]);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, "eCO2mix");
  const bytes = new Uint8Array(XLSX.write(book, { type: "array", bookType: "xlsx" }));
  assert.throws(
    () => readEco2mix(bytes, "big.xlsx"),
    (e: Error) =>
      e instanceof Eco2mixRowError && /^big\.xlsx:3:/.test(e.message) &&
      /column "Nature"/.test(e.message),
  );
});
