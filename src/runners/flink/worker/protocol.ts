/**
 * The worker protocol's frames (`flowbook.worker/v1`, docs/worker-protocol.md):
 * `uint32 BE length | uint8 type | body`, element lists as `varint length, bytes` pairs.
 * Pure functions and a frame parser; no I/O here.
 */
import { ByteReader, ByteWriter } from "../../../sdk/coders/byte_io.js";

export const PROTOCOL = "flowbook.worker/v1";

/** Java → worker. */
export const HELLO = 0x01;
export const SIDE_INPUT = 0x02;
export const SIDE_INPUTS_DONE = 0x03;
export const BUNDLE_START = 0x04;
export const DATA = 0x05;
export const BUNDLE_FINISH = 0x06;
export const END = 0x07;
/** Worker → Java. */
export const READY = 0x81;
export const OUTPUT = 0x82;
export const BUNDLE_DONE = 0x83;
export const METRICS = 0x84;
export const ERROR = 0x85;
export const GOODBYE = 0x86;
export const CONSOLE = 0x87;

export const FRAME_NAMES: Record<number, string> = {
  [HELLO]: "HELLO", [SIDE_INPUT]: "SIDE_INPUT", [SIDE_INPUTS_DONE]: "SIDE_INPUTS_DONE", [BUNDLE_START]: "BUNDLE_START",
  [DATA]: "DATA", [BUNDLE_FINISH]: "BUNDLE_FINISH", [END]: "END", [READY]: "READY", [OUTPUT]: "OUTPUT",
  [BUNDLE_DONE]: "BUNDLE_DONE", [METRICS]: "METRICS", [ERROR]: "ERROR", [GOODBYE]: "GOODBYE", [CONSOLE]: "CONSOLE",
};

export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export interface Frame {
  type: number;
  body: Buffer;
}

/** The HELLO body. */
export interface Hello {
  protocol: string;
  jobName: string;
  operatorId: string;
  operatorName: string;
  transforms: string[];
  stageId: string;
  stage: unknown;
  outputs: string[];
  sideInputs: Array<{ tag: string }>;
  subtask: number;
  parallelism: number;
  attempt: number;
  runtimeMode: "BATCH" | "STREAMING";
}

/** The ERROR body (plus the cause's name and message apart, for the client). */
export interface ErrorBody {
  transform: string;
  message: string;
  element?: string;
  stack?: string;
  causeName?: string;
  causeMessage?: string;
}

/** The CONSOLE body: whole lines (each ending in "\n") of one stream, printed by user code. */
export interface ConsoleBody {
  stream: "stdout" | "stderr";
  /** The full name of the transform whose code printed them, when known. */
  transform?: string;
  text: string;
}

/** In a METRICS body: elements a transform received and emitted since the previous METRICS frame. */
export interface ElementCount {
  transform: string;
  in: number;
  /** Absent when the worker does not see the transform's output (a lifted combine's). */
  out?: number;
  /**
   * Milliseconds the transform's own code took (not the transforms it feeds), estimated from
   * a sample of the stage's input elements (harness/op_timing.ts) plus its bundles' finishing.
   */
  ms?: number;
}

export type MetricUpdate =
  | { kind: "counter"; step: string; namespace: string; name: string; value: number }
  | { kind: "distribution"; step: string; namespace: string; name: string; sum: number; count: number; min: number; max: number }
  | { kind: "gauge"; step: string; namespace: string; name: string; value: number; timestamp: number };

/** One frame's bytes. */
export function frame(type: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.allocUnsafe(5 + body.length);
  b.writeUInt32BE(body.length + 1, 0);
  b[4] = type;
  b.set(body, 5);
  return b;
}

export function jsonFrame(type: number, value: unknown): Buffer {
  return frame(type, Buffer.from(JSON.stringify(value), "utf8"));
}

export function varintBytes(n: number): Uint8Array {
  const w = new ByteWriter(10);
  w.varUint(n);
  return w.toBytes();
}

/** A body of `varint prefix` (if given) then an element list. */
export function elementListBody(elements: Uint8Array[], prefix?: number): Buffer {
  const w = new ByteWriter(64 + elements.reduce((s, e) => s + e.length + 5, 0));
  if (prefix !== undefined) w.varUint(prefix);
  for (const e of elements) {
    w.varUint(e.length);
    w.bytes(e);
  }
  return Buffer.from(w.toBytes());
}

/** Calls f(start, end) for each element of a list in body[pos..]. */
export function forEachElement(body: Uint8Array, pos: number, f: (start: number, end: number) => void): void {
  const r = new ByteReader(body, pos);
  while (!r.atEnd()) {
    const n = r.varUint("an element's length");
    const start = r.pos;
    if (start + n > body.length) throw new RangeError(`truncated element list: an element of ${n} bytes at offset ${start}, body has ${body.length}`);
    r.pos = start + n;
    f(start, start + n);
  }
}

/** Elements of a list as views of the body. */
export function elementList(body: Uint8Array, pos = 0): Uint8Array[] {
  const out: Uint8Array[] = [];
  forEachElement(body, pos, (s, e) => out.push(body.subarray(s, e)));
  return out;
}

/** A leading varint and where the rest starts. */
export function readVarint(body: Uint8Array, pos = 0): [number, number] {
  const r = new ByteReader(body, pos);
  const n = r.varUint("a varint");
  return [n, r.pos];
}

/** Parses frames out of a byte stream fed in arbitrary pieces. */
export class FrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      if (this.buffered < 5) break;
      const head = this.peek(4);
      const len = head.readUInt32BE(0);
      if (len < 1 || len > MAX_FRAME_BYTES) throw new Error(`bad frame length ${len}`);
      if (this.buffered < 4 + len) break;
      const all = this.take(4 + len);
      out.push({ type: all[4]!, body: all.subarray(5) });
    }
    return out;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const merged = Buffer.concat(this.chunks);
    this.chunks = [merged];
    return merged;
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
