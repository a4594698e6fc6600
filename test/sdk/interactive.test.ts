import { describe, expect, it, vi } from "vitest";
import { Count, Create, KV, Pipeline, collect, show } from "../../src/index.js";

describe("collect and show", () => {
  it("collect brings a PCollection's elements back, at most n", async () => {
    const p = Pipeline.create({ parallelism: 2 });
    const counts = p.apply(Create.of("a", "b", "a")).apply(Count.perElement());
    expect((await collect(counts)).sort((x, y) => x.key.localeCompare(y.key))).toEqual([KV.of("a", 2), KV.of("b", 1)]);
    const nums = p.apply("Nums", Create.ofIterable(Array.from({ length: 5000 }, (_, i) => i)));
    const some = await collect(nums, { n: 10 });
    expect(some).toHaveLength(10);
    for (const x of some) expect(x).toBeGreaterThanOrEqual(0);
  });

  it("show prints a sample with the PCollection's name", async () => {
    const p = Pipeline.create({ inProcess: true });
    const words = p.apply("Words", Create.of("x", "y"));
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    let printed = "";
    try {
      await show(words);
      printed = String(log.mock.calls[0]?.[0]);
    } finally {
      log.mockRestore();
    }
    expect(printed).toMatch(/^Words\.out: 2 element\(s\)/);
    expect(printed).toContain('"x"');
  });

  it("collect refuses a bad n", async () => {
    const p = Pipeline.create({ inProcess: true });
    await expect(collect(p.apply(Create.of(1)), { n: -1 })).rejects.toThrow(/n must be a non-negative integer/);
  });
});
