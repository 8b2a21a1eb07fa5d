/**
 * A fingerprint of source code: the SHA-256 of a module and of every local module it references,
 * for caches keyed by the code that computed what they hold (model selections, parsed reference
 * data, up-to-date notebooks).
 *
 * @module
 */

import { createHash } from "node:crypto";

/** A module, or one it references, cannot be read. */
export class SourceFingerprintError extends Error {
  override name = "SourceFingerprintError";
}

/** Relative `.ts` module specifiers of a source text (imports, exports, worker URLs). */
const LOCAL_MODULE = /["'](\.{1,2}\/[^"'\s]+\.ts)["']/g;

/**
 * The text without its comments (those opening a line): paths quoted in documentation
 * and examples are not dependencies (the text itself, comments included, is still hashed).
 */
function withoutComments(text: string): string {
  // Comments that open a line only: "/*" inside a string or a regular expression is not one.
  return text.replace(/^\s*\/\*[\s\S]*?\*\//gm, "").replace(/^\s*\/\/.*$/gm, "");
}

/**
 * The relative `.ts` modules a source text references in its code (imports, re-exports, worker
 * URLs), comments left out, each once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localModules } from "./source_fingerprint.ts";
 * const text = 'import { a } from "./a.ts";\n// "./old.ts"\nnew URL("../w.ts", import.meta.url);';
 * assert.deepEqual(localModules(text), ["./a.ts", "../w.ts"]);
 * ```
 */
export function localModules(text: string): string[] {
  return [...new Set([...withoutComments(text).matchAll(LOCAL_MODULE)].map((m) => m[1]))];
}

/**
 * SHA-256 of the source text of `entries` and of every local module they reference
 * (transitively: imports, re-exports, `new URL("./worker.ts", import.meta.url)`), in a stable
 * order. Any edit of that code, even a comment, changes it: conservative, and nothing to bump by
 * hand. Modules outside the project (npm) are not followed; their versions are in `deno.lock`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceFingerprint } from "./source_fingerprint.ts";
 * const a = await sourceFingerprint([new URL("./linear.ts", import.meta.url)]);
 * const b = await sourceFingerprint([new URL("./gbdt.ts", import.meta.url)]);
 * assert.match(a, /^[0-9a-f]{64}$/);
 * assert.notEqual(a, b);
 * ```
 */
export async function sourceFingerprint(entries: readonly URL[]): Promise<string> {
  const texts = new Map<string, string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const url = pending.pop()!;
    if (texts.has(url.href)) continue;
    let text: string;
    try {
      text = await Deno.readTextFile(url);
    } catch (error) {
      throw new SourceFingerprintError(
        `sourceFingerprint: ${url.href}: ${(error as Error).message}`,
      );
    }
    texts.set(url.href, text);
    for (const specifier of localModules(text)) pending.push(new URL(specifier, url));
  }
  const hash = createHash("sha256");
  // Paths relative to the folder holding every module read: the same tree elsewhere (another
  // clone, a moved project) gives the same value.
  const hrefs = [...texts.keys()].sort();
  let base = new URL(".", hrefs[0]).href;
  while (!hrefs.every((href) => href.startsWith(base))) base = new URL("..", base).href;
  for (const href of hrefs) {
    hash.update(`${href.slice(base.length)}\n`);
    hash.update(texts.get(href)!);
    hash.update("\n");
  }
  return hash.digest("hex");
}
