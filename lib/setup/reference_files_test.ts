import assert from "node:assert/strict";
import { join } from "node:path";
import { findFilesByName } from "./reference_files.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

const NAME = "european_wholesale_electricity_price_data_daily_FRA.csv";
const PATTERN = /^european_wholesale_electricity_price_data_daily.*\.csv$/;

Deno.test("reference files: nested folders, links followed once, loops and broken links", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "a", "b"), { recursive: true });
  // A link to the shared file (never a copy), a link to a folder, a loop and a broken link.
  await Deno.symlink(sharedDataPath("prices", NAME), join(dir, "a", "b", NAME));
  await Deno.symlink(sharedDataPath("prices"), join(dir, "prix"));
  await Deno.symlink("..", join(dir, "a", "boucle"));
  await Deno.symlink(
    join(dir, "absent.csv"),
    join(dir, "european_wholesale_electricity_price_data_daily_x.csv"),
  );
  await Deno.writeTextFile(join(dir, "a", "autre.csv"), "x\n");
  const found = await findFilesByName(dir, PATTERN);
  assert.deepEqual(found, [join(dir, "a", "b", NAME), join(dir, "prix", NAME)]);
  assert.deepEqual(await findFilesByName(join(dir, "absent"), PATTERN), []);
});
