import assert from "node:assert/strict";
import { extractInterleaved } from "./zmtp.ts";

const enc = new TextEncoder();

/** A ZMTP message: short frames (< 256 bytes), MORE on all but the last. */
function message(parts: string[]): Uint8Array {
  const bytes = parts.flatMap((p, i) => {
    const body = [...enc.encode(p)];
    return [i < parts.length - 1 ? 1 : 0, body.length, ...body];
  });
  return new Uint8Array(bytes);
}

function reader(bytes: Uint8Array): (n: number) => Promise<Uint8Array> {
  let at = 0;
  return (n) => {
    const out = bytes.slice(at, at + n);
    at += n;
    return Promise.resolve(out);
  };
}

Deno.test("extractInterleaved cuts whole messages out of a large frame and completes it", async () => {
  const content = enc.encode(JSON.stringify({ text: "x".repeat(200) }));
  const status = message(["<IDS|MSG>", "sig", "{}", "{}", "{}", '{"execution_state":"idle"}']);
  // On the wire: the frame's first bytes, the whole intruder, then the frame's tail. The
  // declared length covers the intruder, so the tail is read from the stream after it.
  for (const cut of [20, 120, content.length - 5]) {
    const wire = new Uint8Array([
      ...content.subarray(0, cut),
      ...status,
      ...content.subarray(cut),
      9,
      9,
    ]);
    const declared = wire.slice(0, content.length);
    const read = reader(wire.slice(content.length));
    const { body, intruders } = await extractInterleaved(declared, read);
    assert.deepEqual(new TextDecoder().decode(body), new TextDecoder().decode(content));
    assert.equal(intruders.length, 1);
    assert.deepEqual(intruders[0].map((p) => new TextDecoder().decode(p)).slice(-1), [
      '{"execution_state":"idle"}',
    ]);
    // The stream is left exactly after the frame.
    assert.deepEqual([...(await read(2))], [9, 9]);
  }
});
Deno.test("extractInterleaved leaves a frame without intruder untouched", async () => {
  const body = enc.encode('{"a":"<IDS|MSG> in text is escaped context, not a frame"}');
  const r = await extractInterleaved(body, () => Promise.reject(new Error("no read expected")));
  assert.equal(r.body, body);
  assert.deepEqual(r.intruders, []);
});
