import { describe, expect, it } from "vitest";
import { join } from "node:path";
import * as nodeUtil from "node:util";
import { threadId } from "node:worker_threads";
import { shout, Greeter, SEPARATOR } from "./fixtures/helpers.js";
import { rebuildValue, rebuildValueSync, serializeValue, type SerializedValue } from "../../../src/graph/functions/serialize.js";
import { registerKnown } from "../../../src/graph/functions/known_objects.js";
import { FN_META, functionMeta } from "../../../src/graph/functions/meta.js";

/** Serialize, go through JSON text (as the graph does), rebuild. */
async function roundTrip<T>(value: T): Promise<T> {
  const sv = serializeValue(value, { transform: "Test/RoundTrip", variable: "value" });
  const json = JSON.stringify(sv);
  return (await rebuildValue(JSON.parse(json) as SerializedValue)) as T;
}

describe("values", () => {
  it("round-trips primitives, including the ones JSON cannot hold", async () => {
    const values = [undefined, null, true, false, 0, 1.5, -7, "text", "", NaN, Infinity, -Infinity, 123456789012345678901234567890n, -5n];
    const back = await roundTrip(values);
    expect(back).toHaveLength(values.length);
    back.forEach((v, i) => expect(Object.is(v, values[i])).toBe(true));
    expect(Object.is(await roundTrip(-0), -0)).toBe(true);
    expect(await roundTrip(Symbol.for("flowbook.test"))).toBe(Symbol.for("flowbook.test"));
    expect(await roundTrip(Symbol.iterator)).toBe(Symbol.iterator);
  });

  it("round-trips arrays (with holes), plain and null-prototype objects", async () => {
    // eslint-disable-next-line no-sparse-arrays
    const arr = [1, , 3];
    const back = await roundTrip({ arr, nested: { deep: { x: [1, { y: "z" }] } }, bare: Object.assign(Object.create(null), { k: 1 }) });
    expect(back.arr.length).toBe(3);
    expect(1 in back.arr).toBe(false);
    expect(back.nested.deep.x[1]).toEqual({ y: "z" });
    expect(Object.getPrototypeOf(back.bare)).toBe(null);
    expect(back.bare.k).toBe(1);
  });

  it("round-trips Map, Set, Date, RegExp, URL, typed arrays, Buffer, ArrayBuffer, DataView, errors", async () => {
    const re = /a(b)c/gi;
    re.lastIndex = 2;
    const v = {
      map: new Map<unknown, unknown>([["a", 1], [2, { b: 3 }]]),
      set: new Set([1, "two", 3n]),
      date: new Date(Date.UTC(2020, 1, 2, 3, 4, 5)),
      bad: new Date(NaN),
      re,
      url: new URL("https://example.com/a?b=c"),
      params: new URLSearchParams("x=1&y=2"),
      f64: new Float64Array([1.5, -2.25]),
      u8: new Uint8Array([1, 2, 255]).subarray(1),
      big: new BigInt64Array([-1n]),
      buf: Buffer.from("héllo"),
      ab: new Uint8Array([9, 8]).buffer,
      dv: new DataView(new Uint8Array([7, 6, 5]).buffer, 1),
      err: new RangeError("out of range"),
      dec: new TextDecoder("utf-8", { fatal: true }),
    };
    const b = await roundTrip(v);
    expect(b.map).toBeInstanceOf(Map);
    expect([...b.map]).toEqual([["a", 1], [2, { b: 3 }]]);
    expect([...b.set]).toEqual([1, "two", 3n]);
    expect(b.date.getTime()).toBe(v.date.getTime());
    expect(Number.isNaN(b.bad.getTime())).toBe(true);
    expect(b.re.source).toBe("a(b)c");
    expect(b.re.flags).toBe("gi");
    expect(b.re.lastIndex).toBe(2);
    expect(b.url.href).toBe("https://example.com/a?b=c");
    expect(b.params.get("y")).toBe("2");
    expect([...b.f64]).toEqual([1.5, -2.25]);
    expect([...b.u8]).toEqual([2, 255]);
    expect([...b.big]).toEqual([-1n]);
    expect(Buffer.isBuffer(b.buf) && b.buf.toString()).toBe("héllo");
    expect([...new Uint8Array(b.ab)]).toEqual([9, 8]);
    expect(b.dv.getUint8(0)).toBe(6);
    expect(b.err).toBeInstanceOf(RangeError);
    expect(b.err.message).toBe("out of range");
    expect(b.dec.fatal).toBe(true);
  });

  it("keeps shared references shared and cycles cyclic", async () => {
    const shared = { n: 1 };
    const cyclic: { self?: unknown; list: unknown[] } = { list: [] };
    cyclic.self = cyclic;
    cyclic.list.push(cyclic, shared);
    const m = new Map<string, unknown>();
    m.set("me", m);
    const b = await roundTrip({ a: shared, b: shared, cyclic, m });
    expect(b.a).toBe(b.b);
    expect(b.cyclic.self).toBe(b.cyclic);
    expect(b.cyclic.list[0]).toBe(b.cyclic);
    expect(b.cyclic.list[1]).toBe(b.a);
    expect(b.m.get("me")).toBe(b.m);
  });

  it("keeps accessors, frozen objects and symbol-keyed properties", async () => {
    const o = {
      base: 2,
      get doubled() {
        return this.base * 2;
      },
      [Symbol.for("tag")]: "tagged",
    };
    const frozen = Object.freeze({ x: 1 });
    const b = await roundTrip({ o, frozen });
    expect(b.o.doubled).toBe(4);
    b.o.base = 5;
    expect(b.o.doubled).toBe(10);
    expect(b.o[Symbol.for("tag")]).toBe("tagged");
    expect(Object.isFrozen(b.frozen)).toBe(true);
  });
});

describe("functions", () => {
  it("rebuilds a lambda capturing a number", async () => {
    const k = 3;
    const addK = (x: number) => x + k;
    const f = await roundTrip(addK);
    expect(f).not.toBe(addK);
    expect(f(1)).toBe(4);
    expect(f.name).toBe("addK");
  });

  it("reads captured values when serialized, not when defined", async () => {
    let threshold = 1;
    const above = (x: number) => x > threshold;
    threshold = 10;
    const f = await roundTrip(above);
    expect(f(5)).toBe(false);
    expect(f(11)).toBe(true);
  });

  it("rebuilds lambdas capturing an object, another function, a Map, a class instance", async () => {
    const config = { prefix: ">", sizes: [1, 2] };
    const double = (x: number) => x * 2;
    const lookup = new Map([["a", 1], ["b", 2]]);
    class Scaler {
      constructor(readonly factor: number) {}
      scale(x: number) {
        return x * this.factor;
      }
    }
    const scaler = new Scaler(10);
    const fn = (key: string) => `${config.prefix}${scaler.scale(double(lookup.get(key) ?? 0))}${config.sizes.length}`;
    const f = await roundTrip(fn);
    expect(f("b")).toBe(">402");
    expect(f("zzz")).toBe(">02");
  });

  it("rebuilds function declarations, async functions, generators and classes", async () => {
    const base = 100;
    function plain(x: number) {
      return x + base;
    }
    async function later(x: number) {
      return x + base;
    }
    function* count(n: number) {
      for (let i = 0; i < n; i++) yield i + base;
    }
    async function* agen() {
      yield base;
    }
    const b = await roundTrip({ plain, later, count, agen });
    expect(b.plain(1)).toBe(101);
    expect(await b.later(2)).toBe(102);
    expect([...b.count(2)]).toEqual([100, 101]);
    const got: number[] = [];
    for await (const v of b.agen()) got.push(v);
    expect(got).toEqual([100]);
  });

  it("rebuilds recursive functions (a function that captures itself)", async () => {
    function fact(n: number): number {
      return n <= 1 ? 1 : n * fact(n - 1);
    }
    const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
    const b = await roundTrip({ fact, fib });
    expect(b.fact(5)).toBe(120);
    expect(b.fib(10)).toBe(55);
    expect(b.fact).not.toBe(fact);
  });

  it("gives each closure made in a loop its own value", async () => {
    const fns: Array<() => number> = [];
    for (let i = 0; i < 3; i++) fns.push(() => i * 10);
    const back = await roundTrip(fns);
    expect(back.map((f) => f())).toEqual([0, 10, 20]);
  });

  it("shares a captured object between two functions", async () => {
    const state = { hits: 0 };
    const inc = () => ++state.hits;
    const read = () => state.hits;
    const b = await roundTrip({ inc, read });
    b.inc();
    b.inc();
    expect(b.read()).toBe(2);
    expect(state.hits).toBe(0);
  });

  it("keeps an arrow's lexical this", async () => {
    class Multiplier {
      factor = 3;
      make() {
        return (x: number) => x * this.factor;
      }
    }
    const f = await roundTrip(new Multiplier().make());
    expect(f(2)).toBe(6);
  });

  it("keeps function properties and constructor-function prototypes", async () => {
    const tag = "t";
    function Point(this: { x: number }, x: number) {
      this.x = x;
    }
    Point.prototype.describe = function (this: { x: number }) {
      return `${tag}${this.x}`;
    };
    const described = Object.assign((x: number) => x, { displayName: "identity" });
    const b = await roundTrip({ Point, p: new (Point as unknown as new (x: number) => { describe(): string })(4), described });
    expect(b.p.describe()).toBe("t4");
    expect(new (b.Point as unknown as new (x: number) => { describe(): string })(7).describe()).toBe("t7");
    expect(b.described.displayName).toBe("identity");
  });

  it("rebuilds functions without metadata that use only globals", async () => {
    const noMeta = new Function("x", "return Math.max(x, 1) + JSON.stringify([x]).length");
    const f = await roundTrip(noMeta as (x: number) => number);
    expect(f(5)).toBe(5 + 3);
  });

  it("rebuilds a rebuilt function again (worker → worker)", async () => {
    const factor = 7;
    const lookup = { a: 1 };
    const times = (x: number) => x * factor + lookup.a;
    const once = await roundTrip(times);
    expect(functionMeta(once)?.captures?.()).toEqual({ factor: 7, lookup: { a: 1 } });
    const twice = await roundTrip(once);
    expect(twice(2)).toBe(15);
  });
});

// A stand-in for the SDK's DoFn: a library class that travels by name.
class LibraryDoFn<I, O> {
  out: O[] = [];
  setup(): void {}
  processElement(_c: { element(): I; output(o: O): void }): void {}
  label(): string {
    return "LibraryDoFn";
  }
}
registerKnown("test.LibraryDoFn", LibraryDoFn);

describe("classes", () => {
  it("rebuilds a class hierarchy over a known base, with super calls and static fields", async () => {
    const suffix = "!";
    class ExtractFn extends LibraryDoFn<string, string> {
      static created = 0;
      minLength = 1;
      override processElement(c: { element(): string; output(o: string): void }) {
        for (const w of c.element().split(" ")) if (w.length >= this.minLength) c.output(this.decorate(w));
      }
      decorate(w: string) {
        return w;
      }
      override label() {
        return `Extract<${super.label()}>`;
      }
    }
    class LoudExtractFn extends ExtractFn {
      override decorate(w: string) {
        return super.decorate(w).toUpperCase() + suffix;
      }
      override label() {
        return "Loud" + super.label();
      }
    }
    ExtractFn.created = 5;
    const fn = new LoudExtractFn();
    fn.minLength = 2;
    const back = await roundTrip(fn);
    expect(back).toBeInstanceOf(LibraryDoFn);
    expect(back).not.toBeInstanceOf(LoudExtractFn);
    const out: string[] = [];
    back.processElement({ element: () => "a bb ccc", output: (o) => out.push(o) });
    expect(out).toEqual(["BB!", "CCC!"]);
    expect(back.label()).toBe("LoudExtract<LibraryDoFn>");
    const Rebuilt = back.constructor as typeof LoudExtractFn;
    expect(Rebuilt.name).toBe("LoudExtractFn");
    expect(Rebuilt.created).toBe(5);
    expect(Object.getPrototypeOf(Rebuilt).name).toBe("ExtractFn");
  });

  it("rebuilds a class whose static field holds an instance of itself", async () => {
    class Unit {
      static readonly ONE = new Unit(1);
      constructor(readonly v: number) {}
      plus(o: Unit) {
        return new Unit(this.v + o.v);
      }
    }
    const b = await roundTrip(new Unit(2));
    expect(b.plus((b.constructor as typeof Unit).ONE).v).toBe(3);
  });

  it("rebuilds an object-literal CombineFn (methods are not standalone expressions)", async () => {
    const start = 0;
    const sumFn = {
      createAccumulator() {
        return start;
      },
      addInput(acc: number, x: number) {
        return acc + x;
      },
      mergeAccumulators(accs: Iterable<number>) {
        let s = start;
        for (const a of accs) s += a;
        return s;
      },
      extractOutput: (acc: number) => `sum=${acc}`,
      async *[Symbol.asyncIterator]() {
        yield 1;
      },
    };
    const b = await roundTrip(sumFn);
    const acc = [1, 2, 3].reduce((a, x) => b.addInput(a, x), b.createAccumulator());
    expect(b.extractOutput(b.mergeAccumulators([acc, 4]))).toBe("sum=10");
  });
});

describe("modules", () => {
  it("records imports by module and rebuilds them by import", async () => {
    const sep = "/";
    const joinAll = (parts: string[]) => join(...parts) + sep;
    const sv = serializeValue(joinAll);
    expect(JSON.stringify(sv)).toContain('{"$":"module","specifier":"node:path","export":"join"}');
    const f = (await rebuildValue(sv)) as typeof joinAll;
    expect(f(["a", "b"])).toBe("a/b/");
  });

  it("imports relative modules by absolute file URL", async () => {
    const greeter = new Greeter("Hello");
    const fn = (name: string) => shout(greeter.greet(name));
    const sv = serializeValue(fn);
    const text = JSON.stringify(sv);
    expect(text).toMatch(/"specifier":"file:\/\/\/[^"]*fixtures\/helpers\.ts","export":"shout"/);
    // The instance is copied, and so is its class: the fixture is instrumented too (test/**).
    expect(text).toMatch(/"form":"class","source":"class Greeter/);
    const f = (await rebuildValue(sv)) as typeof fn;
    expect(f("you")).toBe("HELLO, YOU!");
  });

  it("sends imports of primitives and namespace imports by module reference, never by value", async () => {
    const fn = (x: unknown) => `${threadId}${SEPARATOR}${nodeUtil.format("%s", x)}`;
    const sv = serializeValue(fn);
    const text = JSON.stringify(sv);
    expect(text).toContain('["threadId",{"$":"module","specifier":"node:worker_threads","export":"threadId"}]');
    expect(text).toMatch(/\["SEPARATOR",\{"\$":"module","specifier":"file:\/\/\/[^"]*fixtures\/helpers\.ts","export":"SEPARATOR"\}\]/);
    expect(text).toContain('["nodeUtil",{"$":"module","specifier":"node:util","export":"*"}]');
    const f = (await rebuildValue(JSON.parse(text) as SerializedValue)) as typeof fn;
    expect(f(7)).toBe(`${threadId} | 7`);
  });

  it("rebuilds references to Node's built-in modules synchronously too", () => {
    const fn = (x: unknown) => `${threadId}:${nodeUtil.format("%s", x)}:${join("a", "b")}`;
    const f = rebuildValueSync(serializeValue(fn)) as typeof fn;
    expect(f(1)).toBe(`${threadId}:1:${join("a", "b")}`);
    expect(() => rebuildValueSync(serializeValue(() => SEPARATOR))).toThrow(/must be imported \(use rebuildValue\)/);
  });

  it("sends known objects by name", async () => {
    const m = Math;
    const pick = (xs: number[]) => m.max(...xs) + JSON.stringify(xs).length;
    const sv = serializeValue({ pick, base: LibraryDoFn, max: Math.max, push: Array.prototype.push });
    const text = JSON.stringify(sv);
    expect(text).toContain('{"$":"known","name":"Math"}');
    expect(text).toContain('{"$":"known","name":"test.LibraryDoFn"}');
    expect(text).toContain('{"$":"known","name":"Math.max"}');
    expect(text).toContain('{"$":"known","name":"Array.prototype.push"}');
    const b = (await rebuildValue(sv)) as { pick: typeof pick; base: unknown; max: unknown; push: unknown };
    expect(b.pick([1, 5])).toBe(5 + 5);
    expect(b.base).toBe(LibraryDoFn);
    expect(b.max).toBe(Math.max);
    expect(b.push).toBe(Array.prototype.push);
  });
});

describe("metadata", () => {
  it("is attached to functions defined in test files (the Vite plugin)", () => {
    const local = 1;
    const f = () => local;
    const meta = (f as unknown as Record<symbol, { captures(): unknown; file: string; line: number }>)[FN_META];
    expect(meta.captures()).toEqual({ local: 1 });
    expect(meta.file).toBe(import.meta.url);
    expect(typeof meta.line).toBe("number");
  });
});
