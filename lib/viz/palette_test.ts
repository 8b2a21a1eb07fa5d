import assert from "node:assert/strict";
import { COLUMNS, COMMERCIAL_EXCHANGES, PRODUCTION_SOURCES } from "../eco2mix/mod.ts";
import { COLORS, COUNTRIES, sourceColor, SOURCES } from "./palette.ts";

Deno.test("one distinct colour per source and per border, keyed by silver's column names", () => {
  const columns = COLUMNS.map((c) => c.name);
  for (const s of SOURCES) assert.ok(columns.includes(s.key), s.key);
  assert.deepEqual(
    SOURCES.map((s) => s.key).filter((k) => k !== "thermique").sort(),
    [...PRODUCTION_SOURCES].sort(),
  );
  assert.deepEqual(COUNTRIES.map((c) => c.key), [...COMMERCIAL_EXCHANGES]);
  const colors = [...SOURCES.map((s) => s.color), ...COUNTRIES.map((c) => c.color)];
  assert.equal(new Set(colors).size, colors.length);
  for (const c of [...colors, ...COLORS.models]) assert.match(c, /^#[0-9A-F]{6}$/);
  assert.equal(sourceColor("eolien"), "#72CBB7");
  assert.equal(sourceColor("pompage"), undefined);
});

Deno.test("families: nuclear alone, four renewables, the fuels and the regional fossil total", () => {
  const family = (f: string) => SOURCES.filter((s) => s.family === f).map((s) => s.key);
  assert.deepEqual(family("nucleaire"), ["nucleaire"]);
  assert.deepEqual(family("renouvelable"), ["hydraulique", "eolien", "solaire", "bioenergies"]);
  assert.deepEqual(family("fossile"), ["gaz", "charbon", "fioul", "thermique"]);
});
