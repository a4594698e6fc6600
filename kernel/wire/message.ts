/**
 * Jupyter messages on the wire (messaging spec 5.3): routing identities, the `<IDS|MSG>`
 * delimiter, the signature, four JSON frames and optional binary buffers. Parsing checks
 * the frames in the order an attacker or a broken client could get them wrong, and says
 * why a message is refused; nothing is executed from a message that failed here.
 */
import { randomUUID } from "node:crypto";
import type { Signer } from "./signing.js";

export const DELIMITER = Buffer.from("<IDS|MSG>", "ascii");
export const PROTOCOL_VERSION = "5.3";

export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
  [key: string]: unknown;
}

export interface Message<C = Record<string, unknown>> {
  header: Header;
  /** `{}` when the message answers nothing. */
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Uint8Array[];
}

/** A received message and the routing identities its reply goes back to. */
export interface Received extends Message {
  identities: Uint8Array[];
}

export class MessageError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function parseJson(frame: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString("utf8"));
  } catch (e) {
    throw new MessageError(`${what} is not JSON (${(e as Error).message})`);
  }
}

/**
 * Frames → message. Throws MessageError (missing delimiter, too few frames, bad signature,
 * a replayed signature, invalid JSON, a header without msg_id or msg_type).
 * `seen` (signatures already accepted) refuses a message replayed byte for byte.
 */
export function parseMessage(frames: readonly Uint8Array[], signer: Signer, seen?: SignatureHistory): Received {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && Buffer.compare(Buffer.from(f.buffer, f.byteOffset, f.byteLength), DELIMITER) === 0);
  if (at < 0) throw new MessageError("no <IDS|MSG> delimiter");
  if (frames.length < at + 6) throw new MessageError(`${frames.length - at - 1} frames after the delimiter (at least 5 expected)`);
  const signature = frames[at + 1]!;
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, parts)) throw new MessageError(signature.length ? "wrong signature" : "missing signature");
  if (signer.signed && seen) {
    const sig = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString("ascii");
    if (seen.has(sig)) throw new MessageError("replayed signature");
    seen.add(sig);
  }
  const [header, parent, metadata, content] = [
    parseJson(parts[0]!, "header"),
    parseJson(parts[1]!, "parent header"),
    parseJson(parts[2]!, "metadata"),
    parseJson(parts[3]!, "content"),
  ];
  if (!isObject(header)) throw new MessageError("header is not an object");
  if (typeof header.msg_id !== "string" || typeof header.msg_type !== "string" || !header.msg_type) throw new MessageError("header lacks msg_id or msg_type");
  if (!isObject(parent) || !isObject(metadata) || !isObject(content)) throw new MessageError("parent header, metadata and content must be objects");
  return {
    identities: frames.slice(0, at) as Uint8Array[],
    header: {
      ...header,
      msg_id: header.msg_id,
      msg_type: header.msg_type,
      session: typeof header.session === "string" ? header.session : "",
      username: typeof header.username === "string" ? header.username : "",
      date: typeof header.date === "string" ? header.date : "",
      version: typeof header.version === "string" ? header.version : PROTOCOL_VERSION,
    },
    parent_header: parent as Message["parent_header"],
    metadata,
    content,
    buffers: frames.slice(at + 6) as Uint8Array[],
  };
}

/** The header of a message this kernel sends. */
export function newHeader(msgType: string, session: string, username = "kernel"): Header {
  return { msg_id: randomUUID(), msg_type: msgType, session, username, date: new Date().toISOString(), version: PROTOCOL_VERSION };
}

/** Message → frames, signed. */
export function serializeMessage(msg: Message, identities: readonly Uint8Array[], signer: Signer): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p), "utf8"));
  return [
    ...identities.map((i) => Buffer.from(i.buffer, i.byteOffset, i.byteLength)),
    DELIMITER,
    Buffer.from(signer.sign(parts), "ascii"),
    ...parts,
    ...msg.buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
  ];
}

/** The signatures of recently accepted messages (a bounded set, oldest forgotten first). */
export class SignatureHistory {
  private readonly set = new Set<string>();
  constructor(private readonly limit = 1 << 16) {}
  has(sig: string): boolean {
    return this.set.has(sig);
  }
  add(sig: string): void {
    this.set.add(sig);
    if (this.set.size > this.limit) this.set.delete(this.set.values().next().value as string);
  }
}
