/**
 * Web Worker of `fit_pool.ts`: fits one model per message on this thread and answers its exact
 * JSON form, or `{ error }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { fitModel, type FitReply, type FitRequest } from "./fit_pool.ts";

self.onmessage = (event: MessageEvent<FitRequest>) => {
  let reply: FitReply;
  try {
    const { spec, x, y } = event.data;
    reply = { json: fitModel(spec, x, y).toJSON() };
  } catch (error) {
    reply = error instanceof Error
      ? {
        error: {
          name: error.name,
          message: error.name === "MlInputError" ? error.message : error.stack ?? error.message,
        },
      }
      : { error: { name: "Error", message: String(error) } };
  }
  self.postMessage(reply);
};
