import assert from "node:assert/strict";
import { join } from "node:path";
import { InputNotFoundError, locateInputs } from "./inputs.ts";

Deno.test("input_path given as a file is used as is", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "x.xls");
  await Deno.writeTextFile(file, "");
  const found = await locateInputs({ inputPath: file, dataDir: join(dir, "data") });
  assert.deepEqual(found, { source: "parameter", files: [file], ignored: [] });
});

Deno.test("a folder gives every input file in it, other files reported as ignored", async () => {
  const dir = await Deno.makeTempDir();
  for (const f of ["b.zip", "a.xls", "notes.txt", "README.md", ".hidden.xls", "c.csv.gz"]) {
    await Deno.writeTextFile(join(dir, f), "");
  }
  const found = await locateInputs({ inputPath: "", dataDir: dir, download: false });
  assert.equal(found.source, "data_dir");
  assert.deepEqual(found.files, ["a.xls", "b.zip", "c.csv.gz"].map((f) => join(dir, f)));
  assert.deepEqual(found.ignored, [join(dir, "notes.txt")]);
});

Deno.test("a missing input_path is an error naming it", async () => {
  await assert.rejects(
    locateInputs({ inputPath: "/no/such/file.xls", dataDir: "/tmp" }),
    (e: unknown) => e instanceof InputNotFoundError && /\/no\/such\/file\.xls/.test(e.message),
  );
});

Deno.test("offline with no data: the message names the folder to fill and the option", async () => {
  const dir = await Deno.makeTempDir();
  const dataDir = join(dir, "data");
  await assert.rejects(
    // Port 9 on loopback refuses connections: the same failure as a machine without network.
    locateInputs({ inputPath: "", dataDir, url: "http://127.0.0.1:9/x.zip", timeoutMs: 2_000 }),
    (e: unknown) =>
      e instanceof InputNotFoundError && e.message.includes(dataDir) &&
      e.message.includes("--input"),
  );
});

Deno.test("online with no data: RTE's zip is downloaded into data/", async () => {
  const dir = await Deno.makeTempDir();
  const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response(zip),
  );
  const url = `http://127.0.0.1:${server.addr.port}/eco2mix/eCO2mix_RTE_En-cours-TR.zip`;
  const found = await locateInputs({ inputPath: "", dataDir: join(dir, "data"), url });
  assert.equal(found.source, "download");
  assert.deepEqual(found.files, [join(dir, "data", "eCO2mix_RTE_En-cours-TR.zip")]);
  assert.deepEqual(await Deno.readFile(found.files[0]), zip);
});

Deno.test("an HTML page instead of a zip is refused, not saved as input", async () => {
  const dir = await Deno.makeTempDir();
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("<html>maintenance</html>"),
  );
  await assert.rejects(
    locateInputs({
      inputPath: "",
      dataDir: join(dir, "data"),
      url: `http://127.0.0.1:${server.addr.port}/f.zip`,
    }),
    /did not return a zip file/,
  );
  assert.deepEqual([...Deno.readDirSync(join(dir))], []);
});
