/**
 * Loaded by `deno task test` before the test modules (`deno test --preload`): on a clone
 * without the shared RTE data (and `ECO2MIX_SHARED_DATA` unset), the tests that read it are
 * reported as skipped instead of failing; see `lib/testing/shared_data.ts`. With the data
 * there, it changes nothing.
 *
 * @module
 */

import { skipTestsWithoutSharedData } from "../lib/testing/shared_data.ts";

skipTestsWithoutSharedData();
