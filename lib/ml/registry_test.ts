import assert from "node:assert/strict";
import { join } from "node:path";
import { featureMatrix } from "./dataset.ts";
import { fitGbdtRegressor } from "./gbdt.ts";
import { fitRidge } from "./linear.ts";
import { createHash } from "node:crypto";
import { modelFromJSON } from "./model_io.ts";
import { ModelRegistry } from "./registry.ts";
import { RegistryError } from "./errors.ts";
import type { Regressor } from "./model.ts";

const x = featureMatrix({
  heure: Array.from({ length: 300 }, (_, i) => i % 24),
  lag: Array.from({ length: 300 }, (_, i) => 50_000 + ((i * 37) % 1000)),
});
const y = Float64Array.from({ length: 300 }, (_, i) => 50_000 + (i % 24) * 100 + ((i * 37) % 1000));
const info = {
  metrics: { mape_test: 1.25, rmse_test: 812.5 },
  trainingData: [{ table: "eco2mix_gold_features", version: 12, rows: 300 }],
  codeVersion: "a1b2c3d",
};

async function withRegistry(test: (registry: ModelRegistry, root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "ml_registry_" });
  let tick = 0;
  const clock = () => new Date(Date.UTC(2025, 0, 1) + 1000 * tick++);
  try {
    await test(new ModelRegistry(join(root, "models"), { clock }), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("register, list and load versions with identical predictions", async () => {
  await withRegistry(async (registry) => {
    const ridge = fitRidge(x, y, { alpha: 0.5 });
    const gbdt = fitGbdtRegressor(x, y, { maxIter: 20 });
    const v1 = await registry.register("conso_h1", ridge, info);
    const v2 = await registry.register("conso_h1", gbdt, { ...info, description: "boosting" });
    assert.deepEqual([v1.version, v2.version], [1, 2]);
    assert.equal(v1.createdAt, "2025-01-01T00:00:00.000Z");
    assert.deepEqual(v1.features, ["heure", "lag"]);
    assert.deepEqual(v1.params, { alpha: 0.5, standardize: true });
    assert.deepEqual(v2.trainingData, info.trainingData);
    assert.equal(v2.codeVersion, "a1b2c3d");
    assert.equal(v2.kind, "gbdt_regressor");
    const listed = await registry.listVersions("conso_h1");
    assert.deepEqual(listed.map((v) => [v.version, v.kind, v.description]), [
      [1, "ridge", null],
      [2, "gbdt_regressor", "boosting"],
    ]);
    const latest = await registry.load("conso_h1");
    assert.equal(latest.info.version, 2);
    assert.deepEqual((latest.model as Regressor).predict(x), gbdt.predict(x));
    const first = await registry.load("conso_h1", 1);
    assert.deepEqual((first.model as Regressor).predict(x), ridge.predict(x));
    assert.deepEqual(await registry.listModels(), ["conso_h1"]);
    await registry.register("conso_j1", ridge, info);
    assert.deepEqual(await registry.listModels(), ["conso_h1", "conso_j1"]);
    await assert.rejects(registry.load("conso_h1", 3), /no version 3/);
    await assert.rejects(registry.load("unknown"), /has no version/);
  });
});

Deno.test("aliases point to versions and move", async () => {
  await withRegistry(async (registry) => {
    const ridge = fitRidge(x, y);
    await registry.register("m", ridge, info);
    await registry.register("m", ridge, info);
    await registry.setAlias("m", "champion", 1);
    await registry.setAlias("m", "challenger", 2);
    assert.deepEqual(await registry.aliases("m"), { champion: 1, challenger: 2 });
    assert.equal((await registry.load("m", "champion")).info.version, 1);
    await registry.setAlias("m", "champion", 2);
    assert.equal((await registry.getVersion("m", "champion")).version, 2);
    await registry.deleteAlias("m", "challenger");
    assert.deepEqual(await registry.aliases("m"), { champion: 2 });
    await assert.rejects(registry.load("m", "challenger"), /no alias 'challenger'/);
    await assert.rejects(registry.setAlias("m", "prod", 9), /no version 9/);
    await assert.rejects(registry.setAlias("m", "latest", 1), /reserved/);
    await assert.rejects(registry.setAlias("m", "12", 1), /reserved/);
    await assert.rejects(registry.deleteAlias("m", "nope"), RegistryError);
  });
});

Deno.test("concurrent registrations get distinct version numbers", async () => {
  await withRegistry(async (registry) => {
    const ridge = fitRidge(x, y);
    const versions = await Promise.all(
      Array.from({ length: 6 }, () => registry.register("m", ridge, info)),
    );
    assert.deepEqual(versions.map((v) => v.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
    assert.equal((await registry.listVersions("m")).length, 6);
  });
});

Deno.test("runs log records every run; NaN metrics become null", async () => {
  await withRegistry(async (registry, root) => {
    const a = await registry.logRun({
      model: "conso_h1",
      params: { maxIter: 600 },
      metrics: { mape: 1.3, r2: NaN },
      artifacts: ["conso_h1/versions/000001/model.json"],
      trainingData: info.trainingData,
      codeVersion: "a1b2c3d",
      version: 1,
      durationMs: 6400,
    });
    await registry.logRun({
      model: "other",
      params: {},
      metrics: {},
      status: "failed",
      error: "x",
    });
    await registry.logRun({ params: { fold: 3 }, metrics: { mape: 2 } });
    const all = await registry.listRuns();
    assert.equal(all.length, 3);
    assert.deepEqual(all[0], a);
    assert.equal(all[0].metrics.r2, null);
    assert.equal(all[0].loggedAt, "2025-01-01T00:00:00.000Z");
    assert.deepEqual(all[1].status, "failed");
    assert.deepEqual((await registry.listRuns({ model: "conso_h1" })).map((r) => r.runId), [
      a.runId,
    ]);
    // A corrupt line is reported with its number.
    await Deno.writeTextFile(join(root, "models", "runs.jsonl"), "{oops\n", { append: true });
    await assert.rejects(registry.listRuns(), /runs.jsonl: line 4/);
  });
});

Deno.test("tampered model files and bad names are rejected", async () => {
  await withRegistry(async (registry, root) => {
    const v = await registry.register("m", fitRidge(x, y), info);
    const path = join(root, "models", "m", "versions", "000001", "model.json");
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.replace('"intercept":', '"intercept": '));
    await assert.rejects(registry.load("m", v.version), /checksum differs/);
    await assert.rejects(registry.register("../evil", fitRidge(x, y), info), /invalid model name/);
    await assert.rejects(
      registry.register("m", fitRidge(x, y), { ...info, codeVersion: "" }),
      /codeVersion/,
    );
    // Stray folders are not models or versions.
    await Deno.mkdir(join(root, "models", "m", "versions", "tmp"));
    await Deno.mkdir(join(root, "models", "empty"));
    assert.deepEqual(await registry.listModels(), ["m"]);
    assert.equal((await registry.listVersions("m")).length, 1);
  });
});

Deno.test("a version saved in model format 1 still loads", async () => {
  await withRegistry(async (registry, root) => {
    // Written by the version-1 code; a registry of that time holds this text and its checksum.
    const fixture = JSON.parse(
      await Deno.readTextFile(new URL("./testdata/forest_v1.json", import.meta.url)),
    );
    const old = modelFromJSON(fixture.regressor) as Regressor;
    const v = await registry.register("m", old, info);
    const dir = join(root, "models", "m", "versions", "000001");
    const text = JSON.stringify(fixture.regressor);
    await Deno.writeTextFile(join(dir, "model.json"), text);
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "meta.json")));
    meta.modelSha256 = createHash("sha256").update(text).digest("hex");
    await Deno.writeTextFile(join(dir, "meta.json"), JSON.stringify(meta, null, 2));
    const loaded = await registry.load("m", v.version);
    const input = featureMatrix({ a: [0, 2.5, 9, NaN], b: [0.5, NaN, 0.1, 0.9] });
    assert.deepEqual((loaded.model as Regressor).predict(input), old.predict(input));
    assert.equal(JSON.stringify(loaded.model), JSON.stringify(old));
  });
});

Deno.test("promote moves the champion only to a better version", async () => {
  await withRegistry(async (registry) => {
    const ridge = fitRidge(x, y);
    await registry.register("m", ridge, { ...info, metrics: { mape: 2.0, r2: 0.9 } });
    await registry.register("m", ridge, { ...info, metrics: { mape: 2.5, r2: 0.95 } });
    await registry.register("m", ridge, { ...info, metrics: { rmse: 1 } });
    assert.deepEqual(await registry.promote("m", 1, "mape"), {
      promoted: true,
      previous: null,
      reason: "champion -> version 1 (mape 2)",
    });
    const worse = await registry.promote("m", 2, "mape");
    assert.equal(worse.promoted, false);
    assert.equal(worse.previous, 1);
    assert.equal((await registry.promote("m", 3, "mape")).promoted, false); // no mape
    // R2: higher is better, under another alias.
    await registry.promote("m", 1, "r2", { alias: "best_r2", higherIsBetter: true });
    assert.equal(
      (await registry.promote("m", 2, "r2", { alias: "best_r2", higherIsBetter: true })).promoted,
      true,
    );
    assert.deepEqual(await registry.aliases("m"), { champion: 1, best_r2: 2 });
    await assert.rejects(registry.promote("m", 9, "mape"), /no version 9/);
  });
});

Deno.test("attachments are stored with their version; reserved or invalid names are refused", async () => {
  const registry = new ModelRegistry(await Deno.makeTempDir());
  const x = featureMatrix({ a: [1, 2, 3, 4] });
  const model = fitRidge(x, [1, 2, 3, 4]);
  const info = { metrics: {}, trainingData: [], codeVersion: "c" };
  await registry.register("m", model, { ...info, attachments: { importance: [1, 2] } });
  await registry.register("m", model, info);
  assert.deepEqual(await registry.attachment("m", 1, "importance"), [1, 2]);
  assert.equal(await registry.attachment("m", "latest", "importance"), null);
  for (const key of ["model", "meta", "../x"]) {
    await assert.rejects(
      () => registry.register("m", model, { ...info, attachments: { [key]: 1 } }),
      RegistryError,
    );
  }
  assert.deepEqual((await registry.listVersions("m")).map((v) => v.version), [1, 2]);
});
