import assert from "node:assert/strict";
import {
  Eco2mixColumnError,
  Eco2mixError,
  Eco2mixFormatError,
  Eco2mixNotDataError,
  Eco2mixTruncatedError,
} from "./errors.ts";

Deno.test("errors name the file and the line", () => {
  const e = new Eco2mixTruncatedError("partial last line", "TR.xls", 2498);
  assert.equal(e.message, "TR.xls:2498: partial last line");
  assert.equal(e.name, "Eco2mixTruncatedError");
  assert.equal(e.file, "TR.xls");
  assert.equal(e.line, 2498);
  assert.ok(e instanceof Eco2mixError);
});

Deno.test("errors without a line name only the file", () => {
  const e = new Eco2mixColumnError("missing consommation", "a.csv");
  assert.equal(e.message, "a.csv: missing consommation");
  assert.equal(e.line, undefined);
});

Deno.test("a Tempo calendar is a format error of its own kind", () => {
  const e = new Eco2mixNotDataError("Tempo", "tempo.xls", 1);
  assert.ok(e instanceof Eco2mixFormatError);
  assert.equal(e.name, "Eco2mixNotDataError");
});
