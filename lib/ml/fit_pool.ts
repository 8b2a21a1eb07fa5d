/**
 * Independent fits on every core: a pool of Web Workers, each fitting one model at a time on
 * one thread, for work made of many fits that do not depend on each other (the folds and
 * learners of a cross-validation, the refits of several models, the classifiers of several
 * horizons).
 *
 * Why not threads inside each fit: gradient boosting's histogram threads meet about 60 times per
 * round, and on a shared 2-core machine one of them is often descheduled while the other waits
 * (see README). Whole fits side by side need no meeting at all: two fits on two workers take
 * about the time of one, whatever the learner.
 *
 * A fit in the pool gives the same model as in this thread ({@linkcode fitModel}): the learners
 * are deterministic for a seed, gradient boosting gives the same trees whatever its thread count
 * and a forest the same trees whatever its workers. The model comes back as its exact JSON form
 * (`model_io.ts`), so predictions are bit for bit those of the worker's model.
 *
 * @module
 */

import type { FeatureMatrix } from "./dataset.ts";
import {
  fitGbdtClassifier,
  fitGbdtRegressor,
  type GbdtClassifierParams,
  type GbdtRegressorParams,
} from "./gbdt.ts";
import { fitRidge, type RidgeParams } from "./linear.ts";
import { MlInputError } from "./errors.ts";
import type { Label } from "./metrics.ts";
import type { Model, ModelJson } from "./model.ts";
import { modelFromJSON } from "./model_io.ts";
import { fitRandomForestRegressor, type RandomForestParams } from "./random_forest.ts";

/** A learner and its parameters, as plain data (what a worker receives). */
export type LearnerSpec =
  | { learner: "ridge"; params: RidgeParams }
  | { learner: "gbdt"; params: GbdtRegressorParams }
  | { learner: "random_forest"; params: RandomForestParams }
  | { learner: "gbdt_classifier"; params: GbdtClassifierParams };

/** What a fit job sends to a worker. */
export interface FitRequest {
  spec: LearnerSpec;
  x: FeatureMatrix;
  y: ArrayLike<number> | ArrayLike<Label>;
}

/** What a worker answers. */
export type FitReply = { json: ModelJson } | { error: { name: string; message: string } };

/**
 * Fits `spec` on `x` and `y` in this thread (a forest grows its trees here; gradient boosting
 * uses the threads its `nThreads` asks for).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitModel } from "./fit_pool.ts";
 * import type { Regressor } from "./model.ts";
 * const x = featureMatrix({ t: [0, 1, 2, 3] });
 * const model = fitModel({ learner: "ridge", params: { alpha: 0 } }, x, [1, 3, 5, 7]) as Regressor;
 * assert.ok(Math.abs(model.predict(featureMatrix({ t: [10] }))[0] - 21) < 1e-9);
 * ```
 */
export function fitModel(
  spec: LearnerSpec,
  x: FeatureMatrix,
  y: ArrayLike<number> | ArrayLike<Label>,
): Model {
  switch (spec.learner) {
    case "ridge":
      return fitRidge(x, y as ArrayLike<number>, spec.params);
    case "gbdt":
      return fitGbdtRegressor(x, y as ArrayLike<number>, spec.params);
    case "random_forest":
      return fitRandomForestRegressor(x, y as ArrayLike<number>, spec.params);
    case "gbdt_classifier":
      return fitGbdtClassifier(x, y as ArrayLike<Label>, spec.params);
  }
}

/** The spec a pool worker fits: one thread per fit (the pool's workers are the parallelism). */
function singleThreaded(spec: LearnerSpec): LearnerSpec {
  return spec.learner === "gbdt" || spec.learner === "gbdt_classifier"
    ? { ...spec, params: { ...spec.params, nThreads: 1 } } as LearnerSpec
    : spec;
}

interface Job {
  /** Lower first; in the order given within a priority. */
  priority: number;
  request: FitRequest;
  resolve: (model: Model) => void;
  reject: (error: Error) => void;
}

/**
 * A pool of `size` fit workers (default: one per core). Jobs queue in the order given and start
 * as workers free up, those of a {@linkcode FitPool.lane} with a lower number first; call
 * {@linkcode FitPool.close} when done (pending jobs are rejected).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { FitPool, fitModel } from "./fit_pool.ts";
 * import type { Regressor } from "./model.ts";
 * const x = featureMatrix({ t: Array.from({ length: 300 }, (_, i) => i % 24) });
 * const y = Array.from({ length: 300 }, (_, i) => ((i % 24) < 12 ? 10 : 20));
 * const spec = { learner: "gbdt", params: { maxIter: 20 } } as const;
 * const pool = new FitPool(2);
 * try {
 *   const [a, b] = await Promise.all([pool.fit(spec, x, y), pool.fit(spec, x, y)]);
 *   const local = fitModel(spec, x, y) as Regressor;
 *   assert.deepEqual((a as Regressor).predict(x), local.predict(x));
 *   assert.deepEqual((b as Regressor).predict(x), local.predict(x));
 * } finally {
 *   pool.close();
 * }
 * ```
 */
export class FitPool {
  /** Number of workers. */
  readonly size: number;
  #idle: Worker[] = [];
  #workers: Worker[] = [];
  #queue: Job[] = [];
  #running = new Map<Worker, Job>();
  #closed = false;
  /** The pool whose workers a lane uses, and the lane's priority. */
  #owner: FitPool = this;
  #priority = 0;

  constructor(size: number = navigator.hardwareConcurrency || 1) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`FitPool size ${size}`);
    this.size = size;
  }

  /**
   * This pool's workers seen as a queue of priority `priority`: a fit of a lane with a lower
   * number starts before the queued fits of higher ones (never interrupting a running fit).
   * Several consumers sharing the workers each keep the pace they would have alone, the later
   * ones using a worker the earlier leave idle. Closing a lane closes the pool.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { FitPool } from "./fit_pool.ts";
   * const x = featureMatrix({ t: [0, 1, 2, 3] });
   * const ridge = { learner: "ridge", params: { alpha: 0 } } as const;
   * const pool = new FitPool(1);
   * const order: string[] = [];
   * const fit = (lane: FitPool, name: string) => lane.fit(ridge, x, [1, 2, 3, 4]).then(() => order.push(name));
   * try {
   *   await Promise.all([fit(pool.lane(1), "a"), fit(pool.lane(1), "b"), fit(pool.lane(0), "c")]);
   *   assert.deepEqual(order, ["a", "c", "b"]); // "a" had started
   * } finally {
   *   pool.close();
   * }
   * ```
   */
  lane(priority: number): FitPool {
    const lane = new FitPool(this.size);
    lane.#owner = this.#owner;
    lane.#priority = priority;
    return lane;
  }

  /** Fits `spec` on `x` and `y` in a worker (one thread), resolving to the model. */
  fit(
    spec: LearnerSpec,
    x: FeatureMatrix,
    y: ArrayLike<number> | ArrayLike<Label>,
  ): Promise<Model> {
    const pool = this.#owner;
    if (pool.#closed) return Promise.reject(new Error("FitPool is closed"));
    return new Promise<Model>((resolve, reject) => {
      // Plain arrays for the structured clone (a view of a larger buffer would copy it all).
      const request: FitRequest = {
        spec: singleThreaded(spec),
        x: { names: [...x.names], columns: x.columns.map((c) => c.slice()), nRows: x.nRows },
        y: ArrayBuffer.isView(y) ? (y as Float64Array).slice() : Array.from(y as ArrayLike<Label>),
      };
      const priority = this.#priority;
      const at = pool.#queue.findIndex((job) => job.priority > priority);
      const job = { priority, request, resolve, reject };
      if (at < 0) pool.#queue.push(job);
      else pool.#queue.splice(at, 0, job);
      pool.#next();
    });
  }

  #next(): void {
    while (this.#queue.length > 0) {
      let worker = this.#idle.pop();
      if (!worker) {
        if (this.#workers.length >= this.size) return;
        worker = new Worker(new URL("./_fit_worker.ts", import.meta.url), { type: "module" });
        this.#workers.push(worker);
      }
      this.#run(worker, this.#queue.shift()!);
    }
  }

  #run(worker: Worker, job: Job): void {
    this.#running.set(worker, job);
    const done = () => {
      this.#running.delete(worker);
      worker.onmessage = null;
      worker.onerror = null;
      if (this.#closed) return;
      this.#idle.push(worker);
      this.#next();
    };
    worker.onmessage = (event: MessageEvent<FitReply>) => {
      const reply = event.data;
      if ("error" in reply) {
        // Bad input stays an MlInputError, whatever thread found it.
        const { name, message } = reply.error;
        job.reject(
          name === "MlInputError" ? new MlInputError(message) : new Error(`fit worker: ${message}`),
        );
      } else {
        try {
          job.resolve(modelFromJSON(reply.json, `${job.request.spec.learner} fitted in a worker`));
        } catch (error) {
          job.reject(error as Error);
        }
      }
      done();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.#running.delete(worker);
      job.reject(new Error(`fit worker: ${event.message}`));
      // A worker that failed outside a fit is not reused.
      this.#workers = this.#workers.filter((w) => w !== worker);
      worker.terminate();
      if (!this.#closed) this.#next();
    };
    const transfer = [
      ...job.request.x.columns.map((c) => c.buffer),
      ...(ArrayBuffer.isView(job.request.y) ? [(job.request.y as Float64Array).buffer] : []),
    ] as ArrayBuffer[];
    worker.postMessage(job.request, { transfer });
  }

  /** Stops the workers; fits running or not started yet are rejected. */
  close(): void {
    if (this.#owner !== this) return this.#owner.close();
    this.#closed = true;
    for (const job of this.#queue) job.reject(new Error("FitPool closed before the fit started"));
    for (const job of this.#running.values()) {
      job.reject(new Error("FitPool closed during the fit"));
    }
    this.#queue = [];
    this.#running.clear();
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
    this.#idle = [];
  }
}

/**
 * Runs `task` on every item with at most `limit` running at once, starting them in the order
 * given; resolves to the results in that order (rejects with the first error, after the
 * running tasks settle). Tasks should build their inputs when they start, so that memory holds
 * only `limit` jobs' data at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapConcurrent } from "./fit_pool.ts";
 * let running = 0;
 * let most = 0;
 * const out = await mapConcurrent([3, 1, 2], 2, async (v) => {
 *   most = Math.max(most, ++running);
 *   await new Promise((r) => setTimeout(r, v));
 *   running--;
 *   return v * 10;
 * });
 * assert.deepEqual(out, [30, 10, 20]);
 * assert.equal(most, 2);
 * ```
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const i = next++;
      try {
        results[i] = await task(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
