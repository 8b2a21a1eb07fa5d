/**
 * Runs one of the project's check scripts in a child Deno with the permissions `deno task lint`
 * gives it, for the scripts' tests.
 *
 * @module
 */

/** Exit code and decoded output of a script run. */
export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` with `args` from `cwd` under `permissions` (e.g. `["--allow-read"]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runScript } from "./_run_script.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/s.ts`, 'console.log(Deno.args.join(" "));');
 * const run = await runScript(`${dir}/s.ts`, ["a", "b"], dir, ["--allow-read"]);
 * assert.deepEqual(run, { code: 0, stdout: "a b\n", stderr: "" });
 * ```
 */
export async function runScript(
  script: string,
  args: string[],
  cwd: string,
  permissions: string[],
): Promise<ScriptRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, script, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}
