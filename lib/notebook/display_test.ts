import assert from "node:assert/strict";
import { md, table } from "./display.ts";

function captureLog(fn: () => Promise<void>): Promise<string> {
  const original = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  return fn().then(() => lines.join("\n")).finally(() => (console.log = original));
}

Deno.test("outside the kernel, Markdown and tables print as text", async () => {
  assert.equal(await captureLog(() => md("# Titre")), "# Titre");
  const out = await captureLog(() => table([{ source: "eolien", mw: 4200 }]));
  assert.match(out, /shape: \(1, 2\)/);
  assert.match(out, /eolien/);
  assert.match(out, /4200/);
});
