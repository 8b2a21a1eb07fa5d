/**
 * A minimal ZMTP 3.0 client (NULL security) over a TCP connection: enough of ZeroMQ to talk
 * to a Jupyter kernel as a DEALER (shell, control) or SUB (iopub) peer.
 *
 * Why not the `zeromq` npm package: it loads under Deno but is unreliable there (receive
 * timeouts crash, a parked receive misses messages). The wire format is small and stable
 * (https://rfc.zeromq.org/spec/23/), so speaking it directly removes a native dependency.
 *
 * @module
 */

/** Socket types this client can play. */
export type ZmtpSocketType = "DEALER" | "SUB";

/** A ZMTP protocol violation or a closed connection. */
export class ZmtpError extends Error {
  override name = "ZmtpError";
}

const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Buffers a TCP stream so that frames can be read by exact lengths. */
class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer = new Uint8Array(0);
  #offset = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.#buffer.length - this.#offset < n) {
      const { value, done } = await this.#reader.read();
      if (done) throw new ZmtpError("connection closed by peer");
      const rest = this.#buffer.subarray(this.#offset);
      const merged = new Uint8Array(rest.length + value.length);
      merged.set(rest);
      merged.set(value, rest.length);
      this.#buffer = merged;
      this.#offset = 0;
    }
    const out = this.#buffer.slice(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  cancel(): void {
    this.#reader.cancel().catch(() => {});
  }
}

/** The 64-byte ZMTP 3.0 greeting announcing the NULL mechanism, as a client. */
function greeting(): Uint8Array {
  const g = new Uint8Array(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3; // version 3.0: subscriptions are sent as data frames (0x01 + topic)
  g[11] = 0;
  g.set(encoder.encode("NULL"), 12);
  return g;
}

function frame(body: Uint8Array, flags: number): Uint8Array {
  const long = body.length > 255;
  const head = long ? 9 : 2;
  const out = new Uint8Array(head + body.length);
  out[0] = flags | (long ? FLAG_LONG : 0);
  if (long) new DataView(out.buffer).setBigUint64(1, BigInt(body.length));
  else out[1] = body.length;
  out.set(body, head);
  return out;
}

function readyCommand(socketType: ZmtpSocketType): Uint8Array {
  const name = encoder.encode("READY");
  const key = encoder.encode("Socket-Type");
  const value = encoder.encode(socketType);
  const body = new Uint8Array(1 + name.length + 1 + key.length + 4 + value.length);
  let i = 0;
  body[i++] = name.length;
  body.set(name, i);
  i += name.length;
  body[i++] = key.length;
  body.set(key, i);
  i += key.length;
  new DataView(body.buffer).setUint32(i, value.length);
  body.set(value, i + 4);
  return frame(body, FLAG_COMMAND);
}

/**
 * One connected ZMTP socket. Incoming messages are read by a background loop and queued, so
 * no message is lost while nobody is waiting for one.
 *
 * @example
 * ```ts ignore
 * const iopub = await ZmtpSocket.connect("127.0.0.1", 5556, "SUB");
 * await iopub.subscribe("");
 * const frames = await iopub.receive(1000);
 * iopub.close();
 * ```
 */
export class ZmtpSocket {
  #conn: Deno.TcpConn;
  #reader: ByteReader;
  #queue: Uint8Array[][] = [];
  #waiters: ((m: Uint8Array[] | Error) => void)[] = [];
  #failure: Error | null = null;
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.#reader = new ByteReader(conn.readable);
  }

  /** Connects, exchanges greetings and READY commands, and starts the receive loop. */
  static async connect(
    hostname: string,
    port: number,
    socketType: ZmtpSocketType,
  ): Promise<ZmtpSocket> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    const socket = new ZmtpSocket(conn);
    try {
      await socket.#write(greeting());
      const peer = await socket.#reader.read(64);
      if (peer[0] !== 0xff || peer[9] !== 0x7f || peer[10] < 3) {
        throw new ZmtpError(`${hostname}:${port} is not a ZMTP 3 peer`);
      }
      await socket.#write(readyCommand(socketType));
      const [flags, body] = await socket.#readFrame();
      if (!(flags & FLAG_COMMAND) || decoder.decode(body.subarray(1, 1 + body[0])) !== "READY") {
        throw new ZmtpError(`${hostname}:${port} did not answer READY`);
      }
    } catch (e) {
      socket.close();
      throw e;
    }
    socket.#loop();
    return socket;
  }

  /** Subscribes a SUB socket to a topic prefix ("" for everything). */
  subscribe(topic: string): Promise<void> {
    const t = encoder.encode(topic);
    const body = new Uint8Array(1 + t.length);
    body[0] = 1;
    body.set(t, 1);
    return this.#write(frame(body, 0));
  }

  /** Sends one multipart message. */
  send(frames: Uint8Array[]): Promise<void> {
    const parts = frames.map((f, i) => frame(f, i < frames.length - 1 ? FLAG_MORE : 0));
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return this.#write(out);
  }

  /**
   * The next multipart message, or `null` when none arrives within `timeoutMs`.
   * Throws a {@linkcode ZmtpError} once the connection is gone.
   */
  receive(timeoutMs: number): Promise<Uint8Array[] | null> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const waiter = (m: Uint8Array[] | Error) => {
        clearTimeout(timer);
        if (m instanceof Error) reject(m);
        else resolve(m);
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        resolve(null);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Closes the connection; pending receives fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.cancel();
    try {
      this.#conn.close();
    } catch {
      // already closed by the peer
    }
    this.#fail(new ZmtpError("socket closed"));
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
  }

  async #readFrame(): Promise<[number, Uint8Array]> {
    const [flags] = await this.#reader.read(1);
    let size: number;
    if (flags & FLAG_LONG) {
      size = Number(new DataView((await this.#reader.read(8)).buffer).getBigUint64(0));
    } else {
      size = (await this.#reader.read(1))[0];
    }
    return [flags, await this.#reader.read(size)];
  }

  async #loop(): Promise<void> {
    try {
      let parts: Uint8Array[] = [];
      while (!this.#closed) {
        const [flags, body] = await this.#readFrame();
        if (flags & FLAG_COMMAND) continue; // PING and friends: nothing to answer with NULL
        parts.push(body);
        if (flags & FLAG_MORE) continue;
        const waiter = this.#waiters.shift();
        if (waiter) waiter(parts);
        else this.#queue.push(parts);
        parts = [];
      }
    } catch (e) {
      this.#fail(e instanceof ZmtpError ? e : new ZmtpError(String(e)));
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const w of this.#waiters.splice(0)) w(this.#failure);
  }
}
