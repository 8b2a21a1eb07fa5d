import assert from "node:assert/strict";
import { gunzipSync } from "fflate";
import {
  base64,
  escapeHtml,
  FRENCH_LOCALE_SCRIPT,
  PLOTLY_LOADING,
  plotlyLoaderTag,
  plotlyScriptTag,
  plotlySource,
  scriptJson,
  scriptSource,
} from "./_plotly.ts";

Deno.test("JSON inside a script cannot end it, and parses back to the same value", () => {
  const value = { t: "</script><!-- \u2028 \u2029 é", n: [1, null, -2.5] };
  const text = scriptJson(value);
  assert.ok(!text.includes("<") && !text.includes("\u2028") && !text.includes("\u2029"));
  assert.deepEqual(JSON.parse(text), value);
  assert.equal(
    scriptSource('a = "</script>"; b = "</SCRIPT"'),
    'a = "<\\/script>"; b = "<\\/SCRIPT"',
  );
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});

Deno.test("base64 of large byte arrays, chunk by chunk", () => {
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256);
  const decoded = Uint8Array.from(atob(base64(bytes)), (c) => c.charCodeAt(0));
  assert.deepEqual(decoded, bytes);
});

Deno.test("plotly is read from node_modules and registered in French", () => {
  assert.ok(plotlySource().includes("plotly.js v4.1.2"));
  assert.ok(plotlySource().length > 4_000_000);
  const tag = plotlyScriptTag();
  assert.ok(tag.startsWith("<script>") && tag.endsWith("</script>"));
  assert.equal(tag.split("</script>").length, 2); // nothing inside ends the element early
  const calls: unknown[] = [];
  const Plotly = {
    register: (m: unknown) => calls.push(m),
    setPlotConfig: (c: unknown) => calls.push(c),
  };
  new Function("Plotly", FRENCH_LOCALE_SCRIPT)(Plotly);
  const locale = calls[0] as { name: string; format: { shortMonths: string[]; decimal: string } };
  assert.equal(locale.name, "fr");
  assert.equal(locale.format.shortMonths[0], "janv.");
  assert.equal(locale.format.decimal, ",");
  assert.deepEqual(calls[1], { locale: "fr" });
});

Deno.test("the loader carries plotly and the French locale gzipped, one element, once", () => {
  const tag = plotlyLoaderTag();
  assert.equal(tag, plotlyLoaderTag());
  assert.ok(tag.startsWith("<script>") && tag.endsWith("</script>"));
  assert.equal(tag.split("</script>").length, 2);
  const packed = tag.match(/atob\("([A-Za-z0-9+/=]+)"\)/)![1];
  const source = new TextDecoder().decode(
    gunzipSync(Uint8Array.from(atob(packed), (c) => c.charCodeAt(0))),
  );
  assert.equal(source, `${plotlySource()}\n${FRENCH_LOCALE_SCRIPT}`);
  // Less than half of plotly, and far below the Deno kernel's 4 MB socket buffer.
  assert.ok(tag.length < plotlySource().length / 2, `${tag.length}`);
  assert.ok(tag.includes(`window.${PLOTLY_LOADING}=`));
});
