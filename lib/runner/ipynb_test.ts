import assert from "node:assert/strict";
import { joinSource, OUTPUT_CAP_BYTES, OutputCollector } from "./ipynb.ts";
import { newMessage } from "./wire.ts";

const MIB = 1024 * 1024;

Deno.test("a stream over the cap, sent in pieces, is kept as a note with its start", () => {
  const c = new OutputCollector();
  const piece = "x".repeat(MIB - 1) + "\n";
  const pieces = Math.ceil(OUTPUT_CAP_BYTES / MIB) + 1;
  c.add(newMessage("stream", "s", { name: "stderr", text: "début\n" }));
  for (let i = 0; i < pieces; i++) {
    c.add(newMessage("stream", "s", { name: "stderr", text: piece }));
  }
  c.add(newMessage("stream", "s", { name: "stdout", text: "court\n" }));
  const [big, small] = c.finish();
  assert.equal(big.output_type, "stream");
  const text = joinSource((big as { text: string[] }).text);
  const mb = (n: number) => (n / MIB).toFixed(1).replace(".", ",");
  const size = "début\n".length + pieces * MIB;
  assert.ok(
    text.startsWith(
      `[Sortie de ${mb(size)} Mo omise de la copie exécutée (limite : ${
        mb(OUTPUT_CAP_BYTES)
      } Mo) ; flux stderr]\ndébut\nxxx`,
    ),
    text.slice(0, 200),
  );
  assert.ok(text.length < 3_000, String(text.length));
  // A stream under the cap is kept whole.
  assert.deepEqual(small, { output_type: "stream", name: "stdout", text: ["court\n"] });
});

Deno.test("a stream exactly at the cap is kept whole", () => {
  const c = new OutputCollector();
  c.add(newMessage("stream", "s", { name: "stdout", text: "y".repeat(OUTPUT_CAP_BYTES) }));
  assert.equal(joinSource((c.finish()[0] as { text: string[] }).text).length, OUTPUT_CAP_BYTES);
});
