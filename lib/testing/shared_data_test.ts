import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SharedDataNotFoundError, sharedDataPath } from "./shared_data.ts";

Deno.test("sharedDataPath finds the real 2025 real-time file", () => {
  const path = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
  assert.equal(Deno.statSync(path).size, 3_957_842);
});

Deno.test("sharedDataPath names the missing file and the variable to set", () => {
  // A folder named by the variable never puts the tests in skipping mode.
  const before = Deno.env.get("ECO2MIX_SHARED_DATA");
  Deno.env.set("ECO2MIX_SHARED_DATA", Deno.makeTempDirSync());
  try {
    assert.throws(
      () => sharedDataPath("no/such/file.xls"),
      (e: unknown) =>
        e instanceof SharedDataNotFoundError &&
        /no\/such\/file\.xls.*ECO2MIX_SHARED_DATA/.test(e.message),
    );
  } finally {
    if (before === undefined) Deno.env.delete("ECO2MIX_SHARED_DATA");
    else Deno.env.set("ECO2MIX_SHARED_DATA", before);
  }
});

Deno.test("on a clone without ../shared/data, only the tests reading it are skipped", async () => {
  // A copy of the two modules in a project folder with no shared/data beside it.
  const tmp = await Deno.makeTempDir();
  const project = join(tmp, "project");
  const here = dirname(fileURLToPath(import.meta.url));
  await Deno.mkdir(join(project, "lib", "testing"), { recursive: true });
  await Deno.copyFile(join(here, "..", "paths.ts"), join(project, "lib", "paths.ts"));
  await Deno.copyFile(
    join(here, "shared_data.ts"),
    join(project, "lib", "testing", "shared_data.ts"),
  );
  await Deno.writeTextFile(
    join(project, "preload.ts"),
    'import { skipTestsWithoutSharedData } from "./lib/testing/shared_data.ts";\n' +
      "skipTestsWithoutSharedData();\n",
  );
  await Deno.writeTextFile(
    join(project, "a_test.ts"),
    `import { sharedDataPath } from "./lib/testing/shared_data.ts";
const TOP = sharedDataPath("eco2mix/top.xls");
Deno.test("reads a module-level path", () => { Deno.readFileSync(TOP); });
Deno.test({ name: "reads inside the test", fn: () => { Deno.readFileSync(sharedDataPath("x")); } });
Deno.test("scans the folder, finds nothing", () => { if (sharedDataPath()) throw new Error("0 !== 12"); });
Deno.test("needs no data", () => {});
Deno.test("fails for another reason", () => { throw new Error("real failure"); });
`,
  );
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-config", "--preload", "preload.ts", "a_test.ts"],
    cwd: project,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const skipped = `skipped: needs the shared RTE data (${join(tmp, "shared", "data")} not found)`;
  assert.equal(out.split(skipped).length - 1, 3, out);
  assert.match(out, /needs no data \.\.\. ok/);
  assert.match(out, /fails for another reason \.\.\. FAILED/);
  assert.match(out, /FAILED \| 4 passed \| 1 failed \| 0 ignored \(3 steps\)/);
});
