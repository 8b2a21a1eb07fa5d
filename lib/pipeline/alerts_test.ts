import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  type AlertConfig,
  AlertConfigError,
  defaultAlertConfig,
  evaluateAlerts,
  loadAlertConfig,
  parseAlertConfig,
  staleDataAlerts,
} from "./alerts.ts";
import { PATHS } from "../paths.ts";

const at = (hhmm: string) => new Date(`2025-01-15T${hhmm}:00Z`);

/** Silver-shaped rows of France at the given UTC times, with the given columns. */
function rows(times: string[], columns: Record<string, (number | null)[]>): pl.DataFrame {
  return pl.DataFrame({
    jeu_donnees: times.map(() => "eco2mix"),
    perimetre: times.map(() => "France"),
    timestamp_utc: pl.Series("timestamp_utc", times.map(at), pl.Datetime("ms", "UTC")),
    source_file: times.map(() => "tr.xls"),
    pas_minutes: times.map(() => 15),
    ...Object.fromEntries(
      Object.entries(columns).map(([k, v]) => [k, pl.Series(k, v, pl.Float64)]),
    ),
  });
}

/** The configuration with only `rule` on. */
function only(rule: keyof AlertConfig["regles"], setting: unknown): AlertConfig {
  const config = defaultAlertConfig();
  (config.regles as Record<string, unknown>)[rule] = setting;
  return config;
}

const records = (df: pl.DataFrame) => df.toRecords() as Record<string, unknown>[];

Deno.test("co2_eleve: taux_co2 strictly above the threshold, message with a decimal comma", () => {
  const df = rows(["07:00", "07:15", "07:30", "07:45"], { taux_co2: [49, 50.5, 62, null] });
  const alerts = records(evaluateAlerts(df, only("co2_eleve", { seuil: 50.5 })));
  assert.deepEqual(alerts.map((a) => [a.regle, a.instant, a.valeur, a.seuil]), [
    ["co2_eleve", at("07:30"), 62, 50.5],
  ]);
  assert.equal(
    alerts[0].message,
    "France, 15/01/2025 08:30 (heure de Paris) : intensité carbone de 62 g/kWh, au-dessus du " +
      "seuil de 50,5 g/kWh.",
  );
});

Deno.test("consommation_au_dessus_prevision: the gap in % of RTE's J forecast", () => {
  const df = rows(["07:00", "07:15", "07:30"], {
    consommation: [70_000, 72_450, 71_000],
    prevision_j: [70_000, 70_000, null],
  });
  const [alert, ...rest] = records(
    evaluateAlerts(df, only("consommation_au_dessus_prevision", { seuil: 3 })),
  );
  assert.equal(rest.length, 0);
  assert.deepEqual(alert.instant, at("07:15"));
  assert.ok(Math.abs((alert.valeur as number) - 3.5) < 1e-12);
  assert.match(
    alert.message as string,
    /consommation de 72\u202f450 MW, 3,5 % au-dessus de la prévision J de RTE \(70\u202f000 MW\) ; seuil 3 %\.$/,
  );
});

Deno.test("imports_nets_eleves: physical exchanges above the threshold (exports are < 0)", () => {
  const df = rows(["07:00", "07:15", "07:30"], { ech_physiques: [-3000, 2000, 2500] });
  const alerts = records(evaluateAlerts(df, only("imports_nets_eleves", { seuil: 2000 })));
  assert.deepEqual(alerts.map((a) => [a.instant, a.valeur]), [[at("07:30"), 2500]]);
  assert.match(
    alerts[0].message as string,
    /imports nets de 2500 MW \(échanges physiques\), au-dessus du seuil de 2000 MW\.$/,
  );
});

Deno.test("part_fossile_elevee: fossil share of production above the threshold", () => {
  const df = rows(["07:00", "07:15"], {
    fossiles_total: [5_000, 6_000],
    production_totale: [50_000, 50_000],
  });
  const alerts = records(evaluateAlerts(df, only("part_fossile_elevee", { seuil: 10 })));
  assert.deepEqual(alerts.map((a) => [a.instant, a.valeur]), [[at("07:15"), 12]]);
  assert.match(alerts[0].message as string, /part fossile de 12 % de la production/);
});

Deno.test("qualite_donnees: failing quality rules, row by row, with their measure", () => {
  // 08:00 follows 07:15: 30 minutes missing (continuite_temporelle); 07:15 has nucleaire < -100.
  const df = rows(["07:00", "07:15", "08:00"], { nucleaire: [40_000, -500, 41_000] });
  const config = only("qualite_donnees", {
    regles: ["nucleaire_plausible", "continuite_temporelle", "bilan_puissance"],
  });
  const alerts = records(evaluateAlerts(df, config));
  assert.deepEqual(alerts.map((a) => [a.regle, a.instant, a.valeur, a.seuil]), [
    ["qualite_continuite_temporelle", at("08:00"), 30, null],
    ["qualite_nucleaire_plausible", at("07:15"), -500, null],
  ]);
  assert.match(alerts[1].message as string, /la règle de qualité « nucleaire_plausible » échoue/);
});

Deno.test("only eco2mix rows of the watched perimeters raise alerts", () => {
  const df = pl.concat([
    rows(["07:00"], { taux_co2: [90] }),
    rows(["07:00"], { taux_co2: [90] }).withColumns(pl.lit("Bretagne").alias("perimetre")),
    rows(["07:15"], { taux_co2: [90] }).withColumns(
      pl.lit("consommation_brute").alias("jeu_donnees"),
    ),
  ]);
  const config = only("co2_eleve", { seuil: 50 });
  assert.deepEqual(records(evaluateAlerts(df, config)).map((a) => a.perimetre), ["France"]);
  config.perimetres = ["France", "Bretagne"];
  assert.deepEqual(
    records(evaluateAlerts(df, config)).map((a) => a.perimetre),
    ["Bretagne", "France"],
  );
});

Deno.test("donnees_anciennes: the latest quarter-hour older than the threshold, or none", () => {
  const config = only("donnees_anciennes", { seuil: 120 });
  config.perimetres = ["France", "Bretagne"];
  const latest = pl.DataFrame({ perimetre: ["France"], timestamp_utc: [at("07:00")] });
  const alerts = records(staleDataAlerts(latest, at("09:00"), config));
  // France is exactly 120 min old (not above); Bretagne has no data at all.
  assert.deepEqual(alerts.map((a) => [a.perimetre, a.instant]), [["Bretagne", new Date(0)]]);
  assert.equal(alerts[0].message, "Bretagne : aucune donnée mesurée, au-delà du seuil de 120 min.");
  const later = records(staleDataAlerts(latest, at("09:01"), config));
  assert.deepEqual(later.map((a) => [a.perimetre, a.valeur]), [
    ["Bretagne", (at("09:01").getTime()) / 60_000],
    ["France", 121],
  ]);
  assert.equal(staleDataAlerts(latest, at("23:00"), defaultAlertConfig()).height, 0);
});

Deno.test("the shipped configuration file parses, with every rule on", async () => {
  const config = await loadAlertConfig(`${PATHS.root}/config/alertes.yaml`);
  assert.ok(Object.values(config.regles).every((r) => r !== null));
  assert.deepEqual(config.perimetres, ["France"]);
  assert.equal(config.webhook.url, null);
});

Deno.test("configuration errors name the file and line", async () => {
  const bad = (text: string, message: RegExp) =>
    assert.throws(() => parseAlertConfig(text, "a.yaml"), (e: unknown) => {
      assert.ok(e instanceof AlertConfigError);
      assert.match(e.message, message);
      return true;
    });
  bad("regles:\n  co2_eleve:\n    seuil: 40\n  co2:\n", /^a\.yaml:4: unknown key regles\.co2 /);
  bad(
    "regles:\n  co2_eleve:\n    limite: 40\n",
    /^a\.yaml:3: unknown key regles\.co2_eleve\.limite/,
  );
  bad("regles:\n  co2_eleve: {}\n", /^a\.yaml:2: regles\.co2_eleve\.seuil is missing/);
  bad(
    "regles:\n  qualite_donnees:\n    regles: [bilan_puissance, bilan]\n",
    /^a\.yaml:3: .*unknown quality rule bilan /,
  );
  bad("perimetres: France\n", /^a\.yaml:1: perimetres must be a list/);
  bad("webhook:\n  url: ftp://x\n", /^a\.yaml:2: webhook\.url must be an http/);
  bad("regles:\n  co2_eleve:\n  seuil: [\n", /^a\.yaml:\d+: /);
  await assert.rejects(loadAlertConfig("/nonexistent/alertes.yaml"), AlertConfigError);
  const off = parseAlertConfig("regles:\n  co2_eleve: null\n", "a.yaml");
  assert.equal(off.regles.co2_eleve, null);
});
