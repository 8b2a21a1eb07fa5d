import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  co2Figure,
  consumptionFigure,
  errorByHourFigure,
  errorHistogramFigure,
  exchangesFigure,
  heatmapFigure,
  importanceFigure,
  loadProfileFigure,
  mixCo2Figure,
  mixPieFigure,
  predictionsFigure,
  productionFigure,
  renewableShareFigure,
  sankeyFigure,
  solarProfileFigure,
  weekdayWeekendFigure,
  windFigure,
} from "./figures.ts";
import { COLORS, SOURCES } from "./palette.ts";
import { frameOf, hourlyRows } from "./_testdata.ts";

// Friday 3 and Saturday 4 January 2025, local hours 0-23 (CET = UTC+1).
const ROWS = hourlyRows("2025-01-02T23:00:00Z", 48, (i) => {
  const hour = i % 24;
  const saturday = i >= 24;
  const consommation = 50_000 + 1_000 * hour - (saturday ? 5_000 : 0);
  const gaz = 2_000 + 100 * hour;
  const solaire = Math.max(0, 1_000 * (6 - Math.abs(hour - 12)));
  const production = 40_000 + 6_000 + 5_000 + solaire + 1_000 + gaz + 0 + 100;
  return {
    consommation,
    prevision_j1: consommation + 500,
    nucleaire: 40_000,
    hydraulique: 6_000,
    eolien: 5_000,
    eolien_terrestre: 4_000,
    eolien_offshore: 1_000,
    solaire,
    bioenergies: 1_000,
    gaz,
    charbon: 0,
    fioul: 100,
    pompage: -1_000,
    ech_physiques: consommation - production + 1_000,
    ech_comm_espagne: hour < 12 ? 1_000 : -2_000,
    ech_comm_angleterre: -3_000,
    taux_co2: (1_000 * (0.429 * gaz + 0.777 * 100)) / production,
  };
});
const SILVER = frameOf(ROWS);
const col = (name: string) => ROWS.map((r) => r[name] as number);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;
const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);
/** Element-wise equality up to float rounding (weighted means divide sums). */
const allClose = (actual: unknown, expected: number[]) => {
  assert.equal((actual as number[]).length, expected.length);
  (actual as number[]).forEach((v, i) => close(v, expected[i], `[${i}]`));
};

Deno.test("consumption: hourly points on local time, RTE forecasts, peak in the subtitle", () => {
  const fig = consumptionFigure(SILVER);
  assert.deepEqual(fig.data.map((t) => t.name), [
    "Consommation",
    "Prévision J-1 (RTE)",
  ]);
  assert.equal((fig.data[0].x as string[])[0], "2025-01-03 00:00");
  assert.equal((fig.data[0].x as string[])[47], "2025-01-04 23:00");
  assert.deepEqual(fig.data[0].y, col("consommation"));
  assert.deepEqual(fig.data[1].y, col("prevision_j1"));
  assert.equal((fig.data[0].line as { color: string }).color, COLORS.consommation);
  const title = fig.layout.title as { text: string; subtitle: { text: string } };
  assert.equal(title.text, "Consommation électrique – France");
  assert.equal(
    title.subtitle.text,
    "du 03/01/2025 au 04/01/2025 (2 jours) · moyennes horaires (heure locale) · " +
      "pic horaire : 73\u202f000 MW le 03/01/2025 à 23 h",
  );
  assert.equal(
    (fig.layout.yaxis as { title: { text: string } }).title.text,
    "Puissance (MW)",
  );
});

Deno.test("consumption: daily means with the daily range beyond maxHourlyDays", () => {
  const fig = consumptionFigure(SILVER, { maxHourlyDays: 1 });
  const [low, high, line] = fig.data;
  assert.deepEqual(line.x, ["2025-01-03", "2025-01-04"]);
  const friday = col("consommation").slice(0, 24);
  const saturday = col("consommation").slice(24);
  assert.deepEqual(line.y, [mean(friday), mean(saturday)]);
  assert.deepEqual(low.y, [Math.min(...friday), Math.min(...saturday)]);
  assert.deepEqual(high.y, [Math.max(...friday), Math.max(...saturday)]);
  assert.equal(high.fill, "tonexty");
  assert.match(
    (fig.layout.title as { subtitle: { text: string } }).subtitle.text,
    /moyennes journalières/,
  );
});

Deno.test("mix pie: each source's energy in GWh, palette colours and order", () => {
  const fig = mixPieFigure(SILVER);
  const pie = fig.data[0];
  const present = SOURCES.filter((s) => ROWS[0][s.key] !== undefined && s.key !== "thermique");
  assert.deepEqual(pie.labels, present.map((s) => s.label));
  assert.deepEqual((pie.marker as { colors: string[] }).colors, present.map((s) => s.color));
  const values = pie.values as number[];
  present.forEach((s, i) => close(values[i], sum(col(s.key)) / 1_000 / 1_000, s.key));
  // Total production 2.9 TWh over 48 h: the centre annotation is in TWh.
  const total = sum(present.map((s) => sum(col(s.key))));
  assert.equal(
    (fig.layout.annotations as { text: string }[])[0].text,
    `${(total / 1e6).toFixed(1).replace(".", ",")} TWh`,
  );
});

Deno.test("production: stacked areas per source, consumption dotted on top", () => {
  const fig = productionFigure(SILVER);
  assert.deepEqual(fig.data.map((t) => t.name), [
    "Nucléaire",
    "Hydraulique",
    "Éolien",
    "Solaire",
    "Bioénergies",
    "Gaz",
    "Charbon",
    "Fioul",
    "Consommation",
  ]);
  assert.ok(fig.data.slice(0, 8).every((t) => t.stackgroup === "production"));
  assert.equal(fig.data[8].stackgroup, undefined);
  assert.deepEqual(fig.data[5].y, col("gaz"));
  assert.equal((fig.data[3].line as { color: string }).color, "#F27406");
  const daily = productionFigure(SILVER, { maxHourlyDays: 0 });
  assert.deepEqual(daily.data[5].y, [mean(col("gaz").slice(0, 24)), mean(col("gaz").slice(24))]);
});

Deno.test("load profile: mean and 10th/90th percentiles of each local hour", () => {
  const fig = loadProfileFigure(SILVER);
  const [q10, q90, avg] = fig.data;
  assert.deepEqual(avg.x, Array.from({ length: 24 }, (_, h) => h));
  // Each hour has two values, v and v - 5000: mean v - 2500, q10 = v - 4500, q90 = v - 500.
  const friday = col("consommation").slice(0, 24);
  assert.deepEqual(avg.y, friday.map((v) => v - 2_500));
  assert.deepEqual(q10.y, friday.map((v) => v - 4_500));
  assert.deepEqual(q90.y, friday.map((v) => v - 500));
});

Deno.test("heatmap: one column per local day, one row per local hour", () => {
  const fig = heatmapFigure(SILVER);
  const z = fig.data[0].z as number[][];
  assert.deepEqual(fig.data[0].x, ["2025-01-03", "2025-01-04"]);
  assert.equal(z.length, 24);
  const c = col("consommation");
  for (let h = 0; h < 24; h++) assert.deepEqual(z[h], [c[h], c[24 + h]]);
});

Deno.test("weekday vs weekend: profiles and the weekend effect", () => {
  const fig = weekdayWeekendFigure(SILVER);
  assert.deepEqual(fig.data.map((t) => t.name), [
    "Jours ouvrés (lun.–ven.)",
    "Week-end (sam.–dim.)",
  ]);
  assert.deepEqual(fig.data[0].y, col("consommation").slice(0, 24));
  assert.deepEqual(fig.data[1].y, col("consommation").slice(24));
  const weekday = mean(col("consommation").slice(0, 24));
  const effect = (100 * (mean(col("consommation").slice(24)) - weekday)) / weekday;
  assert.match(
    (fig.layout.title as { subtitle: { text: string } }).subtitle.text,
    new RegExp(
      `week-end : ${
        effect.toFixed(1).replace(".", ",").replace("-", "\u2212")
      } % de consommation moyenne`,
    ),
  );
});

Deno.test("wind: onshore and offshore stacked, offshore share of wind energy", () => {
  const fig = windFigure(SILVER);
  assert.deepEqual(fig.data.map((t) => t.name), ["Éolien terrestre", "Éolien en mer"]);
  assert.deepEqual(fig.data[1].y, col("eolien_offshore"));
  assert.match(
    (fig.layout.title as { subtitle: { text: string } }).subtitle.text,
    /énergie : 240,0 GWh · part en mer : 20,0 %/,
  );
  const total = windFigure(SILVER.drop(["eolien_terrestre", "eolien_offshore"]));
  assert.deepEqual(total.data.map((t) => t.name), ["Éolien"]);
  assert.deepEqual(total.data[0].y, col("eolien"));
});

Deno.test("solar: mean by local hour for each month", () => {
  const fig = solarProfileFigure(SILVER);
  assert.deepEqual(fig.data.map((t) => t.name), ["janvier 2025"]);
  assert.deepEqual(fig.data[0].y, col("solaire").slice(0, 24));
});

Deno.test("renewable share: hourly energy share of production", () => {
  const fig = renewableShareFigure(SILVER);
  const renewable = ["hydraulique", "eolien", "solaire", "bioenergies"];
  const all = [...renewable, "nucleaire", "gaz", "charbon", "fioul"];
  const expected = ROWS.map((r) =>
    (100 * sum(renewable.map((k) => r[k] as number))) / sum(all.map((k) => r[k] as number))
  );
  (fig.data[0].y as number[]).forEach((v, i) => close(v, expected[i], `row ${i}`));
  const daily = renewableShareFigure(SILVER, { maxHourlyDays: 1 });
  assert.deepEqual(daily.data.map((t) => t.name), [
    "Part journalière",
    "Moyenne glissante 7 jours",
  ]);
  const friday = ROWS.slice(0, 24);
  close(
    (daily.data[0].y as number[])[0],
    (100 * sum(friday.flatMap((r) => renewable.map((k) => r[k] as number)))) /
      sum(friday.flatMap((r) => all.map((k) => r[k] as number))),
    "daily share",
  );
  assert.deepEqual(daily.data[1].y, [null, null]); // fewer than 7 days
});

Deno.test("exchanges: silver and the gold table give the same bars", () => {
  const fig = exchangesFigure(SILVER);
  assert.deepEqual(fig.data[0].x, ["Royaume-Uni", "Espagne"]);
  // Spain: 12 h x 1000 MW import and 12 h x 2000 MW export a day; UK: 3000 MW export.
  assert.deepEqual(fig.data[0].y, [0, 24]);
  assert.deepEqual(fig.data[1].y, [-144, -48]);
  assert.deepEqual(fig.data[2].y, [-144, -24]);
  assert.equal(fig.layout.barmode, "relative");
  // Physical balance: the fixture's ech_physiques is constant within each hour.
  const physical = sum(col("ech_physiques"));
  const physicalText = `${(physical / 1e3).toFixed(1).replace(".", ",")} GWh`;
  const subtitle = (f: typeof fig) =>
    (f.layout.title as { subtitle: { text: string } }).subtitle.text;
  assert.ok(
    subtitle(fig).endsWith(
      `solde commercial : exportateur net de 168,0 GWh (physique : ${physicalText})`,
    ),
    subtitle(fig),
  );
  const gold = pl.DataFrame({
    perimetre: ["France", "France", "France", "France", "France", "France"],
    date: ["2025-01-03", "2025-01-04", "2025-01-03", "2025-01-04", "2025-01-03", "2025-01-04"],
    pays: ["Espagne", "Espagne", "UK", "UK", "Total", "Total"],
    import_total_mwh: [12_000, 12_000, 0, 0, 12_000, 12_000],
    export_total_mwh: [-24_000, -24_000, -72_000, -72_000, -96_000, -96_000],
    solde_net_mwh: [-12_000, -12_000, -72_000, -72_000, -84_000, -84_000],
    solde_physique_mwh: [null, null, null, null, physical / 2, physical / 2],
  });
  const fromGold = exchangesFigure(gold);
  assert.deepEqual(fromGold.data.map((t) => t.y), fig.data.map((t) => t.y));
  assert.deepEqual(fromGold.layout.title, fig.layout.title);
  assert.throws(
    () => exchangesFigure(gold.withColumns(pl.lit("Belgique").alias("pays"))),
    /unknown pays 'Belgique' \(expected UK, Espagne, Italie, Suisse, DE-BE\)/,
  );
  assert.equal((fig.data[0].marker as { color: string }).color, COLORS.import);
});

Deno.test("sankey: sources to grid to uses, in TWh, balanced", () => {
  const fig = sankeyFigure(SILVER);
  const sankey = fig.data[0] as {
    node: { label: string[] };
    link: { source: number[]; target: number[]; value: number[] };
  };
  const labels = sankey.node.label;
  const flow = (from: string, to: string) => {
    const i = sankey.link.source.findIndex((s, k) =>
      labels[s] === from && labels[sankey.link.target[k]] === to
    );
    return i < 0 ? undefined : sankey.link.value[i];
  };
  close(flow("Nucléaire", "Réseau") as number, (48 * 40_000) / 1e6, "nuclear");
  close(flow("Réseau", "Consommation") as number, sum(col("consommation")) / 1e6, "consumption");
  close(flow("Réseau", "Pompage (STEP)") as number, (48 * 1_000) / 1e6, "pumping");
  const imports = sum(col("ech_physiques").map((v) => Math.max(0, v)));
  const exports = -sum(col("ech_physiques").map((v) => Math.min(0, v)));
  assert.equal(flow("Importations", "Réseau"), imports > 0 ? imports / 1e6 : undefined);
  assert.equal(flow("Réseau", "Exportations"), exports > 0 ? exports / 1e6 : undefined);
  assert.ok(!labels.includes("Écart de bilan")); // the fixture balances exactly
  assert.ok(!labels.includes("Charbon")); // zero flows are left out
  const unbalanced = sankeyFigure(SILVER.withColumns(pl.col("consommation").add(100)));
  const u = unbalanced.data[0] as typeof sankey;
  // Consumption 100 MW above the balance: the residual flows into the grid.
  const gap = u.node.label.indexOf("Écart de bilan");
  const link = u.link.source.indexOf(gap);
  assert.equal(u.node.label[u.link.target[link]], "Réseau");
  close(u.link.value[link], (48 * 100) / 1e6, "residual");
});

Deno.test("CO2: hourly intensity, daily means weighted by production", () => {
  const fig = co2Figure(SILVER);
  allClose(fig.data[0].y, col("taux_co2"));
  const daily = co2Figure(SILVER, { maxHourlyDays: 1 });
  const production = ROWS.map((r) =>
    sum(["nucleaire", "hydraulique", "eolien", "solaire", "bioenergies", "gaz", "charbon", "fioul"]
      .map((k) => r[k] as number))
  );
  const day = (d: number) => {
    const idx = Array.from({ length: 24 }, (_, h) => 24 * d + h);
    return sum(idx.map((i) => col("taux_co2")[i] * production[i])) /
      sum(idx.map((i) => production[i]));
  };
  const line = daily.data[2].y as number[];
  close(line[0], day(0), "friday");
  close(line[1], day(1), "saturday");
});

Deno.test("mix vs CO2: fossil share on x, least-squares line, Pearson r", () => {
  const fig = mixCo2Figure(SILVER);
  const points = fig.data[0];
  const fossil = ROWS.map((r) => {
    const all = [
      "nucleaire",
      "hydraulique",
      "eolien",
      "solaire",
      "bioenergies",
      "gaz",
      "charbon",
      "fioul",
    ];
    return (100 * ((r.gaz as number) + (r.charbon as number) + (r.fioul as number))) /
      sum(all.map((k) => r[k] as number));
  });
  (points.x as number[]).forEach((v, i) => close(v, fossil[i], `x ${i}`));
  allClose(points.y, col("taux_co2"));
  // taux = 1000 (0.429 gaz + 77.7) / production and the fossil share = 100 (gaz + 100) /
  // production: an affine function of the fossil share, so r = 1.
  assert.match(
    (fig.layout.title as { subtitle: { text: string } }).subtitle.text,
    /r\(fossile\) = 1,00/,
  );
  assert.equal(fig.data[1].mode, "lines");
});

Deno.test("missing columns: typed errors naming the table and the columns", () => {
  const bare = frameOf([{ at: "2025-01-01T00:00:00Z", autre: 1 }]);
  const cases: [() => unknown, RegExp][] = [
    [
      () => consumptionFigure(bare),
      /silver: missing column\(s\) consommation \(columns present: timestamp_utc, autre\)/,
    ],
    [
      () => mixPieFigure(bare),
      /silver: missing column\(s\): needs one of nucleaire, hydraulique, eolien/,
    ],
    [() => productionFigure(bare), /needs one of nucleaire/],
    [() => loadProfileFigure(bare), /missing column\(s\) consommation/],
    [() => heatmapFigure(bare), /missing column\(s\) consommation/],
    [() => weekdayWeekendFigure(bare), /missing column\(s\) consommation/],
    [() => windFigure(bare), /needs one of eolien, eolien_terrestre, eolien_offshore/],
    [() => solarProfileFigure(bare), /missing column\(s\) solaire/],
    [() => renewableShareFigure(bare), /needs one of hydraulique, eolien, solaire, bioenergies/],
    [() => exchangesFigure(bare), /needs one of ech_comm_angleterre, ech_comm_espagne/],
    [() => sankeyFigure(bare), /missing column\(s\) consommation/],
    [() => co2Figure(bare), /needs one of taux_co2, taux_co2_recalcule/],
    [() => mixCo2Figure(bare), /needs one of taux_co2, taux_co2_recalcule/],
    [() => predictionsFigure(bare), /predictions: missing column\(s\) prediction, actual/],
    [() => importanceFigure(bare), /feature_importance: missing column\(s\) feature, importance/],
    [
      () => exchangesFigure(pl.DataFrame({ pays: ["UK"] })),
      /echanges_internationaux: missing column\(s\) import_total_mwh, export_total_mwh/,
    ],
  ];
  for (const [build, message] of cases) assert.throws(build, { name: "VizInputError", message });
});

Deno.test("a period without data draws a figure that says so", () => {
  const fig = consumptionFigure(SILVER.head(0));
  assert.equal(fig.data.length, 0);
  assert.equal(
    (fig.layout.annotations as { text: string }[])[0].text,
    "Aucune donnée sur la période choisie",
  );
});

const PREDICTIONS = pl.DataFrame({
  timestamp: [0, 1, 2, 0, 1, 2].map((h) => new Date(Date.UTC(2025, 5, 1, 10 + h))),
  horizon: ["1h", "1h", "1h", "J-1", "J-1", "J-1"],
  model: ["gbdt", "gbdt", "gbdt", "ridge", "ridge", "ridge"],
  prediction: [51_000, 49_000, 50_500, 52_000, 50_000, 48_000],
  actual: [50_000, 50_000, 50_000, 50_000, 50_000, 50_000],
  error: [0, 0, 0, 0, 0, 0], // ignored: recomputed as prediction - actual
});

Deno.test("predictions: actual and one line per (model, horizon), MAPE of each", () => {
  const fig = predictionsFigure(PREDICTIONS);
  // Models named as in the tables and the prose (modelName), not by their identifiers.
  assert.deepEqual(fig.data.map((t) => t.name), [
    "Consommation réalisée",
    "gradient boosting (1h)",
    "ridge (J-1)",
  ]);
  assert.deepEqual(fig.data[0].x, ["2025-06-01 12:00", "2025-06-01 13:00", "2025-06-01 14:00"]);
  assert.deepEqual(fig.data[2].y, [52_000, 50_000, 48_000]);
  const mapeGbdt = (100 * (1_000 + 1_000 + 500)) / 50_000 / 3;
  const mapeRidge = (100 * (2_000 + 0 + 2_000)) / 50_000 / 3;
  assert.match(
    (fig.layout.title as { subtitle: { text: string } }).subtitle.text,
    new RegExp(
      `MAPE : gradient boosting \\(1h\\) ${
        mapeGbdt.toFixed(2).replace(".", ",")
      } %, ridge \\(J-1\\) ${mapeRidge.toFixed(2).replace(".", ",")} %`,
    ),
  );
  const nulls = PREDICTIONS.withColumns(
    pl.when(pl.col("model").eq(pl.lit("ridge"))).then(pl.lit(null)).otherwise(pl.col("prediction"))
      .alias("prediction"),
  );
  assert.throws(() => predictionsFigure(nulls), {
    name: "VizInputError",
    message: "predictions: row 3 has no prediction (3 null(s))",
  });
});

Deno.test("forecast errors: histogram of prediction - actual, MAE by local hour", () => {
  const hist = errorHistogramFigure(PREDICTIONS);
  assert.deepEqual(hist.data[0].x, [1_000, -1_000, 500]);
  assert.deepEqual(hist.data[1].x, [2_000, 0, -2_000]);
  assert.equal(hist.layout.barmode, "overlay");
  const byHour = errorByHourFigure(PREDICTIONS);
  assert.deepEqual(byHour.data[0].x, [12, 13, 14]); // CEST
  assert.deepEqual(byHour.data[0].y, [1_000, 1_000, 500]);
  assert.deepEqual(byHour.data[1].y, [2_000, 0, 2_000]);
});

Deno.test("feature importance: horizontal bars, most important on top", () => {
  const imp = pl.DataFrame({
    feature: ["heure", "lag_24h", "lag_1h", "heure", "lag_24h", "lag_1h"],
    importance: [0.1, 0.5, 0.4, 0.3, 0.2, 0.9],
    model: ["gbdt", "gbdt", "gbdt", "ridge", "ridge", "ridge"],
  });
  const fig = importanceFigure(imp, { unit: "gain" });
  // Mean importance: lag_1h 0.65, lag_24h 0.35, heure 0.2 -> bottom-to-top order reversed.
  assert.deepEqual(fig.data[0].y, ["heure", "lag_24h", "lag_1h"]);
  assert.deepEqual(fig.data[0].x, [0.1, 0.5, 0.4]);
  assert.deepEqual(fig.data[1].x, [0.3, 0.2, 0.9]);
  assert.equal(fig.data[0].orientation, "h");
  assert.equal((fig.layout.xaxis as { title: { text: string } }).title.text, "Importance (gain)");
  assert.deepEqual(fig.data.map((t) => t.name), ["gradient boosting", "ridge"]);
  assert.match(
    (fig.layout.title as { subtitle: { text: string } }).subtitle.text,
    / · gradient boosting, ridge$/,
  );
  const top = importanceFigure(imp, { top: 1 });
  assert.deepEqual(top.data[0].y, ["lag_1h"]);
});
