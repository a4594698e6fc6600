import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, test } from "vitest";
import { createSession, type CellResult, type Session } from "../../src/session/session.js";

const sessions: Session[] = [];
function session(): Session {
  const s = createSession({ typeCheck: "off", stdout: () => undefined, stderr: () => undefined });
  sessions.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.dispose()));
});

/** Sends SIGINT to this process from another thread (this one may be busy), as a kernel interrupt or Ctrl-C does. */
function sigintAfter(ms: number): Worker {
  const w = new Worker(`setTimeout(() => process.kill(${process.pid}, "SIGINT"), ${ms});`, { eval: true });
  w.unref();
  return w;
}

function value(r: CellResult): unknown {
  if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
  return r.value;
}

describe("interrupt", () => {
  test("a busy loop stops on SIGINT and the session keeps its state", async () => {
    const s = session();
    value(await s.execute("let kept = 'state';\nlet spins = 0;"));
    sigintAfter(300);
    const t0 = Date.now();
    const r = await s.execute("while (true) { spins++; }");
    expect(r.status).toBe("error");
    expect(r.error!.kind).toBe("interrupted");
    expect(r.error!.ename).toBe("Interrupted");
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(value(await s.execute("[kept, spins > 0]"))).toEqual(["state", true]);
  });

  test("a busy loop after a top-level await stops on SIGINT too", async () => {
    const s = session();
    sigintAfter(300);
    const r = await s.execute("await new Promise((r) => setTimeout(r, 10));\nlet n = 0;\nfor (;;) n++;");
    expect(r.error?.kind).toBe("interrupted");
    expect(value(await s.execute("n > 0"))).toBe(true);
  });

  test("a pending await stops on interrupt(); finally blocks run; the session goes on", async () => {
    const s = session();
    value(await s.execute("let cleaned = false;\nconst before = 41;"));
    const running = s.execute("try {\n  await new Promise(() => {});\n} finally {\n  cleaned = true;\n}");
    setTimeout(() => s.interrupt(), 100);
    const r = await running;
    expect(r.error?.kind).toBe("interrupted");
    expect(value(await s.execute("[cleaned, before + 1]"))).toEqual([true, 42]);
  });

  test("a pending await stops on SIGINT", async () => {
    const s = session();
    const running = s.execute("await new Promise(() => {});");
    setTimeout(() => process.kill(process.pid, "SIGINT"), 100);
    expect((await running).error?.kind).toBe("interrupted");
    expect(value(await s.execute("1 + 1"))).toBe(2);
  });

  test("an awaited pipeline can be interrupted", async () => {
    const s = session();
    value(await s.execute("const p = Pipeline.create();\nconst slow = p.apply(Create.of(1, 2, 3)).apply(MapElements.via((x: number) => { const end = Date.now() + 5_000; while (Date.now() < end) {} return x; }));"));
    const running = s.execute("await p.run().waitUntilFinish();");
    setTimeout(() => s.interrupt(), 500);
    const r = await running;
    expect(r.error?.kind).toBe("interrupted");
    expect(value(await s.execute("typeof slow.apply"))).toBe("function");
  });

  test("an AbortSignal interrupts", async () => {
    const s = session();
    const ac = new AbortController();
    const running = s.execute("await new Promise(() => {});", { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await running).error?.kind).toBe("interrupted");
  });

  test("a cell that swallows the interrupt and waits again is stopped for good", async () => {
    const s = session();
    const running = s.execute("for (;;) { try { await new Promise(() => {}); } catch {} }");
    setTimeout(() => s.interrupt(), 50);
    expect((await running).error?.kind).toBe("interrupted");
  });
});
