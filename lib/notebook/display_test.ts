import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { markdownToHtml, md, table, tableBundle } from "./display.ts";

function captureLog(fn: () => Promise<void>): Promise<string> {
  const original = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  return fn().then(() => lines.join("\n")).finally(() => (console.log = original));
}

Deno.test("outside the kernel, Markdown and tables print as text", async () => {
  assert.equal(await captureLog(() => md("# Titre")), "# Titre");
  const out = await captureLog(() => table([{ source: "eolien", mw: 4200 }]));
  assert.equal(out, "source  mw\neolien  4200\n1 ligne");
  // A table without rows is a sentence, the caller's or a default one.
  assert.equal(
    await captureLog(() => table([], { empty: "Aucune anomalie." })),
    "Aucune anomalie.",
  );
  assert.match(await captureLog(() => table(pl.DataFrame({ a: [] }))), /^Aucune ligne/);
});

Deno.test("instants in Paris time, dates as jj/mm/aaaa, numbers in French by unit", () => {
  const df = pl.DataFrame({
    timestamp_utc: pl.Series("t", [new Date("2025-03-30T01:00:00Z")], pl.Datetime("ms", "UTC")),
    d: pl.Series("d", [new Date("2025-03-30T00:00:00Z")], pl.Date),
    energie_mwh: [257435.73750000002],
    part_pct: [12.3456],
    retenu: [true],
    note: ["<b>"],
  });
  const { "text/html": html, "text/plain": text } = tableBundle(df);
  // 01:00 UTC on the night of the spring change is 03:00 in Paris (UTC+2).
  assert.match(
    html,
    /<th>timestamp \(heure de Paris\)<\/th><th>d<\/th><th>energie_mwh<\/th><th>part_pct<\/th>/,
  );
  assert.match(
    html,
    /<td>30\/03\/2025 03:00<\/td><td>30\/03\/2025<\/td><td>257\u202f436<\/td><td>12,35<\/td><td>oui<\/td><td>&lt;b&gt;<\/td>/,
  );
  assert.match(text, /^timestamp \(heure de Paris\)/);
});

Deno.test("negative numbers have the minus sign, and a value rounding to zero has none", () => {
  const df = pl.DataFrame({ ecart_mw: [-15000.4, -2054], biais_pct: [-0.47, -0.0004] });
  const { "text/html": html, "text/plain": text } = tableBundle(df);
  assert.match(html, /<td>\u221215\u202f000<\/td><td>\u22120,47<\/td>/);
  assert.match(html, /<td>\u22122054<\/td><td>0<\/td>/);
  assert.doesNotMatch(text, /-/);
});

Deno.test("every row up to the limit is in the HTML, and the count says how many there are", () => {
  const df = pl.DataFrame({ n: Array.from({ length: 76 }, (_, i) => i) });
  const all = tableBundle(df);
  assert.equal(all["text/html"].match(/<tr>/g)!.length, 77); // header + 76 rows
  assert.match(all["text/html"], /<em>76 lignes<\/em>/);
  assert.equal(all["text/plain"].split("\n").length, 1 + 20 + 2); // header, 20 rows, …, count
  const cut = tableBundle(df, { maxRows: 50 });
  assert.equal(cut["text/html"].match(/<tr>/g)!.length, 51);
  assert.match(cut["text/html"], /<em>50 lignes affichées sur 76<\/em>/);
});

Deno.test("computed Markdown sentences become safe HTML for untrusted notebooks", () => {
  assert.equal(
    markdownToHtml("Titre **gras** <script>\n\n- un `code`\n- deux & trois"),
    "<p>Titre <strong>gras</strong> &lt;script&gt;</p><ul><li>un <code>code</code></li>" +
      "<li>deux &amp; trois</li></ul>",
  );
});
