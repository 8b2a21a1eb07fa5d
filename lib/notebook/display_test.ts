import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { markdownToHtml, md, table } from "./display.ts";

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

Deno.test("computed Markdown sentences become safe HTML for untrusted notebooks", () => {
  assert.equal(
    markdownToHtml("Titre **gras** <script>\n\n- un `code`\n- deux & trois"),
    "<p>Titre <strong>gras</strong> &lt;script&gt;</p><ul><li>un <code>code</code></li>" +
      "<li>deux &amp; trois</li></ul>",
  );
});
