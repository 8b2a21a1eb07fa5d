/**
 * Independent checks for the runner's tests: nbformat validation by Jupyter's own validator
 * and a scan of running processes.
 *
 * @module
 */

/**
 * Validates a notebook with Jupyter's reference validator (Python `nbformat`, installed by
 * `.ci/run` from Debian's `python3-nbformat`); throws with the validator's message otherwise.
 */
export function assertValidNbformat(path: string): void {
  const { code, stderr } = new Deno.Command("/usr/bin/python3", {
    args: [
      "-c",
      "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))",
      path,
    ],
  }).outputSync();
  if (code !== 0) {
    throw new Error(`${path} is not valid nbformat 4:\n${new TextDecoder().decode(stderr)}`);
  }
}

/** Command lines of live processes that mention `text` (e.g. a test's connection folder). */
export async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      const cmdline = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).replaceAll(
        "\0",
        " ",
      );
      const state = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      if (cmdline.includes(text) && !/\) Z /.test(state)) found.push(`${entry.name}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
