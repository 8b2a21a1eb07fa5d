/**
 * Reading RTE eCO2mix files exactly: column catalogue, encodings, every file variant RTE and
 * ODRÉ publish, typed errors naming file and line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEco2mix } from "./mod.ts";
 * import { sharedDataPath } from "../testing/shared_data.ts";
 * const path = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls");
 * const { frame, meta } = readEco2mix(await Deno.readFile(path), "TR_2016-06.xls");
 * assert.equal(meta.dataLines, 2496);
 * assert.equal(frame.height, 2496);
 * ```
 *
 * @module
 */

export * from "./columns.ts";
export * from "./encoding.ts";
export * from "./errors.ts";
export * from "./nature.ts";
export * from "./read.ts";
export * from "./read_folder.ts";
