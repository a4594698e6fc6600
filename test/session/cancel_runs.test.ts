/**
 * Issue 13, point 6, in a session: interrupting a cell that waits for a long local pipeline
 * (session.interrupt(), as the kernel's interrupt_request does, or SIGINT, as Ctrl-C does)
 * answers within a second, stops every worker thread (a DoFn that never yields included), and
 * leaves nothing under the output's final name, nor its temporary files.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, test } from "vitest";
import { createSession, type Session } from "../../src/session/session.js";

const dir = mkdtempSync(join(tmpdir(), "flowbook-session-cancel-"));
const input = join(dir, "input.txt");
writeFileSync(input, Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join("\n") + "\n");
const sessions: Session[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for a 250 ms window in which this process (every thread of it) used under 15% of a core. */
async function idleWindow(ms = 15_000): Promise<number> {
  const end = Date.now() + ms;
  let best = Infinity;
  while (Date.now() < end) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(250);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000 / (performance.now() - t0));
    if (best < 0.15) return best;
  }
  return best;
}

/** Sends SIGINT to this process from another thread, as Ctrl-C or a kernel's interrupt does. */
function sigint(): void {
  const w = new Worker(`process.kill(${process.pid}, "SIGINT");`, { eval: true });
  w.unref();
}

const cell = (beat: string, out: string, forever: boolean) => `
import { appendFileSync } from "node:fs";
class Slow extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>) {
    appendFileSync(${JSON.stringify(beat)}, ".");
    const until = Date.now() + 2;
    while (${forever} || Date.now() < until) {}
    c.output(c.element());
  }
}
const p = Pipeline.create({ parallelism: 2, inProcess: false });
p.apply(TextIO.read().from(${JSON.stringify(input)})).apply("Slow", ParDo.of(new Slow())).apply(TextIO.write().to(${JSON.stringify(join(out, "part"))}));
const result = p.run();
await result.waitUntilFinish();
`;

describe("a session interrupt cancels a long local pipeline", () => {
  for (const how of ["interrupt()", "SIGINT"] as const) {
    for (const forever of [false, true]) {
      test(`${how}, a DoFn that ${forever ? "never returns" : "busy-waits per element"}: the cell answers within a second, the workers stop, nothing is written`, async () => {
        const s = createSession({ typeCheck: "off" });
        sessions.push(s);
        const beat = join(dir, `beat-${how}-${forever}`);
        const out = join(dir, `out-${how}-${forever}`);
        const running = s.execute(cell(beat, out, forever));
        const end = Date.now() + 30_000;
        while (size(beat) === 0 && Date.now() < end) await sleep(20);
        expect(size(beat)).toBeGreaterThan(0);
        await sleep(1000);
        const t0 = performance.now();
        if (how === "SIGINT") sigint();
        else s.interrupt();
        const r = await running;
        expect(r.error?.kind).toBe("interrupted");
        expect(performance.now() - t0).toBeLessThan(1000);
        await sleep(100);
        const after = size(beat);
        await sleep(500);
        expect(size(beat)).toBe(after);
        expect(existsSync(out) ? readdirSync(out, { recursive: true }).map(String) : []).toEqual([]);
        const state = await s.execute("result.state");
        expect(state.value).toBe("CANCELLED");
        expect(await idleWindow()).toBeLessThan(0.15);
      });
    }
  }
});
