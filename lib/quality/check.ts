/**
 * Run the quality rules on a silver frame: the `qualite_donnees` report, the quarantine, the
 * rows that remain valid, and a typed error when a `fail` rule is broken.
 *
 * @module
 */

import pl from "nodejs-polars";
import { type QualityRule, RULES } from "./rules.ts";

/**
 * Columns of the `qualite_donnees` frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QUALITY_COLUMNS } from "./check.ts";
 * assert.equal(QUALITY_COLUMNS[0], "regle");
 * ```
 */
export const QUALITY_COLUMNS = [
  "regle",
  "action",
  "fichier",
  "periode_debut",
  "periode_fin",
  "lignes_verifiees",
  "lignes_en_echec",
  "pire_valeur",
] as const;

/** What {@linkcode checkQuality} returns. */
export interface QualityReport {
  /**
   * One row per (rule, source file): `periode_debut`/`periode_fin` span the checked rows,
   * `lignes_verifiees` where the rule applies, `lignes_en_echec` failing rows, `pire_valeur`
   * the worst measure among failing rows (null when none fails).
   */
  readonly qualite_donnees: pl.DataFrame;
  /** Silver rows failing a quarantine rule, one row per (row, rule), with `regle`. */
  readonly quarantaine: pl.DataFrame;
  /** Silver rows failing no quarantine rule. */
  readonly valides: pl.DataFrame;
}

/** A `fail` rule was broken; the full report is attached. */
export class QualityFailError extends Error {
  override name = "QualityFailError";
  /** The report computed before failing. */
  readonly report: QualityReport;

  /**
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import pl from "nodejs-polars";
   * import { QualityFailError } from "./check.ts";
   * const empty = pl.DataFrame({});
   * const e = new QualityFailError("instant_unique: 2 rows", { qualite_donnees: empty, quarantaine: empty, valides: empty });
   * assert.equal(e.message, "instant_unique: 2 rows");
   * ```
   */
  constructor(message: string, report: QualityReport) {
    super(message);
    this.report = report;
  }
}

/** Options of {@linkcode checkQuality}. */
export interface QualityOptions {
  /** Rules to run (default {@linkcode RULES}). */
  readonly rules?: readonly QualityRule[];
}

/**
 * Evaluate every rule on `silver` (sorted by series and time first).
 * Throws {@linkcode QualityFailError} naming the rule and files when a `fail` rule has failing
 * rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { checkQuality } from "./check.ts";
 * import { RULES } from "./rules.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix"], perimetre: ["France"], source_file: ["a.xls"],
 *   timestamp_utc: [new Date("2025-01-01T00:00:00Z")], consommation: [10],
 * });
 * const rules = RULES.filter((r) => r.name === "consommation_plausible");
 * const { qualite_donnees, quarantaine } = checkQuality(silver, { rules });
 * assert.equal(qualite_donnees.getColumn("lignes_en_echec").toArray()[0], 1);
 * assert.equal(quarantaine.height, 1);
 * ```
 */
export function checkQuality(silver: pl.DataFrame, options: QualityOptions = {}): QualityReport {
  // A rule reading a column the frame lacks checks nothing and reports nothing.
  const rules = (options.rules ?? RULES).filter((r) =>
    [r.applies, r.passes, r.measure].flatMap(columnsOf).every((c) => silver.columns.includes(c))
  );
  const frame = silver.withRowIndex("_row")
    .sort(["jeu_donnees", "perimetre", "timestamp_utc"]);
  const evaluated = frame.select(
    "_row",
    "source_file",
    "timestamp_utc",
    ...rules.flatMap((r, i) => [
      r.applies.fillNull(false).alias(`_a${i}`),
      r.applies.fillNull(false).and(r.passes.fillNull(false).not()).alias(`_f${i}`),
      r.measure.cast(pl.Float64).alias(`_m${i}`),
    ]),
  );
  const reports = rules.map((rule, i) => {
    const checked = evaluated.filter(pl.col(`_a${i}`));
    const worstOf = pl.col(`_m${i}`).filter(pl.col(`_f${i}`));
    return checked.groupBy("source_file").agg(
      pl.col("timestamp_utc").min().alias("periode_debut"),
      pl.col("timestamp_utc").max().alias("periode_fin"),
      pl.col("_row").count().cast(pl.Int64).alias("lignes_verifiees"),
      pl.col(`_f${i}`).cast(pl.Int64).sum().alias("lignes_en_echec"),
      (rule.worst === "max" ? worstOf.max() : worstOf.min()).alias("pire_valeur"),
    ).select(
      pl.lit(rule.name).alias("regle"),
      pl.lit(rule.action).alias("action"),
      pl.col("source_file").alias("fichier"),
      "periode_debut",
      "periode_fin",
      "lignes_verifiees",
      "lignes_en_echec",
      pl.col("pire_valeur").cast(pl.Float64),
    ).sort("fichier");
  }).filter((r) => r.height > 0);
  const qualite_donnees = reports.length === 0
    ? emptyReport()
    : pl.concat(reports, { how: "vertical" });

  const quarantineIdx = rules.flatMap((r, i) => r.action === "quarantine" ? [i] : []);
  const failing = quarantineIdx.map((i) =>
    evaluated.filter(pl.col(`_f${i}`)).select(pl.col("_row"), pl.lit(rules[i].name).alias("regle"))
  );
  const flagged = failing.length === 0
    ? pl.DataFrame({
      _row: pl.Series("_row", [], pl.UInt32),
      regle: pl.Series("regle", [], pl.Utf8),
    })
    : pl.concat(failing, { how: "vertical" });
  const indexed = silver.withRowIndex("_row");
  const quarantaine = indexed.join(flagged, { on: "_row", how: "inner" }).sort(["_row", "regle"])
    .drop("_row");
  const valides = indexed.join(flagged.select("_row").unique(), { on: "_row", how: "anti" })
    .sort("_row").drop("_row");
  const report = { qualite_donnees, quarantaine, valides };

  const broken = qualite_donnees.filter(
    pl.col("action").eq(pl.lit("fail")).and(pl.col("lignes_en_echec").gt(0)),
  ).toRecords();
  if (broken.length > 0) {
    const detail = broken.map((b) => `${b.regle}: ${b.lignes_en_echec} row(s) in ${b.fichier}`);
    throw new QualityFailError(`quality rule failed: ${detail.join("; ")}`, report);
  }
  return report;
}

function emptyReport(): pl.DataFrame {
  return pl.DataFrame({
    regle: pl.Series("regle", [], pl.Utf8),
    action: pl.Series("action", [], pl.Utf8),
    fichier: pl.Series("fichier", [], pl.Utf8),
    periode_debut: pl.Series("periode_debut", [], pl.Datetime("ms", "UTC")),
    periode_fin: pl.Series("periode_fin", [], pl.Datetime("ms", "UTC")),
    lignes_verifiees: pl.Series("lignes_verifiees", [], pl.Int64),
    lignes_en_echec: pl.Series("lignes_en_echec", [], pl.Int64),
    pire_valeur: pl.Series("pire_valeur", [], pl.Float64),
  });
}

/** Column names an expression reads (from its string form: `col("name")`). */
function columnsOf(expr: pl.Expr): string[] {
  return [...String(expr).matchAll(/col\("([^"]+)"\)/g)].map((m) => m[1]);
}

/**
 * Results of every rule over all files: rows checked, rows failing, their share in percent
 * (computed in floating point) and the worst value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { qualityByRule } from "./check.ts";
 * const qualite = pl.DataFrame({
 *   regle: ["bilan_puissance", "bilan_puissance"],
 *   action: ["warn", "warn"],
 *   lignes_verifiees: [19_000, 738],
 *   lignes_en_echec: [200, 11],
 *   pire_valeur: [5_908, 400],
 * });
 * const [r] = qualityByRule(qualite).toRecords();
 * assert.equal(r.lignes_en_echec, 211);
 * assert.ok(Math.abs((r.echec_pct as number) - 211 / 19_738 * 100) < 1e-12);
 * ```
 */
export function qualityByRule(qualite: pl.DataFrame): pl.DataFrame {
  return qualite.groupBy(["regle", "action"]).agg(
    pl.col("lignes_verifiees").sum(),
    pl.col("lignes_en_echec").sum(),
    pl.col("pire_valeur").max().alias("pire_valeur"),
  ).withColumns(
    // Int64 / Int64 truncates in polars: 211 failing rows of 19,738 would show 0 %.
    pl.col("lignes_en_echec").cast(pl.Float64).div(pl.col("lignes_verifiees").cast(pl.Float64))
      .mul(100).alias("echec_pct"),
  ).sort("regle");
}
