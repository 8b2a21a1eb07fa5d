/**
 * The pipeline as users run it (`lib/runner/cli.ts` on notebook 11, quick profile) with its
 * lakehouse on Azure Blob storage: Azurite started by the test (127.0.0.1, a free port, a
 * temporary folder), `-p lakehouse_dir=az://…`, credentials in the environment only.
 *
 * On a 10-day cut of the 2025 real-time file (the whole file takes several minutes locally and
 * more over HTTP, too long beside the rest of CI): the run delivers, its tables, pipeline state
 * and lock live in the container (no local folder named after the URL), a second run reuses
 * notebooks through the state read back from Azure, and neither the run folder nor the state
 * holds the account key.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openCatalog } from "../lib/pipeline/catalog.ts";
import { STATE_FILE } from "../lib/pipeline/up_to_date.ts";
import { readManifest } from "../lib/runner/manifest.ts";
import { LOCK_FILE } from "../lib/lakehouse/lock.ts";
import { joinLocation, locate } from "../lib/lakehouse/storage.ts";
import { startAzurite } from "../lib/testing/azurite.ts";
import { growingFileVersion } from "../lib/testing/growing_file.ts";
import { pipelineCommand } from "../lib/testing/pipeline_command.ts";
import { sharedDataPath, skipTestsWithoutSharedData } from "../lib/testing/shared_data.ts";

const TR_2025 = "eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls";
const LAKE = "az://eco2mix/lake";

/** Every file under a folder, as text (the run folder: manifest, executed notebooks, logs). */
async function textsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await textsUnder(path));
    else if (e.isFile) out.push(new TextDecoder().decode(await Deno.readFile(path)));
  }
  return out;
}

Deno.test({
  name: "pipeline on Azure: quick profile, lakehouse on Azurite, state reused, no key written",
  ignore: skipTestsWithoutSharedData() !== null,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await using azurite = await startAzurite();
  const ACCOUNT_KEY = /AccountKey=([^;]+)/.exec(azurite.connectionString)![1];
  const tmp = await Deno.makeTempDir({ prefix: "pipeline-azure-" });
  try {
    const input = join(tmp, "eCO2mix_RTE_En-cours-TR.xls");
    await Deno.writeFile(
      input,
      growingFileVersion(await Deno.readFile(sharedDataPath(TR_2025)), { days: 10 }),
    );
    const run = async (name: string) => {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: pipelineCommand({
          input,
          lakehouseDir: LAKE,
          modelsDir: join(tmp, "models"),
          reportDir: join(tmp, "rapport"),
          profile: "rapide",
          runDir: join(tmp, name),
        }),
        cwd: tmp,
        env: { INIT_CWD: tmp, NO_COLOR: "1", ...azurite.env },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(stderr);
      assert.equal(code, 0, err.slice(-3_000));
      const out = new TextDecoder().decode(stdout);
      assert.ok(!`${out}${err}`.includes(ACCOUNT_KEY), "the run's log holds the account key");
      return await readManifest(join(tmp, name));
    };

    const first = await run("run1");
    assert.match(first.status, /^completed/);
    assert.ok(first.notebooks.every((n) => n.status === "completed"), first.status);
    assert.deepEqual(
      [...Deno.readDirSync(tmp)].map((e) => e.name).filter((n) => n.includes(":")),
      [],
    );

    const previous = Deno.env.get("AZURE_STORAGE_CONNECTION_STRING");
    Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString);
    try {
      const catalog = openCatalog(LAKE);
      const silver = await catalog.table("eco2mix_silver").read();
      assert.ok(silver.height >= 10 * 96, `${silver.height} silver rows`);
      assert.ok((await catalog.existing()).length >= 10);
      const state = locate(joinLocation(LAKE, STATE_FILE));
      const stateText = new TextDecoder().decode((await state.storage.read(state.key))!);
      assert.equal(JSON.parse(stateText).run_id, first.run_id);
      const lock = locate(joinLocation(LAKE, LOCK_FILE));
      assert.equal(await lock.storage.stat(lock.key), null, "the run released its lock");

      // The next run reads the state back from Azure and finds the tables at the versions it
      // recorded: a notebook whose inputs and tables did not change is not run again.
      const second = await run("run2");
      assert.equal(second.notebooks[0].status, "up_to_date", JSON.stringify(second.notebooks));

      for (const dir of ["run1", "run2"]) {
        for (const text of await textsUnder(join(tmp, dir))) {
          assert.ok(!text.includes(ACCOUNT_KEY), dir);
        }
      }
      assert.ok(!stateText.includes(ACCOUNT_KEY));
    } finally {
      if (previous === undefined) Deno.env.delete("AZURE_STORAGE_CONNECTION_STRING");
      else Deno.env.set("AZURE_STORAGE_CONNECTION_STRING", previous);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
