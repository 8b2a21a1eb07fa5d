// Subprocess writer for table_test.ts: `append <root> <tag> <n>` appends n one-row frames
// (column tag, i); `crash <root>` writes data files then dies before committing.
import pl from "nodejs-polars";
import { DeltaTable } from "../table.ts";
import { writeDataFiles } from "../_write.ts";
import { loadSnapshot } from "../log.ts";

const [mode, root, tag, n] = Deno.args;
const table = new DeltaTable(root);
if (mode === "append") {
  for (let i = 0; i < Number(n); i++) {
    await table.append(pl.DataFrame({ tag: [tag], i: [i] }));
  }
} else if (mode === "crash") {
  const snap = await loadSnapshot(root);
  await writeDataFiles(root, pl.DataFrame({ tag: ["lost"], i: [0] }), snap.schema, []);
  // Killed by the parent between writing data files and committing.
  console.log("files written");
  await new Promise(() => setInterval(() => {}, 1000));
}
