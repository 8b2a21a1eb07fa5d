import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync } from "fflate";
import pl from "nodejs-polars";
import type { Page } from "playwright-core";
import { anomalyEvents } from "../analysis/mod.ts";
import { exchangeEpisodes } from "../layers/exchange_episodes.ts";
import { carbonFootprint, dailyEnergyMix } from "../layers/gold.ts";
import { parseDailyPrices } from "../layers/prices.ts";
import { dailyPriceMix } from "../analysis/prices.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { BRIEF_CLASSES, classOf } from "../forecasting/mod.ts";
import { dashboardFigures } from "./_core_dashboard.ts";
import {
  buildDashboard,
  DASHBOARD_CHARTS,
  dashboardCoreScript,
  dashboardData,
  type DashboardTables,
} from "./dashboard.ts";
import { launchChromium } from "./render.ts";
import { frameOf, hourlyRows, persistencePredictions, realSilver2025 } from "./_testdata.ts";

const IMPORTANCE = pl.DataFrame({
  feature: ["lag_24h", "heure", "jour_semaine", "temperature", "lag_168h"],
  importance: [0.42, 0.21, 0.12, 0.18, 0.07],
});

const PRICES = "prices/european_wholesale_electricity_price_data_daily_FRA.csv";

/**
 * A `predictions_mix` of the real silver: a test row, then the class of the last measured share
 * as the forecast of the next six hours (persistence), labelled gbdt like notebook 09's rows.
 */
function persistenceMixPredictions(silver: pl.DataFrame): pl.DataFrame {
  const [last] = silver.filter(
    pl.col("jeu_donnees").eq(pl.lit("eco2mix")).and(pl.col("part_renouvelables").isNotNull()),
  ).sort("timestamp_utc", true).head(1).toRecords() as unknown as {
    timestamp_utc: Date;
    part_renouvelables: number;
  }[];
  const [classe] = classOf([last.part_renouvelables], BRIEF_CLASSES) as string[];
  const horizons = [0, 1, 2, 3, 4, 5, 6];
  return pl.DataFrame({
    timestamp_utc: horizons.map((h) => new Date(last.timestamp_utc.getTime() + h * 3_600_000)),
    horizon_heures: horizons.map((h) => h || 1),
    periode: horizons.map((h) => (h === 0 ? "test" : "prevision")),
    schema: horizons.map(() => "brief"),
    model: horizons.map(() => "gbdt"),
    classe_predite: horizons.map(() => classe),
  }).withColumns(pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"));
}

function realTables(): DashboardTables {
  const silver = realSilver2025();
  return {
    silver,
    predictions: persistencePredictions(silver),
    featureImportance: IMPORTANCE,
    anomalyEvents: anomalyEvents(silver),
    exchangeEpisodes: exchangeEpisodes(silver),
    prices: dailyPriceMix(
      parseDailyPrices(Deno.readTextFileSync(sharedDataPath(PRICES)), PRICES),
      { mix: dailyEnergyMix(silver), carbon: carbonFootprint(silver), silver },
    ),
    mixPredictions: persistenceMixPredictions(silver),
  };
}

Deno.test("the page's inlined core computes exactly what the notebook code computes", () => {
  const data = dashboardData(realTables());
  const inPage = new Function(
    "data",
    `${dashboardCoreScript()}\nreturn dashboardFigures(data, "2025-03-01", "2025-03-31");`,
  );
  const expected = dashboardFigures(data, "2025-03-01", "2025-03-31");
  assert.deepEqual(Object.keys(expected).sort(), [...DASHBOARD_CHARTS].sort());
  assert.deepEqual(inPage(data), expected);
});

Deno.test("dashboard data: hourly means rounded to the MW, RTE reference on the models' hours", () => {
  const tables = realTables();
  const data = dashboardData(tables);
  const h = data.hourly;
  assert.equal(h.stepHours, 1);
  assert.equal(h.days[0], "2025-01-01");
  assert.equal(h.perimeter, "France");
  assert.ok(h.series.consommation.every((v) => v === null || Number.isInteger(v)));
  // Energy of the hourly means = energy of the 15-minute rows (to the rounding of each hour).
  const silver = tables.silver.filter(pl.col("jeu_donnees").eq(pl.lit("eco2mix")));
  const exact = silver.select(pl.col("consommation").mul(pl.col("pas_minutes")).div(60).sum())
    .toRecords()[0].consommation as number;
  const fromHours = h.series.consommation.reduce<number>(
    (a, v, i) => a + (v ?? 0) * h.duration[i],
    0,
  );
  assert.ok(Math.abs(fromHours - exact) < 0.5 * h.duration.length, `${fromHours} vs ${exact}`);
  const models = data.predictions?.series.map((s) => `${s.model} ${s.horizon}`);
  assert.deepEqual(models, ["persistance_24h J-1", "persistance_1h 1h", "RTE J-1", "RTE J"]);
  const days = (k: number) => {
    const s = data.predictions!.series[k];
    return [data.predictions!.days[s.day[0]], data.predictions!.days[s.day.at(-1)!]];
  };
  assert.deepEqual(days(2), days(0)); // RTE scored on the models' period only
  assert.deepEqual(data.importance?.feature, IMPORTANCE.getColumn("feature").toArray());
  // The six hours after the file's last measured share (25 July 2025 15:15, Paris; the later
  // rows are RTE's forecasts only), the test row left out.
  assert.deepEqual(data.mixForecast?.horizonHours, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(data.mixForecast?.instant.slice(0, 2), ["25/07/2025 16:15", "25/07/2025 17:15"]);
  assert.equal(data.mixForecast?.schema, "classes du cahier des charges");
});

Deno.test("the HTML is self-contained: plotly and the data inline, no external resource", () => {
  const tables = realTables();
  const html = buildDashboard(tables, { generatedAt: new Date("2025-07-26T08:00:00Z") });
  assert.ok(html.includes("plotly.js v4.1.2"));
  // Outside plotly's own bundle (whose map attributions hold links), nothing points outside;
  // the Chromium test below also checks that the page requests nothing.
  const start = html.indexOf("<script>/**\n* plotly.js");
  const end = html.indexOf("</script>", start);
  assert.ok(start > 0 && end > start);
  assert.doesNotMatch(html.slice(0, start) + html.slice(end), /(src|href)="(https?:)?\/\//);
  for (const id of DASHBOARD_CHARTS) assert.ok(html.includes(`id="chart-${id}"`), id);
  for (
    const title of [
      "Vue d'ensemble",
      "Analyse temporelle",
      "Renouvelables",
      "Échanges",
      "Environnement",
      "Machine learning",
      "Prix de gros",
      "Événements",
    ]
  ) {
    assert.ok(html.includes(`${title.replace("'", "&#39;")}</h2>`), title);
  }
  assert.ok(html.includes("généré le 2025-07-26 08:00 UTC"));
  const payload = html.match(/<script type="application\/octet-stream" id="donnees">([^<]+)</)![1];
  const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  assert.deepEqual(
    JSON.parse(new TextDecoder().decode(gunzipSync(bytes))),
    JSON.parse(JSON.stringify(dashboardData(tables))),
  );
});

/** Per chart: number of drawn marks (line paths, points, bars, slices, links, heatmap images). */
function drawnMarks(page: Page): Promise<Record<string, number>> {
  return page.evaluate(`(() => {
    const marks = {};
    for (const el of document.querySelectorAll("[id^=chart-]")) {
      marks[el.id.slice(6)] = el.querySelectorAll([
        ".scatterlayer .js-line", ".scatterlayer .point", ".barlayer .point", ".pielayer .slice",
        ".sankey-link", ".heatmaplayer image", ".hm image", ".table .column-cell",
      ].join(",")).length;
    }
    return marks;
  })()`) as Promise<Record<string, number>>;
}

/** Per chart: what plotly holds (trace lengths and the empty-data message, if any). */
function plotted(
  page: Page,
): Promise<Record<string, { points: number; message: string | null; x0: string; x1: string }>> {
  return page.evaluate(`(() => {
    const out = {};
    for (const el of document.querySelectorAll("[id^=chart-]")) {
      const data = el.data || [];
      const lengths = data.map((t) => (t.y || t.values || t.z || (t.link && t.link.value) ||
        (t.cells && t.cells.values[0]) || t.x || []).length);
      const xs = data.flatMap((t) => Array.isArray(t.x) && typeof t.x[0] === "string" ? t.x : []);
      const note = ((el.layout && el.layout.annotations) || []).find((a) => /Aucun|indisponible/.test(a.text));
      out[el.id.slice(6)] = {
        points: lengths.reduce((a, b) => a + b, 0),
        message: note ? note.text : null,
        x0: xs.length ? xs.reduce((a, b) => (b !== null && b < a ? b : a)) : "",
        x1: xs.length ? xs.reduce((a, b) => (b !== null && b > a ? b : a)) : "",
      };
    }
    return out;
  })()`) as Promise<
    Record<string, { points: number; message: string | null; x0: string; x1: string }>
  >;
}

async function waitRendered(page: Page, n: number): Promise<void> {
  await page.waitForFunction(`document.body.dataset.rendus === "${n}"`, null, { timeout: 120_000 });
}

Deno.test("in Chromium: every chart drawn with data, no error, the date filter redraws", async () => {
  const dir = await Deno.makeTempDir({ prefix: "eco2mix-dashboard-" });
  const path = join(dir, "tableau_de_bord.html");
  await Deno.writeTextFile(path, buildDashboard(realTables()));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url === `file://${path}`) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${path}`);
    await waitRendered(page, 1);

    const marks = await drawnMarks(page);
    assert.deepEqual(Object.keys(marks), [...DASHBOARD_CHARTS]);
    for (const id of DASHBOARD_CHARTS) assert.ok(marks[id] > 0, `${id}: nothing drawn`);
    const full = await plotted(page);
    for (const id of DASHBOARD_CHARTS) {
      assert.equal(full[id].message, null, `${id}: ${full[id].message}`);
      assert.ok(full[id].points > 0, `${id}: no data`);
    }
    assert.equal(await page.locator(".kpi").count(), 6);
    assert.equal(full.consommation.x0, "2025-01-01");
    assert.equal(full.consommation.x1, "2025-07-25");
    assert.equal(full.heatmap.points, 24); // 24 hour rows x 206 days
    // A negative number reads with the minus sign U+2212 in hover labels (through the axis's
    // hoverformat) and on ticks, as in the key figures and the prose: exports are < 0.
    const exports = await page.evaluate(`(() => {
      const el = document.getElementById("chart-echanges");
      Plotly.Fx.hover(el, [{ curveNumber: 1, pointNumber: 0 }]);
      const hover = [...el.querySelectorAll(".hoverlayer text")].map((t) => t.textContent);
      Plotly.Fx.unhover(el);
      return { hover, ticks: [...el.querySelectorAll(".ytick text")].map((t) => t.textContent) };
    })()`) as { hover: string[]; ticks: string[] };
    assert.ok(exports.hover.some((t) => /: \u2212\d/.test(t)), exports.hover.join(" | "));
    assert.ok(exports.ticks.some((t) => /^\u2212\d/.test(t)), exports.ticks.join(" | "));
    for (const text of [...exports.hover, ...exports.ticks]) assert.doesNotMatch(text, /-\d/);
    const kpiBefore = await page.locator(".kpi .valeur").first().textContent();
    const fullEvents = await page.evaluate(
      `document.getElementById("chart-evenements_anomalies").data[0].cells.values[0]`,
    ) as string[];

    // "7 derniers jours": hourly detail of 19-25 July only.
    await page.getByRole("button", { name: "7 derniers jours" }).click();
    await waitRendered(page, 2);
    const week = await plotted(page);
    assert.equal(await page.inputValue("#debut"), "2025-07-19");
    assert.equal(week.consommation.x0, "2025-07-19 00:00");
    assert.ok(week.consommation.x1.startsWith("2025-07-25 "), week.consommation.x1);
    assert.ok(week.production.x0 >= "2025-07-19" && week.predictions.x0 >= "2025-07-19");
    assert.ok(week.consommation.points < full.consommation.points);
    assert.notEqual(await page.locator(".kpi .valeur").first().textContent(), kpiBefore);
    assert.match((await page.locator("#etat").textContent()) ?? "", /^7 jours affichés/);

    // A custom range typed in the inputs, then a range without data.
    await page.evaluate(`(() => {
      document.getElementById("debut").value = "2025-03-01";
      document.getElementById("fin").value = "2025-03-31";
      document.getElementById("fin").dispatchEvent(new Event("change"));
    })()`);
    await waitRendered(page, 3);
    const march = await plotted(page);
    assert.equal(march.consommation.x0, "2025-03-01 00:00");
    assert.ok(march.consommation.x1.startsWith("2025-03-31 "));
    const heatmapDays = await page.evaluate(
      `document.getElementById("chart-heatmap").data[0].x.length`,
    );
    assert.equal(heatmapDays, 31);
    // The next hours' mix does not follow the dates: it comes after the last measurement.
    assert.equal(march.mix_prochaines_heures.points, full.mix_prochaines_heures.points);
    assert.equal(full.mix_prochaines_heures.points, 6);
    await page.locator("#vue-ensemble").screenshot({ path: join(dir, "vue_ensemble_mars.png") });
    // Events of March only: the cold-snap peaks of mid-March, no 1 May.
    const marchEvents = await page.evaluate(
      `document.getElementById("chart-evenements_anomalies").data[0].cells.values[0]`,
    ) as string[];
    assert.ok(marchEvents.length > 0);
    assert.ok(marchEvents.every((d) => d.includes("/03/2025 ")), marchEvents.join());
    assert.ok(fullEvents.some((d) => d.startsWith("01/05/2025 ")), fullEvents.join());
    // One date style in the page: the events' times and the next hours' instants alike, as
    // lib's Paris formatter writes them (jj/mm/aaaa hh:mm).
    const mixInstants = await page.evaluate(
      `document.getElementById("chart-mix_prochaines_heures").data[0].cells.values[1]`,
    ) as string[];
    for (const d of [...fullEvents, ...mixInstants]) {
      assert.match(d, /^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
    }
    const marchPrices = await page.evaluate(
      `document.getElementById("chart-prix").data[0].x`,
    ) as string[];
    assert.equal(marchPrices.length, 31);
    assert.ok(marchPrices.every((d) => d.startsWith("2025-03-")));

    await page.evaluate(`(() => {
      document.getElementById("debut").value = "2024-01-01";
      document.getElementById("fin").value = "2024-01-31";
      document.getElementById("fin").dispatchEvent(new Event("change"));
    })()`);
    await waitRendered(page, 4);
    const none = await plotted(page);
    assert.equal(none.consommation.message, "Aucune donnée sur la période choisie");

    await page.getByRole("button", { name: "Toute la période" }).click();
    await waitRendered(page, 5);
    await page.screenshot({ path: join(dir, "tableau_de_bord.png"), fullPage: true });
    assert.ok((await Deno.stat(join(dir, "tableau_de_bord.png"))).size > 100_000);
    assert.ok((await Deno.stat(join(dir, "vue_ensemble_mars.png"))).size > 20_000);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);
    console.log(`dashboard screenshots in ${dir}`);
  } finally {
    await browser.close();
  }
});

Deno.test("a small silver without ML tables still gives a complete page", async () => {
  const silver = frameOf(hourlyRows("2025-01-02T23:00:00Z", 48, (i) => ({
    consommation: 50_000 + 100 * i,
    nucleaire: 40_000,
    solaire: i % 24 > 8 && i % 24 < 17 ? 3_000 : 0,
  })));
  const html = buildDashboard({ silver });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.setContent(html);
    await waitRendered(page, 1);
    const charts = await plotted(page);
    assert.equal(charts.consommation.message, null);
    assert.equal(charts.predictions.message, "Aucune prévision sur la période choisie");
    assert.equal(charts.co2.message, "Données indisponibles : taux_co2");
    assert.equal(charts.importance.message, "Aucune importance fournie");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
