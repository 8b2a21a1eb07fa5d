import assert from "node:assert/strict";
import { buildReport, recommendations, type ReportData } from "./report.ts";

type Model = ReportData["models"][number];

function model(overrides: Partial<Model> = {}): Model {
  return {
    model: "gbdt",
    horizon: "j1",
    mape: 1.5,
    rmse: 1100,
    rteMape: 1.54,
    rteDifference: null,
    start: "02/06/2025",
    end: "25/07/2025",
    ...overrides,
  };
}

function sample(overrides: Partial<ReportData> = {}): ReportData {
  return {
    generatedAt: new Date("2026-01-01T10:00:00Z"),
    runId: "r1",
    inputs: ["tr.xls"],
    perimeter: "France",
    start: "01/01/2025",
    end: "25/07/2025",
    findings: ["France — phrase calculée."],
    consumption: {
      twh: 249.02,
      meanMw: 50466,
      peakMw: 87028,
      peakWhen: "le 14/01/2025 à 08:45",
    },
    weekendEffectPct: -9.42,
    mix: [
      { source: "nucleaire", sharePct: 68.1, energyTwh: 204.41 },
      { source: "hydraulique", sharePct: 12.1, energyTwh: 36.39 },
    ],
    renewableSharePct: 28.3,
    lowCarbonSharePct: 96.4,
    trends: [],
    monthsCovered: 7,
    exchanges: [{ country: "Italie", balanceTwh: -14.46 }, { country: "Espagne", balanceTwh: 2 }],
    episodes: {
      physical: false,
      percentile: 95,
      minDurationHours: 3,
      import: 36,
      export: 181,
      examples: ["Export, toutes frontières, du 08/01/2025 16:00 au 09/01/2025 12:00"],
    },
    co2: {
      meanGkwh: 24.3,
      plainMeanGkwh: 23,
      cleanestHour: 13,
      cleanestGkwh: 21.2,
      dirtiestHour: 19,
      dirtiestGkwh: 26.5,
      correlation: { variable: "part_gaz_pct", r: 0.977 },
    },
    rteForecasts: [{ horizon: "j1", mape: 1.78, mae: 904 }, { horizon: "j", mape: 0.7, mae: 340 }],
    models: [model({ mape: 1.5, rteDifference: { difference: -0.04, low: -0.3, high: -0.01 } })],
    anomalies: { total: 711, events: 32, examples: ["Creux de consommation inhabituel"] },
    quality: [{ rule: "bilan_puissance", failures: 211, checked: 19738 }],
    skippedSteps: [],
    prices: {
      file: "prix.csv",
      text: "Sur 206 jours, du 01/01/2025 au 25/07/2025, le prix de gros moyen est de 75,3 €/MWh.",
      correlations: [
        {
          variable: "part des renouvelables",
          r: -0.75,
          slope: -7.41,
          unit: "€/MWh par point",
          days: 205,
        },
      ],
      days: [{ date: "11/05/2025", weekday: "dimanche", price: -5.2, category: "négatif" }],
    },
    figures: [{ file: "figures/mix.png", title: "Mix" }],
    ...overrides,
  };
}

Deno.test("every number of the data appears, formatted in French", () => {
  const md = buildReport(sample());
  for (
    const text of ["249,02 TWh", "87 028 MW", "68,1 %", "9,4 %", "1,78 %", "211 pas sur 19 738"]
  ) {
    assert.ok(md.replaceAll("\u202f", " ").includes(text), text);
  }
  assert.match(md, /export de 12,46 TWh/);
  assert.match(
    md,
    /\*\*Épisodes d'échanges massifs\*\* \(au moins 3 heures consécutives .* 95e centile .*\) : 217, dont 181 d'export et 36 d'import\. .*\n\n- Export, toutes frontières, du 08\/01\/2025/,
  );
  assert.match(
    md,
    /711 pas inhabituels .*, regroupés en 32 événements .*\n\n- Creux de consommation/,
  );
  assert.match(md, /!\[Mix\]\(figures\/mix\.png\)/);
  assert.match(md, /vers 13 h.*21,2 g\/kWh.*plutôt que 19 h.*26,5 g\/kWh\) : 20 % d'émissions/s);
});

Deno.test("the text follows the numbers: importer, model worse than RTE, no figures", () => {
  const md = buildReport(sample({
    exchanges: [{ country: "Allemagne", balanceTwh: 3.5 }],
    models: [
      model({
        model: "ridge",
        mape: 2.5,
        rteDifference: { difference: 0.96, low: 0.7, high: 1.2 },
      }),
    ],
    figures: { missing: "Chromium n'est pas installé" },
  }));
  assert.match(md, /import de 3,50 TWh/);
  assert.match(md, /importatrice nette/);
  assert.match(
    md,
    /\(ridge\) : MAPE 2,50 % ; la prévision J-1 de RTE : 1,54 %, sur les mêmes instants de la période de test, du 02\/06\/2025 au 25\/07\/2025 ; écart \+0,96 point, intervalle de confiance à 95 % \[\+0,70 ; \+1,20\].*La prévision J-1 de RTE fait mieux/,
  );
  assert.match(md, /Figures non générées : Chromium n'est pas installé/);
  const better = recommendations(sample());
  assert.ok(better.some((r) => r.includes("Notre modèle fait mieux")));
});

Deno.test("skipped steps are listed with their reason, and the models' section says so", () => {
  const complete = buildReport(sample());
  assert.ok(!complete.includes("Étapes ignorées"));
  assert.match(complete, /n'utilisent pas de température/); // no `_sans_temperature` model
  const md = buildReport(sample({
    models: [],
    skippedSteps: [
      {
        notebook: "08_ML_Prevision_Consommation",
        step: "prévision de la consommation",
        reason: "trop peu de données",
      },
      {
        notebook: "09_ML_Classification_Mix",
        step: "classification du mix énergétique (classes du cahier des charges)",
        reason: "une seule classe observée avant la période de test (<30 %)",
      },
    ],
  }));
  assert.match(
    md,
    /## Étapes ignorées\n\n.*\n\n- \*\*prévision de la consommation\*\* \(notebook `08_ML_Prevision_Consommation`\) : trop peu de données\.\n- \*\*classification du mix/,
  );
  assert.match(md, /Aucun modèle entraîné dans ce run : l'étape a été ignorée/);
  const withTemperature = buildReport(sample({
    models: [
      model(),
      model({ model: "gbdt_sans_temperature", mape: 2.4, rmse: 1500 }),
    ],
  }));
  assert.match(withTemperature, /reçoivent la prévision de température connue à la coupure/);
});

Deno.test("the upper bound is labelled, never 'our best model'; the backtest section", () => {
  const md = buildReport(sample({
    models: [
      model({ model: "gbdt_temperature_observee", mape: 1.2, rteMape: 1.5 }),
      model({ model: "gbdt", mape: 2.1, rteMape: 1.5 }),
    ],
    forecastQuality: {
      intervals: [{ horizon: "j1", model: "gbdt", coveragePct: 79.4, halfHours: 1974 }],
      backtest: {
        start: "01/06/2016",
        end: "25/07/2025",
        weeks: 39,
        lines: [{
          horizon: "j1",
          group: "hiver",
          model: "gbdt_temperature_observee",
          reference: "rte_j1",
          halfHours: 4320,
          mape: 2.149,
          referenceMape: 1.873,
          difference: 0.276,
          low: 0.036,
          high: 0.535,
          coveragePct: null,
        }],
      },
    },
  }));
  assert.match(md, /\| gradient boosting, température observée \(borne haute\) \| j1 \|/);
  assert.match(md, /notre meilleur modèle \(gradient boosting\)/);
  assert.match(md, /- j1, gradient boosting : 79,4 %/);
  // Models are named for a reader: no identifier of the predictions tables.
  assert.doesNotMatch(md, /gbdt|temperature_observee/);
  assert.match(md, /79,4 % des 1974 demi-heures de test/);
  assert.match(
    md,
    /\| j1 \| hiver \| gradient boosting, température observée \(borne haute\) \| 2,15 \| 1,87 \| 0,28 \[0,04 ; 0,54\] \| — \|/,
  );
});

Deno.test("hostile file, perimeter and country names stay text in the report", () => {
  const img = "<img src=x onerror=alert(1)>";
  const md = buildReport(sample({
    inputs: [`data/a\`${img}\`.xls`],
    perimeter: `<script>alert(1)</script>`,
    findings: [`Région ${img} — phrase.`],
    exchanges: [{ country: `Italie | ${img}`, balanceTwh: -1 }],
  }));
  // No raw tag outside a code span, and the code span holds the whole name.
  const outsideCode = md.replace(/(`+)[^`]*?(?:`(?!`)[^`]*?)*\1/g, "");
  assert.doesNotMatch(outsideCode, /<img|<script/i);
  assert.ok(md.includes(`\`\`data/a\`${img}\`.xls\`\``), md);
  assert.ok(md.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  // A country name cannot open a table cell.
  assert.ok(md.includes("| Italie \\| &lt;img"));
});

Deno.test("episodes of the physical balance say so", () => {
  const md = buildReport(sample({
    episodes: {
      physical: true,
      percentile: 95,
      minDurationHours: 3,
      import: 0,
      export: 45,
      examples: [],
    },
  }));
  assert.match(
    md,
    /\(au moins 3 heures consécutives où le solde physique horaire de tous les échanges, faute de détail par frontière dans les fichiers, atteint le 95e centile de sa valeur absolue sur la période\) : 45, dont 45 d'export et 0 d'import\./,
  );
  const none = buildReport(sample({
    episodes: {
      physical: false,
      percentile: 95,
      minDurationHours: 3,
      import: 0,
      export: 0,
      examples: [],
    },
  }));
  assert.match(
    none,
    /Aucun épisode d'échanges massifs \(au moins 3 heures consécutives où le solde horaire d'une frontière, ou de toutes, atteint/,
  );
});

Deno.test("the price section: drivers and extreme days, or why there is no price", () => {
  const md = buildReport(sample());
  assert.match(md, /## Prix de gros de l'électricité\n\nSur 206 jours, du 01\/01\/2025/);
  assert.ok(md.includes("| part des renouvelables | −0,75 | −7,41 €/MWh par point |"));
  assert.ok(md.includes("- dimanche 11/05/2025 : −5,20 €/MWh (négatif)"));
  assert.match(md, /Ember.*CC BY 4\.0 ; fichier `prix\.csv`/);
  const none = buildReport(sample({
    prices: {
      missing: "aucun prix ne couvre la période des données (du 01/01/2014 au 31/12/2014)",
    },
  }));
  assert.match(
    none,
    /## Prix de gros de l'électricité\n\nAucun prix de gros dans ce rapport : aucun prix ne couvre la période des données \(du 01\/01\/2014 au 31\/12\/2014\)\.\n/,
  );
});

Deno.test("a difference with RTE whose interval contains 0 is not called better or worse", () => {
  // The case of the 2025 file: 1.62 % vs RTE's 1.60 %, interval −0.22 … +0.29.
  const md = buildReport(sample({
    models: [
      model({
        mape: 1.62,
        rteMape: 1.6,
        rteDifference: { difference: 0.02, low: -0.22, high: 0.29 },
      }),
    ],
  }));
  assert.doesNotMatch(md, /meilleure|fait mieux/);
  assert.match(
    md,
    /\[−0,22 ; \+0,29\].*L'intervalle contient 0 : les deux prévisions ne se distinguent pas/,
  );
  assert.match(
    md,
    /\| gradient boosting \| j1 \| 1,62 \| 1100 \| 1,60 \| \+0,02 \| \[−0,22 ; \+0,29\] \| non \|/,
  );
  assert.match(md, /Nos modèles sur leur période de test \(du 02\/06\/2025 au 25\/07\/2025\)/);
});

Deno.test("figures name their period and weighting", () => {
  const md = buildReport(sample());
  assert.match(
    md,
    /Prévisions de RTE sur toute la période, du 01\/01\/2025 au 25\/07\/2025 :\n\n- Prévision J-1 de RTE : MAPE 1,78 %/,
  );
  assert.match(
    md,
    /Intensité carbone moyenne du 01\/01\/2025 au 25\/07\/2025 : 24,3 g\/kWh, pondérée par la production .* moyenne simple des pas, affichée dans les notebooks 03 et 05, vaut 23,0 g\/kWh/,
  );
  assert.match(md, /heure de Paris/);
});

Deno.test("sources and countries with their articles, no raw identifier", () => {
  const md = buildReport(sample({
    mix: [{ source: "hydraulique", sharePct: 55, energyTwh: 1 }],
    exchanges: [{ country: "Italie", balanceTwh: -1 }],
    co2: { ...sample().co2!, correlation: { variable: "part_fossiles_total_pct", r: 0.99 } },
  }));
  assert.match(md, /dominée par l'hydraulique/);
  assert.doesNotMatch(md, /le hydraulique|part_fossiles_total_pct|va vers Italie/);
  assert.match(md, /export vers l'Italie/);
  assert.ok(
    buildReport(sample({ exchanges: [{ country: "DE-BE", balanceTwh: 1 }] })).includes(
      "| Allemagne et Belgique | 1,000 |",
    ),
  );
  assert.match(md, /la plus corrélée à l'intensité est la part des fossiles/);
});

Deno.test("no trend is given on less than two years; a year-over-year one is", () => {
  const short = buildReport(sample());
  assert.match(
    short,
    /## Tendances\n\nLes données couvrent 7 mois .* aucune tendance n'est donc donnée\./,
  );
  assert.doesNotMatch(short, /MW\/mois/);
  const long = buildReport(sample({
    monthsCovered: 30,
    trends: [{
      series: "eolien_offshore",
      slope: 12.5,
      unit: "MW/mois",
      firstMonth: "2024-01",
      lastMonth: "2025-06",
    }],
  }));
  assert.match(
    long,
    /même mois de l'année précédente.*\n\n- La puissance moyenne de l'éolien en mer : \+12,50 MW\/mois, mois comparés de 2024-01 à 2025-06\./s,
  );
});

Deno.test("no anomaly and a single failing step are said in French", () => {
  const md = buildReport(sample({
    anomalies: { total: 0, events: 0, examples: [] },
    quality: [{ rule: "bilan_puissance", failures: 1, checked: 2344 }],
  }));
  assert.match(md, /## Anomalies\n\nAucun pas inhabituel détecté \(/);
  assert.match(md, /1 pas sur 2344 ne respecte pas/);
});

Deno.test("models without RTE's forecast (regional files) are not said to be compared with it", () => {
  const md = buildReport(sample({ models: [model({ rteMape: null })] }));
  assert.match(md, /les fichiers ne publient pas de prévision de RTE à laquelle les comparer :/);
  assert.doesNotMatch(md, /chacun comparé/);
});

Deno.test("the next-hours mix: a table of the forecast classes, or why there is none", () => {
  const report = buildReport(sample({
    nextHoursMix: {
      schema: "classes du cahier des charges",
      forecasts: [
        { horizonHours: 1, instant: "25/07/2025 16:15", predictedClass: "<30 %" },
        { horizonHours: 6, instant: "25/07/2025 21:15", predictedClass: "30-50 %" },
      ],
    },
  }));
  const section = report.slice(report.indexOf("### Mix des prochaines heures"));
  assert.match(section, /classes du cahier des charges, gradient boosting, heures de Paris/);
  assert.match(
    section,
    /\| 1 h \| 25\/07\/2025 16:15 \| <30 % \|\n\| 6 h \| 25\/07\/2025 21:15 \| 30-50 % \|/,
  );
  for (const none of [null, { schema: "brief", forecasts: [] }]) {
    const without = buildReport(sample({ nextHoursMix: none }));
    assert.match(without, /### Mix des prochaines heures\n\n_Pas de prévision du mix : /);
  }
});
