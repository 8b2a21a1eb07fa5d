import assert from "node:assert/strict";
import { join } from "node:path";
import { sourceFingerprint } from "./source_fingerprint.ts";

Deno.test("sourceFingerprint follows local imports and worker URLs", async () => {
  const dir = await Deno.makeTempDir();
  const file = (name: string) => new URL(`file://${join(dir, name)}`);
  await Deno.writeTextFile(file("a.ts"), `import { b } from "./b.ts";\nexport const a = b;\n`);
  await Deno.writeTextFile(
    file("b.ts"),
    `export const b = new URL("./sub/w.ts", import.meta.url);\n`,
  );
  await Deno.mkdir(join(dir, "sub"));
  await Deno.writeTextFile(file("sub/w.ts"), `// worker v1\n`);
  const before = await sourceFingerprint([file("a.ts")]);
  assert.equal(await sourceFingerprint([file("a.ts")]), before);
  await Deno.writeTextFile(file("sub/w.ts"), `// worker v2\n`);
  const after = await sourceFingerprint([file("a.ts")]);
  assert.notEqual(after, before);
  // A path quoted in a comment is not followed; a missing import is an error.
  await Deno.writeTextFile(
    file("a.ts"),
    `/** e.g. \`new URL("./doc.ts", import.meta.url)\` */\n// "./also.ts"\nexport const a = 1;\n`,
  );
  await sourceFingerprint([file("a.ts")]);
  await Deno.writeTextFile(file("a.ts"), `import { c } from "./missing.ts";\n`);
  await assert.rejects(() => sourceFingerprint([file("a.ts")]), /missing\.ts/);
});

Deno.test("sourceFingerprint: the same tree in another folder, imports going up included", async () => {
  const trees = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const prints = [];
  for (const dir of trees) {
    await Deno.mkdir(join(dir, "lib/a"), { recursive: true });
    await Deno.mkdir(join(dir, "lib/b"));
    // The sibling folder's module, named through a variable: this file imports nothing from it.
    const sibling = "../b/y.ts";
    await Deno.writeTextFile(join(dir, "lib/a/x.ts"), `import ${JSON.stringify(sibling)};\n`);
    await Deno.writeTextFile(join(dir, "lib/b/y.ts"), `export const y = 1;\n`);
    prints.push(await sourceFingerprint([new URL(`file://${join(dir, "lib/a/x.ts")}`)]));
  }
  assert.equal(prints[0], prints[1]);
});
