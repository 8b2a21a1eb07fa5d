import assert from "node:assert/strict";
import { removeStaleRoots, ROOT_PREFIX, runTests } from "./run_tests.ts";

/** A folder holding one test module, whose test is `body` given the folder's path. */
async function fixture(body: (dir: string) => string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "run_tests_" });
  await Deno.writeTextFile(
    `${dir}/fixture_test.ts`,
    `Deno.test("fixture", async () => {${body(dir)}});`,
  );
  return dir;
}

Deno.test("runTests gives the tests a TMPDIR of their own and removes it after", async () => {
  const dir = await fixture((dir) => `
    const made = await Deno.makeTempDir();
    await Deno.writeTextFile(made + "/f", "x");
    await Deno.writeTextFile(${
    JSON.stringify(`${dir}/seen`)
  }, Deno.env.get("TMPDIR") + "\\n" + made);
  `);
  const code = await runTests(["-A", `${dir}/fixture_test.ts`], {
    tempParent: dir,
    output: "null",
  });
  assert.equal(code, 0);
  const [tmpdir, made] = (await Deno.readTextFile(`${dir}/seen`)).split("\n");
  assert.ok(tmpdir.startsWith(`${dir}/${ROOT_PREFIX}${Deno.pid}-`), tmpdir);
  assert.ok(made.startsWith(`${tmpdir}/`), made);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "fixture_test.ts",
    "seen",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runTests passes a failure's exit code on and still removes its folder", async () => {
  const dir = await fixture(() => `await Deno.makeTempDir(); throw new Error("échec voulu");`);
  const code = await runTests(["-A", `${dir}/fixture_test.ts`], {
    tempParent: dir,
    output: "null",
  });
  assert.notEqual(code, 0);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["fixture_test.ts"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runTests removes the folders of killed runs, not those of runs going on", async () => {
  const dir = await fixture(() => "");
  const dead = `${dir}/${ROOT_PREFIX}2147483647-x`;
  const alive = `${dir}/${ROOT_PREFIX}${Deno.pid}-y`;
  const unrelated = `${dir}/${ROOT_PREFIX}pas-un-pid`;
  for (const path of [dead, alive, unrelated]) await Deno.mkdir(`${path}/sub`, { recursive: true });
  assert.equal(
    await runTests(["-A", `${dir}/fixture_test.ts`], { tempParent: dir, output: "null" }),
    0,
  );
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    `${ROOT_PREFIX}${Deno.pid}-y`,
    `${ROOT_PREFIX}pas-un-pid`,
    "fixture_test.ts",
  ]);
  assert.deepEqual(await removeStaleRoots(dir), []);
  await Deno.remove(dir, { recursive: true });
});
