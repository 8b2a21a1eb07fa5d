import assert from "node:assert/strict";
import pl from "nodejs-polars";
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

Deno.test("dates and UTC datetimes are shown as ISO text", async () => {
  const df = pl.DataFrame({
    t: pl.Series("t", [new Date("2025-03-30T01:00:00Z")], pl.Datetime("ms", "UTC")),
    d: pl.Series("d", [new Date("2025-03-30T00:00:00Z")], pl.Date),
  });
  const out = await captureLog(() => table(df));
  assert.match(out, /2025-03-30T01:00:00\+0000/);
  assert.match(out, /┆ 2025-03-30 /);
});
