import assert from "node:assert/strict";
import { join } from "node:path";
import * as XLSX from "xlsx";
import pl from "nodejs-polars";
import {
  fitToSheet,
  mainSeries,
  modelScores,
  NoEco2mixSeriesError,
  skippedStepsOfRun,
  writeGoldWorkbook,
  writeReport,
} from "./report_step.ts";
import { refreshAnomalies } from "./analysis_step.ts";
import { refreshPrices } from "./price_step.ts";
import { refreshGold } from "./gold_step.ts";
import { refreshSilver } from "./silver_step.ts";
import { ingestFiles } from "./ingest.ts";
import { openCatalog } from "./catalog.ts";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import { PRICE_STEP } from "../layers/prices.ts";
import { FigureRenderer } from "../viz/mod.ts";

const TR_2016 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");

async function lakehouseOf(...files: string[]) {
  const catalog = openCatalog(await Deno.makeTempDir());
  await ingestFiles(catalog, files);
  await refreshSilver(catalog);
  await refreshGold(catalog);
  await refreshAnomalies(catalog);
  return catalog;
}

/** Independent: measured consumption energy of a real-time file, in TWh, French format. */
function consumptionTwh(path: string): string {
  const lines = new TextDecoder("windows-1252").decode(Deno.readFileSync(path)).split("\n");
  const mwh = lines.slice(1).map((l) => l.split("\t"))
    .filter((f) =>
      f.length > 5 && f[4] !== "" && !(f[2] === "2025-03-30" && f[3].startsWith("02:"))
    )
    .reduce((t, f) => t + Number(f[4]) * 0.25, 0);
  return (mwh / 1e6).toLocaleString("fr-FR", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}

Deno.test("the report is regenerated from other data, and its numbers follow", async () => {
  const reports: string[] = [];
  // The first report launches its own Chromium; the second draws with one it is given.
  const given = await FigureRenderer.launch();
  try {
    for (const file of [TR_2025, TR_2016]) {
      const out = await Deno.makeTempDir();
      const catalog = await lakehouseOf(file);
      await refreshPrices(catalog, { referenceDir: sharedDataPath() });
      const { report, figures } = await writeReport(catalog, {
        outputDir: out,
        inputs: [file],
        renderer: file === TR_2016 ? given : undefined,
      });
      const text = await Deno.readTextFile(report);
      reports.push(text);
      assert.ok(text.includes(`${consumptionTwh(file)} TWh`), consumptionTwh(file));
      // Figures rendered by headless Chromium (installed by .ci/run), linked from the report.
      assert.ok(figures.length >= 5);
      for (const png of figures) {
        const bytes = await Deno.readFile(png);
        assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
        assert.ok(text.includes(`(figures/${png.split("/").pop()})`));
      }
    }
    assert.match(reports[0], /du 01\/01\/2025 au 25\/07\/2025/);
    assert.match(reports[1], /du 01\/06\/2016 au 25\/06\/2016/);
    // The given renderer is left open, still drawing.
    assert.ok((await given.png({ data: [{ type: "bar", x: ["a"], y: [1] }], layout: {} })).length);
    assert.match(reports[0], /Prévision J-1 de RTE : MAPE 1,78 %/); // FACTS.md
    // Prices: the mean of the file's days in the period, computed from its lines.
    const priceLines = Deno.readTextFileSync(
      sharedDataPath("prices/european_wholesale_electricity_price_data_daily_FRA.csv"),
    ).trim().split("\n").map((l) => l.split(","));
    const meanPrice = (from: string, to: string) => {
      const days = priceLines.filter((f) => f[2] >= from && f[2] <= to).map((f) => Number(f[3]));
      return (days.reduce((a, b) => a + b, 0) / days.length).toLocaleString("fr-FR", {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      });
    };
    assert.ok(
      reports[0].includes(
        "## Prix de gros de l'électricité\n\nSur 206 jours, du 01/01/2025 au 25/07/2025, le prix " +
          `de gros moyen est de ${meanPrice("2025-01-01", "2025-07-25")} €/MWh`,
      ),
    );
    assert.match(reports[0], /- dimanche 11\/05\/2025 : −5,20 €\/MWh \(négatif\)/);
    assert.ok(reports[1].includes(`moyen est de ${meanPrice("2016-06-01", "2016-06-25")} €/MWh`));
    // Exchange episodes, described in Paris time.
    for (const report of reports) {
      assert.match(
        report,
        /\*\*Épisodes d'échanges massifs\*\* \(au moins 3 heures .*\) : \d+, dont \d+ d'export et \d+ d'import\. .*\n\n- (Export|Import)[ ,].* du \d\d\/\d\d\/20\d\d \d\d:00 au /,
      );
    }
    // Anomalies as events: 1 May 2025 and its bridge day lead, in Paris time.
    assert.match(reports[0], /pas inhabituels détectés .*, regroupés en \d+ événements/);
    assert.match(
      reports[0],
      /\n- Creux de consommation inhabituel du 01\/05\/2025 \d\d:\d\d au 02\/05\/2025 .* cause probable : jour férié \(jeudi 1er mai 2025\), pont \(vendredi 2 mai 2025\)\.\n/,
    );
    assert.notEqual(reports[0], reports[1]);
  } finally {
    await given.close();
  }
});

/**
 * What a French reader would stumble on in a report: an article not elided before a vowel or a
 * mute h ("le hydraulique", "de Île-de-France"), a raw identifier of the data outside code, an
 * English decimal point, a missing value, a section without a sentence, a table without rows.
 */
function readingBreaks(report: string): string[] {
  const prose = report.replace(/`[^`]*`/g, "`…`");
  const breaks = [
    /(?<!\p{L})(le|la|de|que|ne|se) (?=[aeiouyàâéèêëîïôûœ]|h(ydr|iver|eure|orizon|istor))/iu,
    /\b(nucleaire|eolien\w*|bioenergies|hydraulique_\w+|part_\w+|\w+_pct|gbdt|random_forest|rte_j1?|persistance_\w+|\w+_temperature\w*)\b/,
    /\d\.\d+ ?(%|MW|GW|TWh|GWh|g\/kWh|€)/,
    /\b(NaN|undefined|null|Infinity)\b|\[object/,
  ].flatMap((pattern) => {
    const m = pattern.exec(prose);
    return m
      ? [
        `${pattern.source.slice(0, 20)}… : « ${
          prose.slice(Math.max(0, m.index - 30), m.index + 40)
        } »`,
      ]
      : [];
  });
  // Every section and subsection says something before the next heading.
  for (const section of report.split(/^#{2,3} /m).slice(1)) {
    const [heading, ...body] = section.split("\n");
    if (!body.join("\n").trim()) breaks.push(`section sans texte : ${heading}`);
  }
  // Every table has rows under its header.
  const lines = report.split("\n");
  lines.forEach((line, i) => {
    if (line.startsWith("|---") && !lines[i + 1]?.startsWith("|")) {
      breaks.push(`tableau sans ligne : ${lines[i - 1]}`);
    }
  });
  return breaks;
}

/** The shares (%) of the report's mix table. */
function mixShares(report: string): number[] {
  const table = report.split("## Mix énergétique")[1].split("\n## ")[0];
  return [...table.matchAll(/^\| [^|]+ \| [\d,]+ \| ([\d,]+) \|$/gm)].map((m) =>
    Number(m[1].replace(",", "."))
  );
}

Deno.test("the report reads correctly on the 2016-06 file and on the 12 regional 2014 files", async () => {
  // The check itself catches what it is for.
  assert.equal(
    readingBreaks("## A\n\nLa part de le hydraulique, part_eolien_pct, 1.5 %, NaN.\n\n## B\n")
      .length,
    5,
  );
  assert.deepEqual(
    readingBreaks(
      "## A\n\nLa part de l'hydraulique, `part_eolien_pct`, 1,5 %.\n\n## B\n\nTexte.\n",
    ),
    [],
  );
  const inputs = { tr2016: [TR_2016], regions2014: REGIONAL_2014.map((f) => sharedDataPath(f)) };
  for (const [name, files] of Object.entries(inputs)) {
    const catalog = await lakehouseOf(...files);
    await refreshPrices(catalog, { referenceDir: sharedDataPath() });
    const { report } = await writeReport(catalog, {
      outputDir: await Deno.makeTempDir(),
      inputs: files,
      withoutFigures: "figures couvertes par un autre test",
    });
    const text = await Deno.readTextFile(report);
    assert.deepEqual(readingBreaks(text), [], name);
    // No source left out of the mix: its shares add up to the production.
    const shares = mixShares(text);
    assert.ok(shares.length >= 5, name);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.5, `${name}: ${shares}`);
  }
});

Deno.test("the gold workbook has a sheet per gold table with all its rows", async () => {
  const catalog = await lakehouseOf(TR_2016);
  const path = join(await Deno.makeTempDir(), "gold.xlsx");
  await writeGoldWorkbook(catalog, path);
  const book = XLSX.read(await Deno.readFile(path), { type: "array" });
  const mix = await catalog.table("mix_energetique_quotidien").read();
  const rows = XLSX.utils.sheet_to_json(book.Sheets.mix_energetique_quotidien);
  assert.equal(rows.length, mix.height);
  assert.ok(book.SheetNames.includes("statistiques_hebdomadaires"));
  assert.ok(book.SheetNames.includes("anomalies"));
  // Written in a worker: the same sheets, cell for cell.
  const aside = join(await Deno.makeTempDir(), "gold.xlsx");
  assert.equal(await writeGoldWorkbook(catalog, aside, { worker: true }), aside);
  const other = XLSX.read(await Deno.readFile(aside), { type: "array" });
  assert.deepEqual(other.SheetNames, book.SheetNames);
  for (const name of book.SheetNames.filter((n) => n !== "Lisez-moi")) {
    assert.deepEqual(
      XLSX.utils.sheet_to_json(other.Sheets[name]),
      XLSX.utils.sheet_to_json(book.Sheets[name]),
      name,
    );
  }
  // A failure in the worker reaches the caller.
  await assert.rejects(
    () => writeGoldWorkbook(catalog, "/nonexistent-folder/gold.xlsx", { worker: true }),
    /workbook \/nonexistent-folder\/gold.xlsx: .*No such file|workbook .*NotFound/,
  );
});

Deno.test("model scores sit beside RTE's J-1 on the same instants, baselines left out", () => {
  const t = (h: number) => new Date(Date.UTC(2025, 6, 1, h));
  const rows = [
    // instant, model, prediction, actual
    [0, "gbdt", 102, 100],
    [1, "gbdt", 196, 200],
    [0, "rte_j1", 110, 100],
    [1, "rte_j1", 200, 200],
    [2, "rte_j1", 150, 100], // no gbdt prediction at this instant: not in gbdt's comparison
    [0, "persistance", 90, 100],
    [0, "rte_j", 101, 100], // intraday forecast: the reference of h1, not of j1
  ] as const;
  const predictions = pl.DataFrame({
    timestamp_utc: rows.map((r) => t(r[0])),
    horizon: rows.map(() => "j1"),
    model: rows.map((r) => r[1]),
    periode: rows.map(() => "test"),
    prediction: rows.map((r) => r[2]),
    actual: rows.map((r) => r[3]),
    error: rows.map((r) => r[2] - r[3]),
  }).withColumns(pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"));
  const [gbdt, ...others] = modelScores(predictions);
  assert.deepEqual(others, []);
  assert.equal(gbdt.model, "gbdt");
  assert.ok(Math.abs(gbdt.mape - (2 + 2) / 2) < 1e-12); // 2 % and 2 %
  assert.ok(Math.abs(gbdt.rmse - Math.sqrt((4 + 16) / 2)) < 1e-12);
  assert.ok(Math.abs(gbdt.rteMape! - (10 + 0) / 2) < 1e-12); // RTE on instants 0 and 1 only
  // One Paris day: one block, so the interval is the difference itself.
  assert.ok(Math.abs(gbdt.rteDifference!.difference - (2 - 5)) < 1e-12);
  assert.deepEqual([gbdt.rteDifference!.low, gbdt.rteDifference!.high], [
    gbdt.rteDifference!.difference,
    gbdt.rteDifference!.difference,
  ]);
  assert.deepEqual([gbdt.start, gbdt.end], ["01/07/2025", "01/07/2025"]);
});

Deno.test("the interval of the difference with RTE resamples Paris days: 0 inside when days disagree", () => {
  // Day 1 (1 July): gbdt 1 % off, RTE 3 %; day 2: gbdt 3 %, RTE 1 %. Integer columns: the MAPEs
  // must still be fractions.
  const at = (day: number, h: number) => new Date(Date.UTC(2025, 6, day, h));
  const instants = [at(1, 10), at(1, 11), at(2, 10), at(2, 11)];
  const actual = [100, 100, 100, 100];
  const frame = (model: string, prediction: number[]) =>
    pl.DataFrame({
      timestamp_utc: instants,
      horizon: instants.map(() => "j1"),
      model: instants.map(() => model),
      periode: instants.map(() => "test"),
      prediction,
      actual,
      error: prediction.map((p, i) => p - actual[i]),
    }).withColumns(
      pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
      pl.col("prediction").cast(pl.Int64),
      pl.col("actual").cast(pl.Int64),
      pl.col("error").cast(pl.Int64),
    );
  const predictions = pl.concat([
    frame("gbdt", [101, 101, 103, 103]),
    frame("rte_j1", [103, 103, 101, 101]),
  ]);
  const [gbdt] = modelScores(predictions);
  assert.equal(gbdt.mape, 2);
  assert.equal(gbdt.rteDifference!.difference, 0);
  assert.ok(gbdt.rteDifference!.low < 0 && gbdt.rteDifference!.high > 0);
  assert.deepEqual([gbdt.start, gbdt.end], ["01/07/2025", "02/07/2025"]);
});

Deno.test("one hour ahead is compared with RTE's intraday J forecast", () => {
  const t = new Date(Date.UTC(2025, 6, 1, 0));
  const predictions = pl.DataFrame({
    timestamp_utc: [t, t, t],
    horizon: ["h1", "h1", "h1"],
    model: ["gbdt", "rte_j", "rte_j1"],
    periode: ["test", "test", "test"],
    prediction: [101, 103, 120],
    actual: [100, 100, 100],
    error: [1, 3, 20],
  }).withColumns(pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"));
  const [h1] = modelScores(predictions);
  assert.deepEqual([h1.horizon, h1.mape, h1.rteMape], ["h1", 1, 3]);
});

Deno.test("the report names the steps the run's manifest says were skipped, and why", async () => {
  const runDir = await Deno.makeTempDir();
  const entry = (input: string, skipped?: { step: string; reason: string }[]) => ({
    input: `/projet/notebooks/${input}.ipynb`,
    output: `${input}.ipynb`,
    status: "completed",
    ...(skipped ? { skipped } : {}), // a manifest written before the field existed has none
  });
  await Deno.writeTextFile(
    join(runDir, "manifest.json"),
    JSON.stringify({
      run_id: "r1",
      notebooks: [
        entry("07_ML_Preparation"),
        entry("08_ML_Prevision_Consommation", [
          { step: "prévision de la consommation", reason: "trop peu de données" },
        ]),
        entry("09_ML_Classification_Mix", []),
        entry("06_Analyses_Avancees", [
          { step: PRICE_STEP, reason: "aucun fichier de prix quotidiens dans le dossier x" },
        ]),
      ],
    }),
  );
  assert.deepEqual((await skippedStepsOfRun(runDir)).slice(0, 1), [{
    notebook: "08_ML_Prevision_Consommation",
    step: "prévision de la consommation",
    reason: "trop peu de données",
  }]);
  // The empty predictions table of a skipped step: no model, and the report says why.
  const catalog = await lakehouseOf(TR_2016);
  const empty = (name: string, type: pl.DataType) => pl.Series(name, [], type);
  await catalog.table("predictions_consommation").overwrite(pl.DataFrame([
    empty("timestamp_utc", pl.Datetime("ms", "UTC")),
    empty("horizon", pl.Utf8),
    empty("model", pl.Utf8),
    empty("periode", pl.Utf8),
    empty("prediction", pl.Float64),
    empty("actual", pl.Float64),
    empty("error", pl.Float64),
  ]));
  const out = await Deno.makeTempDir();
  const { report, data } = await writeReport(catalog, {
    outputDir: out,
    inputs: [TR_2016],
    runDir,
    withoutFigures: "test",
  });
  assert.deepEqual(data.models, []);
  const text = await Deno.readTextFile(report);
  assert.match(
    text,
    /- \*\*prévision de la consommation\*\* \(notebook `08_ML_Prevision_Consommation`\) : trop peu de données\./,
  );
  assert.match(text, /Aucun modèle entraîné dans ce run : l'étape a été ignorée/);
  // No price in this lakehouse: the price section gives the skipped step's reason.
  assert.match(
    text,
    /## Prix de gros de l'électricité\n\nAucun prix de gros dans ce rapport : aucun fichier de prix quotidiens dans le dossier x\.\n/,
  );
});

Deno.test("a gold table too large for a sheet keeps the main perimeter, then its first rows, and says so", () => {
  const frame = pl.DataFrame({
    perimetre: [
      "Bretagne",
      "France (somme des régions)",
      "Normandie",
      "France (somme des régions)",
    ],
    v: [1, 2, 3, 4],
  });
  const table = { name: "t", description: "Table.", frame };
  assert.equal(fitToSheet(table, 8), table);
  const national = fitToSheet(table, 4);
  assert.deepEqual(national.frame.getColumn("v").toArray(), [2, 4]);
  assert.equal(
    national.description,
    "Table. Table trop grande pour une feuille (4 lignes) : seules les lignes du périmètre " +
      "« France (somme des régions) » ; la table complète est dans le lakehouse.",
  );
  const first = fitToSheet(table, 2);
  assert.deepEqual(first.frame.getColumn("v").toArray(), [2]);
  assert.match(
    first.description,
    /« France \(somme des régions\) », puis seules les 1 premières lignes/,
  );
});

Deno.test("only the ODRÉ consumption history in silver: a French error says what to give instead", async () => {
  const root = await Deno.makeTempDir({ prefix: "report_no_eco2mix_" });
  try {
    const catalog = openCatalog(join(root, "lakehouse"));
    await ingestFiles(catalog, [
      sharedDataPath("eco2mix/odre/consommation-quotidienne-brute.csv.gz"),
    ]);
    await refreshSilver(catalog);
    await assert.rejects(
      () => mainSeries(catalog),
      (e: Error) =>
        e instanceof NoEco2mixSeriesError &&
        /jeux de données présents : consommation_brute/.test(e.message) &&
        /reference_dir/.test(e.message),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
