// Subprocess for lock_test.ts: `<dir> <owner> [release]` prints "ready", waits for a "go" line
// on stdin, tries acquireLakehouseLock(dir) once and prints the outcome as one JSON line, then
// holds whatever it got until stdin closes, and exits without releasing (a crashed run) unless
// `release` is given.
import { acquireLakehouseLock } from "../lock.ts";

const [dir, owner, release] = Deno.args;
const input = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
let pending = "";
async function line(): Promise<string | null> {
  while (!pending.includes("\n")) {
    const { value, done } = await input.read();
    if (done) return null;
    pending += value;
  }
  const at = pending.indexOf("\n");
  const out = pending.slice(0, at);
  pending = pending.slice(at + 1);
  return out;
}

console.log("ready");
await line();
let outcome: Record<string, unknown>;
let lock;
try {
  lock = await acquireLakehouseLock(dir, { owner });
  outcome = {
    ok: true,
    pid: Deno.pid,
    inherited: lock.inherited,
    token: lock.holder.token,
    tookOverFrom: lock.tookOverFrom?.token ?? null,
  };
} catch (e) {
  outcome = { ok: false, pid: Deno.pid, error: (e as Error).name, message: (e as Error).message };
}
console.log(JSON.stringify(outcome));
while ((await line()) !== null);
if (lock && release) console.log(JSON.stringify({ released: await lock.release() }));
