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

  it("show prints a sample with the PCollection's name (plain Node: the table's text on stdout)", async () => {
    const p = Pipeline.create({ inProcess: true });
    const words = p.apply("Words", Create.of("x", "y"));
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    let printed = "";
    try {
      await show(words);
      printed = write.mock.calls.map((c) => String(c[0])).join("");
    } finally {
      write.mockRestore();
    }
    expect(printed).toMatch(/^Words/);
    const lines = printed.split("\n");
    expect(lines.filter((l) => /^\s*x\s*$/.test(l) || /^\s*y\s*$/.test(l))).toHaveLength(2);
  });

  it("collect refuses a bad n", async () => {
    const p = Pipeline.create({ inProcess: true });
    await expect(collect(p.apply(Create.of(1)), { n: -1 })).rejects.toThrow(/n must be a non-negative integer/);
  });
});
