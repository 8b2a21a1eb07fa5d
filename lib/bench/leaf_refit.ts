/**
 * The daily leaf refit of a gradient-boosting champion (`refitForecasterLeaves`) against the full
 * refit it replaces, on the real features of a lakehouse and the champions of its registry: the
 * first `days` test days become training rows (the pipeline's days of new data since the
 * champion's last full fit), then each horizon's champion is (a) scored as registered, (b) its
 * leaves re-estimated on the new training rows, (c) fitted again from scratch on them; all three
 * scored on the remaining test rows, (b) and (c) timed (wall and process CPU).
 *
 * ```sh
 * deno run -A lib/bench/leaf_refit.ts --lakehouse /tmp/lh --models /tmp/models [--days 1,6]
 * ```
 *
 * The registry must hold the champions (`consommation_h1` and `consommation_j1`, alias
 * `champion`) fitted on the lakehouse's training rows, as notebook 08 leaves them; it is only
 * read.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { openCatalog, TABLE } from "../pipeline/catalog.ts";
import { ModelRegistry, takeRows } from "../ml/mod.ts";
import {
  fitForecaster,
  forecasterFromModel,
  type ForecasterParams,
  type HorizonName,
  PROFILES,
  refitForecasterLeaves,
  scoreOnCommonRows,
} from "../forecasting/mod.ts";
import { horizonRows, timed } from "./forecast_training.ts";

const DAY_MS = 86_400_000;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      lakehouse: { type: "string" },
      models: { type: "string" },
      days: { type: "string", default: "1,6" },
    },
  });
  if (!values.lakehouse || !values.models) {
    console.error("usage: leaf_refit.ts --lakehouse <dir> --models <dir> [--days 1,6]");
    Deno.exit(2);
  }
  const frame = await openCatalog(values.lakehouse).table(TABLE.caracteristiques_consommation)
    .read();
  const registry = new ModelRegistry(values.models);
  const temperature = frame.columns.includes("temperature");
  console.log(`load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (const horizon of ["h1", "j1"] as HorizonName[]) {
    const name = `consommation_${horizon}`;
    const loaded = await timed(() => registry.load(name, "champion"));
    const stored = loaded.result;
    const params = stored.info.params as ForecasterParams;
    const champion = forecasterFromModel(stored.model, params);
    const { set, train, test } = horizonRows(frame, horizon, temperature);
    console.log(
      `${horizon}: champion v${stored.info.version} (${params.learner}, ` +
        `${stored.info.trainingData[0].rows} rows), registry load ${loaded.wall.toFixed(2)} s ` +
        `wall, ${loaded.cpu.toFixed(2)} s CPU`,
    );
    for (const days of values.days.split(",").map(Number)) {
      const end = set.epochMs[test[0]] + days * DAY_MS;
      const trainRows = [...train, ...test.filter((i) => set.epochMs[i] < end)];
      const testRows = test.filter((i) => set.epochMs[i] >= end);
      const xTrain = takeRows(set.x, trainRows);
      const yTrain = Float64Array.from(trainRows, (i) => set.target[i]);
      const xTest = takeRows(set.x, testRows);
      const yTest = Float64Array.from(testRows, (i) => set.target[i]);
      const mape = (p: Float64Array) => scoreOnCommonRows(yTest, { p }).scores[0].mape;
      const leaves = await timed(() => refitForecasterLeaves(champion, xTrain, yTrain));
      const full = await timed(() =>
        fitForecaster(xTrain, yTrain, {
          horizon,
          learner: params.learner,
          features: params.features,
          profile: PROFILES.complet,
        })
      );
      const line = (what: string, p: Float64Array, t?: { wall: number; cpu: number }) =>
        console.log(
          `  +${days} d  ${what.padEnd(18)} test MAPE ${mape(p).toFixed(4)} %` +
            (t ? `  ${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU` : ""),
        );
      console.log(
        `  +${days} d: ${leaves.result.rows} training rows, ${testRows.length} test rows ` +
          `(load average ${Deno.loadavg()[0].toFixed(2)})`,
      );
      line("registered", champion.predict(xTest));
      line("leaves refitted", leaves.result.forecaster.predict(xTest), leaves);
      line("full refit", full.result.forecaster.predict(xTest), full);
    }
  }
}
