import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { zipSync } from "fflate";
import { currentFileState, refreshCurrentFile, verifyZip } from "./rte_current.ts";

const T0 = new Date("2026-11-10T08:00:00Z");
const clock = (date: Date) => () => date;

function zipOf(text: string): Uint8Array<ArrayBuffer> {
  // Copied into an ArrayBuffer-backed array, which a Response body accepts.
  return new Uint8Array(zipSync({ "eCO2mix_RTE_En-cours-TR.xls": new TextEncoder().encode(text) }));
}
const V1 = zipOf("Périmètre\tNature\tDate\tHeures\tConsommation\nversion 1\n");
const V2 = zipOf("Périmètre\tNature\tDate\tHeures\tConsommation\nversion 2, plus longue\n");

type Handler = (request: Request) => Response | Promise<Response>;

/** A local server whose answer each test sets; it records the headers of every request. */
function rteServer() {
  const requests: Headers[] = [];
  let handler: Handler = () => new Response(V1);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    requests.push(request.headers);
    return handler(request);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/download/eco2mix/eCO2mix_RTE_En-cours-TR.zip`,
    requests,
    answer(h: Handler) {
      handler = h;
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Serves V1 once with ETag "v1", leaving a copy and its state in a new folder. */
async function withCopy(server: ReturnType<typeof rteServer>): Promise<string> {
  const dir = await Deno.makeTempDir();
  server.answer(() =>
    new Response(V1, {
      headers: { ETag: '"v1"', "Last-Modified": "Mon, 09 Nov 2026 23:00:00 GMT" },
    })
  );
  const first = await refreshCurrentFile({ dir, url: server.url, now: clock(T0) });
  assert.equal(first.status, "downloaded", first.message);
  return dir;
}

/** The folder holds exactly the copy and its state, the copy being `bytes`. */
async function assertCopy(dir: string, bytes: Uint8Array) {
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assert.deepEqual(names, [".eCO2mix_RTE_En-cours-TR.zip.json", "eCO2mix_RTE_En-cours-TR.zip"]);
  assert.deepEqual(await Deno.readFile(join(dir, "eCO2mix_RTE_En-cours-TR.zip")), bytes);
}

Deno.test("first run downloads the file and stores its ETag and Last-Modified", async () => {
  await using server = rteServer();
  const dir = await withCopy(server);
  await assertCopy(dir, V1);
  assert.equal(server.requests[0].get("If-None-Match"), null);
  const state = await currentFileState(dir, server.url);
  assert.equal(state?.etag, '"v1"');
  assert.equal(state?.lastModified, "Mon, 09 Nov 2026 23:00:00 GMT");
  assert.equal(state?.downloadedAt, T0.toISOString());
  assert.equal(state?.bytes, V1.length);
  assert.equal(state?.sha256, createHash("sha256").update(V1).digest("hex"));
});

Deno.test("unchanged file: the conditional request gets 304 and nothing is downloaded", async () => {
  await using server = rteServer();
  const dir = await withCopy(server);
  server.answer((r) =>
    r.headers.get("If-None-Match") === '"v1"' &&
      r.headers.get("If-Modified-Since") === "Mon, 09 Nov 2026 23:00:00 GMT"
      ? new Response(null, { status: 304 })
      : new Response(V2)
  );
  const later = new Date(T0.getTime() + 3_600_000);
  const result = await refreshCurrentFile({ dir, url: server.url, now: clock(later) });
  assert.equal(result.status, "unchanged", result.message);
  assert.match(result.message, /inchangé/);
  await assertCopy(dir, V1);
  const state = await currentFileState(dir, server.url);
  assert.equal(state?.checkedAt, later.toISOString());
  assert.equal(state?.downloadedAt, T0.toISOString());
});

Deno.test("changed file: a 200 with a new ETag replaces the copy and the stored ETag", async () => {
  await using server = rteServer();
  const dir = await withCopy(server);
  server.answer(() => new Response(V2, { headers: { ETag: '"v2"' } }));
  const result = await refreshCurrentFile({ dir, url: server.url, now: clock(T0) });
  assert.equal(result.status, "downloaded", result.message);
  await assertCopy(dir, V2);
  assert.equal((await currentFileState(dir, server.url))?.etag, '"v2"');
  // The next request asks with the new ETag.
  await refreshCurrentFile({ dir, url: server.url, now: clock(T0) });
  assert.equal(server.requests.at(-1)?.get("If-None-Match"), '"v2"');
});

Deno.test("a truncated archive is refused and the local copy kept, with its age", async () => {
  await using server = rteServer();
  const dir = await withCopy(server);
  server.answer(() => new Response(V2.subarray(0, V2.length - 30), { headers: { ETag: '"v2"' } }));
  const twoDaysLater = new Date(T0.getTime() + 2 * 86_400_000);
  const result = await refreshCurrentFile({ dir, url: server.url, now: clock(twoDaysLater) });
  assert.equal(result.status, "failed");
  assert.match(result.reason ?? "", /incomplète/);
  assert.match(result.message, /copie locale .*eCO2mix_RTE_En-cours-TR\.zip/);
  assert.match(result.message, /il y a 2 jours/);
  await assertCopy(dir, V1);
  assert.equal((await currentFileState(dir, server.url))?.etag, '"v1"');
});

Deno.test("a transfer cut in the middle is refused and the local copy kept", async () => {
  await using server = rteServer();
  const dir = await withCopy(server);
  // A raw socket announces the whole archive, sends 40 bytes and hangs up.
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const cut = (async () => {
    using conn = await listener.accept();
    await conn.read(new Uint8Array(4096));
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${V2.length}\r\nETag: "v2"\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head));
    await conn.write(V2.subarray(0, 40));
  })();
  const result = await refreshCurrentFile({
    dir,
    url: `http://127.0.0.1:${listener.addr.port}/eCO2mix_RTE_En-cours-TR.zip`,
    now: clock(T0),
  });
  await cut;
  assert.equal(result.status, "failed");
  assert.match(result.reason ?? "", /transfert interrompu/);
  await assertCopy(dir, V1);
});

Deno.test("a server error keeps the local copy and says so", async () => {
  await using server = rteServer();
  const dir = await withCopy(server);
  server.answer(() => new Response("maintenance", { status: 500 }));
  const result = await refreshCurrentFile({ dir, url: server.url, now: clock(T0) });
  assert.equal(result.status, "failed");
  assert.equal(result.reason, "réponse HTTP 500");
  assert.equal(result.file, join(dir, "eCO2mix_RTE_En-cours-TR.zip"));
  await assertCopy(dir, V1);
});

Deno.test("no answer within the headers timeout counts as offline", async () => {
  await using server = rteServer();
  const dir = await withCopy(server);
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  server.answer(async () => {
    await released;
    return new Response(V2);
  });
  const result = await refreshCurrentFile({
    dir,
    url: server.url,
    now: clock(T0),
    headersTimeoutMs: 50,
  });
  release();
  assert.equal(result.status, "failed");
  assert.match(result.reason ?? "", /pas de réponse en 0\.05 s/);
  await assertCopy(dir, V1);
});

Deno.test("a body that stalls past its timeout is abandoned", async () => {
  await using server = rteServer();
  const dir = await withCopy(server);
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  server.answer(() =>
    new Response(
      new ReadableStream({
        async start(c) {
          c.enqueue(V2.subarray(0, 40));
          await released;
          c.close();
        },
      }),
    )
  );
  const result = await refreshCurrentFile({
    dir,
    url: server.url,
    now: clock(T0),
    bodyTimeoutMs: 50,
  });
  release();
  assert.equal(result.status, "failed");
  assert.match(result.reason ?? "", /non terminé en 0\.05 s/);
  await assertCopy(dir, V1);
});

Deno.test("a copy put there by hand is used offline, aged by its modification time", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "eCO2mix_RTE_En-cours-TR.zip");
  await Deno.writeFile(file, V1);
  await Deno.utime(file, T0, T0);
  const result = await refreshCurrentFile({
    dir,
    url: "http://127.0.0.1:9/eCO2mix_RTE_En-cours-TR.zip",
    now: clock(new Date(T0.getTime() + 5 * 3_600_000)),
  });
  assert.equal(result.status, "failed");
  assert.equal(result.state, null);
  assert.match(result.reason ?? "", /hors ligne/);
  assert.match(result.message, /il y a 5 h/);
});

Deno.test("verifyZip finds a corrupted entry by its CRC", () => {
  const zip = zipSync({ "a.xls": new TextEncoder().encode("abc") }, { level: 0 });
  const bad = zip.slice();
  // With no compression the entry's bytes follow its 30-byte local header and name.
  bad[30 + "a.xls".length] ^= 0xff;
  assert.throws(() => verifyZip(bad), /entrée a\.xls altérée/);
  assert.deepEqual(verifyZip(zip), ["a.xls"]);
});
