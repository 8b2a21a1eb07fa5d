import assert from "node:assert/strict";
import { buildReport, recommendations, type ReportData } from "./report.ts";

type Model = ReportData["modeles"][number];

function model(overrides: Partial<Model> = {}): Model {
  return {
    modele: "gbdt",
    horizon: "j1",
    mape: 1.5,
    rmse: 1100,
    mapeRte: 1.54,
    ecartRte: null,
    debut: "02/06/2025",
    fin: "25/07/2025",
    ...overrides,
  };
}

function sample(overrides: Partial<ReportData> = {}): ReportData {
  return {
    generatedAt: new Date("2026-01-01T10:00:00Z"),
    runId: "r1",
    inputs: ["tr.xls"],
    perimetre: "France",
    debut: "01/01/2025",
    fin: "25/07/2025",
    findings: ["France — phrase calculée."],
    consommation: {
      twh: 249.02,
      moyenne_mw: 50466,
      pic_mw: 87028,
      pic_quand: "le 14/01/2025 à 08:45",
    },
    effetWeekendPct: -9.42,
    mix: [
      { source: "nucleaire", part_pct: 68.1, energie_twh: 204.41 },
      { source: "hydraulique", part_pct: 12.1, energie_twh: 36.39 },
    ],
    partRenouvelablesPct: 28.3,
    partBasCarbonePct: 96.4,
    tendances: [],
    moisCouverts: 7,
    echanges: [{ pays: "Italie", solde_twh: -14.46 }, { pays: "Espagne", solde_twh: 2 }],
    episodes: {
      physique: false,
      centile: 95,
      dureeMinHeures: 3,
      import: 36,
      export: 181,
      exemples: ["Export, toutes frontières, du 08/01/2025 16:00 au 09/01/2025 12:00"],
    },
    co2: {
      taux_moyen_gkwh: 24.3,
      taux_moyen_simple_gkwh: 23,
      heure_propre: 13,
      taux_propre: 21.2,
      heure_carbonee: 19,
      taux_carbonee: 26.5,
      correlation: { variable: "part_gaz_pct", r: 0.977 },
    },
    previsionsRte: [{ horizon: "j1", mape: 1.78, mae: 904 }, { horizon: "j", mape: 0.7, mae: 340 }],
    modeles: [model({ mape: 1.5, ecartRte: { difference: -0.04, low: -0.3, high: -0.01 } })],
    anomalies: { total: 711, evenements: 32, exemples: ["Creux de consommation inhabituel"] },
    qualite: [{ regle: "bilan_puissance", echecs: 211, verifiees: 19738 }],
    etapesIgnorees: [],
    prix: {
      fichier: "prix.csv",
      texte: "Sur 206 jours, du 01/01/2025 au 25/07/2025, le prix de gros moyen est de 75,3 €/MWh.",
      correlations: [
        {
          variable: "part des renouvelables",
          r: -0.75,
          pente: -7.41,
          unite: "€/MWh par point",
          jours: 205,
        },
      ],
      jours: [{ date: "11/05/2025", jour: "dimanche", prix: -5.2, categorie: "négatif" }],
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
    echanges: [{ pays: "Allemagne", solde_twh: 3.5 }],
    modeles: [
      model({ modele: "ridge", mape: 2.5, ecartRte: { difference: 0.96, low: 0.7, high: 1.2 } }),
    ],
    figures: { absentes: "Chromium n'est pas installé" },
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
    modeles: [],
    etapesIgnorees: [
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
    modeles: [
      model(),
      model({ modele: "gbdt_sans_temperature", mape: 2.4, rmse: 1500 }),
    ],
  }));
  assert.match(withTemperature, /reçoivent la prévision de température connue à la coupure/);
});

Deno.test("the upper bound is labelled, never 'our best model'; the backtest section", () => {
  const md = buildReport(sample({
    modeles: [
      model({ modele: "gbdt_temperature_observee", mape: 1.2, mapeRte: 1.5 }),
      model({ modele: "gbdt", mape: 2.1, mapeRte: 1.5 }),
    ],
    fiabilite: {
      intervalles: [{ horizon: "j1", modele: "gbdt", couverture: 79.4, demiHeures: 1974 }],
      backtest: {
        debut: "01/06/2016",
        fin: "25/07/2025",
        semaines: 39,
        lignes: [{
          horizon: "j1",
          groupe: "hiver",
          modele: "gbdt_temperature_observee",
          reference: "rte_j1",
          demiHeures: 4320,
          mape: 2.149,
          mapeReference: 1.873,
          ecart: 0.276,
          icBas: 0.036,
          icHaut: 0.535,
          couverture: null,
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
    perimetre: `<script>alert(1)</script>`,
    findings: [`Région ${img} — phrase.`],
    echanges: [{ pays: `Italie | ${img}`, solde_twh: -1 }],
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
      physique: true,
      centile: 95,
      dureeMinHeures: 3,
      import: 0,
      export: 45,
      exemples: [],
    },
  }));
  assert.match(
    md,
    /\(au moins 3 heures consécutives où le solde physique horaire de tous les échanges, faute de détail par frontière dans les fichiers, atteint le 95e centile de sa valeur absolue sur la période\) : 45, dont 45 d'export et 0 d'import\./,
  );
  const none = buildReport(sample({
    episodes: {
      physique: false,
      centile: 95,
      dureeMinHeures: 3,
      import: 0,
      export: 0,
      exemples: [],
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
    prix: { absent: "aucun prix ne couvre la période des données (du 01/01/2014 au 31/12/2014)" },
  }));
  assert.match(
    none,
    /## Prix de gros de l'électricité\n\nAucun prix de gros dans ce rapport : aucun prix ne couvre la période des données \(du 01\/01\/2014 au 31\/12\/2014\)\.\n/,
  );
});

Deno.test("a difference with RTE whose interval contains 0 is not called better or worse", () => {
  // The case of the 2025 file: 1.62 % vs RTE's 1.60 %, interval −0.22 … +0.29.
  const md = buildReport(sample({
    modeles: [
      model({ mape: 1.62, mapeRte: 1.6, ecartRte: { difference: 0.02, low: -0.22, high: 0.29 } }),
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
    mix: [{ source: "hydraulique", part_pct: 55, energie_twh: 1 }],
    echanges: [{ pays: "Italie", solde_twh: -1 }],
    co2: { ...sample().co2!, correlation: { variable: "part_fossiles_total_pct", r: 0.99 } },
  }));
  assert.match(md, /dominée par l'hydraulique/);
  assert.doesNotMatch(md, /le hydraulique|part_fossiles_total_pct|va vers Italie/);
  assert.match(md, /export vers l'Italie/);
  assert.ok(
    buildReport(sample({ echanges: [{ pays: "DE-BE", solde_twh: 1 }] })).includes(
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
    moisCouverts: 30,
    tendances: [{
      serie: "eolien_offshore",
      pente: 12.5,
      unite: "MW/mois",
      premierMois: "2024-01",
      dernierMois: "2025-06",
    }],
  }));
  assert.match(
    long,
    /même mois de l'année précédente.*\n\n- La puissance moyenne de l'éolien en mer : \+12,50 MW\/mois, mois comparés de 2024-01 à 2025-06\./s,
  );
});

Deno.test("no anomaly and a single failing step are said in French", () => {
  const md = buildReport(sample({
    anomalies: { total: 0, evenements: 0, exemples: [] },
    qualite: [{ regle: "bilan_puissance", echecs: 1, verifiees: 2344 }],
  }));
  assert.match(md, /## Anomalies\n\nAucun pas inhabituel détecté \(/);
  assert.match(md, /1 pas sur 2344 ne respecte pas/);
});

Deno.test("models without RTE's forecast (regional files) are not said to be compared with it", () => {
  const md = buildReport(sample({ modeles: [model({ mapeRte: null })] }));
  assert.match(md, /les fichiers ne publient pas de prévision de RTE à laquelle les comparer :/);
  assert.doesNotMatch(md, /chacun comparé/);
});

Deno.test("the next-hours mix: a table of the forecast classes, or why there is none", () => {
  const report = buildReport(sample({
    mixProchainesHeures: {
      schema: "classes du cahier des charges",
      previsions: [
        { horizon_heures: 1, instant: "25/07/2025 16:15", classe: "<30 %" },
        { horizon_heures: 6, instant: "25/07/2025 21:15", classe: "30-50 %" },
      ],
    },
  }));
  const section = report.slice(report.indexOf("### Mix des prochaines heures"));
  assert.match(section, /classes du cahier des charges, gradient boosting, heures de Paris/);
  assert.match(
    section,
    /\| 1 h \| 25\/07\/2025 16:15 \| <30 % \|\n\| 6 h \| 25\/07\/2025 21:15 \| 30-50 % \|/,
  );
  for (const none of [null, { schema: "brief", previsions: [] }]) {
    const without = buildReport(sample({ mixProchainesHeures: none }));
    assert.match(without, /### Mix des prochaines heures\n\n_Pas de prévision du mix : /);
  }
});
