/**
 * Starts the Deno Jupyter kernel (`deno jupyter --kernel`) with a connection file of our own
 * and drives it over the Jupyter messaging protocol, as a notebook front end would.
 *
 * @module
 */

import { join } from "node:path";
import { ZmtpSocket } from "./zmtp.ts";
import { decodeMessage, encodeMessage, type JupyterMessage, newMessage } from "./wire.ts";
import { tiedToParent } from "./supervision.ts";

/** The kernel did not start, died, or broke the protocol. */
export class KernelError extends Error {
  override name = "KernelError";
}

/** A cell ran longer than its timeout (or past the run's time budget). */
export class CellTimeoutError extends Error {
  override name = "CellTimeoutError";
}

/**
 * When a running cell must stop. The caller may move `at` while the cell runs (a cell that
 * runs other notebooks is alive as long as they progress); `reason` is the timeout's message.
 */
export interface CellDeadline {
  /** Epoch milliseconds. */
  at: number;
  reason: string;
}

/** Options for {@linkcode Kernel.start}. */
export interface KernelStartOptions {
  /** Working directory of the kernel (a notebook's folder, as Jupyter does). */
  cwd: string;
  /** Folder for the connection file (created if needed). */
  connectionDir: string;
  /** Extra environment variables for the kernel process. */
  env?: Record<string, string>;
  /** How long to wait for the kernel to answer, in milliseconds. */
  startTimeoutMs?: number;
}

/** What the kernel replied to an execute request. */
export interface ExecuteReply {
  status: "ok" | "error" | "aborted";
  execution_count: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

const live = new Set<Kernel>();

/** MIME type of the marker the flush barrier publishes (see {@linkcode Kernel.execute}). */
const FLUSH_MIME = "application/vnd.eco2mix.flush+json";

/** Code of the silent request that follows each cell: it publishes a marker after the cell's outputs. */
function flushBarrier(token: string): string {
  return `await Deno.jupyter.broadcast("display_data", { data: { "${FLUSH_MIME}": "${token}" }, ` +
    `metadata: {}, transient: {} })`;
}

/**
 * Kills every kernel started by this process. Call it from signal handlers so that Ctrl-C
 * never leaves a `deno jupyter` process behind.
 *
 * @example
 * ```ts ignore
 * Deno.addSignalListener("SIGINT", async () => { await killAllKernels(); Deno.exit(130); });
 * ```
 */
export async function killAllKernels(): Promise<void> {
  await Promise.all([...live].map((k) => k.terminate()));
}

/** Name of a connection file {@linkcode Kernel.start} writes: `kernel-<uuid>.json`. */
const CONNECTION_FILE =
  /^kernel-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$/;

/**
 * Removes the connection files left in `dir` and returns their names. A start removes its own
 * file once the kernel has read it, but a run stopped while a kernel was starting (a signal, or
 * the SIGKILL that ends a runner past its grace period) leaves that file behind, signing key
 * included: call this once the run's kernels are stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeConnectionFiles } from "./kernel.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/kernel-${crypto.randomUUID()}.json`, "{}");
 * await Deno.writeTextFile(`${dir}/kernel-notes.json`, "{}");
 * assert.equal((await removeConnectionFiles(dir)).length, 1);
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["kernel-notes.json"]);
 * assert.deepEqual(await removeConnectionFiles(`${dir}/absent`), []);
 * ```
 */
export async function removeConnectionFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !CONNECTION_FILE.test(e.name)) continue;
      await Deno.remove(join(dir, e.name)).then(() => removed.push(e.name), () => {});
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return removed;
}

async function freePorts(n: number): Promise<number[]> {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return await Promise.resolve(ports);
}

async function connectWithRetry(
  port: number,
  type: "DEALER" | "SUB",
  deadline: number,
  exited: () => boolean,
): Promise<ZmtpSocket> {
  while (true) {
    try {
      return await ZmtpSocket.connect("127.0.0.1", port, type);
    } catch (e) {
      if (exited()) throw new KernelError("the kernel process exited during start-up");
      if (Date.now() > deadline) throw new KernelError(`kernel port ${port} never opened: ${e}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * A running Deno kernel.
 *
 * @example
 * ```ts ignore
 * const kernel = await Kernel.start({ cwd: ".", connectionDir: "/tmp/k" });
 * try {
 *   const deadline = { at: Date.now() + 10_000, reason: "cell did not finish within 10 s" };
 *   const reply = await kernel.execute("1 + 1", { deadline, onOutput: console.log });
 * } finally {
 *   await kernel.shutdown();
 * }
 * ```
 */
export class Kernel {
  readonly #process: Deno.ChildProcess;
  readonly #key: string;
  readonly #session = crypto.randomUUID();
  #shell!: ZmtpSocket;
  #control!: ZmtpSocket;
  #iopub!: ZmtpSocket;
  #exited = false;
  #stderr = "";
  readonly #status: Promise<Deno.CommandStatus>;

  private constructor(process: Deno.ChildProcess, key: string) {
    this.#process = process;
    this.#key = key;
    this.#status = process.status.then((s) => {
      this.#exited = true;
      return s;
    });
    this.#drain(process.stdout);
    this.#drain(process.stderr, true);
  }

  /** Process id of the kernel. */
  get pid(): number {
    return this.#process.pid;
  }

  /** Starts a kernel and waits until it answers on shell and publishes on iopub. */
  static async start(options: KernelStartOptions): Promise<Kernel> {
    const [shell, iopub, stdin, control, hb] = await freePorts(5);
    const key = crypto.randomUUID();
    await Deno.mkdir(options.connectionDir, { recursive: true });
    const connectionFile = join(options.connectionDir, `kernel-${crypto.randomUUID()}.json`);
    // The file holds the key that signs messages: readable by its owner only, and removed as
    // soon as the kernel has read it, so that no run, however it ends, leaves one behind.
    await Deno.writeTextFile(
      connectionFile,
      JSON.stringify({
        ip: "127.0.0.1",
        transport: "tcp",
        shell_port: shell,
        iopub_port: iopub,
        stdin_port: stdin,
        control_port: control,
        hb_port: hb,
        signature_scheme: "hmac-sha256",
        key,
        kernel_name: "deno",
      }),
      { mode: 0o600, createNew: true },
    );
    const [program, ...args] = tiedToParent(Deno.execPath(), [
      "jupyter",
      "--kernel",
      "--conn",
      connectionFile,
    ]);
    const process = new Deno.Command(program, {
      args,
      cwd: options.cwd,
      env: { NO_COLOR: "1", ...options.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const kernel = new Kernel(process, key);
    live.add(kernel);
    try {
      const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
      const exited = () => kernel.#exited;
      kernel.#shell = await connectWithRetry(shell, "DEALER", deadline, exited);
      kernel.#control = await connectWithRetry(control, "DEALER", deadline, exited);
      kernel.#iopub = await connectWithRetry(iopub, "SUB", deadline, exited);
      await kernel.#iopub.subscribe("");
      await kernel.#waitForReady(deadline);
    } catch (e) {
      await kernel.shutdown();
      throw new KernelError(`${(e as Error).message}${kernel.#stderrTail()}`);
    } finally {
      await Deno.remove(connectionFile).catch(() => {});
    }
    return kernel;
  }

  /**
   * Runs `code`, passing every iopub message of this request to `onOutput`, and resolves with
   * the execute reply once every output of the cell has arrived.
   *
   * The Deno kernel publishes stdout/stderr and rich results through a queue of its own, apart
   * from `status: idle`: they may arrive after it (about 1 cell in 5 here, and always for an
   * output of megabytes, which takes time to serialise). A silent request follows each cell and
   * publishes a marker through that same queue; the cell is complete when the marker arrives,
   * every output queued before it having arrived first.
   */
  async execute(
    code: string,
    options: { deadline: CellDeadline; onOutput: (msg: JupyterMessage) => void },
  ): Promise<ExecuteReply> {
    const ids = new Set<string>();
    const reply = await this.#run(code, false, ids, options);
    await this.#run(flushBarrier(crypto.randomUUID()), true, ids, options);
    return reply;
  }

  /**
   * Runs `code` as a silent request (no execution count, no history, outputs dropped) and
   * resolves with its reply: for preparing a kernel before a notebook uses it.
   */
  runSilently(code: string, deadline: CellDeadline): Promise<ExecuteReply> {
    return this.#run(code, true, new Set(), { deadline, onOutput: () => {} });
  }

  async #run(
    code: string,
    silent: boolean,
    ids: Set<string>,
    options: { deadline: CellDeadline; onOutput: (msg: JupyterMessage) => void },
  ): Promise<ExecuteReply> {
    const request = newMessage("execute_request", this.#session, {
      code,
      silent,
      store_history: !silent,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    const id = request.header.msg_id;
    ids.add(id);
    await this.#shell.send(encodeMessage(request, this.#key));
    let reply: ExecuteReply | null = null;
    let idle = false;
    // The barrier's marker, awaited after its idle status; a cell needs none.
    const token = silent ? /"([0-9a-f-]{36})"/.exec(code)?.[1] : undefined;
    let flushed = token === undefined;
    while (!reply || !idle || !flushed) {
      if (this.#exited) {
        throw new KernelError(`the kernel process died while running a cell${this.#stderrTail()}`);
      }
      if (Date.now() > options.deadline.at) throw new CellTimeoutError(options.deadline.reason);
      if (!idle || !flushed) {
        const msg = await this.#next(this.#iopub, 20);
        const parent = msg?.parent_header.msg_id;
        if (msg && token !== undefined && msg.content.data?.[FLUSH_MIME] === token) {
          flushed = true;
        } else if (msg && parent && ids.has(parent)) {
          const type = msg.header.msg_type;
          if (type === "status") idle ||= parent === id && msg.content.execution_state === "idle";
          else if (!(silent && type === "execute_input" && parent === id)) options.onOutput(msg);
        }
      }
      if (!reply) {
        const msg = await this.#next(this.#shell, idle ? 20 : 0);
        if (msg?.parent_header.msg_id === id && msg.header.msg_type === "execute_reply") {
          reply = msg.content as ExecuteReply;
        }
      }
    }
    return reply;
  }

  /**
   * Peak resident memory of the kernel process so far, in MB (Linux `VmHWM`), or null where
   * /proc is not available.
   */
  peakRssMb(): number | null {
    try {
      const status = Deno.readTextFileSync(`/proc/${this.#process.pid}/status`);
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      return kb ? Math.round(Number(kb) / 102.4) / 10 : null;
    } catch {
      return null;
    }
  }

  /** Asks the kernel to shut down, then kills it if it has not exited in time. */
  async shutdown(): Promise<void> {
    if (!this.#exited && this.#control) {
      try {
        const request = newMessage("shutdown_request", this.#session, { restart: false });
        await this.#control.send(encodeMessage(request, this.#key));
      } catch {
        // the kill below still ends it
      }
    }
    const timer = setTimeout(() => this.terminate(), 3_000);
    await this.#status;
    clearTimeout(timer);
    for (const s of [this.#shell, this.#control, this.#iopub]) s?.close();
    live.delete(this);
  }

  /**
   * Ends the kernel process: SIGTERM first, so that a runner inside it (notebook 11) can stop
   * its own kernels, then SIGKILL after a grace period. Resolves once the process is gone.
   */
  async terminate(graceMs = 1_000): Promise<void> {
    const signal = (s: Deno.Signal) => {
      try {
        if (!this.#exited) this.#process.kill(s);
      } catch {
        // exited meanwhile
      }
    };
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), graceMs);
    await this.#status;
    clearTimeout(timer);
  }

  async #waitForReady(deadline: number): Promise<void> {
    // iopub is a PUB/SUB pair: messages sent before our subscription reaches the kernel are
    // dropped. Ask for kernel_info until its status message comes back on iopub.
    while (Date.now() < deadline) {
      const request = newMessage("kernel_info_request", this.#session, {});
      await this.#shell.send(encodeMessage(request, this.#key));
      const until = Date.now() + 250;
      while (Date.now() < until) {
        const msg = await this.#next(this.#iopub, until - Date.now());
        if (msg?.parent_header.msg_id === request.header.msg_id) {
          await this.#drainShell();
          return;
        }
      }
      if (this.#exited) throw new KernelError("the kernel process exited during start-up");
    }
    throw new KernelError("the kernel never published on iopub");
  }

  async #drainShell(): Promise<void> {
    while (await this.#next(this.#shell, 50)) {
      // kernel_info replies of the readiness probe
    }
  }

  async #next(socket: ZmtpSocket, timeoutMs: number): Promise<JupyterMessage | null> {
    const frames = await socket.receive(timeoutMs);
    return frames ? decodeMessage(frames, this.#key) : null;
  }

  async #drain(stream: ReadableStream<Uint8Array>, keep = false): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      if (keep) this.#stderr = (this.#stderr + decoder.decode(chunk)).slice(-4_000);
    }
  }

  #stderrTail(): string {
    const tail = this.#stderr.trim();
    return tail ? `\n--- kernel stderr ---\n${tail}` : "";
  }
}
