// Live mode (issue 15, items 3-4): RTE's 2025 file replayed quarter-hour by quarter-hour into a
// folder while the loop runs in child processes killed at random moments (SIGKILL), or at each
// stage of a batch; afterwards silver and gold equal a batch ingestion of the last version, and
// every expected alert is stored exactly once.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pl from "nodejs-polars";
import { stringify } from "yaml";
import { zipSync } from "fflate";
import { mulberry32 } from "../ml/mod.ts";
import { PATHS } from "../paths.ts";
import { RULES } from "../quality/mod.ts";
import { growingFileVersion } from "../testing/growing_file.ts";
import { assertSameRows } from "../testing/same_rows.ts";
import { startAzurite } from "../testing/azurite.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import {
  ALERT_COLUMNS,
  ALERT_KEY,
  type AlertConfig,
  defaultAlertConfig,
  evaluateAlerts,
} from "./alerts.ts";
import { GOLD_TABLES, type LakehouseCatalog, openCatalog } from "./catalog.ts";
import { ingestFiles } from "./ingest.ts";
import { checkpointPath, type LiveStage, readCheckpoint, runLive } from "./live.ts";
import { refreshGold } from "./gold_step.ts";
import { refreshSilver } from "./silver_step.ts";

const TR_2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
const CLI = fileURLToPath(new URL("./live_cli.ts", import.meta.url));
const CRASH_CHILD = fileURLToPath(new URL("./testdata/live_crash_child.ts", import.meta.url));
const CURRENT = "eCO2mix_RTE_En-cours-TR.xls";
const SILVER_TABLES = [
  "eco2mix_silver",
  "previsions_rte",
  "lacunes",
  "rejets_bronze",
  "qualite_donnees",
  "quarantaine",
];
const latin1 = (b: Uint8Array) => new TextDecoder("windows-1252").decode(b);
const bytesOf = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
const delay = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * The first four days of the 2025 download, with two cells made wrong on 2 January so that
 * quality rules fail in the replayed part: nuclear at -500 MW at 10:00 (quarantined by
 * nucleaire_plausible) and consumption 400 MW too high at 15:00 (bilan_puissance, kept).
 */
function replaySource(): Uint8Array {
  const cut = growingFileVersion(Deno.readFileSync(TR_2025), {
    days: 4,
    provisionalRows: 0,
    futureDays: 0,
  });
  const lines = latin1(cut).split("\n");
  const header = lines[0].split("\t");
  const edit = (time: string, column: string, value: (v: number) => number) => {
    const i = lines.findIndex((l) => l.includes(`\t2025-01-02\t${time}\t`));
    const cells = lines[i].split("\t");
    const c = header.indexOf(column);
    cells[c] = String(value(Number(cells[c])));
    lines[i] = cells.join("\t");
  };
  edit("10:00", "Nucléaire", () => -500);
  edit("15:00", "Consommation", (v) => v + 400);
  return bytesOf(lines.join("\n"));
}

/** Replay step k: the file as served k quarter-hours after the end of 1 January. */
function version(source: Uint8Array, k: number): Uint8Array {
  return growingFileVersion(source, {
    days: 1 + Math.floor(k / 96),
    quarterHours: k % 96,
    provisionalRows: 0,
    futureDays: 1,
  });
}

/** Puts a version into the folder as a producer should: hidden name, then rename. */
async function publish(dir: string, bytes: Uint8Array): Promise<void> {
  await Deno.writeFile(join(dir, `.${CURRENT}.part`), bytes);
  await Deno.rename(join(dir, `.${CURRENT}.part`), join(dir, CURRENT));
}

/** The lakehouse a batch ingestion of `bytes` gives (what the live one must equal). */
async function batchIngestion(dir: string, bytes: Uint8Array): Promise<LakehouseCatalog> {
  await Deno.mkdir(join(dir, "batch-input"), { recursive: true });
  const file = join(dir, "batch-input", CURRENT);
  await Deno.writeFile(file, bytes);
  const catalog = openCatalog(join(dir, "batch"));
  await ingestFiles(catalog, [file]);
  await refreshSilver(catalog, { invalidValues: "quarantine" });
  await refreshGold(catalog);
  return catalog;
}

/** Silver and quarantined rows: every quarter-hour the live mode evaluates. */
async function evaluatedRows(catalog: LakehouseCatalog): Promise<pl.DataFrame> {
  const silver = await catalog.table("eco2mix_silver").read();
  const quarantined = (await catalog.table("quarantaine").read()).drop("regle").unique();
  const ms = pl.col("timestamp_utc").cast(pl.Datetime("ms", "UTC"));
  return pl.concat([silver, quarantined].map((df) => df.withColumns(ms)), { how: "diagonal" });
}

/**
 * A configuration whose thresholds are quantiles of the replayed rows (so that some
 * quarter-hours raise each alert and most do not), with every quality rule, written to
 * `path`. No staleness rule: it depends on the wall clock.
 */
async function writeConfig(rows: pl.DataFrame, path: string): Promise<AlertConfig> {
  const q = (expr: pl.Expr, p: number) =>
    Number(rows.select(expr.quantile(p).alias("q")).getColumn("q")[0]);
  const c = pl.col;
  const config: AlertConfig = {
    perimetres: ["France"],
    regles: {
      co2_eleve: { seuil: q(c("taux_co2"), 0.8) },
      consommation_au_dessus_prevision: {
        seuil: q(c("consommation").minus(c("prevision_j")).div(c("prevision_j")).mul(100), 0.9),
      },
      imports_nets_eleves: { seuil: q(c("ech_physiques"), 0.9) },
      part_fossile_elevee: {
        seuil: q(c("fossiles_total").div(c("production_totale")).mul(100), 0.8),
      },
      qualite_donnees: { regles: RULES.map((r) => r.name) },
      donnees_anciennes: null,
    },
    webhook: { url: null, delai_secondes: 10 },
  };
  await Deno.writeTextFile(path, stringify(config));
  return config;
}

/** The stored alerts, as the rules give them (instant in ms, without batch and time). */
async function storedAlerts(catalog: LakehouseCatalog): Promise<pl.DataFrame> {
  return (await catalog.table("alertes").read()).select(...ALERT_COLUMNS)
    .withColumns(pl.col("instant").cast(pl.Datetime("ms", "UTC")));
}

/**
 * Silver and gold of `live` equal those of `batch` row for row; the alerts are those the rules
 * give on the batch's rows, each once; every kind of alert occurs.
 */
async function assertLikeBatch(
  live: LakehouseCatalog,
  batch: LakehouseCatalog,
  config: AlertConfig,
) {
  for (const name of [...SILVER_TABLES, ...GOLD_TABLES]) {
    const [got, want] = [await live.table(name).read(), await batch.table(name).read()];
    assertSameRows(got, want, { label: name, ignore: ["ingested_at"] });
  }
  const stored = await storedAlerts(live);
  assert.equal(stored.select(...ALERT_KEY).unique().height, stored.height, "an alert stored twice");
  const expected = evaluateAlerts(await evaluatedRows(batch), config);
  assertSameRows(stored, expected, { label: "alertes" });
  const rules = new Set(expected.getColumn("regle").toArray());
  for (
    const rule of [
      "co2_eleve",
      "consommation_au_dessus_prevision",
      "imports_nets_eleves",
      "part_fossile_elevee",
      "qualite_nucleaire_plausible",
      "qualite_bilan_puissance",
    ]
  ) {
    assert.ok(rules.has(rule), `no ${rule} alert expected: the test would not check it`);
  }
}

/** Output of a child process, for failure messages. */
const said = (out: Deno.CommandOutput) =>
  `${new TextDecoder().decode(out.stdout)}\n${new TextDecoder().decode(out.stderr)}`;

Deno.test("live mode: quarter-hours replayed, loop SIGKILLed at random moments and restarted, each row and alert once", async () => {
  const seed = Number(Deno.env.get("ECO2MIX_LIVE_SEED") ?? 20250102);
  console.log(`random kills: seed ${seed} (ECO2MIX_LIVE_SEED=${seed} replays these kill times)`);
  const random = mulberry32(seed);
  const dir = await Deno.makeTempDir({ prefix: "live-kills-" });
  const source = replaySource();
  const last = 2 * 96; // 1 January whole, then 2 and 3 January quarter-hour by quarter-hour
  const batch = await batchIngestion(dir, version(source, last));
  const configFile = join(dir, "alertes.yaml");
  const config = await writeConfig(await evaluatedRows(batch), configFile);
  const input = join(dir, "arrivees");
  const lakehouse = join(dir, "live");
  await Deno.mkdir(input);
  const args = [
    "run",
    "-A",
    CLI,
    "--folder",
    input,
    "--lakehouse",
    lakehouse,
    "--config",
    configFile,
    "--interval",
    "0.3s",
  ];
  const command = (...extra: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [...args, ...extra],
      cwd: PATHS.root,
      stdout: "piped",
      stderr: "piped",
    });

  // The producer publishes a quarter-hour every 200 ms (4,500 times faster than RTE).
  let published = -1;
  const producer = (async () => {
    for (let k = 0; k <= last; k++) {
      await publish(input, version(source, k));
      published = k;
      await delay(200);
    }
  })();
  const lives: string[] = [];
  for (let kill = 0; kill < 10; kill++) {
    const child = command().spawn();
    const output = child.output();
    const after = 1000 + Math.round(random() * 8000); // past start-up (~1 s), into batches
    await delay(after);
    child.kill("SIGKILL");
    const out = await output;
    assert.equal(out.signal, "SIGKILL", `the loop stopped by itself:\n${said(out)}`);
    const batches = said(out).split("\n").filter((l) => /^(lot \d+|rien de nouveau) :/.test(l));
    lives.push(`${after} ms (${batches.length} lots, quart d'heure publié ${published})`);
  }
  await producer;
  console.log(`killed after: ${lives.join("; ")}`);
  const final = await command("--once").output();
  assert.equal(final.code, 0, said(final));
  await assertLikeBatch(openCatalog(lakehouse), batch, config);

  // Once more: nothing is new, nothing is written.
  const lot = (await readCheckpoint(checkpointPath(lakehouse))).lot;
  const again = await command("--once").output();
  assert.equal(again.code, 0, said(again));
  assert.match(said(again), /^rien de nouveau : /m);
  assert.equal((await readCheckpoint(checkpointPath(lakehouse))).lot, lot);
  await Deno.remove(dir, { recursive: true });
});

/**
 * Replays 2 and 3 January into a folder for the live mode on `lakehouse`: 1 and 2 January in
 * a first batch (the wrong cells: alerts in batch 1), then one child per stage of `stages`,
 * each killed right after that stage, with a few more quarter-hours published before each, then
 * a last batch on 3 January whole. Returns the batch ingestion to compare with and the config.
 */
async function replayWithCrashes(
  dir: string,
  lakehouse: string,
  stages: LiveStage[],
  options: { webhook?: string; env?: Record<string, string> } = {},
): Promise<{ batch: LakehouseCatalog; config: AlertConfig }> {
  const source = replaySource();
  const step = Math.floor(96 / (stages.length + 1));
  const steps = [96, ...stages.map((_, i) => 96 + (i + 1) * step), 192];
  const batch = await batchIngestion(dir, version(source, steps.at(-1)!));
  const configFile = join(dir, "alertes.yaml");
  const config = await writeConfig(await evaluatedRows(batch), configFile);
  const input = join(dir, "arrivees");
  await Deno.mkdir(input);
  const run = (stage: LiveStage | "none") =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        CRASH_CHILD,
        stage,
        input,
        lakehouse,
        configFile,
        ...(options.webhook ? [options.webhook] : []),
      ],
      cwd: PATHS.root,
      env: options.env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  await publish(input, version(source, steps[0]));
  const first = await run("none");
  assert.equal(first.code, 0, said(first));
  for (const [i, stage] of stages.entries()) {
    await publish(input, version(source, steps[i + 1]));
    const out = await run(stage);
    assert.equal(out.signal, "SIGKILL", `no crash after ${stage}:\n${said(out)}`);
  }
  await publish(input, version(source, steps.at(-1)!));
  const final = await run("none");
  assert.equal(final.code, 0, said(final));
  return { batch, config };
}

Deno.test("live mode: a crash after each stage of a batch loses and doubles nothing; the webhook gets every alert", async () => {
  const dir = await Deno.makeTempDir({ prefix: "live-stages-" });
  // The receiver refuses its first POST: that batch is sent again by a later one.
  const received: { lot: number; ids: string[]; ok: boolean }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    const ok = received.length > 0;
    received.push({ lot: body.lot, ids: body.alertes.map((a: { id: string }) => a.id), ok });
    return new Response(null, { status: ok ? 204 : 503 });
  });
  const lakehouse = join(dir, "live");
  const stages: LiveStage[] = ["source", "bronze", "silver", "gold", "alertes", "etat", "webhook"];
  const { batch, config } = await replayWithCrashes(dir, lakehouse, stages, {
    webhook: `http://127.0.0.1:${server.addr.port}/alertes`,
  });
  await server.shutdown();

  const live = openCatalog(lakehouse);
  await assertLikeBatch(live, batch, config);
  // Every stored alert reached the webhook in an acknowledged POST; a batch may come twice
  // (at least once: the crash after the webhook stage), never an alert of another batch.
  const stored = (await live.table("alertes").read()).toRecords() as Record<string, unknown>[];
  const idOf = (a: Record<string, unknown>) =>
    `${a.regle}/${a.perimetre}/${(a.instant as Date).toISOString()}`;
  const acknowledged = new Set(received.filter((r) => r.ok).flatMap((r) => r.ids));
  assert.deepEqual([...acknowledged].sort(), stored.map(idOf).sort());
  const lotOf = new Map(stored.map((a) => [idOf(a), Number(a.lot)]));
  for (const r of received) {
    assert.ok(r.ids.every((id) => lotOf.get(id) === r.lot), `POST of lot ${r.lot}`);
  }
  // The refused batch was sent again, and twice: the crash after the webhook stage came after
  // its POSTs and before the checkpoint recorded them.
  assert.equal(received[0].ok, false);
  assert.deepEqual(received[1].ids, received[0].ids);
  const sends = received.filter((r) => r.ok && r.lot === received[0].lot).length;
  assert.equal(sends, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "live mode on Azure (Azurite): crashes after bronze, alertes and the checkpoint",
  // The Azure SDK keeps sockets and timers beyond the test.
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await using azurite = await startAzurite();
  const dir = await Deno.makeTempDir({ prefix: "live-azure-" });
  const lakehouse = "az://eco2mix/direct";
  const { batch, config } = await replayWithCrashes(dir, lakehouse, [
    "bronze",
    "alertes",
    "etat",
  ], { env: azurite.env });
  const previous = Deno.env.get("AZURE_STORAGE_CONNECTION_STRING");
  Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString);
  try {
    const live = openCatalog(lakehouse);
    await assertLikeBatch(live, batch, config);
    // The checkpoint is beside the tables, in the container, and says the last batch.
    const lots = (await live.table("alertes").read()).getColumn("lot");
    assert.equal((await readCheckpoint(checkpointPath(lakehouse))).lot, lots.max());
  } finally {
    if (previous === undefined) Deno.env.delete("AZURE_STORAGE_CONNECTION_STRING");
    else Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", previous);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("live mode on RTE's current file: one conditional request per batch, offline says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "live-rte-" });
  const zip = zipSync({ [CURRENT]: version(replaySource(), 4) });
  const requests: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    requests.push(req.headers.get("if-none-match"));
    return req.headers.get("if-none-match") === '"v1"'
      ? new Response(null, { status: 304 })
      : new Response(zip, { headers: { etag: '"v1"' } });
  });
  const lines: string[] = [];
  const live = (url: string) =>
    runLive({
      lakehouse: join(dir, "lake"),
      source: { kind: "rte", dir: join(dir, "data"), url },
      config: defaultAlertConfig(),
      maxBatches: 2,
      intervalMs: 0,
      log: (line) => lines.push(line),
    });
  const online = await live(`http://127.0.0.1:${server.addr.port}/eCO2mix_RTE_En-cours-TR.zip`);
  await server.shutdown();
  assert.deepEqual([online.code, requests], [0, [null, '"v1"']]);
  assert.match(lines[0], /Fichier courant de RTE téléchargé/);
  assert.match(lines[1], /^lot 1 : 1 fichier\(s\) ingéré\(s\), 192 ligne\(s\) bronze/);
  assert.match(lines[2], /^rien de nouveau : 0 fichier\(s\)/);
  lines.length = 0;
  const offline = await live("http://127.0.0.1:9/eCO2mix_RTE_En-cours-TR.zip");
  assert.equal(offline.code, 0);
  assert.match(lines[0], /non mis à jour .* utilisation de la copie locale/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("live mode on a lakehouse with history: only quarter-hours after it raise alerts, even after a rebuild of silver", async () => {
  const dir = await Deno.makeTempDir({ prefix: "live-history-" });
  const source = replaySource();
  const lakehouse = join(dir, "lake");
  const input = join(dir, "arrivees");
  await Deno.mkdir(input);
  // 1 January ingested by a batch run (the pipeline's steps) before live mode starts.
  await publish(input, version(source, 0));
  const catalog = openCatalog(lakehouse);
  await ingestFiles(catalog, [join(input, CURRENT)]);
  await refreshSilver(catalog, { invalidValues: "quarantine" });
  const config = defaultAlertConfig();
  config.regles.co2_eleve = { seuil: -1 }; // every quarter-hour
  const live = () =>
    runLive({
      lakehouse,
      source: { kind: "folder", dir: input },
      config,
      maxBatches: 1,
      log: () => {},
    });
  await publish(input, version(source, 8));
  assert.equal((await live()).code, 0);
  const instants = async () =>
    (await catalog.table("alertes").read()).getColumn("instant").toArray() as unknown as Date[];
  const first = await instants();
  // 00:00 to 01:45 on 2 January, Paris time (UTC+1).
  assert.deepEqual(first.map((d) => d.toISOString()).sort(), [
    ...Array.from({ length: 8 }, (_, i) => new Date(Date.UTC(2025, 0, 1, 23, 15 * i)))
      .map((d) => d.toISOString()),
  ]);
  // A rebuild of silver, whose former files VACUUM deleted: the changes since the version the
  // alerts evaluated cannot be read, every row is a candidate again; only the new quarter-hour
  // raises an alert (the history stays history, the alerts stored stay once).
  await refreshSilver(catalog, { invalidValues: "quarantine", full: true });
  const silver = catalog.table("eco2mix_silver");
  assert.ok((await silver.vacuum({ retentionHours: 0, force: true })).files.length > 0);
  await publish(input, version(source, 9));
  assert.equal((await live()).code, 0);
  assert.equal((await instants()).length, 9);
  await Deno.remove(dir, { recursive: true });
});
