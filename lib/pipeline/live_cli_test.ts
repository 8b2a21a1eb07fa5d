import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PATHS } from "../paths.ts";

const CLI = fileURLToPath(new URL("./live_cli.ts", import.meta.url));

function cli(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: PATHS.root,
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("deno task direct: a wrong option or configuration exits with 2 and says where", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "a.yaml"), "regles:\n  co2_eleve:\n    seuil: haut\n");
  const bad = await cli(["--config", join(dir, "a.yaml"), "--folder", dir, "--once"]).output();
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /a\.yaml:3: regles\.co2_eleve\.seuil must/);
  const usage = await cli(["--once", "--max-batches", "2"]).output();
  assert.equal(usage.code, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task direct: SIGTERM stops the loop between batches with 0", async () => {
  const dir = await Deno.makeTempDir();
  const child = cli(["--folder", dir, "--lakehouse", join(dir, "lake"), "--interval", "1h"])
    .spawn();
  // Waits for the first batch, then asks the service to stop.
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const stuck = setTimeout(() => child.kill("SIGKILL"), 120_000); // a hang fails, never waits
  while (!/^(lot \d+|rien de nouveau) :/m.test(out)) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the loop ended before its first batch: ${out}`);
    out += value;
  }
  clearTimeout(stuck);
  child.kill("SIGTERM");
  const [status] = await Promise.all([child.status, reader.cancel(), child.stderr.cancel()]);
  assert.equal(status.code, 0);
  await Deno.remove(dir, { recursive: true });
});
