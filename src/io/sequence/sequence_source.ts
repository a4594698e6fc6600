/** GenerateSequence's reading half: a bounded range split into contiguous pieces. */
import { Urns } from "../../graph/types.js";
import { registerSource, type BoundedSourceImpl, type SourceSplit } from "../registry.js";
import type { GenerateSequencePayload } from "./generate_sequence.js";

/** Below this many numbers a piece is not split further (a piece is read in well under a millisecond). */
const MIN_SPLIT = 10_000;

export const sequenceSource: BoundedSourceImpl = {
  async split(payload: GenerateSequencePayload, desired: number): Promise<SourceSplit[]> {
    if (payload.to === undefined || payload.rate !== undefined || payload.maxReadTimeMillis !== undefined) {
      throw new Error(
        "this runner reads bounded sequences only (GenerateSequence.from(a).to(b) without withRate or withMaxReadTime); an unbounded sequence needs a streaming run",
      );
    }
    const n = payload.to - payload.from;
    if (n <= 0) return [];
    const parts = Math.max(1, Math.min(desired, Math.ceil(n / MIN_SPLIT)));
    const splits: SourceSplit[] = [];
    for (let i = 0; i < parts; i++) {
      const start = payload.from + Math.floor((n * i) / parts);
      const end = payload.from + Math.floor((n * (i + 1)) / parts);
      if (end > start) splits.push({ start, end });
    }
    return splits;
  },
  async read(_payload: GenerateSequencePayload, split: SourceSplit, emit: (value: unknown) => void): Promise<void> {
    const { start, end } = split as { start: number; end: number };
    for (let i = start; i < end; i++) emit(i);
  },
};

registerSource(Urns.GENERATE_SEQUENCE, sequenceSource);
