import { expect } from "vitest";
import {
  Create, DoFn, Filter, FlatMapElements, KV, Keys, KvSwap, MapElements, Metrics, PAssert, ParDo, Partition,
  PCollectionList, Flatten, TupleTag, Values, WithKeys, type ProcessContext,
} from "../../../src/index.js";
import type { PipelineCase } from "../harness.js";

class UpperFn extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>) {
    c.output(c.element().toUpperCase());
  }
}

class LifecycleFn extends DoFn<number, number> {
  private setups = Metrics.counter("lifecycle", "setup");
  private bundles = Metrics.counter("lifecycle", "startBundle");
  private finishes = Metrics.counter("lifecycle", "finishBundle");
  private seen = 0;
  override setup() {
    this.setups.inc();
  }
  override startBundle() {
    this.bundles.inc();
    this.seen = 0;
  }
  processElement(c: ProcessContext<number, number>) {
    this.seen++;
    c.output(c.element() * 10);
  }
  override finishBundle() {
    this.finishes.inc();
  }
}

const suffix = "!";
function shout(s: string): string {
  return s + suffix;
}

export const coreCases: PipelineCase[] = [
  {
    name: "Create and PAssert",
    build(p) {
      PAssert.that(p.apply(Create.of(1, 2, 3))).containsInAnyOrder(3, 2, 1);
    },
  },
  {
    name: "ParDo with a DoFn class, and with a lambda",
    build(p) {
      const words = p.apply(Create.of("a", "b"));
      PAssert.that(words.apply(ParDo.of(new UpperFn()))).containsInAnyOrder("A", "B");
      PAssert.that(words.apply("Twice", ParDo.of((w: string, c: ProcessContext<string, string>) => { c.output(w); c.output(w); }))).containsInAnyOrder("a", "a", "b", "b");
    },
  },
  {
    name: "lambdas capture values and other functions",
    build(p) {
      const factor = 3;
      const table = new Map([["x", 1]]);
      const out = p.apply(Create.of("x", "y")).apply(MapElements.via((s: string) => `${shout(s)}${(table.get(s) ?? 0) * factor}`));
      PAssert.that(out).containsInAnyOrder("x!3", "y!0");
    },
  },
  {
    name: "DoFn lifecycle: setup once per instance, start/finish per bundle",
    build(p) {
      PAssert.that(p.apply(Create.of(1, 2, 3)).apply(ParDo.of(new LifecycleFn()))).containsInAnyOrder(10, 20, 30);
      return (result) => {
        const m = result.metrics();
        expect(m.counter("startBundle")).toBeGreaterThanOrEqual(1);
        expect(m.counter("finishBundle")).toBe(m.counter("startBundle"));
        expect(m.counter("setup")).toBeGreaterThanOrEqual(1);
      };
    },
  },
  {
    name: "element-wise: Map, FlatMap, Filter, WithKeys, Keys, Values, KvSwap",
    build(p) {
      const lines = p.apply(Create.of("a b", "c"));
      const words = lines.apply(FlatMapElements.via((l: string) => l.split(" ")));
      PAssert.that(words).containsInAnyOrder("a", "b", "c");
      PAssert.that(words.apply(Filter.by((w: string) => w !== "b"))).containsInAnyOrder("a", "c");
      const keyed = words.apply(WithKeys.of((w: string) => w.charCodeAt(0)));
      PAssert.that(keyed).containsInAnyOrder(KV.of(97, "a"), KV.of(98, "b"), KV.of(99, "c"));
      PAssert.that(keyed.apply(Keys.create())).containsInAnyOrder(97, 98, 99);
      PAssert.that(keyed.apply(Values.create())).containsInAnyOrder("a", "b", "c");
      PAssert.that(keyed.apply(KvSwap.create())).containsInAnyOrder(KV.of("a", 97), KV.of("b", 98), KV.of("c", 99));
      PAssert.that(words.map((w) => w + w).filter((w) => w !== "cc")).containsInAnyOrder("aa", "bb");
    },
  },
  {
    name: "multi-output ParDo with TupleTags",
    build(p) {
      const small = new TupleTag<number>("small");
      const big = new TupleTag<number>("big");
      const names = new TupleTag<string>("names");
      const out = p.apply(Create.of(1, 50, 100)).apply(
        ParDo.of((n: number, c: ProcessContext<number, number>) => {
          if (n < 10) c.output(n);
          else c.output(big, n);
          c.output(names, `n${n}`);
        }).withOutputTags(small, [big, names]),
      );
      PAssert.that(out.get(small)).containsInAnyOrder(1);
      PAssert.that(out.get(big)).containsInAnyOrder(50, 100);
      PAssert.that(out.get(names)).containsInAnyOrder("n1", "n50", "n100");
    },
  },
  {
    name: "Flatten and Partition",
    build(p) {
      const a = p.apply("A", Create.of(1, 2));
      const b = p.apply("B", Create.of(3));
      const all = PCollectionList.of(a).and(b).apply(Flatten.pCollections());
      PAssert.that(all).containsInAnyOrder(1, 2, 3);
      const parts = all.apply(Partition.of(2, (n: number) => n % 2));
      PAssert.that(parts.get(0)).containsInAnyOrder(2);
      PAssert.that(parts.get(1)).containsInAnyOrder(1, 3);
    },
  },
  {
    name: "a DoFn that throws fails the run naming the transform and the element",
    build(p) {
      p.apply(Create.of("fine", "bad")).apply("Explode", MapElements.via((s: string) => {
        if (s === "bad") throw new Error(`cannot handle ${s}`);
        return s;
      }));
    },
    fails: /Explode[\s\S]*'bad'[\s\S]*cannot handle bad[\s\S]*core\.ts:\d+/,
  },
  {
    name: "a DoFn that mutates its input is caught",
    build(p) {
      p.apply(Create.of({ n: 1 })).apply("Mutate", MapElements.via((o: { n: number }) => {
        o.n++;
        return o.n;
      }));
    },
    fails: /Mutate[\s\S]*mutated its input/,
  },
];
