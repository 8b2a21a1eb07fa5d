/**
 * Text from the data (file names, perimeter and country names, anything read from an input)
 * placed into Markdown that the project writes: notebook outputs and `RAPPORT_ANALYSE.md`.
 *
 * Why: Markdown lets raw HTML through, and a file name is chosen by whoever supplies the file.
 * A name holding a backtick would close an inline code span and let `<img onerror=…>` reach a
 * reader's browser. Every such string goes through {@linkcode mdCode} or {@linkcode mdText}.
 *
 * @module
 */

/**
 * `text` as one inline code span, whatever it holds: the fence is one backtick longer than the
 * longest run of backticks inside, and line breaks become spaces (CommonMark code spans show
 * their content literally, HTML included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mdCode } from "./markdown.ts";
 * assert.equal(mdCode("data/a.xls"), "`data/a.xls`");
 * assert.equal(mdCode("a`<img onerror=x>`.xls"), "``a`<img onerror=x>`.xls``");
 * assert.equal(mdCode("`x"), "`` `x ``");
 * ```
 */
export function mdCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * `text` as plain Markdown text: HTML and Markdown punctuation escaped, line breaks as spaces,
 * so it reads as written and cannot open a tag, a link, emphasis or a table cell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mdText } from "./markdown.ts";
 * assert.equal(mdText("Auvergne-Rhône-Alpes"), "Auvergne-Rhône-Alpes");
 * assert.equal(mdText("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
 * assert.equal(mdText("a|b *c* [d](e)"), "a\\|b \\*c\\* \\[d\\](e)");
 * ```
 */
export function mdText(text: string): string {
  return text.replace(/[\r\n]+/g, " ")
    .replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`);
}
