/**
 * Which elements the local runner's per-element checks (encodability, immutability) look at.
 *
 * Dataflow's DirectPipelineRunner checks every element, and on this runner that cost
 * twelve times the work of a WordCount (issue 13, point 5). The checks stay on by default
 * but look at a sample: every element at first (the first CHECK_FIRST elements each
 * checked operator sees in a task: a coder or a DoFn that is wrong for every element, or
 * for the common shape of element, fails at once), then about one element in CHECK_EVERY,
 * at pseudo-random gaps so that a periodic pattern in the input cannot hide from the
 * sample. `checks: "all"` checks every element, as Dataflow did; `enforceEncodability:
 * false` / `enforceImmutability: false` turn a check off.
 *
 * The gaps come from a fixed-seed generator (seeded by the operator's name and the task),
 * so a run over the same input checks the same elements: a failure it finds, it finds again.
 */
import type { PipelineOptions } from "../../sdk/pipeline_options.js";

/** Every element is checked up to this many, per checked operator, per task. */
export const CHECK_FIRST = 1000;
/**
 * After the first ones, one element in this many (on average) is checked. Checking every
 * element of a WordCount costs about twelve times its work; one in 500 costs a few percent
 * of it (measured on this 2-core machine: within its noise of the checks-off run). Work that
 * is dearer per element pays relatively less.
 */
export const CHECK_EVERY = 500;

/** What the options ask of the checks. */
export interface CheckPolicy {
  encodability: boolean;
  immutability: boolean;
  /** `checks: "all"`: every element; otherwise a sample. */
  all: boolean;
}

/**
 * `onByDefault`: whether a check the options say nothing about runs — true on the local
 * runner (as Dataflow's DirectPipelineRunner), false on Flink's Node workers (a production
 * runner does no per-element checks unless asked). Asking for them means setting
 * `enforceEncodability` / `enforceImmutability` to true, or setting `checks`.
 */
export function checkPolicy(options: PipelineOptions, onByDefault = true): CheckPolicy {
  const mode = options.checks;
  if (mode !== undefined && mode !== "all" && mode !== "sample") {
    throw new Error(`the option checks must be "sample" (the default) or "all", not ${JSON.stringify(mode)}`);
  }
  const asked = mode !== undefined || onByDefault;
  const on = (v: unknown) => (v === undefined ? asked : v !== false);
  return {
    encodability: on(options.enforceEncodability),
    immutability: on(options.enforceImmutability),
    all: mode === "all",
  };
}

/** Says, element by element, whether to check it: a counter and a compare per element. */
export class CheckSampler {
  private seen = 0;
  private nextAt: number;
  private state: number;

  /** `all`: every element; otherwise the first `first`, then about one in `every`. */
  constructor(
    seed: string,
    private readonly all: boolean,
    private readonly first = CHECK_FIRST,
    private readonly every = CHECK_EVERY,
  ) {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    this.state = h >>> 0 || 1;
    this.nextAt = all || first > 0 ? 1 : this.gap();
  }

  /**
   * True when the element now arriving is to be checked. On the hot path of every checked
   * operator (a WordCount's every word): an increment and a compare, the rest in `advance`.
   */
  take(): boolean {
    return ++this.seen >= this.nextAt && this.advance();
  }

  /** At a checked element: where the next one is (the next element while `all` or among the first). */
  private advance(): true {
    const n = this.seen;
    this.nextAt = this.all || n < this.first ? n + 1 : n + this.gap();
    return true;
  }

  /** Elements seen so far. */
  get elements(): number {
    return this.seen;
  }

  /** 1 … 2·every − 1, uniformly (xorshift32): a mean gap of `every`. */
  private gap(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return 1 + (this.state % Math.max(1, 2 * this.every - 1));
  }
}
