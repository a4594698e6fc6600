/**
 * The unbounded sources' readers against the UnboundedSourceImpl contract, with real timers and
 * real files: GenerateSequence with a rate (Beam's UnboundedCountingSource) and TextIO's
 * watchForNewFiles. The runners' halves: test/runners/flink/unbounded_sources.test.ts (Flink).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DoFn, Duration, GenerateSequence, ParDo, Pipeline, TextIO, type ProcessContext } from "../../src/index.js";
import { sourceFor, unboundedSourceFor, type UnboundedReader, type UnboundedSourceImpl } from "../../src/io/registry.js";
import { MAX_NUMBERS_PER_POLL, SequenceReader, type SequenceCheckpoint } from "../../src/io/sequence/unbounded_sequence.js";
import { WATCH_READ_BYTES, type WatchCheckpoint } from "../../src/io/text/watch_source.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../src/sdk/values/time.js";
import { Urns } from "../../src/graph/types.js";
import { IO_KEY, readCtx, tempDir } from "./helpers.js";

type El = { value: unknown; timestamp: number };

/** Polls until done (or `until` says stop), checking the watermark contract on the way. */
async function drain(r: UnboundedReader, until: (got: El[]) => boolean = () => false, maxWaitMs = 200): Promise<{ got: El[]; done: boolean }> {
  const got: El[] = [];
  for (;;) {
    const wmBefore = r.watermark();
    const { elements, done } = await r.poll(maxWaitMs);
    const earliest = elements.reduce((m, e) => Math.min(m, e.timestamp), Infinity);
    if (elements.length) expect(earliest, "an element earlier than the watermark before its poll").toBeGreaterThanOrEqual(wmBefore);
    expect(r.watermark()).toBeGreaterThanOrEqual(wmBefore);
    got.push(...elements);
    if (done) {
      expect(r.watermark()).toBe(TIMESTAMP_MAX);
      return { got, done };
    }
    if (until(got)) return { got, done };
  }
}

/** Every split's payload round-tripped through JSON, as the runners pass them. */
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function payloadOf(t: GenerateSequence | ReturnType<typeof TextIO.read>): { urn: string; payload: any; bounded: boolean } {
  const p = Pipeline.create();
  const pc = p.apply("Src", t as any) as { id: string };
  const g = p.toJSON();
  const node = g.pcollections[pc.id]!;
  const tr = g.transforms[node.producer]!;
  return { urn: tr.urn, payload: json(tr.payload), bounded: node.isBounded };
}

describe("GenerateSequence's unbounded reader", () => {
  const src = unboundedSourceFor(Urns.GENERATE_SEQUENCE)!;

  it("is registered beside the bounded one; each refuses the other's payloads", async () => {
    const unb = payloadOf(GenerateSequence.from(0).withRate(5, Duration.seconds(1)));
    const bnd = payloadOf(GenerateSequence.from(0).to(10));
    expect([unb.bounded, bnd.bounded]).toEqual([false, true]);
    expect(src.unbounded).toBe(true);
    await expect(src.split(bnd.payload, 2)).rejects.toThrow(/bounded sequence/);
    await expect(sourceFor(Urns.GENERATE_SEQUENCE)!.split(unb.payload, 2)).rejects.toThrow(/bounded sequences only/);
  });

  it("keeps the rate over its readers (stride splits) and ends at the maximum read time with exactly the numbers due before it", async () => {
    const { payload } = payloadOf(GenerateSequence.from(100).withRate(40, Duration.seconds(1)).withMaxReadTime(Duration.millis(300)));
    const splits = json(await src.split(payload, 3));
    expect(splits).toEqual([{ index: 0, count: 3 }, { index: 1, count: 3 }, { index: 2, count: 3 }]);
    const readers = await Promise.all(splits.map((s) => src.open(payload, s, undefined, readCtx())));
    const results = await Promise.all(readers.map((r) => drain(r)));
    results.forEach(({ got }, i) => {
      // Split i reads 100 + i, 100 + i + 3, …: due at k · 25 ms, k < 12 (300 ms · 40/s).
      expect(got.map((e) => e.value)).toEqual([100, 103, 106, 109, 112, 115, 118, 121, 124, 127, 130, 133].map((v) => v + i).filter((v) => v < 112));
      const ts = got.map((e) => e.timestamp);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    });
    expect(results.flatMap((r) => r.got.map((e) => e.value)).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 12 }, (_, k) => 100 + k));
    for (const r of readers) await r.close();
  });

  it("emits a number only once it is due, stamped with the time it is emitted (a clock of the test's own)", async () => {
    let now = 1_000_000;
    const { payload } = payloadOf(GenerateSequence.from(0).withRate(2, Duration.seconds(1)).to(5));
    const r = new SequenceReader(payload, { index: 0, count: 1 }, undefined, () => now);
    expect(r.watermark()).toBe(TIMESTAMP_MIN);
    expect(await r.poll(0)).toEqual({ elements: [{ value: 0, timestamp: 1_000_000 }], done: false });
    now += 499;
    expect(await r.poll(0)).toEqual({ elements: [], done: false });
    expect(r.watermark()).toBe(1_000_499); // the latest poll: nothing later is stamped earlier
    now += 1;
    expect(await r.poll(0)).toEqual({ elements: [{ value: 1, timestamp: 1_000_500 }], done: false });
    now += 10_000; // a reader that was not polled catches up, stamping what it emits now
    expect(await r.poll(0)).toEqual({ elements: [2, 3, 4].map((value) => ({ value, timestamp: 1_010_500 })), done: false });
    expect(await r.poll(0)).toEqual({ elements: [], done: true });
    expect(r.watermark()).toBe(TIMESTAMP_MAX);
  });

  it("without a rate emits as fast as polled, at most MAX_NUMBERS_PER_POLL at a time", async () => {
    const { payload } = payloadOf(GenerateSequence.from(0).to(25_000).withMaxReadTime(Duration.seconds(600)));
    const r = await src.open(payload, (await src.split(payload, 1))[0]!, undefined, readCtx());
    const first = await r.poll(0);
    expect(first.elements.length).toBe(MAX_NUMBERS_PER_POLL);
    const { got } = await drain(r);
    expect(first.elements.length + got.length).toBe(25_000);
    expect(got.at(-1)!.value).toBe(24_999);
  });

  it("resumes from a checkpoint after the last number emitted: none lost, none repeated", async () => {
    const { payload } = payloadOf(GenerateSequence.from(0).to(60).withRate(200, Duration.seconds(1)));
    const splits = json(await src.split(payload, 2));
    const seen: number[] = [];
    for (const s of splits) {
      const r1 = await src.open(payload, s, undefined, readCtx());
      const a = await drain(r1, (got) => got.length >= 7);
      const cp = json(r1.checkpoint()) as SequenceCheckpoint;
      expect(cp.last).toBe(a.got.at(-1)!.value);
      await r1.close();
      const r2 = await src.open(payload, s, cp, readCtx());
      expect(r2.watermark()).toBe(cp.watermark);
      const b = await drain(r2);
      seen.push(...[...a.got, ...b.got].map((e) => e.value as number));
    }
    expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });
});

describe("TextIO.read().watchForNewFiles()", () => {
  const src: UnboundedSourceImpl = unboundedSourceFor(Urns.TEXT_READ)!;
  const watch = (dir: string, pollMs: number, stopMs?: number) =>
    payloadOf(TextIO.read().from(join(dir, "*.txt")).watchForNewFiles(Duration.millis(pollMs), stopMs === undefined ? {} : { stopAfterNoNewFilesFor: Duration.millis(stopMs) }));
  const open = async (payload: any, cp?: unknown, ctx = readCtx()) => src.open(payload, (await src.split(payload, 4))[0]!, cp, ctx);
  // Whole seconds: utimes takes seconds as a float, and a millisecond part may come back one less.
  const mtimeOf = (path: string, ms: number) => {
    expect(ms % 1000).toBe(0);
    utimesSync(path, ms / 1000, ms / 1000);
  };
  const wholeSecondsAgo = (s: number) => Math.floor(Date.now() / 1000 - s) * 1000;

  it("makes an unbounded read; the bounded text source refuses it", async () => {
    const dir = tempDir();
    const w = watch(dir, 100, 1000);
    expect(w.bounded).toBe(false);
    expect(w.payload.watch).toEqual({ pollIntervalMillis: 100, stopAfterNoNewFilesMillis: 1000 });
    expect(payloadOf(TextIO.read().from(join(dir, "*.txt"))).bounded).toBe(true);
    await expect(sourceFor(Urns.TEXT_READ)!.split(w.payload, 2)).rejects.toThrow(/watching for new files needs a streaming run/);
    expect(() => TextIO.read().from("x").watchForNewFiles(0)).toThrow(/positive poll interval/);
    expect(await src.split(w.payload, 4)).toHaveLength(1);
  });

  it("reads files there at the start and files written later, each once, lines stamped with the file's modification time, in that time's order", async () => {
    const dir = tempDir();
    const t0 = wholeSecondsAgo(60);
    writeFileSync(join(dir, "b.txt"), "b1\nb2\n");
    writeFileSync(join(dir, "a.txt"), "a1\r\na2");
    writeFileSync(join(dir, "skip.csv"), "not matched\n");
    mtimeOf(join(dir, "b.txt"), t0);
    mtimeOf(join(dir, "a.txt"), t0 + 1000);
    const { payload } = watch(dir, 40, 400);
    const ctx = readCtx();
    const r = await open(payload, undefined, ctx);
    const first = await drain(r, (got) => got.length >= 4);
    expect(first.got).toEqual([
      { value: "b1", timestamp: t0 },
      { value: "b2", timestamp: t0 },
      { value: "a1", timestamp: t0 + 1000 },
      { value: "a2", timestamp: t0 + 1000 },
    ]);
    // The watermark is the latest listing's start by now: a file written after it is stamped later.
    const wm = r.watermark();
    expect(wm).toBeGreaterThan(t0 + 1000);
    writeFileSync(join(dir, "c.txt"), "c1\n");
    const rest = await drain(r);
    expect(rest.done).toBe(true);
    expect(rest.got.map((e) => e.value)).toEqual(["c1"]);
    expect(rest.got[0]!.timestamp).toBeGreaterThanOrEqual(wm);
    expect(ctx.metrics.counters.get(IO_KEY("bytesRead"))).toBe(6 + 6 + 3);
    await r.close();
  });

  it("reads a file only once two listings in a row found it unchanged: a file still growing is read whole", async () => {
    const dir = tempDir();
    const { payload } = watch(dir, 30, 200);
    const r = await open(payload);
    writeFileSync(join(dir, "grow.txt"), "1\n");
    expect(await r.poll(0)).toEqual({ elements: [], done: false }); // the first listing: seen, not complete
    expect((r.checkpoint() as WatchCheckpoint).pending.map((p) => p[0])).toEqual([join(dir, "grow.txt")]);
    // It grows before the next listing: that listing finds it changed, the one after unchanged.
    appendFileSync(join(dir, "grow.txt"), "2\n3");
    const { got } = await drain(r);
    expect(got.map((e) => e.value)).toEqual(["1", "2", "3"]);
  });

  it("a file moved in with an older modification time than the watermark is read, as late data", async () => {
    const dir = tempDir();
    const { payload } = watch(dir, 30, 300);
    const r = await open(payload);
    writeFileSync(join(dir, "first.txt"), "x\n");
    await drain(r, (got) => got.length >= 1);
    const old = wholeSecondsAgo(3600);
    mkdirSync(join(dir, "staging"));
    writeFileSync(join(dir, "staging", "late.txt"), "late\n");
    mtimeOf(join(dir, "staging", "late.txt"), old);
    const wm = r.watermark();
    renameSync(join(dir, "staging", "late.txt"), join(dir, "late.txt"));
    const got: El[] = [];
    for (;;) {
      const p = await r.poll(100);
      got.push(...p.elements);
      if (p.done) break;
    }
    expect(got).toEqual([{ value: "late", timestamp: old }]);
    expect(old).toBeLessThan(wm);
  });

  it("reads a compressed file whole (by its extension), lines at its modification time", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "z.gz"), gzipSync(Buffer.from("\uFEFFz1\nz2\r\nz3")));
    const t = wholeSecondsAgo(5);
    mtimeOf(join(dir, "z.gz"), t);
    const { payload } = payloadOf(TextIO.read().from(join(dir, "*.gz")).watchForNewFiles(Duration.millis(30), { stopAfterNoNewFilesFor: Duration.millis(150) }));
    const { got } = await drain(await open(payload));
    expect(got).toEqual(["z1", "z2", "z3"].map((value) => ({ value, timestamp: t })));
  });

  it("resumes from a checkpoint in the middle of a file: the files read are not read again, the file being read goes on at its next line", async () => {
    const dir = tempDir();
    const lines = Array.from({ length: 120_000 }, (_, i) => `line ${i} ${"x".repeat(i % 17)}`);
    const big = lines.join("\n") + "\n";
    expect(big.length).toBeGreaterThan(WATCH_READ_BYTES);
    writeFileSync(join(dir, "a-small.txt"), "s1\ns2\n");
    writeFileSync(join(dir, "big.txt"), big);
    const t = wholeSecondsAgo(10);
    mtimeOf(join(dir, "a-small.txt"), t);
    mtimeOf(join(dir, "big.txt"), t + 1000);
    const { payload } = watch(dir, 30, 200);
    const r1 = await open(payload);
    const a = await drain(r1, (got) => got.length > 2);
    const cp = json(r1.checkpoint()) as WatchCheckpoint;
    await r1.close();
    expect(cp.taken.sort()).toEqual([join(dir, "a-small.txt"), join(dir, "big.txt")]);
    expect(cp.queue).toHaveLength(1);
    expect(cp.queue[0]!.offset).toBeGreaterThan(0);
    expect(cp.queue[0]!.offset).toBeLessThan(big.length);
    writeFileSync(join(dir, "z-new.txt"), "z\n");
    const r2 = await open(payload, cp);
    expect(r2.watermark()).toBe(cp.watermark);
    const b = await drain(r2);
    const all = [...a.got, ...b.got].map((e) => e.value);
    expect(all).toEqual(["s1", "s2", ...lines, "z"]);
    expect(b.got.filter((e) => e.value !== "z").every((e) => e.timestamp === t + 1000)).toBe(true);
  });

  it("on the local runner: a pipeline reads the files there and one written after it started, then ends", async () => {
    const dir = tempDir();
    const t0 = wholeSecondsAgo(30);
    writeFileSync(join(dir, "first.txt"), "f1\nf2\n");
    mtimeOf(join(dir, "first.txt"), t0);
    const marker = join(dir, "reading");
    const out = join(dir, "out");
    const p = Pipeline.create({ parallelism: 2 });
    p.apply("Watch", TextIO.read().from(join(dir, "*.txt")).watchForNewFiles(Duration.millis(50), { stopAfterNoNewFilesFor: Duration.seconds(4) }))
      .apply("Stamp", ParDo.of(new WithTimestamp(marker)))
      .apply("Write", TextIO.write().to(join(out, "part")));
    const res = p.run();
    let ended = false;
    res.waitUntilFinish(60_000).then(
      () => (ended = true),
      () => (ended = true),
    );
    while (!existsSync(marker) && !ended) await new Promise((r) => setTimeout(r, 20));
    expect(res.state, "the run ended before it was seen reading").toBe("RUNNING");
    writeFileSync(join(dir, "later.txt"), "l1\nl2");
    const t1 = Number(statSync(join(dir, "later.txt"), { bigint: true }).mtimeNs / 1_000_000n);
    expect(await res.waitUntilFinish(60_000)).toBe("DONE");
    const got = readdirSync(out)
      .flatMap((f) => readFileSync(join(out, f), "utf8").split("\n"))
      .filter((l) => l !== "")
      .sort();
    expect(got).toEqual([`f1@${t0}`, `f2@${t0}`, `l1@${t1}`, `l2@${t1}`]);
  }, 90_000);
});

/** Each element with its timestamp; with `marker`, writes that file once it has seen an element. */
class WithTimestamp extends DoFn<unknown, string> {
  constructor(readonly marker?: string) {
    super();
  }
  processElement(c: ProcessContext<unknown, string>) {
    if (this.marker) writeFileSync(this.marker, String(c.element()));
    c.output(`${String(c.element())}@${c.timestamp()}`);
  }
}

