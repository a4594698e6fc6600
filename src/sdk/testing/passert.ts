import { registerKnown } from "../../graph/functions/known_objects.js";
import { PCollection } from "../pcollection.js";
import { Pipeline } from "../pipeline.js";
import type { PipelineOptions } from "../pipeline_options.js";
import { Create } from "../transforms/create.js";
import { DoFn, type ProcessContext } from "../transforms/do_fn.js";
import { ParDo } from "../transforms/par_do.js";
import { PTransform } from "../transforms/ptransform.js";
import { View } from "../transforms/view.js";
import { GlobalWindows } from "../windowing/global_windows.js";
import { Window } from "../windowing/window.js";
import { canonical, show } from "./canonical.js";

export class PAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PAssertionError";
  }
}

/**
 * A check over all of a PCollection's elements; runs inside the pipeline, on any
 * runner. Library checks are classes (they travel by name), user checks are functions.
 */
export interface Check<T> {
  check(actual: T[]): void;
}

export class UserCheck<T> implements Check<T> {
  constructor(readonly fn: (actual: T[]) => void) {}
  check(actual: T[]): void {
    this.fn(actual);
  }
}

export class ContainsInAnyOrder<T> implements Check<T> {
  constructor(readonly expected: T[], readonly label: string) {}
  check(actual: T[]): void {
    const { expected, label } = this;
    const counts = new Map<string, number>();
    for (const e of expected) counts.set(canonical(e), (counts.get(canonical(e)) ?? 0) + 1);
    const unexpected: T[] = [];
    for (const a of actual) {
      const k = canonical(a);
      const n = counts.get(k);
      if (n) counts.set(k, n - 1);
      else unexpected.push(a);
    }
    const missing = expected.filter((e) => {
      const k = canonical(e);
      const n = counts.get(k) ?? 0;
      if (n > 0) {
        counts.set(k, n - 1);
        return true;
      }
      return false;
    });
    if (unexpected.length || missing.length) {
      throw new PAssertionError(
        `${label}: expected ${expected.length} element(s) in any order, got ${actual.length}.` +
          (missing.length ? ` Missing: ${show(missing)}.` : "") +
          (unexpected.length ? ` Unexpected: ${show(unexpected)}.` : ""),
      );
    }
  }
}

export class AssertFn<T> extends DoFn<unknown, never> {
  constructor(readonly view: unknown, readonly check: Check<T>, readonly label: string) { super(); }
  processElement(c: ProcessContext<unknown, never>): void {
    const actual = c.sideInput(this.view as never) as T[];
    this.check.check(actual);
  }
}

class AssertTransform<T> extends PTransform<PCollection<T>, void> {
  constructor(readonly check: Check<T>, readonly label: string) { super(); }
  expand(input: PCollection<T>): void {
    const view = input
      .apply("RewindowGlobally", Window.into<T>(new GlobalWindows()))
      .apply("View.AsIterable", View.asIterable<T>());
    input.pipeline
      .apply("Impulse", Create.of<null>(null))
      .apply("Check", ParDo.of(new AssertFn<T>(view, this.check, this.label)).withSideInputs(view));
  }
}

let assertions = 0;

/** Assertions on a PCollection's contents, checked when the pipeline runs. */
export class PCollectionAssert<T> {
  constructor(private readonly pc: PCollection<T>, private readonly reason?: string) {}
  /** @internal */
  add(what: string, check: Check<T>): PCollectionAssert<T> {
    const name = `PAssert$${assertions++}`;
    const label = `${name} on ${this.pc.name}${this.reason ? ` (${this.reason})` : ""}: ${what}`;
    this.pc.apply(name, new AssertTransform<T>(check, label));
    return this;
  }
  containsInAnyOrder(...expected: Array<T>): PCollectionAssert<T> {
    return this.add("containsInAnyOrder", new ContainsInAnyOrder(expected, this.pc.name));
  }
  empty(): PCollectionAssert<T> {
    return this.add("empty", new ContainsInAnyOrder<T>([], this.pc.name));
  }
  /** Any check of your own over the whole PCollection; throw to fail. */
  satisfies(check: (actual: T[]) => void): PCollectionAssert<T> {
    if (typeof check !== "function") throw new TypeError("PAssert.satisfies needs a function (actual: T[]) => void");
    return this.add("satisfies", new UserCheck(check));
  }
}

export class SingletonAssert<T> {
  constructor(private readonly pc: PCollection<T>) {}
  isEqualTo(expected: T): void {
    new PCollectionAssert(this.pc).add("isEqualTo", new SingletonEquals(expected, this.pc.name));
  }
}

export class SingletonEquals<T> implements Check<T> {
  constructor(readonly expected: T, readonly name: string) {}
  check(actual: T[]): void {
    const { expected, name } = this;
    if (actual.length !== 1) throw new PAssertionError(`${name}: expected a single element, got ${actual.length}: ${show(actual)}`);
    if (canonical(actual[0]) !== canonical(expected)) {
      throw new PAssertionError(`${name}: expected ${show(expected)}, got ${show(actual[0])}`);
    }
  }
}

export const PAssert = {
  that<T>(pc: PCollection<T>, reason?: string): PCollectionAssert<T> {
    return new PCollectionAssert(pc, reason);
  },
  thatSingleton<T>(pc: PCollection<T>): SingletonAssert<T> {
    return new SingletonAssert(pc);
  },
};

/** A Pipeline for tests: the local runner's checks on, unless options say otherwise. */
export const TestPipeline = {
  create(options: PipelineOptions = {}): Pipeline {
    return Pipeline.create({ enforceEncodability: true, enforceImmutability: true, ...options });
  },
};

for (const [n, v] of Object.entries({ AssertFn, PAssertionError, ContainsInAnyOrder, SingletonEquals, UserCheck })) {
  registerKnown(`flowbook.testing.${n}`, v);
}
