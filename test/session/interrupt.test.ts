import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, test } from "vitest";
import { createSession, type CellResult, type Session } from "../../src/session/session.js";

const sessions: Session[] = [];
/**
 * A session whose cells call `display("go")` once they run: the test then interrupts
 * (SIGINT sent before a cell runs would hit a process with no handler for it).
 */
function session(onGo: () => void = () => undefined): Session {
  const s = createSession({
    typeCheck: "off",
    onOutput: (o) => void (o.type === "display" && o.bundle["text/plain"] === "'go'" && onGo()),
  });
  sessions.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.dispose()));
});

/** Sends SIGINT to this process from another thread (this one may be busy), as a kernel interrupt or Ctrl-C does. */
function sigintAfter(ms: number): void {
  const w = new Worker(`setTimeout(() => process.kill(${process.pid}, "SIGINT"), ${ms});`, { eval: true });
  w.unref();
}

function value(r: CellResult): unknown {
  if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
  return r.value;
}

describe("interrupt", () => {
  test("a busy loop stops on SIGINT and the session keeps its state", async () => {
    const s = session(() => sigintAfter(200));
    value(await s.execute("let kept = 'state';\nlet spins = 0;"));
    const t0 = Date.now();
    const r = await s.execute("display('go');\nwhile (true) { spins++; }");
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("interrupted");
    expect(r.error!.ename).toBe("Interrupted");
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(value(await s.execute("[kept, spins > 0]"))).toEqual(["state", true]);
  });

  test("a busy loop after a top-level await stops on SIGINT too", async () => {
    const s = session(() => sigintAfter(200));
    const r = await s.execute("await new Promise((r) => setTimeout(r, 10));\nlet n = 0;\ndisplay('go');\nfor (;;) n++;");
    expect(r.error?.kind).toBe("interrupted");
    expect(value(await s.execute("n > 0"))).toBe(true);
  });

  test("a pending await stops on interrupt(); finally blocks run; the session goes on", async () => {
    const s: Session = session(() => setTimeout(() => s.interrupt(), 50));
    value(await s.execute("let cleaned = false;\nconst before = 41;"));
    const running = s.execute("try {\n  display('go');\n  await new Promise(() => {});\n} finally {\n  cleaned = true;\n}");
    const r = await running;
    expect(r.error?.kind).toBe("interrupted");
    expect(value(await s.execute("[cleaned, before + 1]"))).toEqual([true, 42]);
  });

  test("a pending await stops on SIGINT", async () => {
    const s = session(() => setTimeout(() => process.kill(process.pid, "SIGINT"), 50));
    const running = s.execute("display('go');\nawait new Promise(() => {});");
    expect((await running).error?.kind).toBe("interrupted");
    expect(value(await s.execute("1 + 1"))).toBe(2);
  });

  test("an awaited pipeline can be interrupted", async () => {
    const s: Session = session(() => setTimeout(() => s.interrupt(), 300));
    value(await s.execute("const p = Pipeline.create();\nconst slow = p.apply(Create.of(1, 2, 3)).apply(MapElements.via((x: number) => { const end = Date.now() + 5_000; while (Date.now() < end) {} return x; }));"));
    const running = s.execute("const result = p.run();\ndisplay('go');\nawait result.waitUntilFinish();");
    const r = await running;
    expect(r.error?.kind).toBe("interrupted");
    expect(value(await s.execute("typeof slow.apply"))).toBe("function");
    // The interrupt also cancelled the pipeline the cell was waiting for.
    expect(value(await s.execute("result.state"))).toBe("CANCELLED");
  });

  test("an interrupt cancels its own session's pipelines only", async () => {
    let started!: () => void;
    const aRunning = new Promise<void>((resolve) => (started = resolve));
    const a = session(() => started());
    const b = session();
    const waiting = a.execute("display('go');\nawait new Promise(() => {});");
    await aRunning;
    // While a's cell waits, b starts a slow pipeline and leaves it running.
    value(await b.execute("const p = Pipeline.create();\np.apply(Create.of(1, 2)).apply(MapElements.via((x: number) => { const end = Date.now() + 1_000; while (Date.now() < end) {} return x; }));\nconst result = p.run();"));
    a.interrupt();
    expect((await waiting).error?.kind).toBe("interrupted");
    expect(value(await b.execute("await result.waitUntilFinish()"))).toBe("DONE");
  });

  test("an AbortSignal interrupts", async () => {
    const ac = new AbortController();
    const s = session(() => setTimeout(() => ac.abort(), 50));
    const running = s.execute("display('go');\nawait new Promise(() => {});", { signal: ac.signal });
    expect((await running).error?.kind).toBe("interrupted");
  });

  test("a cell that swallows the interrupt and waits again is stopped for good", async () => {
    const s: Session = session(() => setTimeout(() => s.interrupt(), 50));
    const running = s.execute("display('go');\nfor (;;) { try { await new Promise(() => {}); } catch {} }");
    expect((await running).error?.kind).toBe("interrupted");
  });
});
