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
/** Frames smaller than this were written whole: only larger ones are searched for intruders. */
const INTERLEAVE_MIN_BYTES = 64 * 1024;

/**
 * Buffers a TCP stream so that frames can be read by exact lengths. Chunks are joined once per
 * read, so a frame of many megabytes costs one copy, not one per chunk.
 */
class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.#buffered < n) {
      const { value, done } = await this.#reader.read();
      if (done) throw new ZmtpError("connection closed by peer");
      this.#chunks.push(value);
      this.#buffered += value.length;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= n;
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

/**
 * The first frame of every Jupyter message, as it appears on the wire (flags MORE, size 9,
 * `<IDS|MSG>`). JSON frames never hold a raw control byte, so inside one it can only be the
 * start of another message.
 */
const JUPYTER_DELIMITER_FRAME = new Uint8Array([FLAG_MORE, 9, ...encoder.encode("<IDS|MSG>")]);

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  for (let i = haystack.indexOf(first, from); i >= 0; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/**
 * Parses the ZMTP message that starts at `at` in `bytes`: its frames and length in bytes, or,
 * when it runs past the end of `bytes`, how many bytes from `at` are needed to read further.
 */
function parseMessageAt(
  bytes: Uint8Array,
  at: number,
): { parts: Uint8Array[]; length: number } | { need: number } {
  const parts: Uint8Array[] = [];
  let i = at;
  while (true) {
    if (i + 2 > bytes.length) return { need: i + 2 - at };
    const flags = bytes[i];
    const head = flags & FLAG_LONG ? 9 : 2;
    if (i + head > bytes.length) return { need: i + head - at };
    const size = flags & FLAG_LONG
      ? Number(new DataView(bytes.buffer, bytes.byteOffset + i + 1, 8).getBigUint64(0))
      : bytes[i + 1];
    if (i + head + size > bytes.length) return { need: i + head + size - at };
    parts.push(bytes.slice(i + head, i + head + size));
    i += head + size;
    if (!(flags & FLAG_MORE)) return { parts, length: i - at };
  }
}

/**
 * Takes out of a frame's body the whole messages that were written into the middle of it.
 *
 * Why: the Deno kernel can publish two messages at once on one socket; when the first is large
 * (several megabytes), its bytes and a second message's (say a `status`) interleave on the
 * wire, and the large frame's declared length then covers the intruder while its own tail
 * follows. Each intruder is cut out (a JSON frame cannot hold its raw delimiter frame, see
 * {@linkcode JUPYTER_DELIMITER_FRAME}), the frame is completed with as many bytes from the
 * stream, and the intruders are returned to be delivered after it.
 *
 * @example
 * ```ts ignore
 * const { body, intruders } = await extractInterleaved(body, (n) => reader.read(n));
 * ```
 */
export async function extractInterleaved(
  body: Uint8Array,
  readMore: (n: number) => Promise<Uint8Array>,
): Promise<{ body: Uint8Array; intruders: Uint8Array[][] }> {
  const intruders: Uint8Array[][] = [];
  // Only JSON frames are searched: a binary buffer may hold any byte.
  if (body[0] !== 0x7b) return { body, intruders };
  const declared = body.length;
  let buf = body;
  const readUpTo = async (length: number) => {
    const more = await readMore(length - buf.length);
    const longer = new Uint8Array(length);
    longer.set(buf);
    longer.set(more, buf.length);
    buf = longer;
  };
  let from = 0;
  while (true) {
    // JSON never holds a raw 0x01: there, it can only be an intruder's first byte.
    const at = buf.indexOf(FLAG_MORE, from);
    if (at < 0) {
      if (buf.length === declared) return { body: buf, intruders };
      // Intruders were cut out: the frame's own tail follows on the stream.
      from = buf.length;
      await readUpTo(declared);
      continue;
    }
    const head = JUPYTER_DELIMITER_FRAME.length;
    if (buf.length < at + head) await readUpTo(at + head);
    if (indexOfBytes(buf.subarray(at, at + head), JUPYTER_DELIMITER_FRAME) !== 0) {
      throw new ZmtpError(`a JSON frame holds a raw control byte at offset ${at}`);
    }
    let message = parseMessageAt(buf, at);
    // The intruder may run past what was read: read until it is whole.
    while ("need" in message) {
      await readUpTo(at + message.need);
      message = parseMessageAt(buf, at);
    }
    intruders.push(message.parts);
    const cut = new Uint8Array(buf.length - message.length);
    cut.set(buf.subarray(0, at));
    cut.set(buf.subarray(at + message.length), at);
    buf = cut;
    from = at;
  }
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
      let later: Uint8Array[][] = [];
      while (!this.#closed) {
        const [flags, raw] = await this.#readFrame();
        if (flags & FLAG_COMMAND) continue; // PING and friends: nothing to answer with NULL
        const { body, intruders } = raw.length > INTERLEAVE_MIN_BYTES
          ? await extractInterleaved(raw, (n) => this.#reader.read(n))
          : { body: raw, intruders: [] };
        later.push(...intruders);
        parts.push(body);
        if (flags & FLAG_MORE) continue;
        for (const message of [parts, ...later]) this.#deliver(message);
        parts = [];
        later = [];
      }
    } catch (e) {
      this.#fail(e instanceof ZmtpError ? e : new ZmtpError(String(e)));
    }
  }

  #deliver(message: Uint8Array[]): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(message);
    else this.#queue.push(message);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const w of this.#waiters.splice(0)) w(this.#failure);
  }
}
