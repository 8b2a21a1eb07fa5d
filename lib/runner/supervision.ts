/**
 * Keeps a run's process tree tied to whoever started it, so that no kernel outlives its run
 * however the run ends.
 *
 * - A kernel is started through util-linux's `setpriv --pdeathsig KILL`: when the process that
 *   started it dies, even by SIGKILL, the kernel is killed by the operating system. Kernels
 *   started by a runner inside a kernel (notebook 11) are tied the same way, so the whole tree
 *   goes down with its root.
 * - The command a user types is a chain of launchers (`npx` → `sh -c deno task …` →
 *   `deno task` → `deno run cli.ts`). `npx` does not pass SIGTERM on to its child, so a SIGTERM
 *   from `timeout`, cron or a CI system ends `npx` alone and leaves the run going. The CLI
 *   watches its launchers and stops the run as if signalled when one of them disappears.
 *
 * @module
 */

/** A process, identified across PID reuse by its start time (clock ticks since boot). */
export interface ProcessId {
  pid: number;
  startTicks: number;
}

/** Parent PID and start time of `pid` from /proc, or null when it is gone (or no /proc). */
export function processInfo(pid: number): { ppid: number; startTicks: number } | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name (field 2) may hold spaces and parentheses: split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return null;
    return { ppid: Number(fields[1]), startTicks: Number(fields[19]) };
  } catch {
    return null;
  }
}

/**
 * Whether `p` is still the same live process (false for a zombie or a reused PID).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAlive, processInfo } from "./supervision.ts";
 * assert.ok(isAlive({ pid: Deno.pid, startTicks: processInfo(Deno.pid)!.startTicks }));
 * assert.ok(!isAlive({ pid: Deno.pid, startTicks: -1 }));
 * ```
 */
export function isAlive(p: ProcessId): boolean {
  return processInfo(p.pid)?.startTicks === p.startTicks;
}

function commandLine(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/** A launcher: Deno itself, npm/npx, or a shell whose command runs one of them. */
const LAUNCHER = /\b(deno|npx|npm|npx-cli|npm-cli)\b/;

/**
 * The launchers above process `pid`: its ancestors, nearest first, as long as their command
 * line is Deno, npm/npx or a shell running them. The first other ancestor (the user's shell,
 * cron, a service manager) ends the chain: its death is not ours to act on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { launcherChain } from "./supervision.ts";
 * // Under `deno test` the parent is a shell or a test runner, never this process itself.
 * assert.ok(launcherChain(Deno.pid).every((p) => p.pid !== Deno.pid));
 * ```
 */
export function launcherChain(pid: number): ProcessId[] {
  const chain: ProcessId[] = [];
  let ppid = processInfo(pid)?.ppid ?? 0;
  while (ppid > 1) {
    const info = processInfo(ppid);
    if (!info || !LAUNCHER.test(commandLine(ppid))) break;
    chain.push({ pid: ppid, startTicks: info.startTicks });
    ppid = info.ppid;
  }
  return chain;
}

/**
 * Calls `onGone` once when one of this process's launchers ({@linkcode launcherChain}) exits.
 * Returns a function that stops watching.
 *
 * @example
 * ```ts
 * import { watchLaunchers } from "./supervision.ts";
 * const stop = watchLaunchers(() => console.error("launcher gone"));
 * stop();
 * ```
 */
export function watchLaunchers(onGone: (gone: ProcessId) => void, intervalMs = 500): () => void {
  const chain = launcherChain(Deno.pid);
  const timer = setInterval(() => {
    const gone = chain.find((p) => !isAlive(p));
    if (gone) {
      clearInterval(timer);
      onGone(gone);
    }
  }, intervalMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}

let setprivPath: string | null | undefined;

/**
 * Program and arguments that run `command` so that it is killed when this process dies
 * (`setpriv --pdeathsig KILL`, util-linux, present on every Debian). Where `setpriv` is
 * missing (not Linux), the command runs as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tiedToParent } from "./supervision.ts";
 * const [program, ...args] = tiedToParent("deno", ["jupyter", "--kernel"]);
 * assert.ok(program.endsWith("setpriv") ? args.slice(-3).join(" ") === "deno jupyter --kernel" : program === "deno");
 * ```
 */
export function tiedToParent(program: string, args: string[]): [string, ...string[]] {
  setprivPath ??= ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  }) ?? null;
  return setprivPath
    ? [setprivPath, "--pdeathsig", "KILL", "--", program, ...args]
    : [program, ...args];
}
