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

/**
 * How many elements the PCollection has, at least. A runner that counted them all may say
 * so in `total` (not yet in CollectedSample's type); otherwise a truncated sample proves
 * one element more than it holds, no more.
 */
export function totalAtLeast(sample: CollectedSample): number {
  const count = sample.elements.length;
  const total = (sample as CollectedSample & { total?: unknown }).total;
  if (typeof total === "number" && total >= count) return sample.truncated ? Math.max(total, count + 1) : total;
  return sample.truncated ? count + 1 : count;
}

/** An encoded sample and the byte offset where each element ends: its first k elements are a prefix. */
export interface EncodedElements {
  sample: EncodedSample;
  ends: number[];
}

/** On the host: a sample's elements encoded, with their ends; undefined if its coder cannot encode them. */
export function encodeElements(graph: PipelineGraph, pcollectionId: string, sample: CollectedSample): EncodedElements | undefined {
  try {
    const coder = sampleCoder(graph, pcollectionId);
    const out = new ByteWriter();
    const ends: number[] = [];
    for (const e of sample.elements) {
      coder.encode(e, out);
      ends.push(out.length);
    }
    const encoded: EncodedSample = {
      latin1: Buffer.from(out.toBytes()).toString("latin1"),
      count: ends.length,
      truncated: sample.truncated,
      totalAtLeast: totalAtLeast(sample),
      cached: false,
    };
    return { sample: encoded, ends };
  } catch {
    return undefined;
  }
}

/** On the host: a sample's elements encoded, or undefined if its coder cannot encode them. */
export function encodeSample(graph: PipelineGraph, pcollectionId: string, sample: CollectedSample): EncodedSample | undefined {
  return encodeElements(graph, pcollectionId, sample)?.sample;
}

/** The first `n` elements of an encoded sample (no decoding: a prefix of its bytes). */
export function prefixOf(encoded: EncodedElements, n: number): EncodedSample {
  const { sample, ends } = encoded;
  const count = Math.min(Math.max(0, n), sample.count);
  if (count === sample.count) return { ...sample };
  return { ...sample, latin1: sample.latin1.slice(0, count ? ends[count - 1] : 0), count, truncated: true };
}

/**
 * A sample whose coder cannot encode it (encodeSample gave undefined): handed over as the
 * host's objects, read through vm2's proxies (slow, but shown), with no bytes.
 */
export interface UnencodedSample extends EncodedSample {
  elements: WindowedValue<unknown>[];
}

export function unencodedSample(sample: CollectedSample, n: number): UnencodedSample {
  const elements = sample.elements.slice(0, Math.max(0, n));
  const truncated = sample.truncated || elements.length < sample.elements.length;
  return { latin1: "", count: elements.length, truncated, totalAtLeast: totalAtLeast(sample), cached: false, elements };
}

/** In the sandbox: the elements, as objects of this realm (an UnencodedSample's as they are). */
export function decodeSample(graph: PipelineGraph, pcollectionId: string, encoded: EncodedSample): CollectedSample {
  const objects = (encoded as Partial<UnencodedSample>).elements;
  if (objects) return { elements: [...objects], truncated: encoded.truncated };
  const coder = sampleCoder(graph, pcollectionId);
  const { latin1 } = encoded;
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i);
  const reader = new ByteReader(bytes);
  const elements: WindowedValue<unknown>[] = [];
  for (let i = 0; i < encoded.count; i++) elements.push(coder.decode(reader));
  return { elements, truncated: encoded.truncated };
}
