/**
 * User functions travel by value to the local runner: what they capture is copied when the
 * pipeline is run (classes with methods, other functions, Maps, module imports), what
 * cannot travel is refused at run() naming the variable and the transform, and the runner
 * executes the rebuilt copies, never the test's live objects, on worker threads and in process.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as nodePath from "node:path";
import { basename, extname } from "node:path";
import { threadId } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  Create, DoFn, GroupByKey, KV, MapElements, Metrics, PAssert, ParDo, Pipeline, TestPipeline, TransformApplicationError, type PipelineOptions,
  type ProcessContext,
} from "../../../src/index.js";
import { currentThread } from "./fixtures/threads.js";

const modes = [
  { mode: "worker threads", options: { parallelism: 2 } },
  { mode: "in process", options: { inProcess: true } },
];

class Money {
  private readonly cents: number;
  constructor(cents: number, readonly currency: string) {
    this.cents = cents;
  }
  static parse(s: string): Money {
    const [amount, currency] = s.split(" ");
    return new Money(Math.round(Number(amount) * 100), currency!);
  }
  plus(other: Money): Money {
    if (other.currency !== this.currency) throw new Error("currency mismatch");
    return new Money(this.cents + other.cents, this.currency);
  }
  get formatted(): string {
    return `${(this.cents / 100).toFixed(2)} ${this.currency}`;
  }
}

function tax(m: Money, rates: Map<string, number>): Money {
  return m.plus(new Money(Math.round(Number(m.formatted.split(" ")[0]) * 100 * (rates.get(m.currency) ?? 0)), m.currency));
}

/** Incremented by the DoFns below wherever they run. */
let moduleCounter = 0;

class CountingFn extends DoFn<string, string> {
  calls = 0;
  processElement(c: ProcessContext<string, string>) {
    this.calls++;
    moduleCounter++;
    c.output(`${c.element()}:${this.calls > 0}`);
  }
}

class ConnFn extends DoFn<string, string> {
  constructor(readonly conn: net.Socket) {
    super();
  }
  processElement(c: ProcessContext<string, string>) {
    c.output(c.element());
  }
}

describe.each(modes)("functions travel by value ($mode)", ({ options }) => {
  it("a lambda capturing a class instance with methods and a getter, another function, a Map and a module import", async () => {
    const p = TestPipeline.create(options);
    const fee = Money.parse("0.50 EUR");
    const rates = new Map([["EUR", 0.2], ["USD", 0.1]]);
    const out = p
      .apply(Create.of("/data/in/a.csv=10 EUR", "/x/b.txt=1 USD"))
      .apply("Price", MapElements.via((line: string) => {
        const [file, amount] = line.split("=");
        const m = Money.parse(amount!);
        const total = m.currency === fee.currency ? tax(m, rates).plus(fee) : tax(m, rates);
        return `${basename(file!, extname(file!))}${extname(file!)}:${total.formatted}`;
      }));
    PAssert.that(out).containsInAnyOrder("a.csv:12.50 EUR", "b.txt:1.10 USD");
    expect(await p.run().waitUntilFinish()).toBe("DONE");
  });

  it("captured values are read when run() is called: a later change of the test's object is not seen", async () => {
    const p = TestPipeline.create(options);
    const config = { greeting: "hello", list: ["a"] };
    const out = p.apply(Create.of("x")).apply(MapElements.via((s: string) => `${config.greeting} ${s} ${config.list.join("+")}`));
    PAssert.that(out).containsInAnyOrder("hi x a+b");
    config.greeting = "hi"; // before run(): seen
    config.list.push("b");
    const result = p.run();
    config.greeting = "bye"; // after run(), before the run executes: not seen
    config.list.push("c");
    expect(await result.waitUntilFinish()).toBe("DONE");
  });

  it("the runner executes rebuilt functions: module state and DoFn fields of the test are untouched", async () => {
    const p = TestPipeline.create(options);
    const fn = new CountingFn();
    const before = moduleCounter;
    PAssert.that(p.apply(Create.of("a", "b", "c")).apply(ParDo.of(fn))).containsInAnyOrder("a:true", "b:true", "c:true");
    expect(await p.run().waitUntilFinish()).toBe("DONE");
    expect(moduleCounter).toBe(before);
    expect(fn.calls).toBe(0);
  });

  it("a lambda assigning to a captured variable changes its own copy, which starts from the value at run()", async () => {
    const p = TestPipeline.create(options);
    let seen = 100;
    const out = p.apply(Create.of(1)).apply(MapElements.via((n: number) => {
      seen += n;
      return seen;
    }));
    PAssert.that(out).containsInAnyOrder(106);
    seen = 105;
    expect(await p.run().waitUntilFinish()).toBe("DONE");
    expect(seen).toBe(105);
  });
});

describe("what cannot travel is refused at run(), naming the variable and the transform", () => {
  it("a DoFn whose field is a net.Socket", () => {
    const socket = new net.Socket();
    try {
      const p = Pipeline.create();
      // Building the pipeline is fine: functions are serialized when it is run.
      p.apply(Create.of("a")).apply("Send", ParDo.of(new ConnFn(socket)));
      let err: unknown;
      try {
        p.run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TransformApplicationError);
      expect((err as Error).message).toMatch(/^Cannot send transform 'Send' to the runner: .*\bconn is a net\.Socket, which cannot be serialized/);
      expect((err as Error).message).toContain("setup()");
    } finally {
      socket.destroy();
    }
  });

  it("a lambda capturing a socket, a read stream, or an open FileHandle", async () => {
    const socket = new net.Socket();
    const stream = fs.createReadStream(import.meta.filename);
    const handle = await fs.promises.open(import.meta.filename);
    try {
      const cases: Array<[string, unknown, RegExp]> = [
        ["socket", socket, /captured variable 'conn' is a net\.Socket/],
        ["stream", stream, /captured variable 'conn' is a fs\.ReadStream/],
        ["handle", handle, /captured variable 'conn' is an open file handle/],
      ];
      for (const [name, conn, what] of cases) {
        const p = Pipeline.create();
        p.apply(Create.of(1)).apply(`Use-${name}`, MapElements.via((n: number) => `${String(conn)}${n}`));
        expect(() => p.run(), name).toThrow(new RegExp(`Cannot send transform 'Use-${name}' to the runner: ${what.source}`));
        expect(() => p.run(), name).toThrow(/functions_by_value\.test\.ts:\d+/);
      }
    } finally {
      socket.destroy();
      stream.destroy();
      await handle.close();
    }
  });
});

describe("module imports inside user functions", () => {
  it("a function imported from another module runs there: worker threads report their own thread ids", async () => {
    const threadsOf = async (options: PipelineOptions) => {
      const p = Pipeline.create(options);
      p.apply(Create.of(...Array.from({ length: 20_000 }, (_, i) => i))).apply("WhichThread", MapElements.via((n: number) => {
        const t = currentThread();
        Metrics.gauge("threads", `${t.id}:${t.main}`).set(1);
        return n;
      }));
      const r = p.run();
      await r.waitUntilFinish();
      return r.metrics().queryMetrics({ namespace: "threads", step: "WhichThread" }).gauges.map((g) => g.name.name).sort();
    };
    const workers = await threadsOf({ parallelism: 2 });
    expect(workers.length).toBe(2);
    expect(workers.every((t) => t.endsWith(":false") && t !== `${threadId}:false`)).toBe(true);
    expect(await threadsOf({ inProcess: true })).toEqual([`${threadId}:true`]);
  });

  it("a namespace import (import * as nodePath) used inside a lambda", async () => {
    const p = TestPipeline.create({ parallelism: 2 });
    const out = p.apply(Create.of("/a/b/c.txt")).apply(MapElements.via((f: string) => nodePath.posix.dirname(f) + nodePath.sep));
    PAssert.that(out).containsInAnyOrder("/a/b/");
    expect(await p.run().waitUntilFinish()).toBe("DONE");
  });

  it("a named import of a primitive (threadId) is the worker's, not the value the test's thread had", async () => {
    const p = Pipeline.create({ parallelism: 2 });
    p.apply(Create.of(...Array.from({ length: 20_000 }, (_, i) => i))).apply("NamedImport", MapElements.via((n: number) => {
      Metrics.gauge("threads", String(threadId)).set(1);
      return n;
    }));
    const r = p.run();
    await r.waitUntilFinish();
    const ids = r.metrics().queryMetrics({ namespace: "threads" }).gauges.map((g) => g.name.name);
    expect(ids).not.toContain(String(threadId));
  });

  it("grouping after a function that used imports: values rebuilt on one thread are read on another", async () => {
    const p = TestPipeline.create({ parallelism: 2 });
    const grouped = p
      .apply(Create.of("/x/a.txt", "/y/a.txt", "/z/b.md"))
      .apply(MapElements.via((f: string) => KV.of(basename(f), f)))
      .apply(GroupByKey.create<string, string>())
      .apply("Show", MapElements.via((kv: KV<string, string[]>) => `${kv.key}=${[...kv.value].sort().join(",")}`));
    PAssert.that(grouped).containsInAnyOrder("a.txt=/x/a.txt,/y/a.txt", "b.md=/z/b.md");
    expect(await p.run().waitUntilFinish()).toBe("DONE");
  });
});
