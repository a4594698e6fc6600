import { callerLocation } from "../internal/stack.js";

/**
 * A PTransform turns an input (a PCollection, a tuple or list of them, or the
 * pipeline's beginning) into an output. Composites implement `expand` by applying
 * other transforms; primitives call `primitive()` with the kind the runners execute.
 */
export abstract class PTransform<I = unknown, O = unknown> {
  abstract expand(input: I): O;

  /** The name used when apply() is given none: Beam's names where Beam has one. */
  defaultName(): string {
    const n = this.constructor.name;
    return n && n !== "PTransform" ? n : "Transform";
  }

  /**
   * For composites a runner may execute whole (Combine.perKey: combiner lifting):
   * the kind and a payload builder, called when the graph is serialized.
   */
  compositeSpec(): { urn: string; payload: () => unknown } | undefined {
    return undefined;
  }
}

/**
 * Thrown when a transform is built or applied with arguments it cannot use; names the
 * transform and where in the user's code (the first stack frame outside flowbook).
 */
export class TransformApplicationError extends Error {
  constructor(message: string) {
    const at = /\((applied )?at [^)]*:\d+:\d+\)/.test(message) ? undefined : callerLocation();
    super(at ? `${message} (at ${at})` : message);
    this.name = "TransformApplicationError";
  }
}
