/**
 * Alert rules of the live mode (`deno task direct`, see `live.ts`): which quarter-hours of
 * `eco2mix_silver` raise an alert, read from one configuration file (`config/alertes.yaml`), and
 * the rows of the `alertes` table they give (rule, perimeter, instant, value, threshold, message
 * in French).
 *
 * Rules, each off when absent from the file (or null):
 * - `co2_eleve`: RTE's CO2 intensity `taux_co2` above `seuil` g/kWh;
 * - `consommation_au_dessus_prevision`: `consommation` above RTE's same-day forecast
 *   `prevision_j` by more than `seuil` % (the value is the gap in % of the forecast);
 * - `imports_nets_eleves`: physical net imports `ech_physiques` (> 0: import) above `seuil` MW;
 * - `part_fossile_elevee`: `fossiles_total` (gas, oil, coal) above `seuil` % of
 *   `production_totale`;
 * - `qualite_donnees`: a data-quality rule of `lib/quality` (named in `regles`) failing on the
 *   row; the alert's rule is `qualite_<name>`, its value the rule's measure, no threshold;
 * - `donnees_anciennes`: the latest measured quarter-hour of a perimeter older than `seuil`
 *   minutes when the batch runs (the alert's instant is that quarter-hour).
 *
 * An alert is identified by (regle, perimetre, instant): the live mode stores each once.
 *
 * @module
 */

import pl from "nodejs-polars";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { formatNumber, formatParisDateTime } from "../notebook/format.ts";
import { checkQuality, RULES } from "../quality/mod.ts";

/** A rule with a threshold. */
export interface ThresholdSetting {
  seuil: number;
}

/** What `config/alertes.yaml` holds (see the file for each key). */
export interface AlertConfig {
  /** Perimeters watched, e.g. `["France"]`. */
  perimetres: string[];
  regles: {
    co2_eleve: ThresholdSetting | null;
    consommation_au_dessus_prevision: ThresholdSetting | null;
    imports_nets_eleves: ThresholdSetting | null;
    part_fossile_elevee: ThresholdSetting | null;
    qualite_donnees: { regles: string[] } | null;
    donnees_anciennes: ThresholdSetting | null;
  };
  /** Where batches with alerts are POSTed (JSON), and the wait for an answer. */
  webhook: { url: string | null; delai_secondes: number };
}

/** The configuration file is missing or wrong; the message names the file and line. */
export class AlertConfigError extends Error {
  override name = "AlertConfigError";
}

/** Columns of the alerts {@linkcode evaluateAlerts} and {@linkcode staleDataAlerts} return. */
export const ALERT_COLUMNS = ["regle", "perimetre", "instant", "valeur", "seuil", "message"];

/** The key of an alert: it is stored once. */
export const ALERT_KEY = ["regle", "perimetre", "instant"];

/** One alert, before it becomes a row. */
interface Alert {
  regle: string;
  perimetre: string;
  instant: Date;
  valeur: number;
  seuil: number | null;
  message: string;
}

type ThresholdRule =
  | "co2_eleve"
  | "consommation_au_dessus_prevision"
  | "imports_nets_eleves"
  | "part_fossile_elevee";

const c = (name: string) => pl.col(name);

/** The value each threshold rule compares, and its message (value, threshold, row). */
const THRESHOLD_RULES: Record<
  ThresholdRule,
  { value: pl.Expr; message: (v: number, s: number, row: Record<string, unknown>) => string }
> = {
  co2_eleve: {
    value: c("taux_co2"),
    message: (v, s) =>
      `intensité carbone de ${formatNumber(v, 0)} g/kWh, au-dessus du seuil de ` +
      `${formatNumber(s, 1)} g/kWh`,
  },
  consommation_au_dessus_prevision: {
    value: c("consommation").minus(c("prevision_j")).div(c("prevision_j")).mul(100),
    message: (v, s, row) =>
      `consommation de ${formatNumber(row.consommation as number, 0)} MW, ` +
      `${formatNumber(v, 1)} % au-dessus de la prévision J de RTE ` +
      `(${formatNumber(row.prevision_j as number, 0)} MW) ; seuil ${formatNumber(s, 1)} %`,
  },
  imports_nets_eleves: {
    value: c("ech_physiques"),
    message: (v, s) =>
      `imports nets de ${formatNumber(v, 0)} MW (échanges physiques), au-dessus du seuil de ` +
      `${formatNumber(s, 0)} MW`,
  },
  part_fossile_elevee: {
    value: c("fossiles_total").div(c("production_totale")).mul(100),
    message: (v, s) =>
      `part fossile de ${formatNumber(v, 1)} % de la production (gaz, fioul, charbon), ` +
      `au-dessus du seuil de ${formatNumber(s, 1)} %`,
  },
};

const SERIES_TIME = ["jeu_donnees", "perimetre", "timestamp_utc"];

/** Where an instant is said: perimeter, Paris date and time. */
function where(perimetre: string, instant: Date): string {
  return `${perimetre}, ${formatParisDateTime(instant)} (heure de Paris)`;
}

/**
 * No alert: an empty frame of {@linkcode ALERT_COLUMNS} with their types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ALERT_COLUMNS, noAlerts } from "./alerts.ts";
 * assert.deepEqual(noAlerts().columns, ALERT_COLUMNS);
 * assert.equal(noAlerts().height, 0);
 * ```
 */
export function noAlerts(): pl.DataFrame {
  return alertFrame([]);
}

/** The alerts as a frame of {@linkcode ALERT_COLUMNS}, typed even when empty. */
function alertFrame(alerts: Alert[]): pl.DataFrame {
  return pl.DataFrame({
    regle: pl.Series("regle", alerts.map((a) => a.regle), pl.Utf8),
    perimetre: pl.Series("perimetre", alerts.map((a) => a.perimetre), pl.Utf8),
    instant: pl.Series("instant", alerts.map((a) => a.instant), pl.Datetime("ms", "UTC")),
    valeur: pl.Series("valeur", alerts.map((a) => a.valeur), pl.Float64),
    seuil: pl.Series("seuil", alerts.map((a) => a.seuil), pl.Float64),
    message: pl.Series("message", alerts.map((a) => a.message), pl.Utf8),
  }).sort(ALERT_KEY);
}

/**
 * The alerts the rows of `rows` (silver rows: `jeu_donnees`, `perimetre`, `timestamp_utc`,
 * `source_file` and the columns the rules read) raise under `config`, every rule but
 * `donnees_anciennes` ({@linkcode staleDataAlerts}). Only eco2mix rows of the watched
 * perimeters count. Rules comparing rows with their neighbours (`continuite_temporelle`) need
 * the rows before the ones checked: give them, and keep the alerts of the instants checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { defaultAlertConfig, evaluateAlerts } from "./alerts.ts";
 * const config = defaultAlertConfig();
 * config.regles.co2_eleve = { seuil: 50 };
 * const rows = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix"],
 *   perimetre: ["France", "France"],
 *   timestamp_utc: [new Date("2025-01-01T07:00:00Z"), new Date("2025-01-01T07:15:00Z")],
 *   source_file: ["tr.xls", "tr.xls"],
 *   taux_co2: [49, 62],
 * });
 * const [alert] = evaluateAlerts(rows, config).toRecords();
 * assert.equal(alert.regle, "co2_eleve");
 * assert.equal(alert.valeur, 62);
 * assert.equal(
 *   alert.message,
 *   "France, 01/01/2025 08:15 (heure de Paris) : intensité carbone de 62 g/kWh, au-dessus du " +
 *     "seuil de 50 g/kWh.",
 * );
 * ```
 */
export function evaluateAlerts(rows: pl.DataFrame, config: AlertConfig): pl.DataFrame {
  const watched = rows.filter(
    c("jeu_donnees").eq(pl.lit("eco2mix")).and(c("perimetre").isIn(config.perimetres)),
  ).sort(SERIES_TIME);
  const alerts: Alert[] = [];
  for (const [name, rule] of Object.entries(THRESHOLD_RULES)) {
    const seuil = config.regles[name as ThresholdRule]?.seuil;
    if (seuil === undefined) continue;
    const hits = watched.withColumns(rule.value.cast(pl.Float64).alias("_valeur"))
      .filter(c("_valeur").gt(seuil));
    for (const row of hits.toRecords() as Record<string, unknown>[]) {
      const instant = row.timestamp_utc as Date;
      const valeur = row._valeur as number;
      alerts.push({
        regle: name,
        perimetre: row.perimetre as string,
        instant,
        valeur,
        seuil,
        message: `${where(row.perimetre as string, instant)} : ${
          rule.message(valeur, seuil, row)
        }.`,
      });
    }
  }
  alerts.push(...qualityAlerts(watched, config.regles.qualite_donnees?.regles ?? []));
  return alertFrame(alerts);
}

/**
 * Rows failing the named quality rules: every rule run as a quarantine rule by `checkQuality`
 * (which sorts the rows and skips rules whose columns are absent), its measure as the value.
 */
function qualityAlerts(rows: pl.DataFrame, names: readonly string[]): Alert[] {
  const rules = RULES.filter((r) => names.includes(r.name));
  if (rules.length === 0 || rows.height === 0) return [];
  const failed = checkQuality(rows, {
    rules: rules.map((r) => ({ ...r, action: "quarantine" as const })),
  }).quarantaine;
  const alerts: Alert[] = [];
  for (const rule of rules) {
    const mine = failed.filter(c("regle").eq(pl.lit(rule.name))).select(...SERIES_TIME);
    if (mine.height === 0) continue;
    const measures = rows.select(...SERIES_TIME, rule.measure.cast(pl.Float64).alias("valeur"));
    const joined = mine.join(measures, { on: SERIES_TIME, how: "left" });
    for (const row of joined.toRecords() as Record<string, unknown>[]) {
      const instant = row.timestamp_utc as Date;
      const valeur = row.valeur as number;
      alerts.push({
        regle: `qualite_${rule.name}`,
        perimetre: row.perimetre as string,
        instant,
        valeur,
        seuil: null,
        message: `${where(row.perimetre as string, instant)} : la règle de qualité ` +
          `« ${rule.name} » échoue (mesure : ${formatNumber(valeur, 1)}).`,
      });
    }
  }
  return alerts;
}

/**
 * The `donnees_anciennes` alerts at `now`: each watched perimeter whose latest measured
 * quarter-hour (`latest`, one row per perimeter: `perimetre`, `timestamp_utc`) is more than
 * `seuil` minutes old, or that has none. The instant is that quarter-hour (for a perimeter
 * without data: the Unix epoch), the value its age in minutes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { defaultAlertConfig, staleDataAlerts } from "./alerts.ts";
 * const config = defaultAlertConfig();
 * config.regles.donnees_anciennes = { seuil: 60 };
 * const latest = pl.DataFrame({
 *   perimetre: ["France"],
 *   timestamp_utc: [new Date("2025-01-01T07:00:00Z")],
 * });
 * const at = (iso: string) => new Date(iso);
 * assert.equal(staleDataAlerts(latest, at("2025-01-01T08:00:00Z"), config).height, 0);
 * const [alert] = staleDataAlerts(latest, at("2025-01-01T08:35:00Z"), config).toRecords();
 * assert.equal(alert.valeur, 95);
 * assert.match(alert.message as string, /il y a 95 min, au-delà du seuil de 60 min/);
 * ```
 */
export function staleDataAlerts(
  latest: pl.DataFrame,
  now: Date,
  config: AlertConfig,
): pl.DataFrame {
  const seuil = config.regles.donnees_anciennes?.seuil;
  if (seuil === undefined) return alertFrame([]);
  const last = new Map(
    (latest.toRecords() as Record<string, unknown>[])
      .map((r) => [r.perimetre as string, r.timestamp_utc as Date]),
  );
  const alerts: Alert[] = [];
  for (const perimetre of config.perimetres) {
    const instant = last.get(perimetre) ?? new Date(0);
    const age = (now.getTime() - instant.getTime()) / 60_000;
    if (age <= seuil) continue;
    const said = last.has(perimetre)
      ? `dernière donnée mesurée le ${formatParisDateTime(instant)} (heure de Paris), il y a ` +
        `${formatNumber(age, 0)} min`
      : "aucune donnée mesurée";
    alerts.push({
      regle: "donnees_anciennes",
      perimetre,
      instant,
      valeur: age,
      seuil,
      message: `${perimetre} : ${said}, au-delà du seuil de ${formatNumber(seuil, 0)} min.`,
    });
  }
  return alertFrame(alerts);
}

/**
 * The configuration with every rule off, France watched and no webhook: what an empty file
 * gives.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultAlertConfig } from "./alerts.ts";
 * assert.deepEqual(defaultAlertConfig().perimetres, ["France"]);
 * assert.equal(defaultAlertConfig().regles.co2_eleve, null);
 * ```
 */
export function defaultAlertConfig(): AlertConfig {
  return {
    perimetres: ["France"],
    regles: {
      co2_eleve: null,
      consommation_au_dessus_prevision: null,
      imports_nets_eleves: null,
      part_fossile_elevee: null,
      qualite_donnees: null,
      donnees_anciennes: null,
    },
    webhook: { url: null, delai_secondes: 10 },
  };
}

/**
 * Parses the text of an alert configuration file (YAML; `file` names it in errors). Unknown
 * keys, thresholds that are not numbers and unknown quality rules throw
 * {@linkcode AlertConfigError} with `file:line`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAlertConfig } from "./alerts.ts";
 * const config = parseAlertConfig("regles:\n  co2_eleve:\n    seuil: 40\n", "a.yaml");
 * assert.deepEqual(config.regles.co2_eleve, { seuil: 40 });
 * assert.throws(
 *   () => parseAlertConfig("regles:\n  co2_eleve:\n    seuil: beaucoup\n", "a.yaml"),
 *   /^AlertConfigError: a\.yaml:3: regles\.co2_eleve\.seuil must be a number/,
 * );
 * ```
 */
export function parseAlertConfig(text: string, file: string): AlertConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const [error] = doc.errors;
  if (error) {
    throw new AlertConfigError(
      `${file}:${error.linePos?.[0].line ?? 1}: ${error.message.split("\n")[0]}`,
    );
  }
  const fail = (node: unknown, message: string): never => {
    const range = (node as { range?: number[] } | null)?.range;
    throw new AlertConfigError(`${file}:${range ? lines.linePos(range[0]).line : 1}: ${message}`);
  };
  /** The entries of a mapping (null or empty: none), refusing keys not in `allowed`. */
  const entries = (node: unknown, path: string, allowed: readonly string[]) => {
    const out = new Map<string, unknown>();
    if (node === null || (isScalar(node) && node.value === null)) return out;
    if (!isMap(node)) return fail(node, `${path} must be a mapping`);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!allowed.includes(key)) {
        fail(pair.key, `unknown key ${path}.${key} (expected: ${allowed.join(", ")})`);
      }
      out.set(key, pair.value);
    }
    return out;
  };
  const isNull = (node: unknown) => node == null || (isScalar(node) && node.value === null);
  const number = (node: unknown, path: string): number => {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return fail(node, `${path} must be a number`);
    }
    return value;
  };
  const strings = (node: unknown, path: string): string[] => {
    if (!isSeq(node)) return fail(node, `${path} must be a list`);
    return node.items.map((item) => {
      const value = isScalar(item) ? item.value : undefined;
      return typeof value === "string" && value ? value : fail(item, `${path}: names expected`);
    });
  };

  const config = defaultAlertConfig();
  const top = entries(doc.contents, "(file)", ["perimetres", "regles", "webhook"]);
  if (top.has("perimetres")) {
    config.perimetres = strings(top.get("perimetres"), "perimetres");
    if (config.perimetres.length === 0) fail(top.get("perimetres"), "perimetres is empty");
  }
  const rules = entries(top.get("regles") ?? null, "regles", Object.keys(config.regles));
  for (const [name, node] of rules) {
    if (isNull(node)) continue;
    const path = `regles.${name}`;
    if (name === "qualite_donnees") {
      const seq = entries(node, path, ["regles"]).get("regles");
      if (seq === undefined) fail(node, `${path}.regles is missing`);
      const names = strings(seq, `${path}.regles`);
      const unknown = names.find((n) => !RULES.some((r) => r.name === n));
      if (unknown) {
        fail(seq, `${path}.regles: unknown quality rule ${unknown} (lib/quality/rules.ts)`);
      }
      config.regles.qualite_donnees = { regles: names };
    } else {
      const seuil = entries(node, path, ["seuil"]).get("seuil");
      if (seuil === undefined) fail(node, `${path}.seuil is missing`);
      config.regles[name as ThresholdRule | "donnees_anciennes"] = {
        seuil: number(seuil, `${path}.seuil`),
      };
    }
  }
  const webhook = entries(top.get("webhook") ?? null, "webhook", ["url", "delai_secondes"]);
  const url = webhook.get("url");
  if (!isNull(url)) {
    const value = isScalar(url) ? url.value : undefined;
    if (typeof value !== "string" || !/^https?:\/\//.test(value)) {
      fail(url, "webhook.url must be an http(s) address");
    }
    config.webhook.url = value as string;
  }
  if (webhook.has("delai_secondes")) {
    config.webhook.delai_secondes = number(webhook.get("delai_secondes"), "webhook.delai_secondes");
  }
  return config;
}

/**
 * Reads and parses the alert configuration file at `path` ({@linkcode parseAlertConfig}); a
 * missing file throws {@linkcode AlertConfigError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadAlertConfig } from "./alerts.ts";
 * const config = await loadAlertConfig(new URL("../../config/alertes.yaml", import.meta.url).pathname);
 * assert.ok(config.regles.co2_eleve !== null);
 * ```
 */
export async function loadAlertConfig(path: string): Promise<AlertConfig> {
  const text = await Deno.readTextFile(path).catch((e) => {
    throw e instanceof Deno.errors.NotFound
      ? new AlertConfigError(`${path}: alert configuration file not found`)
      : e;
  });
  return parseAlertConfig(text, path);
}
