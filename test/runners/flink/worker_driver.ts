/**
 * Drives a Node worker through the protocol, as the bridge does: spawns the bundled
 * worker (or runs a WorkerSession in-process), sends HELLO, side inputs, bundles and END,
 * and gathers what comes back.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { WindowedValueCoder, type WindowedValue } from "../../../src/index.js";
import { coderFromSpec } from "../../../src/sdk/coders/coder.js";
import type { FlinkPlan } from "../../../src/runners/flink/flink_plan.js";
import {
  BUNDLE_FINISH, BUNDLE_START, DATA, END, FrameParser, HELLO, PROTOCOL, SIDE_INPUT, SIDE_INPUTS_DONE, elementList,
  elementListBody, frame, jsonFrame, readVarint, varintBytes, OUTPUT, METRICS, ERROR, READY, BUNDLE_DONE, GOODBYE, CONSOLE,
  type ConsoleBody, type ElementCount, type ErrorBody, type Frame, type MetricUpdate,
} from "../../../src/runners/flink/worker/protocol.js";
import type { WorkerStage } from "../../../src/runners/flink/worker/stage.js";
import { windowFnFromSpec } from "../../../src/sdk/windowing/window_fn.js";
import "../../../src/runners/flink/worker/stage_runtime.js"; // registers the structured-clone accumulator coder

export const WORKER_BUNDLE = process.env.FLOWBOOK_FLINK_TEST_WORKER ?? join(import.meta.dirname, "../../../dist/flink-worker/flowbook-worker.mjs");

export function workerBundleExists(): boolean {
  return existsSync(WORKER_BUNDLE);
}

/** The WindowedValue coder of a PCollection of a stage (its wire coder and window coder). */
export function stageCoder(stage: WorkerStage, pc: string): WindowedValueCoder<unknown> {
  const node = stage.graph.pcollections[pc]!;
  const ws = stage.graph.windowingStrategies[node.windowingStrategy]!;
  return WindowedValueCoder.of(coderFromSpec(stage.wireCoders[pc] ?? node.coder), windowFnFromSpec(ws.windowFn).windowCoder());
}

export interface WorkerRun {
  frames: Frame[];
  /** Decoded outputs per output index. */
  outputs: WindowedValue<unknown>[][];
  metrics: MetricUpdate[];
  /** Elements in and out per transform, summed over the METRICS frames' deltas. */
  elements: Record<string, { in: number; out: number }>;
  /** CONSOLE frames' bodies, in order. */
  console: ConsoleBody[];
  error?: ErrorBody;
  exitCode: number | null;
  stderr: string;
}

export interface DriveOptions {
  /** Main input per bundle. */
  bundles: WindowedValue<unknown>[][];
  /** Side input index → values. */
  sideInputs?: WindowedValue<unknown>[][];
  /** Split DATA into frames of this many elements. */
  perFrame?: number;
  /** Don't send END (to test EOF handling). */
  noEnd?: boolean;
}

/** Runs one subtask of a usercode operator of a plan in a real worker process. */
export async function driveWorker(plan: FlinkPlan, opId: string, o: DriveOptions): Promise<WorkerRun> {
  const op = plan.operators.find((x) => x.id === opId)!;
  const stageId = (op.payload as { stage: string }).stage;
  const stage = plan.stages[stageId]!;
  const child = spawn(process.execPath, [WORKER_BUNDLE], {
    env: { ...process.env, FLOWBOOK_WORKER_PROTOCOL: PROTOCOL },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const parser = new FrameParser();
  const frames: Frame[] = [];
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => frames.push(...parser.push(c)));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  child.stdin.on("error", () => {});
  const w = (b: Uint8Array) => child.stdin.write(b);
  w(jsonFrame(HELLO, {
    protocol: PROTOCOL, jobName: plan.jobName, operatorId: op.id, operatorName: op.name, transforms: op.transforms,
    stageId, stage, outputs: op.outputs, sideInputs: stage.sideInputs.map((tag) => ({ tag })),
    subtask: 0, parallelism: 1, attempt: 0, runtimeMode: plan.runtimeMode,
  }));
  (o.sideInputs ?? []).forEach((values, i) => {
    const c = stageCoder(stage, stage.sideInputs[i]!);
    w(frame(SIDE_INPUT, elementListBody(values.map((v) => c.encodeToBytes(v)), i)));
  });
  w(frame(SIDE_INPUTS_DONE));
  const inCoder = stageCoder(stage, stage.input);
  o.bundles.forEach((bundle, id) => {
    w(frame(BUNDLE_START, varintBytes(id)));
    const per = o.perFrame ?? 1000;
    for (let i = 0; i < bundle.length; i += per) w(frame(DATA, elementListBody(bundle.slice(i, i + per).map((v) => inCoder.encodeToBytes(v)))));
    w(frame(BUNDLE_FINISH, varintBytes(id)));
  });
  if (!o.noEnd) w(frame(END));
  child.stdin.end();
  const exitCode = await exited;
  const outputs: WindowedValue<unknown>[][] = stage.outputs.map(() => []);
  const outCoders = stage.outputs.map((pc) => stageCoder(stage, pc));
  const metrics: MetricUpdate[] = [];
  let error: ErrorBody | undefined;
  const consoleBodies: ConsoleBody[] = [];
  const elements: Record<string, { in: number; out: number }> = {};
  for (const f of frames) {
    if (f.type === CONSOLE) consoleBodies.push(JSON.parse(f.body.toString()) as ConsoleBody);
    if (f.type === OUTPUT) {
      const [i, pos] = readVarint(f.body);
      for (const rec of elementList(f.body, pos)) outputs[i]!.push(outCoders[i]!.decodeFromBytes(rec));
    } else if (f.type === METRICS) {
      const m = JSON.parse(f.body.toString()) as { updates: MetricUpdate[]; elements?: ElementCount[] };
      metrics.push(...m.updates);
      for (const e of m.elements ?? []) {
        const t = (elements[e.transform] ??= { in: 0, out: 0 });
        t.in += e.in;
        t.out += e.out ?? 0;
      }
    } else if (f.type === ERROR) error = JSON.parse(f.body.toString()) as ErrorBody;
  }
  return { frames, outputs, metrics, elements, console: consoleBodies, error, exitCode, stderr };
}

export const FrameTypes = { READY, OUTPUT, BUNDLE_DONE, METRICS, ERROR, GOODBYE, CONSOLE };
