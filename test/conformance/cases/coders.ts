/**
 * Coders as runners use them: the coder a PCollection has (set or inferred) is the one its
 * elements cross a shuffle with; keys group by their encoded bytes; an element its coder
 * cannot encode fails the run clearly.
 */
import {
  Create, DoubleCoder, GroupByKey, JsonCoder, KV, KvCoder, MapElements, NullableCoder, PAssert, StringUtf8Coder, VarLongCoder,
} from "../../../src/index.js";
import type { PipelineCase } from "../harness.js";

class Point {
  constructor(readonly x: number, readonly y: number) {}
  norm() { return Math.hypot(this.x, this.y); }
}

const sortedValues = (kv: KV<unknown, unknown[]>) => `${JSON.stringify(kv.key)}=${kv.value.map((v) => JSON.stringify(v)).sort().join("|")}`;

export const coderCases: PipelineCase[] = [
  {
    name: "setCoder: elements cross a GroupByKey with the coder set (JsonCoder turns a Date into its ISO text)",
    build(p) {
      const events = p
        .apply(Create.of("a", "b"))
        .apply("When", MapElements.via((k: string) => KV.of(k, { at: new Date(Date.UTC(2020, 0, k === "a" ? 1 : 2)), skip: undefined })))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), JsonCoder.of()) as never);
      const grouped = events.apply(GroupByKey.create<string, { at: unknown; skip?: unknown }>());
      PAssert.that(grouped.apply("Show", MapElements.via((kv: KV<string, Array<{ at: unknown; skip?: unknown }>>) =>
        `${kv.key}:${typeof kv.value[0]!.at}:${String(kv.value[0]!.at)}:${"skip" in kv.value[0]!}`)))
        .containsInAnyOrder("a:string:2020-01-01T00:00:00.000Z:false", "b:string:2020-01-02T00:00:00.000Z:false");
    },
  },
  {
    name: "coders inferred from Create values keep every plain-data type intact through a shuffle",
    build(p) {
      const values: unknown[] = [
        null, undefined, true, 0, -7, 2 ** 53 - 1, 0.1, -1.5e300, Infinity, 12345678901234567890n, "", "snow ☃ 𝄞",
        new Uint8Array([0, 255]), new Date(Date.UTC(2001, 1, 3)), [1, [2, [3]]], { b: 1, a: { c: [null] } },
        new Map<unknown, unknown>([["k", 1], [2, "two"]]), new Set(["x", 3]),
      ];
      const grouped = p.apply(Create.of(...values.map((v, i) => KV.of(i, v)))).apply(GroupByKey.create<number, unknown>());
      PAssert.that(grouped.apply("Describe", MapElements.via((kv: KV<number, unknown[]>) => {
        const v = kv.value[0];
        // GeneralObjectCoder writes object fields, Map entries and Set elements sorted (it is deterministic): compare sorted.
        const sortedJSON = (x: unknown): string => JSON.stringify(x, (_k, o) => (o && typeof o === "object" && !Array.isArray(o) ? Object.fromEntries(Object.entries(o).sort()) : o));
        const d = v instanceof Map ? `Map${JSON.stringify([...v].sort((a, b) => String(a[0]).localeCompare(String(b[0]))))}` : v instanceof Set ? `Set${JSON.stringify([...v].sort())}`
          : v instanceof Uint8Array ? `Bytes${[...v].join(",")}` : v instanceof Date ? `Date${v.toISOString()}`
          : typeof v === "bigint" ? `${v}n` : typeof v === "number" ? `num${v}` : v === undefined ? "undefined" : sortedJSON(v);
        return `${kv.key}:${d}`;
      }))).containsInAnyOrder(
        "0:null", "1:undefined", "2:true", "3:num0", "4:num-7", `5:num${2 ** 53 - 1}`, "6:num0.1", "7:num-1.5e+300", "8:numInfinity",
        "9:12345678901234567890n", '10:""', '11:"snow ☃ 𝄞"', "12:Bytes0,255", "13:Date2001-02-03T00:00:00.000Z", "14:[1,[2,[3]]]",
        '15:{"a":{"c":[null]},"b":1}', '16:Map[[2,"two"],["k",1]]', '17:Set[3,"x"]',
      );
    },
  },
  {
    name: "keys group by value: object keys with fields in another order, array keys, number keys of either coder",
    build(p) {
      const objects = p.apply("Objects", Create.of(KV.of({ a: 1, b: 2 }, "x"), KV.of({ b: 2, a: 1 }, "y"), KV.of({ a: 2, b: 1 }, "z")));
      PAssert.that(objects.apply("GroupObjects", GroupByKey.create<{ a: number; b: number }, string>()).apply("ShowObjects", MapElements.via(sortedValues)))
        .containsInAnyOrder('{"a":1,"b":2}="x"|"y"', '{"a":2,"b":1}="z"');
      const arrays = p.apply("Arrays", Create.of(KV.of([1, "a"], 1), KV.of([1, "a"], 2), KV.of([1, "b"], 3)));
      PAssert.that(arrays.apply("GroupArrays", GroupByKey.create<unknown[], number>()).apply("ShowArrays", MapElements.via(sortedValues)))
        .containsInAnyOrder('[1,"a"]=1|2', '[1,"b"]=3');
      // 1.5 and 2.5 infer DoubleCoder keys, which are not deterministic: inference falls back to GeneralObjectCoder.
      const doubles = p.apply("Doubles", Create.of(KV.of(1.5, "a"), KV.of(2.5, "b"), KV.of(1.5, "c")));
      PAssert.that(doubles.apply("GroupDoubles", GroupByKey.create<number, string>()).apply("ShowDoubles", MapElements.via(sortedValues)))
        .containsInAnyOrder('1.5="a"|"c"', '2.5="b"');
      const ints = p.apply("Ints", Create.of<KV<number, string | null>>(KV.of(1, "a"), KV.of(1, null)).withCoder(KvCoder.of(VarLongCoder.of(), NullableCoder.of(StringUtf8Coder.of())) as never));
      PAssert.that(ints.apply("GroupInts", GroupByKey.create<number, string | null>()).apply("ShowInts", MapElements.via(sortedValues))).containsInAnyOrder('1="a"|null');
    },
  },
  {
    name: "setCoder on Create's output: the created elements are encoded with that coder",
    build(p) {
      const created = p.apply(Create.of<KV<number, string | null>>(KV.of(1, "a"), KV.of(1, null), KV.of(2, "b")))
        .setCoder(KvCoder.of(VarLongCoder.of(), NullableCoder.of(StringUtf8Coder.of())) as never);
      PAssert.that(created.apply(GroupByKey.create<number, string | null>()).apply("Show", MapElements.via(sortedValues)))
        .containsInAnyOrder('1="a"|null', '2="b"');
    },
  },
  {
    name: "a class instance through GeneralObjectCoder fails the run, naming the class and the way out",
    build(p) {
      p.apply(Create.of(1, 2))
        .apply("MakePoints", MapElements.via((n: number) => KV.of("k", new Point(n, n))))
        .apply(GroupByKey.create<string, Point>());
    },
    fails: /MakePoints[\s\S]*GeneralObjectCoder cannot encode[\s\S]*instance of Point[\s\S]*setCoder/,
  },
  {
    name: "an element its declared coder cannot encode (a string for DoubleCoder) fails naming the coder",
    build(p) {
      p.apply(Create.of("1.5", "x"))
        .apply("Wrong", MapElements.via((s: string) => KV.of("k", s === "x" ? s : Number(s))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()) as never)
        .apply(GroupByKey.create<string, number>());
    },
    fails: /Wrong[\s\S]*DoubleCoder/,
  },
];
