/**
 * Jupyter messages on the wire: the `<IDS|MSG>` delimiter, the HMAC-SHA256 signature and the
 * four JSON parts (https://jupyter-client.readthedocs.io/en/stable/messaging.html).
 *
 * @module
 */

import { createHmac, timingSafeEqual } from "node:crypto";

/** Protocol version this runner speaks. */
export const PROTOCOL_VERSION = "5.3";

/** A message header. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded Jupyter message. */
export interface JupyterMessage {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  // deno-lint-ignore no-explicit-any
  content: Record<string, any>;
  buffers: Uint8Array[];
}

/** A message whose signature does not match the session key, or that is malformed. */
export class WireError extends Error {
  override name = "WireError";
}

const DELIMITER = "<IDS|MSG>";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Builds a new message of `msgType` for `session`, optionally in reply to `parent`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newMessage } from "./wire.ts";
 * const msg = newMessage("execute_request", "session-1", { code: "1 + 1" });
 * assert.equal(msg.header.msg_type, "execute_request");
 * ```
 */
export function newMessage(
  msgType: string,
  session: string,
  content: Record<string, unknown>,
): JupyterMessage {
  return {
    header: {
      msg_id: crypto.randomUUID(),
      session,
      username: "runner",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

function sign(key: string, parts: Uint8Array[]): string {
  const hmac = createHmac("sha256", key);
  for (const p of parts) hmac.update(p);
  return hmac.digest("hex");
}

/**
 * Serialises a message into ZMTP frames, signed with `key`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMessage, encodeMessage, newMessage } from "./wire.ts";
 * const frames = encodeMessage(newMessage("kernel_info_request", "s", {}), "secret");
 * assert.equal(decodeMessage(frames, "secret").header.msg_type, "kernel_info_request");
 * ```
 */
export function encodeMessage(msg: JupyterMessage, key: string): Uint8Array[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) =>
    encoder.encode(JSON.stringify(p))
  );
  return [encoder.encode(DELIMITER), encoder.encode(sign(key, parts)), ...parts, ...msg.buffers];
}

/**
 * Parses ZMTP frames into a message, checking the signature. Routing identities (or the
 * iopub topic) before the delimiter are ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMessage, encodeMessage, newMessage } from "./wire.ts";
 * const frames = [new TextEncoder().encode("topic"), ...encodeMessage(newMessage("status", "s", {}), "k")];
 * assert.equal(decodeMessage(frames, "k").header.msg_type, "status");
 * ```
 */
export function decodeMessage(frames: Uint8Array[], key: string): JupyterMessage {
  const at = frames.findIndex((f) =>
    f.length === DELIMITER.length && decoder.decode(f) === DELIMITER
  );
  if (at < 0 || frames.length < at + 6) {
    throw new WireError(`malformed message: ${frames.length} frames, delimiter at ${at}`);
  }
  const parts = frames.slice(at + 2, at + 6);
  const signature = frames[at + 1];
  const expected = encoder.encode(sign(key, parts));
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new WireError("message signature does not match the session key");
  }
  const [header, parent_header, metadata, content] = parts.map((p) =>
    JSON.parse(decoder.decode(p))
  );
  return { header, parent_header, metadata, content, buffers: frames.slice(at + 6) };
}
