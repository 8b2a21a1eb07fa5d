import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DAILY_STATUS_FILE,
  type DailyStatus,
  dailyStatus,
  parseDailyArgs,
  runDaily,
} from "./daily.ts";
import { writeTestNotebook } from "./_test_notebooks.ts";

/** A webhook receiver on 127.0.0.1 that records the JSON bodies it is sent. */
function webhookServer(status = 200) {
  const received: DailyStatus[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (r) => {
    received.push(await r.json());
    return new Response("ok", { status });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/hook`, received, server };
}

async function readStatus(runDir: string): Promise<DailyStatus> {
  return JSON.parse(await Deno.readTextFile(join(runDir, DAILY_STATUS_FILE)));
}

Deno.test("parseDailyArgs takes --webhook (or the environment) and passes the rest on", () => {
  assert.deepEqual(parseDailyArgs(["--webhook", "http://h/x", "-p", "a=1"], {}), {
    webhook: "http://h/x",
    pipelineArgs: ["-p", "a=1"],
  });
  assert.deepEqual(parseDailyArgs(["--input", "f"], { ECO2MIX_WEBHOOK_URL: "http://e" }), {
    webhook: "http://e",
    pipelineArgs: ["--input", "f"],
  });
});

Deno.test("a successful run with a skipped step: status file and webhook say so", async () => {
  const dir = await Deno.makeTempDir();
  const nb = await writeTestNotebook(dir, "job.ipynb", [
    // What `skipped()` of lib/notebook/display.ts publishes (that module needs the project's
    // import map, which a kernel in a temporary folder does not have).
    `import { SKIPPED_STEP_MIME } from "${import.meta.resolve("./progress.ts")}";\n` +
    "await Deno.jupyter.display({ [SKIPPED_STEP_MIME]: " +
    '{ step: "classification du mix", reason: "une seule classe observée" } }, { raw: true });',
  ]);
  const hook = webhookServer();
  try {
    const code = await runDaily(nb, ["--webhook", hook.url, "--run-dir", "run"], dir, {});
    assert.equal(code, 0);
    const status = await readStatus(join(dir, "run"));
    assert.equal(status.statut, "succes_avec_etapes_ignorees");
    assert.deepEqual(status.etapes_ignorees, [
      { step: "classification du mix", reason: "une seule classe observée" },
    ]);
    assert.deepEqual(status.notification, { url: hook.url, ok: true, detail: "HTTP 200" });
    assert.equal(hook.received.length, 1);
    assert.equal(hook.received[0].statut, "succes_avec_etapes_ignorees");
    assert.equal(hook.received[0].run_id, status.run_id);
  } finally {
    await hook.server.shutdown();
  }
});

Deno.test("a failed run: the webhook names notebook, cell and error; a refused webhook is recorded", async () => {
  const dir = await Deno.makeTempDir();
  const nb = await writeTestNotebook(dir, "job.ipynb", ["1", 'throw new Error("panne capteur")']);
  const hook = webhookServer(503);
  try {
    const code = await runDaily(nb, ["--run-dir", "run"], dir, { ECO2MIX_WEBHOOK_URL: hook.url });
    assert.equal(code, 1);
    const status = await readStatus(join(dir, "run"));
    assert.equal(status.statut, "echec");
    assert.equal(status.arret?.notebook, "job.ipynb");
    assert.equal(status.arret?.cell, 2);
    assert.match(status.arret?.reason ?? "", /Error: panne capteur/);
    assert.equal(hook.received[0].statut, "echec");
    assert.deepEqual(status.notification, { url: hook.url, ok: false, detail: "HTTP 503" });
  } finally {
    await hook.server.shutdown();
  }
});

Deno.test("dailyStatus: data staleness in hours from the latest measured instant", () => {
  const s = dailyStatus({ code: 0, runDir: "/r" }, null, {
    startedAt: new Date("2026-12-06T05:00:00Z"),
    endedAt: new Date("2026-12-06T06:00:00Z"),
    latestData: new Date("2026-12-05T22:45:00Z"),
  });
  assert.equal(s.statut, "succes");
  assert.equal(s.donnees_jusqu_a, "2026-12-05T22:45:00.000Z");
  assert.equal(s.anciennete_donnees_heures, 7.3);
  assert.equal(
    dailyStatus({ code: 143, runDir: "/r" }, null, { ...times(), latestData: null }).statut,
    "interrompu",
  );
});

function times() {
  return { startedAt: new Date(0), endedAt: new Date(1) };
}
