/**
 * Samples a run brought back (show, collect), moved from the host's runner into the
 * sandbox as bytes: the host encodes them with the PCollection's coder, the sandbox decodes
 * them into objects of its own realm. Handed over as the host's objects instead, every read
 * of an element would cross vm2's proxies (iterating 100 000 collected KVs: seconds, not
 * milliseconds). Both sides build the coder from the graph's spec.
 */
import type { PipelineGraph } from "../../graph/types.js";
import type { EncodedSample } from "../interactive/services.js";
import { ByteReader, ByteWriter } from "../../sdk/coders/byte_io.js";
import { coderFromSpec } from "../../sdk/coders/coder.js";
import { WindowedValueCoder } from "../../sdk/coders/windowed_value_coder.js";
import type { CollectedSample } from "../../sdk/runner.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import { windowFnFromSpec } from "../../sdk/windowing/window_fn.js";

// A sample as it crosses: its elements' bytes as a latin1 string (a string crosses vm2 as it is).
export type { EncodedSample };

function sampleCoder(graph: PipelineGraph, pcollectionId: string): WindowedValueCoder<unknown> {
  const pc = graph.pcollections[pcollectionId];
  if (!pc) throw new Error(`no PCollection '${pcollectionId}' in the graph`);
  const ws = graph.windowingStrategies[pc.windowingStrategy]!;
  return WindowedValueCoder.of(coderFromSpec(pc.coder), windowFnFromSpec(ws.windowFn).windowCoder());
}

/** On the host: a sample's elements encoded, or undefined if its coder cannot encode them. */
export function encodeSample(graph: PipelineGraph, pcollectionId: string, sample: CollectedSample): EncodedSample | undefined {
  try {
    const coder = sampleCoder(graph, pcollectionId);
    const out = new ByteWriter();
    for (const e of sample.elements) coder.encode(e, out);
    const count = sample.elements.length;
    return {
      latin1: Buffer.from(out.toBytes()).toString("latin1"),
      count,
      truncated: sample.truncated,
      // A truncated sample proves one element more than it holds, no more.
      totalAtLeast: sample.truncated ? count + 1 : count,
      cached: false,
    };
  } catch {
    return undefined;
  }
}

/** In the sandbox: the elements, as objects of this realm. */
export function decodeSample(graph: PipelineGraph, pcollectionId: string, encoded: EncodedSample): CollectedSample {
  const coder = sampleCoder(graph, pcollectionId);
  const { latin1 } = encoded;
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i);
  const reader = new ByteReader(bytes);
  const elements: WindowedValue<unknown>[] = [];
  for (let i = 0; i < encoded.count; i++) elements.push(coder.decode(reader));
  return { elements, truncated: encoded.truncated };
}
