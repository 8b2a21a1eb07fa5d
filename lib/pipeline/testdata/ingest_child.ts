// Subprocess for ingest_test.ts: `<lakehouse> <file>...` prints "ready" once its modules are
// loaded, waits for a line on stdin (so that several children start ingesting together), runs
// ingestFiles and prints its report as one JSON line.
import { ingestFiles } from "../ingest.ts";
import { openCatalog } from "../catalog.ts";

const [lakehouse, ...files] = Deno.args;
console.log("ready");
const input = Deno.stdin.readable.getReader();
await input.read();
input.releaseLock();
console.log(JSON.stringify(await ingestFiles(openCatalog(lakehouse), files)));
