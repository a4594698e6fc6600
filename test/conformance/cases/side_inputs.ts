import { Create, KV, PAssert, ParDo, View, type ProcessContext } from "../../../src/index.js";
import type { PipelineCase } from "../harness.js";

export const sideInputCases: PipelineCase[] = [
  {
    name: "side inputs: singleton, iterable, list, map, multimap",
    build(p) {
      const factor = p.apply("Factor", Create.of(10)).apply(View.asSingleton<number>());
      const all = p.apply("All", Create.of(1, 2, 3)).apply(View.asIterable<number>());
      const list = p.apply("List", Create.of("x")).apply(View.asList<string>());
      const map = p.apply("Map", Create.of(KV.of("a", 1), KV.of("b", 2))).apply(View.asMap<string, number>());
      const multi = p.apply("Multi", Create.of(KV.of("a", 1), KV.of("a", 5))).apply(View.asMultimap<string, number>());
      const out = p.apply("Main", Create.of("a", "b")).apply(
        ParDo.of((k: string, c: ProcessContext<string, string>) => {
          const sum = [...c.sideInput(all)].reduce((x, y) => x + y, 0);
          const m = c.sideInput(map);
          const mm = c.sideInput(multi);
          c.output(`${k}:${(m.get(k) ?? 0) * c.sideInput(factor)}:${sum}:${c.sideInput(list).join()}:${(mm.get(k) ?? []).length}`);
        }).withSideInputs(factor, all, list, map, multi),
      );
      PAssert.that(out).containsInAnyOrder("a:10:6:x:2", "b:20:6:x:0");
    },
  },
  {
    name: "a side input computed from the main input",
    build(p) {
      const nums = p.apply(Create.of(1, 2, 3, 4));
      const total = nums.apply(View.asIterable<number>());
      const shares = nums.apply("Share", ParDo.of((n: number, c: ProcessContext<number, string>) => {
        const t = [...c.sideInput(total)].reduce((a, b) => a + b, 0);
        c.output(`${n}/${t}`);
      }).withSideInputs(total));
      PAssert.that(shares).containsInAnyOrder("1/10", "2/10", "3/10", "4/10");
    },
  },
  {
    name: "an empty singleton side input uses its default, or fails clearly",
    build(p) {
      const none = p.apply("None", Create.of(1)).filter(() => false).apply(View.asSingleton<number>().withDefaultValue(42));
      const out = p.apply("Main", Create.of("x")).apply(ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(`${s}${c.sideInput(none)}`)).withSideInputs(none));
      PAssert.that(out).containsInAnyOrder("x42");
    },
  },
  {
    name: "a singleton side input with two elements fails naming it",
    build(p) {
      const two = p.apply("Two", Create.of(1, 2)).apply(View.asSingleton<number>());
      p.apply("Main", Create.of("x")).apply("UseIt", ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(`${s}${c.sideInput(two)}`)).withSideInputs(two));
    },
    fails: /UseIt[\s\S]*has 2 elements/,
  },
];
