/**
 * Papermill-style parameters for TypeScript notebooks: the cell tagged `parameters` holds the
 * defaults; an `injected-parameters` cell is inserted after it with the values of this run.
 *
 * The Deno kernel evaluates cells like a REPL: a later cell may declare `let x` or `const x`
 * again, but may not assign to a `const`. So the injected cell re-declares each parameter with
 * the keyword (and type annotation) of its default, which works whatever that keyword is.
 *
 * @module
 */

import { type Cell, joinSource, type Notebook } from "./ipynb.ts";

/** A parameter value: anything JSON can carry. */
export type ParameterValue =
  | string
  | number
  | boolean
  | null
  | ParameterValue[]
  | { [key: string]: ParameterValue };

/** One declaration found in the `parameters` cell. */
export interface ParameterDeclaration {
  name: string;
  keyword: "const" | "let" | "var";
  /** The written type annotation, if any. */
  annotation?: string;
  /** The kind of the default: used to convert command-line strings. */
  kind: "string" | "number" | "boolean" | "other";
  /** The default, when it is written as a string, number or boolean literal. */
  value?: string | number | boolean;
}

/** A command-line value that does not fit the parameter's declared type. */
export class ParameterError extends Error {
  override name = "ParameterError";
}

const DECLARATION =
  /^\s*(?:export\s+)?(const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=\s*(.+?)\s*;?\s*(?:\/\/.*)?$/;

/** The value of a string, number or boolean literal, else undefined. */
function literalValue(literal: string): string | number | boolean | undefined {
  if (/^"(?:[^"\\]|\\.)*"$/.test(literal)) return JSON.parse(literal);
  if (/^'[^'\\]*'$/.test(literal) || /^`[^`\\$]*`$/.test(literal)) return literal.slice(1, -1);
  if (/^-?\d[\d_]*(\.\d+)?(e[+-]?\d+)?$/i.test(literal)) return Number(literal.replaceAll("_", ""));
  if (literal === "true" || literal === "false") return literal === "true";
  return undefined;
}

function kindOf(annotation: string | undefined, literal: string): ParameterDeclaration["kind"] {
  const t = annotation?.trim();
  if (t === "string") return "string";
  if (t === "number") return "number";
  if (t === "boolean") return "boolean";
  if (t) return "other";
  if (/^(["'`]).*\1$/.test(literal)) return "string";
  const value = literalValue(literal);
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  return "other";
}

/**
 * Finds the top-level declarations of a `parameters` cell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDeclarations } from "./parameters.ts";
 * const [d, e] = parseDeclarations('let annee: number = 2025; // year\nlet dir = "";');
 * assert.equal(d.name, "annee");
 * assert.equal(d.keyword, "let");
 * assert.equal(d.kind, "number");
 * assert.equal(d.value, 2025);
 * assert.equal(e.value, "");
 * ```
 */
export function parseDeclarations(source: string): ParameterDeclaration[] {
  const out: ParameterDeclaration[] = [];
  for (const line of source.split("\n")) {
    const m = DECLARATION.exec(line);
    if (!m) continue;
    const [, keyword, name, annotation, literal] = m;
    out.push({
      name,
      keyword: keyword as ParameterDeclaration["keyword"],
      annotation: annotation?.trim(),
      kind: kindOf(annotation, literal),
      ...(literalValue(literal) === undefined ? {} : { value: literalValue(literal) }),
    });
  }
  return out;
}

/**
 * Converts a command-line string (`-p key=value`) to a value of the declared kind; for
 * undeclared parameters, numbers, booleans, `null` and JSON arrays/objects are recognised and
 * anything else stays a string, as papermill does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coerceParameter } from "./parameters.ts";
 * assert.equal(coerceParameter("2025", "number"), 2025);
 * assert.equal(coerceParameter("2025", "string"), "2025");
 * ```
 */
export function coerceParameter(
  text: string,
  kind: ParameterDeclaration["kind"] | undefined,
  name = "parameter",
): ParameterValue {
  switch (kind) {
    case "string":
      return text;
    case "number": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n)) {
        throw new ParameterError(`${name} expects a number, got "${text}"`);
      }
      return n;
    }
    case "boolean":
      if (text !== "true" && text !== "false") {
        throw new ParameterError(`${name} expects true or false, got "${text}"`);
      }
      return text === "true";
    default:
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
  }
}

function tags(cell: Cell): string[] {
  return cell.metadata?.tags ?? [];
}

/**
 * The declarations of a notebook's `parameters` cell (none when it has no such cell).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { declaredParameters } from "./parameters.ts";
 * const nb = {
 *   nbformat: 4 as const, nbformat_minor: 5, metadata: {},
 *   cells: [{ cell_type: "code" as const, source: "let a = 1;", metadata: { tags: ["parameters"] } }],
 * };
 * assert.equal(declaredParameters(nb)[0].name, "a");
 * ```
 */
export function declaredParameters(nb: Notebook): ParameterDeclaration[] {
  const cell = nb.cells.find((c) => tags(c).includes("parameters"));
  return cell ? parseDeclarations(joinSource(cell.source)) : [];
}

/** The result of {@linkcode injectParameters}. */
export interface Injection {
  notebook: Notebook;
  /** Names given that the `parameters` cell does not declare. */
  unknown: string[];
  /** Declarations of the `parameters` cell. */
  declared: ParameterDeclaration[];
}

/**
 * Returns a copy of `nb` with an `injected-parameters` cell after the `parameters` cell (or at
 * the top when there is none), replacing an injected cell left by an earlier run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { injectParameters } from "./parameters.ts";
 * const nb = {
 *   nbformat: 4 as const, nbformat_minor: 5, metadata: {},
 *   cells: [{ cell_type: "code" as const, source: "const annee = 2024;", metadata: { tags: ["parameters"] }, outputs: [], execution_count: null }],
 * };
 * const { notebook } = injectParameters(nb, { annee: 2025 });
 * assert.equal(
 *   notebook.cells[1].source,
 *   "// Parameters injected by the runner\nconst annee = 2025;\n",
 * );
 * ```
 */
export function injectParameters(
  nb: Notebook,
  values: Record<string, ParameterValue>,
): Injection {
  const cells = nb.cells.filter((c) => !tags(c).includes("injected-parameters"));
  const at = cells.findIndex((c) => tags(c).includes("parameters"));
  const declared = at >= 0 ? parseDeclarations(joinSource(cells[at].source)) : [];
  const byName = new Map(declared.map((d) => [d.name, d]));
  const unknown = Object.keys(values).filter((k) => !byName.has(k));
  if (Object.keys(values).length === 0) return { notebook: { ...nb, cells }, unknown, declared };
  const lines = Object.entries(values).map(([name, value]) => {
    const d = byName.get(name);
    const type = d?.annotation ? `: ${d.annotation}` : "";
    return `${d?.keyword ?? "const"} ${name}${type} = ${JSON.stringify(value)};\n`;
  });
  const injected: Cell = {
    cell_type: "code",
    id: crypto.randomUUID().slice(0, 8),
    source: `// Parameters injected by the runner\n${lines.join("")}`,
    metadata: { tags: ["injected-parameters"] },
    outputs: [],
    execution_count: null,
  };
  cells.splice(at + 1, 0, injected);
  return { notebook: { ...nb, cells }, unknown, declared };
}
