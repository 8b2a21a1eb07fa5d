import assert from "node:assert/strict";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { readEco2mix } from "../eco2mix/read.ts";
import { sharedDataPath } from "../testing/shared_data.ts";
import { InputNotFoundError, InputParameterError, resolveInputs, SAMPLE_FILE } from "./inputs.ts";

/** An address on loopback that refuses connections: the same failure as an offline machine. */
const OFFLINE = "http://127.0.0.1:9/eCO2mix_RTE_En-cours-TR.zip";
const ZIP = new Uint8Array(zipSync({ "eCO2mix_RTE_En-cours-TR.xls": new Uint8Array([9, 10]) }));

/** A server answering RTE's address with `body`. */
function serve(body: () => Response) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, body);
  return {
    url: `http://127.0.0.1:${server.addr.port}/eco2mix/eCO2mix_RTE_En-cours-TR.zip`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function touch(dir: string, ...names: string[]): Promise<void> {
  for (const name of names) await Deno.writeTextFile(join(dir, name), "");
}

Deno.test("input_path given as a file is used as is", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "x.xls");
  await touch(dir, "x.xls");
  const found = await resolveInputs(
    { input_path: file, data_dir: join(dir, "data"), allow_download: true },
    { url: OFFLINE },
  );
  assert.deepEqual(found, {
    source: "parameter",
    inputPath: file,
    files: [file],
    ignored: [],
    refresh: null,
    messages: [],
  });
});

Deno.test("a folder gives the input files at its top, other files reported as ignored", async () => {
  const dir = await Deno.makeTempDir();
  await touch(dir, "b.zip", "a.xls", "notes.txt", "README.md", ".hidden.xls", "c.csv.gz");
  await Deno.mkdir(join(dir, "echantillon"));
  await touch(join(dir, "echantillon"), "sample.zip");
  const found = await resolveInputs({ data_dir: dir });
  assert.equal(found.source, "data_dir");
  assert.equal(found.inputPath, dir);
  assert.deepEqual(found.files, ["a.xls", "b.zip", "c.csv.gz"].map((f) => join(dir, f)));
  assert.deepEqual(found.ignored, [
    { path: join(dir, "echantillon"), reason: "sous-dossier, non lu" },
    { path: join(dir, "notes.txt"), reason: "format non reconnu" },
  ]);
});

Deno.test("a link to a file is read once; links to folders (loops) and broken links are listed", async () => {
  const dir = await Deno.makeTempDir();
  const elsewhere = await Deno.makeTempDir();
  await touch(elsewhere, "real.xls");
  await Deno.symlink(join(elsewhere, "real.xls"), join(dir, "lien.xls"));
  await Deno.symlink("..", join(dir, "up"));
  await Deno.symlink(join(elsewhere, "absent.xls"), join(dir, "casse.xls"));
  const found = await resolveInputs({ input_path: dir });
  assert.deepEqual(found.files, [join(dir, "lien.xls")]);
  assert.deepEqual(found.ignored, [
    { path: join(dir, "casse.xls"), reason: "lien cassé" },
    { path: join(dir, "up"), reason: "lien vers un dossier, non suivi" },
  ]);
});

Deno.test("a missing input_path is an error naming it", async () => {
  await assert.rejects(
    resolveInputs({ input_path: "/no/such/file.xls", data_dir: "/tmp" }),
    (e: unknown) => e instanceof InputNotFoundError && /\/no\/such\/file\.xls/.test(e.message),
  );
});

Deno.test("offline with an empty data folder: the sample, with a notice saying so", async () => {
  const dataDir = join(await Deno.makeTempDir(), "data");
  const found = await resolveInputs({ data_dir: dataDir, allow_download: true }, { url: OFFLINE });
  assert.equal(found.source, "sample");
  assert.equal(found.inputPath, SAMPLE_FILE);
  assert.deepEqual(found.files, [SAMPLE_FILE]);
  assert.equal(found.refresh?.status, "failed");
  assert.equal(found.messages.length, 2);
  assert.match(found.messages[0], /non téléchargé \(hors ligne/);
  assert.match(found.messages[1], /ÉCHANTILLON/);
  assert.ok(found.messages[1].includes(dataDir) && found.messages[1].includes("--input"));
});

Deno.test("online: RTE's current file is downloaded into data/, beside the user's files", async () => {
  const dataDir = await Deno.makeTempDir();
  await touch(dataDir, "eCO2mix_RTE_Annuel-Definitif_2024.zip");
  await using server = serve(() => new Response(ZIP, { headers: { ETag: '"1"' } }));
  const found = await resolveInputs({ data_dir: dataDir, allow_download: true }, {
    url: server.url,
  });
  assert.equal(found.source, "data_dir");
  assert.equal(found.refresh?.status, "downloaded");
  assert.deepEqual(found.files, [
    join(dataDir, "eCO2mix_RTE_Annuel-Definitif_2024.zip"),
    join(dataDir, "eCO2mix_RTE_En-cours-TR.zip"),
  ]);
  assert.deepEqual(await Deno.readFile(found.files[1]), ZIP);
  assert.match(found.messages[0], /téléchargé \(nouvelle version/);
  // A later step handed `inputPath` reads the same files, with the copy's age and no request.
  const again = await resolveInputs(
    { input_path: found.inputPath, data_dir: dataDir, allow_download: true },
    { url: server.url },
  );
  assert.equal(again.source, "data_dir");
  assert.deepEqual(again.files, found.files);
  assert.equal(again.refresh, null);
  assert.match(again.messages[0], /^Fichier courant de RTE : .*, à jour au .* \(il y a \d+ s\)\.$/);
});

Deno.test("an HTML page instead of a zip is not saved: offline fallback to the sample", async () => {
  const dataDir = await Deno.makeTempDir();
  await using server = serve(() => new Response("<html>maintenance</html>"));
  const found = await resolveInputs({ data_dir: dataDir, allow_download: true }, {
    url: server.url,
  });
  assert.equal(found.source, "sample");
  assert.match(found.refresh?.reason ?? "", /archive zip incomplète/);
  assert.deepEqual([...Deno.readDirSync(dataDir)], []);
});

Deno.test("the sample handed on as input_path is still announced as the sample", async () => {
  const dataDir = await Deno.makeTempDir();
  const found = await resolveInputs({ input_path: SAMPLE_FILE, data_dir: dataDir });
  assert.equal(found.source, "sample");
  assert.match(found.messages[0], /ÉCHANTILLON/);
});

Deno.test("no input anywhere (sample missing too): an error naming the data folder", async () => {
  const dataDir = await Deno.makeTempDir();
  await assert.rejects(
    resolveInputs({ data_dir: dataDir }, { sampleFile: join(dataDir, "none.zip") }),
    (e: unknown) =>
      e instanceof InputNotFoundError && e.message.includes(dataDir) &&
      e.message.includes("--input"),
  );
});

Deno.test("no download without allow_download: true; parameters of the wrong type refused", async () => {
  let asked = 0;
  await using server = serve(() => {
    asked++;
    return new Response(ZIP);
  });
  const dataDir = join(await Deno.makeTempDir(), "data");
  // A notebook's whole parameter set, without allow_download (notebook 02): the sample, no request.
  const found = await resolveInputs(
    { input_path: "", data_dir: dataDir, lakehouse_dir: "/lake" } as Record<string, unknown>,
    { url: server.url },
  );
  assert.equal(found.source, "sample");
  assert.equal(found.refresh, null);
  await resolveInputs({ data_dir: dataDir, allow_download: false }, { url: server.url });
  assert.equal(asked, 0);
  await assert.rejects(
    resolveInputs({ data_dir: dataDir, allow_download: "true" }),
    (e: unknown) =>
      e instanceof InputParameterError && /allow_download must be a boolean/.test(`${e}`),
  );
  await assert.rejects(resolveInputs({ input_path: 3 }), InputParameterError);
});

Deno.test("the shipped sample is one month of RTE's national real-time file", () => {
  const { frame, meta } = readEco2mix(Deno.readFileSync(SAMPLE_FILE), "sample.zip");
  assert.equal(meta.variant, "rte_national");
  assert.equal(meta.container, "zip");
  assert.equal(meta.encoding, "iso-8859-1");
  assert.deepEqual(meta.natures, ["temps_reel"]);
  assert.match(meta.disclaimer ?? "", /^RTE ne pourra être tenu responsable/);
  const days = new Set(frame.getColumn("date").toArray());
  assert.equal(frame.height, days.size * 96);
  assert.ok([...days].every((d) => String(d).startsWith("2025-07-")), [...days].join());
});

Deno.test("the sample's lines are RTE's own July 2025 lines, byte for byte", () => {
  const source = Deno.readFileSync(
    sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls"),
  );
  const [entry] = Object.values(unzipSync(Deno.readFileSync(SAMPLE_FILE)));
  // ISO-8859-1 maps bytes one to one onto code points: compare as text, keep every byte.
  const latin1 = new TextDecoder("iso-8859-1");
  const lines = latin1.decode(source).split("\n");
  const july = lines.filter((l, i) => i === 0 || l.split("\t")[2]?.startsWith("2025-07-"));
  const disclaimer = lines.find((l) => l.startsWith("RTE ne pourra"));
  assert.equal(latin1.decode(entry), [...july, disclaimer, "", ""].join("\n"));
});
