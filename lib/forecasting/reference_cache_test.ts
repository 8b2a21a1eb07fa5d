import assert from "node:assert/strict";
import { join } from "node:path";
import { sharedDataPath } from "../testing/shared_data.ts";
import { loadReference } from "./reference.ts";
import { loadReferenceCached } from "./reference_cache.ts";

const TEMPO = "eco2mix/tempo/eCO2mix_RTE_tempo_2024-2025.xls";

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
}

Deno.test("a cache hit gives exactly what parsing the real reference files gives", async () => {
  const cache = await Deno.makeTempDir();
  const dir = sharedDataPath();
  const parsed = await loadReference(dir);
  const first = await loadReferenceCached(dir, cache);
  assert.equal(first.fromCache, false);
  assert.deepEqual(first.reference, parsed);
  const hit = await loadReferenceCached(dir, cache);
  assert.equal(hit.fromCache, true);
  // Bit for bit: deepEqual compares typed arrays element by element (NaN equal to NaN), the
  // calendar's entries in order, the files' SHA-256 and the sentences of what is missing.
  assert.deepEqual(hit.reference, parsed);
  assert.deepEqual([...hit.reference.tempo!.calendar.keys()], [...parsed.tempo!.calendar.keys()]);
  assert.ok(hit.reference.history!.series.consommation.length > 200_000);
});

Deno.test("a changed, added or removed reference file misses the cache; one entry is kept", async () => {
  const cache = await Deno.makeTempDir();
  const dir = await Deno.makeTempDir();
  const tempo = join(dir, "eCO2mix_RTE_tempo_2024-2025.xls");
  await Deno.copyFile(sharedDataPath(TEMPO), tempo);
  assert.equal((await loadReferenceCached(dir, cache)).fromCache, false);
  assert.equal((await loadReferenceCached(dir, cache)).fromCache, true);
  const before = await entries(cache);
  assert.equal(before.length, 1);
  // One colour changed: a new entry, equal to a fresh parse; the old entry is gone.
  const text = await Deno.readTextFile(tempo);
  await Deno.writeTextFile(tempo, text.replace(/\tBLEU/, "\tROUGE"));
  const changed = await loadReferenceCached(dir, cache);
  assert.equal(changed.fromCache, false);
  assert.deepEqual(changed.reference, await loadReference(dir));
  const after = await entries(cache);
  assert.equal(after.length, 1);
  assert.notDeepEqual(after, before);
  // A file added (a temperature file), then removed: each time what the files say.
  await Deno.symlink(
    sharedDataPath("weather/temperature-quotidienne-regionale.csv"),
    join(dir, "temperature-quotidienne-regionale.csv"),
  );
  const added = await loadReferenceCached(dir, cache);
  assert.equal(added.fromCache, false);
  assert.notEqual(added.reference.temperatures, null);
  await Deno.remove(join(dir, "temperature-quotidienne-regionale.csv"));
  const removed = await loadReferenceCached(dir, cache);
  assert.equal(removed.fromCache, false);
  assert.deepEqual(removed.reference, await loadReference(dir));
});

Deno.test("a corrupt or truncated cache entry is parsed again and replaced", async () => {
  const cache = await Deno.makeTempDir();
  const dir = await Deno.makeTempDir();
  await Deno.copyFile(sharedDataPath(TEMPO), join(dir, "eCO2mix_RTE_tempo_2024-2025.xls"));
  const parsed = (await loadReferenceCached(dir, cache)).reference;
  const [name] = await entries(cache);
  const bytes = await Deno.readFile(join(cache, name));
  for (const bad of [bytes.slice(0, bytes.length / 2), new TextEncoder().encode("{}")]) {
    await Deno.writeFile(join(cache, name), bad);
    const again = await loadReferenceCached(dir, cache);
    assert.equal(again.fromCache, false);
    assert.deepEqual(again.reference, parsed);
    assert.equal((await loadReferenceCached(dir, cache)).fromCache, true);
  }
});
