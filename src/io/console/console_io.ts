/**
 * ConsoleIO.write(): prints each element of a PCollection on its own line (stdout).
 *
 *   counts.apply(ConsoleIO.write());
 *   counts.apply(ConsoleIO.write({ prefix: "count: ", limit: 20 }));
 */
import { Urns } from "../../graph/types.js";
import { PCollection, PDone } from "../../sdk/pcollection.js";
import { PTransform, TransformApplicationError } from "../../sdk/transforms/ptransform.js";
import type { ConsoleWritePayload } from "./console_sink.js";
import "./console_sink.js";

export interface ConsoleWriteOptions {
  /** Printed before each element. */
  prefix?: string;
  /** At most this many elements per writer (each parallel worker has its own writer). */
  limit?: number;
}

export class ConsoleIOWrite<T = unknown> extends PTransform<PCollection<T>, PDone> {
  constructor(private readonly options: ConsoleWriteOptions = {}) {
    super();
    const { prefix, limit } = options;
    if (prefix !== undefined && typeof prefix !== "string") throw new TransformApplicationError("ConsoleIO.write({ prefix }) needs a string");
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new TransformApplicationError("ConsoleIO.write({ limit }) needs a non-negative integer");
  }

  withPrefix(prefix: string): ConsoleIOWrite<T> {
    return new ConsoleIOWrite<T>({ ...this.options, prefix });
  }
  withLimit(limit: number): ConsoleIOWrite<T> {
    return new ConsoleIOWrite<T>({ ...this.options, limit });
  }

  override defaultName(): string {
    return "ConsoleIO.Write";
  }

  expand(input: PCollection<T>): PDone {
    if (!(input instanceof PCollection)) throw new TransformApplicationError("ConsoleIO.write() must be applied to a PCollection");
    const payload: ConsoleWritePayload = { prefix: this.options.prefix ?? "", limit: this.options.limit ?? null };
    input.pipeline.primitive({ urn: Urns.CONSOLE_WRITE, payload: () => ({ ...payload }), outputs: [] });
    return new PDone(input.pipeline);
  }
}

export const ConsoleIO = {
  write<T = unknown>(options: ConsoleWriteOptions = {}): ConsoleIOWrite<T> {
    return new ConsoleIOWrite<T>(options);
  },
};
