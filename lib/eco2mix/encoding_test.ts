import assert from "node:assert/strict";
import { decodeText } from "./encoding.ts";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

Deno.test("ISO-8859-1 bytes decode as ISO-8859-1", () => {
  const result = decodeText(latin1("Périmètre\tNature\nFrance\tDonnées temps réel\n"));
  assert.equal(result.encoding, "iso-8859-1");
  assert.equal(result.text, "Périmètre\tNature\nFrance\tDonnées temps réel\n");
});

Deno.test("UTF-8 with and without BOM decode as UTF-8, BOM removed", () => {
  const utf8 = new TextEncoder().encode("Périmètre;Nature\r\n");
  assert.deepEqual(decodeText(utf8), { text: "Périmètre;Nature\r\n", encoding: "utf-8" });
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
  assert.deepEqual(decodeText(bom), { text: "Périmètre;Nature\r\n", encoding: "utf-8-bom" });
});

Deno.test("pure ASCII is reported as ASCII", () => {
  assert.deepEqual(decodeText(latin1("Date;Heure\n")), { text: "Date;Heure\n", encoding: "ascii" });
});

Deno.test("the same text in both encodings decodes identically", () => {
  const text = "Hydraulique - Fil de l?eau + éclusée\tDéstockage batterie\n";
  assert.equal(decodeText(latin1(text)).text, decodeText(new TextEncoder().encode(text)).text);
});
