/**
 * The Node worker process of the Flink runner: one per subtask of a `usercode` operator,
 * started by the bridge, speaking `flowbook.worker/v1` over stdin (frames from Java) and
 * stdout (frames to Java). stdout carries frames only: user code's console output travels as
 * CONSOLE frames (console_capture.ts) back to the client through the job.
 *
 * Bundled by scripts/bundle-workers.mjs into dist/flink-worker/flowbook-worker.mjs,
 * which the bridge jar embeds.
 */
// The whole API, registered by name (serialized functions refer to it), and the WordCount
// example's classes, which travel by name. Not index.ts: the worker needs no runner and no
// display renderer of the client's.
import * as api from "../../../api.js";
import "../../../examples/word_count.js";
import { knownName, registerKnown } from "../../../graph/functions/known_objects.js";
import { resolveApiModules } from "./api_modules.js";
import { takeLateOutputError } from "../../shared/late_output.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import {
  BUNDLE_DONE, BUNDLE_FINISH, BUNDLE_START, DATA, END, ERROR, FRAME_NAMES, FrameParser, GOODBYE, HELLO, METRICS, OUTPUT,
  PROTOCOL, READY, SIDE_INPUT, SIDE_INPUTS_DONE, elementList, frame, jsonFrame, readVarint, varintBytes,
  type ErrorBody, type Frame, type Hello,
} from "./protocol.js";
import { ConsoleCapture } from "./console_capture.js";
import type { WorkerStage } from "./stage.js";
import { StageRuntime } from "./stage_runtime.js";

const stdoutWrite = process.stdout.write.bind(process.stdout);

/** `import * as flowbook from "flowbook"` in user code: the bundled API namespace. */
const API_NAMESPACE = "flowbook.worker.api";
registerKnown(API_NAMESPACE, api);

/** Frames are the only thing written to stdout (synchronous on Linux pipes: back-pressure is a blocked write). */
function send(b: Uint8Array): void {
  stdoutWrite(b);
}

export function errorBody(e: unknown, fallbackTransform: string): ErrorBody {
  if (e instanceof UserCodeError) {
    const body: ErrorBody = {
      transform: e.transform,
      message: `${e.causeName}: ${e.causeMessage}`,
      stack: e.userStack,
      causeName: e.causeName,
      causeMessage: e.causeMessage,
    };
    if (e.element !== undefined) body.element = e.element;
    return body;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { transform: fallbackTransform, message: `${err.name}: ${err.message}`, stack: err.stack ?? "", causeName: err.name, causeMessage: err.message };
}

/** The protocol loop over a stage runtime; exported for tests that drive it in-process. */
export class WorkerSession {
  private hello?: Hello;
  private rt?: StageRuntime;
  private failed = false;
  /** Users' console output, sent as CONSOLE frames before the frames that depend on it having arrived. */
  readonly console: ConsoleCapture;

  constructor(
    private readonly out: (b: Uint8Array) => void,
    private readonly exit: (code: number) => void,
    /** Resolves once everything written so far has left the process (stdout may be a full pipe). */
    private readonly drained: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.console = new ConsoleCapture(out);
  }

  private get transformForErrors(): string {
    return this.hello?.transforms?.[0] ?? this.hello?.operatorName ?? "flowbook worker";
  }

  fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    try {
      // What the user printed up to the failure reaches the client before the error.
      this.console.flush(true);
      this.out(jsonFrame(ERROR, errorBody(e, this.transformForErrors)));
    } catch {
      // the bridge is gone: nothing to tell
    }
    // Let operators drop what they would leave (a sink writer's temporary file), and let the
    // ERROR frame reach the bridge before exiting, briefly.
    const cleanup = Promise.all([this.rt ? this.rt.abort() : Promise.resolve(), this.drained()]);
    const timeout = new Promise<void>((r) => setTimeout(r, 2000).unref());
    void Promise.race([cleanup, timeout]).finally(() => this.exit(1));
  }

  private runtime(f: Frame): StageRuntime {
    if (!this.rt) throw new Error(`protocol error: ${FRAME_NAMES[f.type] ?? f.type} before HELLO`);
    return this.rt;
  }

  private metricsAt = Date.now();

  private sendMetrics(): void {
    this.metricsAt = Date.now();
    const updates = this.rt?.takeMetrics() ?? [];
    const elements = this.rt?.takeElementCounts() ?? [];
    if (updates.length || elements.length) this.out(jsonFrame(METRICS, elements.length ? { updates, elements } : { updates }));
  }

  private throwLateOutput(): void {
    const late = takeLateOutputError();
    if (late) throw late;
  }

  async handle(f: Frame): Promise<void> {
    if (this.failed) return;
    switch (f.type) {
      case HELLO: {
        const hello = JSON.parse(f.body.toString("utf8")) as Hello;
        this.hello = hello;
        if (hello.protocol !== PROTOCOL) throw new Error(`the bridge speaks ${hello.protocol}, this worker ${PROTOCOL}`);
        resolveApiModules(hello.stage, api as unknown as Record<string, unknown>, knownName, API_NAMESPACE);
        this.rt = await StageRuntime.create(hello.stage as WorkerStage, (i, list) => this.out(frame(OUTPUT, Buffer.concat([varintBytes(i), list]))), {
          attribution: this.console,
        });
        this.out(jsonFrame(READY, { pid: process.pid }));
        return;
      }
      case SIDE_INPUT: {
        const [index, pos] = readVarint(f.body);
        this.runtime(f).addSideInput(index, elementList(f.body, pos));
        return;
      }
      case SIDE_INPUTS_DONE:
        this.runtime(f).sideInputsDone();
        return;
      case BUNDLE_START:
        // Between bundles, callbacks a DoFn left have had their turn (the bridge waited for frames).
        this.throwLateOutput();
        await this.runtime(f).startBundle();
        return;
      case DATA:
        this.runtime(f).processList(f.body);
        // A long bundle (a whole batch input) reports its counts and metrics as it goes.
        if (Date.now() - this.metricsAt >= 1000) this.sendMetrics();
        return;
      case BUNDLE_FINISH: {
        const rt = this.runtime(f);
        await rt.finishBundle();
        // An output after its bundle ended (a kept context, caught by user code) fails the job.
        this.throwLateOutput();
        this.console.flush();
        this.sendMetrics();
        this.out(frame(BUNDLE_DONE, f.body));
        return;
      }
      case END:
        // Callbacks a DoFn left (a zero-delay timer, a promise) run before the worker leaves:
        // one that outputs after its bundle ended fails the job instead of being lost.
        await new Promise<void>((r) => setTimeout(r, 5));
        await new Promise<void>((r) => setImmediate(r));
        if (this.failed) return;
        this.throwLateOutput();
        await this.rt?.teardown();
        this.console.flush(true);
        this.sendMetrics();
        this.out(frame(GOODBYE));
        this.exit(0);
        return;
      default:
        throw new Error(`protocol error: unknown frame type 0x${f.type.toString(16)}`);
    }
  }
}

async function main(): Promise<void> {
  const drained = () => new Promise<void>((resolve) => stdoutWrite(new Uint8Array(0), () => resolve()));
  const session = new WorkerSession(send, (code) => process.exit(code), drained);
  session.console.install();
  process.on("uncaughtException", (e) => session.fail(e));
  process.on("unhandledRejection", (e) => session.fail(e));
  const parser = new FrameParser();
  try {
    for await (const chunk of process.stdin) {
      for (const f of parser.push(chunk as Buffer)) await session.handle(f);
    }
  } catch (e) {
    session.fail(e);
    return;
  }
  // EOF without END: the bridge is gone; leave at once.
  process.exit(0);
}

if (process.env.FLOWBOOK_WORKER_PROTOCOL || process.argv.includes("--flowbook-worker")) {
  void main();
}
