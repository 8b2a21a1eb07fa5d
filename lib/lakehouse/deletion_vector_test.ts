import assert from "node:assert/strict";
import { deletedRows, parseRoaringArray, z85Decode } from "./deletion_vector.ts";

Deno.test("Z85 decodes the ZeroMQ reference vector", () => {
  assert.deepEqual([...z85Decode("HelloWorld")], [0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
});

function roaringArray(values: number[]): Uint8Array {
  // One bucket (high bits 0), one array container without runs, built by hand.
  const n = values.length;
  const buf = new DataView(new ArrayBuffer(4 + 8 + 4 + 4 + 4 + 4 + 4 + 2 * n));
  let p = 0;
  buf.setUint32(p, 1681511377, true), p += 4;
  buf.setBigUint64(p, 1n, true), p += 8;
  buf.setUint32(p, 0, true), p += 4; // bucket key
  buf.setUint32(p, 12346, true), p += 4; // no-run cookie
  buf.setUint32(p, 1, true), p += 4; // one container
  buf.setUint16(p, 0, true), buf.setUint16(p + 2, n - 1, true), p += 4;
  buf.setUint32(p, 0, true), p += 4; // offset header
  for (const v of values) buf.setUint16(p, v, true), p += 2;
  return new Uint8Array(buf.buffer);
}

Deno.test("Roaring bitmap array parses an array container", () => {
  assert.deepEqual([...parseRoaringArray(roaringArray([0, 9, 300]))], [0, 9, 300]);
});

Deno.test("inline deletion vector with a wrong cardinality is refused", async () => {
  const bytes = roaringArray([0, 9, 1, 2]); // 4 + 8 + 16 + 8 = 36 bytes: Z85 needs 4n
  const z85 = encodeZ85(bytes);
  const dv = { storageType: "i", pathOrInlineDv: z85, sizeInBytes: bytes.length, cardinality: 4 };
  assert.deepEqual([...(await deletedRows("/t", dv))].sort((a, b) => a - b), [0, 1, 2, 9]);
  await assert.rejects(deletedRows("/t", { ...dv, cardinality: 3 }), /log says 3/);
});

function encodeZ85(bytes: Uint8Array): string {
  const chars =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  let out = "";
  for (let i = 0; i < bytes.length; i += 4) {
    let v = ((bytes[i] << 24) >>> 0) + (bytes[i + 1] << 16) + (bytes[i + 2] << 8) + bytes[i + 3];
    const block: string[] = [];
    for (let j = 0; j < 5; j++) block.unshift(chars[v % 85]), v = Math.floor(v / 85);
    out += block.join("");
  }
  return out;
}
