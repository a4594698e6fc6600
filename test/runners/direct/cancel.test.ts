/**
 * Issue 13, point 6, on the local runner's worker threads: `cancel()` of a long pipeline stops
 * every worker within a second — a DoFn that never yields included (its thread is terminated and
 * replaced) — and leaves nothing under the output's final name, nor its temporary files.
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DoFn, ParDo, Pipeline, TextIO, type ProcessContext } from "../../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "flowbook-cancel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const input = join(dir, "input.txt");
writeFileSync(input, Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join("\n") + "\n");

/** Slow on purpose: busy-waits per element (never yields), or forever; leaves a heartbeat per element. */
class Slow extends DoFn<string, string> {
  constructor(private readonly beat: string, private readonly forever: boolean) {
    super();
  }
  processElement(c: ProcessContext<string, string>) {
    appendFileSync(this.beat, ".");
    const until = Date.now() + 2;
    while (this.forever || Date.now() < until) {
      // busy
    }
    c.output(c.element());
  }
}

const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Waits for a 250 ms window in which this process (every thread of it) used under 15% of a core. */
async function idleWindow(ms = 15_000): Promise<number> {
  const end = Date.now() + ms;
  let best = Infinity;
  while (Date.now() < end) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(250);
    const c = process.cpuUsage(c0);
    const share = (c.user + c.system) / 1000 / (performance.now() - t0);
    best = Math.min(best, share);
    if (share < 0.15) return share;
  }
  return best;
}

describe("cancel() on the local runner's worker threads", () => {
  for (const forever of [false, true]) {
    it(`stops every worker within a second (a DoFn that ${forever ? "never returns" : "busy-waits per element"}); nothing under the final name, no temporary files`, async () => {
      const beat = join(dir, `beat-${forever}`);
      const out = join(dir, `out-${forever}`);
      const p = Pipeline.create({ parallelism: 2, inProcess: false });
      p.apply(TextIO.read().from(input)).apply("Slow", ParDo.of(new Slow(beat, forever))).apply(TextIO.write().to(join(out, "part")));
      const r = p.run();
      await until("the DoFn to run", () => size(beat) > 0);
      await sleep(1000);
      expect(r.state).toBe("RUNNING");
      const t0 = performance.now();
      await expect(r.cancel()).resolves.toBe("CANCELLED");
      expect(performance.now() - t0).toBeLessThan(1000);
      // No DoFn runs any more: the heartbeat stands still...
      await sleep(100);
      const after = size(beat);
      await sleep(500);
      expect(size(beat)).toBe(after);
      // ...and nothing was written: no final file, no temporary one.
      expect(existsSync(out) ? readdirSync(out, { recursive: true }).map(String) : []).toEqual([]);
      // The threads are idle (replacements included, once loaded): no thread spins on.
      expect(await idleWindow()).toBeLessThan(0.15);
    });
  }
});

describe("cancel() of a run in this thread (inProcess: true)", () => {
  it("stops the running task at its next element once the thread gets the cancel (between the source's chunks), not at the task's end", async () => {
    // Many cheap elements: one task, reading its input in chunks of about a megabyte.
    const big = join(dir, "big.txt");
    writeFileSync(big, Array.from({ length: 400_000 }, (_, i) => `line ${i}`).join("\n") + "\n");
    const beat = join(dir, "beat-inline");
    const out = join(dir, "out-inline");
    class Busy extends DoFn<string, string> {
      constructor(private readonly beat: string) {
        super();
      }
      override startBundle() {
        appendFileSync(this.beat, ".");
      }
      processElement(c: ProcessContext<string, string>) {
        const until = performance.now() + 0.005;
        while (performance.now() < until) {
          // busy
        }
        c.output(c.element());
      }
    }
    const p = Pipeline.create({ inProcess: true });
    p.apply(TextIO.read().from(big)).apply("Busy", ParDo.of(new Busy(beat))).apply(TextIO.write().to(join(out, "part")));
    const t00 = performance.now();
    const r = p.run();
    await until("the DoFn to run", () => size(beat) > 0);
    await sleep(300);
    const t0 = performance.now();
    const state = await r.cancel();
    const took = performance.now() - t0;
    expect(state).toBe("CANCELLED");
    // The whole task takes seconds (400 000 elements of some microseconds each); the cancel, at most the rest of a chunk.
    expect(took, `cancel took ${took} ms, ${t0 - t00} ms into the run`).toBeLessThan(1000);
    expect(existsSync(out) ? readdirSync(out, { recursive: true }).map(String) : []).toEqual([]);
  });
});
