/**
 * The local runner's checks by default look at a sample (every element at first, then
 * about one in CHECK_EVERY = 500, per operator per task), and at every element with `checks: "all"`.
 * What sampling finds and what it can miss, said plainly: a coder or DoFn wrong for every
 * element, or for many late ones, is caught; a single bad element late in a large input is
 * caught only by `checks: "all"` (the sample passed over the one below: its gaps are
 * pseudo-random with a fixed seed, so this is the same on every run).
 */
import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter, Coder, Create, MapElements, PAssert, Pipeline, VarLongCoder, type PipelineOptions } from "../../../src/index.js";
import { CHECK_EVERY, CHECK_FIRST, CheckSampler } from "../../../src/runners/shared/check_sampling.js";
import { failure } from "../../support/runs.js";

const N = 40_000;
const numbers = () => Array.from({ length: N }, (_, i) => i);

/** Fails to encode every number. */
class NeverCoder extends Coder<number> {
  readonly urn = "test:coder:never:v1";
  encode(): void {
    throw new Error("this coder encodes nothing");
  }
  decode(input: ByteReader): number {
    return VarLongCoder.of().decode(input);
  }
}

/** Fails to encode the numbers from 20 000 up: half the input, all of it late. */
class LateHalfCoder extends Coder<number> {
  readonly urn = "test:coder:late-half:v1";
  encode(value: number, out: ByteWriter): void {
    if (value >= 20_000) throw new Error(`cannot encode ${value}`);
    VarLongCoder.of().encode(value, out);
  }
  decode(input: ByteReader): number {
    return VarLongCoder.of().decode(input);
  }
}

/** Fails to encode one number only, late in the input. */
class OneBadCoder extends Coder<number> {
  readonly urn = "test:coder:one-bad:v1";
  encode(value: number, out: ByteWriter): void {
    if (value === 31_234) throw new Error(`cannot encode ${value}`);
    VarLongCoder.of().encode(value, out);
  }
  decode(input: ByteReader): number {
    return VarLongCoder.of().decode(input);
  }
}

function copyWith(coder: Coder<number>, options: PipelineOptions) {
  const p = Pipeline.create({ parallelism: 2, ...options });
  const out = p.apply(Create.of(...numbers())).apply("Copy", MapElements.via((n: number) => n)).setCoder(coder);
  PAssert.that(out.apply("Count", MapElements.via(() => 1))).satisfies((xs) => {
    if ([...xs].length !== N) throw new Error(`expected ${N} elements`);
  });
  return p.run();
}

describe("sampled checks (the default)", () => {
  it("check every element at first, then about one in CHECK_EVERY, the same ones on every run", () => {
    const a = new CheckSampler("seed", false);
    const picked: number[] = [];
    for (let i = 1; i <= 1_000_000; i++) if (a.take()) picked.push(i);
    expect(picked.slice(0, CHECK_FIRST)).toEqual(Array.from({ length: CHECK_FIRST }, (_, i) => i + 1));
    const later = picked.length - CHECK_FIRST;
    expect(later).toBeGreaterThan((999_000 / CHECK_EVERY) * 0.9);
    expect(later).toBeLessThan((999_000 / CHECK_EVERY) * 1.1);
    const b = new CheckSampler("seed", false);
    expect(picked.every((i) => {
      while (b.elements < i - 1) b.take();
      return b.take();
    })).toBe(true);
    const all = new CheckSampler("seed", true);
    for (let i = 0; i < 5000; i++) expect(all.take()).toBe(true);
  });

  it("catch a coder that fails for every element, in the first elements", async () => {
    const e = await failure(copyWith(new NeverCoder(), {}));
    expect(e.message).toMatch(/Copy[\s\S]*cannot be encoded with[\s\S]*this coder encodes nothing/);
  });

  it("catch a coder that fails for many late elements (by the sample)", async () => {
    // One task: its first CHECK_FIRST elements encode; the bad ones come after, checked only by the sample.
    const e = await failure(copyWith(new LateHalfCoder(), { parallelism: 1 }));
    // Found by a sampled check: Copy's encodability check, or Count's immutability check (which encodes Count's input with the same coder).
    expect(e.message).toMatch(/(Copy|Count)[\s\S]*LateHalfCoder: cannot encode 2\d\d\d\d/);
  });

  it("can miss a single bad element late in a large input; checks: \"all\" catches it", async () => {
    // The price of sampling: this run's sample passed over element 31 234.
    await expect(copyWith(new OneBadCoder(), {}).waitUntilFinish()).resolves.toBe("DONE");
    const e = await failure(copyWith(new OneBadCoder(), { checks: "all" }));
    expect(e.message).toMatch(/Copy[\s\S]*cannot encode 31234/);
  });

  it("immutability: a DoFn that mutates every input fails; one that mutates a single late input is caught only with checks: \"all\"", async () => {
    const objects = () => Array.from({ length: N }, (_, i) => ({ n: i }));
    const run = (which: "every" | "one", options: PipelineOptions) => {
      const p = Pipeline.create({ parallelism: 2, ...options });
      p.apply(Create.of(...objects())).apply("Mutate", MapElements.via((o: { n: number }) => {
        if (which === "every" || o.n === 31_234) o.n = -1;
        return 1;
      }));
      return p.run();
    };
    expect((await failure(run("every", {}))).message).toMatch(/Mutate[\s\S]*mutated its input element/);
    await expect(run("one", {}).waitUntilFinish()).resolves.toBe("DONE");
    expect((await failure(run("one", { checks: "all" }))).message).toMatch(/Mutate[\s\S]*mutated its input element/);
  });

  it("are off with enforceEncodability: false and enforceImmutability: false, whatever checks says", async () => {
    // Copy's output is never encoded for real here (Copy and Count are fused): nothing fails.
    await expect(copyWith(new NeverCoder(), { enforceEncodability: false, enforceImmutability: false, checks: "all" }).waitUntilFinish()).resolves.toBe("DONE");
  });

  it("refuse an unknown checks mode", async () => {
    const e = await failure(copyWith(new LateHalfCoder(), { checks: "some" as never }));
    expect(e.message).toMatch(/checks must be "sample" \(the default\) or "all"/);
  });
});
