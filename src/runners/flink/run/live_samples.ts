/**
 * The Flink runner's side of live samples (RunRequest.live, PipelineResult.onLiveSample in
 * sdk/runner.ts): a TCP server the job's live `collect` operators (the bridge's
 * LiveCollectOperator) connect to and push their records through while the job runs. Each
 * batch frame (a watermark, a checkpoint barrier, the end of input or 200 ms closed it) is
 * decoded with the PCollection's wire coder and handed to the listeners as one
 * LiveSampleBatch, then forgotten; batches before the first listener are kept and replayed to
 * it. `drain()` waits for every connection to end, so the runner hands over the last batch
 * before `run-finished`.
 *
 * Frames (big-endian; LiveCollectOperator.java): hello `"FLBL" int version, UTF token, UTF
 * pcollection, int subtask, int attempt`; batch `byte 1, long watermark, int count, int bytes,
 * count × (int length, bytes)`; end `byte 2`.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { ByteReader } from "../../../sdk/coders/byte_io.js";
import type { WindowedValueCoder } from "../../../sdk/coders/index.js";
import type { LiveSampleBatch } from "../../../sdk/runner.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../../sdk/values/time.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { LiveListeners, type LiveListener } from "../../shared/live_listeners.js";

const MAGIC = "FLBL";
const VERSION = 1;
const MAX_FRAME_BYTES = 1 << 30;

export class FlinkLiveSamples {
  /** Sent in each hello: a connection without it is not this run's. */
  readonly token = randomBytes(16).toString("hex");
  private readonly listeners: LiveListeners;
  private readonly coders = new Map<string, WindowedValueCoder<unknown>>();
  private readonly sockets = new Set<Socket>();
  private readonly closed = new Set<Promise<void>>();
  private server?: Server;
  private listening?: Promise<AddressInfo>;
  /** The first connection error (a malformed frame, an element its coder cannot read). */
  error?: Error;

  constructor(
    readonly ids: ReadonlySet<string>,
    private readonly coderOf: (pcollectionId: string) => WindowedValueCoder<unknown>,
  ) {
    this.listeners = new LiveListeners(ids);
  }

  /** Starts listening on `bindHost` (any free port) and resolves with the address. */
  listen(bindHost: string): Promise<AddressInfo> {
    this.listening ??= new Promise<AddressInfo>((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      this.server = server;
      server.once("error", reject);
      server.listen(0, bindHost, () => resolve(server.address() as AddressInfo));
    });
    return this.listening;
  }

  subscribe(pcollectionId: string, listener: LiveListener): () => void {
    return this.listeners.subscribe(pcollectionId, listener);
  }

  /**
   * Waits until every connection so far has ended (the job's tasks closed them), at most
   * `timeoutMs`, then stops listening: after it, no batch follows.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.closed]), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.close();
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server?.close();
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    let hello: { pcollection: string } | undefined;
    this.closed.add(
      new Promise<void>((resolve) =>
        socket.once("close", () => {
          this.sockets.delete(socket);
          resolve();
        }),
      ),
    );
    socket.on("error", () => {
      // A task that died: its connection ends; the job reports why.
    });
    socket.on("data", (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      try {
        for (;;) {
          if (!hello) {
            const h = readHello(buffered);
            if (!h) return;
            if (h.token !== this.token || !this.ids.has(h.pcollection)) {
              socket.destroy();
              return;
            }
            hello = h;
            buffered = buffered.subarray(h.size);
            continue;
          }
          if (buffered.length < 1) return;
          const type = buffered[0];
          if (type === 2) {
            buffered = buffered.subarray(1);
            continue;
          }
          if (type !== 1) throw new Error(`unknown live-sample frame type ${type}`);
          if (buffered.length < 1 + 8 + 4 + 4) return;
          const size = buffered.readInt32BE(13);
          if (size < 0 || size > MAX_FRAME_BYTES) throw new Error(`live-sample batch of ${size} bytes`);
          if (buffered.length < 17 + size) return;
          const watermark = buffered.readBigInt64BE(1);
          const count = buffered.readInt32BE(9);
          const body = buffered.subarray(17, 17 + size);
          buffered = buffered.subarray(17 + size);
          this.deliver(hello.pcollection, body, count, watermark);
        }
      } catch (e) {
        this.error ??= e instanceof Error ? e : new Error(String(e));
        socket.destroy();
      }
    });
  }

  private deliver(pcollectionId: string, body: Buffer, count: number, watermark: bigint): void {
    let coder = this.coders.get(pcollectionId);
    if (!coder) this.coders.set(pcollectionId, (coder = this.coderOf(pcollectionId)));
    const elements: WindowedValue<unknown>[] = [];
    let off = 0;
    for (let i = 0; i < count; i++) {
      const len = body.readInt32BE(off);
      const bytes = body.subarray(off + 4, off + 4 + len);
      off += 4 + len;
      try {
        elements.push(coder.decode(new ByteReader(bytes)));
      } catch (e) {
        throw new Error(`a live sample of ${pcollectionId}: an element its wire coder cannot decode (${(e as Error).message})`);
      }
    }
    if (elements.length === 0) return;
    const batch: LiveSampleBatch = { pcollection: pcollectionId, elements, at: Date.now() };
    const wm = beamWatermark(watermark);
    if (wm !== undefined) batch.watermark = wm;
    this.listeners.publish(batch);
  }
}

/** Beam's watermark the operator saw (Long.MIN_VALUE: none yet; the extremes clamped to ours). */
function beamWatermark(w: bigint): number | undefined {
  if (w === -(1n << 63n)) return undefined;
  if (w >= BigInt(TIMESTAMP_MAX)) return TIMESTAMP_MAX;
  if (w <= BigInt(TIMESTAMP_MIN)) return TIMESTAMP_MIN;
  return Number(w);
}

/** The hello frame, once whole: Java's writeUTF strings are a 2-byte length, then (modified) UTF-8. */
function readHello(b: Buffer): { token: string; pcollection: string; size: number } | undefined {
  if (b.length < 8) return undefined;
  if (b.toString("latin1", 0, 4) !== MAGIC) throw new Error("not a flowbook live-sample connection");
  const version = b.readInt32BE(4);
  if (version !== VERSION) throw new Error(`live-sample protocol version ${version} (this client speaks ${VERSION}): the bridge jar and the runner differ`);
  let off = 8;
  const strings: string[] = [];
  for (let i = 0; i < 2; i++) {
    if (b.length < off + 2) return undefined;
    const n = b.readUInt16BE(off);
    if (b.length < off + 2 + n) return undefined;
    strings.push(b.toString("utf8", off + 2, off + 2 + n));
    off += 2 + n;
  }
  if (b.length < off + 8) return undefined;
  return { token: strings[0]!, pcollection: strings[1]!, size: off + 8 };
}
