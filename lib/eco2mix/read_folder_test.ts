import assert from "node:assert/strict";
import { join } from "node:path";
import { sharedDataPath } from "../testing/shared_data.ts";
import { Eco2mixTruncatedError } from "./errors.ts";
import { readEco2mixFolder } from "./read_folder.ts";

Deno.test("every eCO2mix file of the shared folder, tempo and other files skipped", async () => {
  const { tables, skipped, errors } = await readEco2mixFolder(sharedDataPath("eco2mix"), {
    recursive: true,
  });
  assert.deepEqual(errors, []);
  // 2 national TR + 2 ODRÉ + 14 regional files (12 for 2014, Bretagne 2013 and consolidated).
  assert.equal(tables.length, 18);
  assert.deepEqual(
    tables.map((t) => t.meta.file).filter((f) => !f.startsWith("regional/")),
    [
      "eCO2mix_RTE_En-cours-TR_2016-06.xls",
      "eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls",
      "odre/consommation-quotidienne-brute.csv.gz",
      "odre/eco2mix-national-tr_2021-12.csv",
    ],
  );
  const lines = tables.reduce((n, t) => n + t.meta.dataLines, 0);
  // 19,968 + 2,496 + 2,976 + 242,544 + 13 regional years * 35,040 + 58,464.
  assert.equal(lines, 19_968 + 2_496 + 2_976 + 242_544 + 13 * 35_040 + 58_464);
  assert.equal(skipped.filter((s) => s.file.startsWith("tempo/")).length, 12);
  assert.ok(
    skipped.filter((s) => s.file.startsWith("tempo/")).every((s) => /Tempo/.test(s.reason)),
  );
  assert.deepEqual(
    skipped.filter((s) => !s.file.startsWith("tempo/")).map((s) => s.file),
    [
      "doc/specifications_fichiers_energie_eco2mix_v5.pdf",
      "doc/specifications_fichiers_puissances_eco2mix_v5.pdf",
      "odre/consommation-quotidienne-brute.7z",
    ],
  );
});

Deno.test("a broken file throws, or is collected with onError: collect", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = await Deno.readFile(sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls"));
    await Deno.writeFile(join(dir, "a.xls"), good);
    await Deno.writeFile(join(dir, "b.xls"), good.subarray(0, 5000));
    await assert.rejects(() => readEco2mixFolder(dir), Eco2mixTruncatedError);
    const { tables, errors } = await readEco2mixFolder(dir, { onError: "collect" });
    assert.deepEqual(tables.map((t) => t.meta.file), ["a.xls"]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].file, "b.xls");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
