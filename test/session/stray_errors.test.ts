/**
 * Issue 12, point 3, in a session whose pipelines run in its own thread (inProcess: true): a
 * DoFn's timer that throws after its bundle fails that cell's run naming the DoFn, and one that
 * throws after its run ended is reported; neither takes the session (the kernel) down.
 */
import { afterAll, describe, expect, test } from "vitest";
import { createSession, type CellResult, type Session } from "../../src/session/session.js";

const sessions: Session[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.dispose()));
});

function value(r: CellResult): unknown {
  if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
  return r.value;
}

const pipeline = (delayMs: number) => `
class TimerThrows extends DoFn<number, number> {
  processElement(c: ProcessContext<number, number>) {
    c.output(c.element());
  }
  finishBundle() {
    setTimeout(() => { throw new Error("timer trouble in a cell"); }, ${delayMs});
  }
}
const p = Pipeline.create({ inProcess: true });
p.apply(Create.of(1, 2, 3)).apply("TimerThrows", ParDo.of(new TimerThrows())).apply(MapElements.via((n: number) => String(n)));
`;

describe("a DoFn's timer that throws, in process", () => {
  test("during the run: the cell fails naming the DoFn and the error; the session goes on", async () => {
    const s = createSession({ typeCheck: "off" });
    sessions.push(s);
    value(await s.execute("let kept = 41;"));
    const r = await s.execute(`${pipeline(0)}\nawait p.run().waitUntilFinish();`);
    expect(r.status).toBe("error");
    const text = [r.error!.evalue, ...r.error!.traceback].join("\n");
    expect(text).toContain("'TimerThrows'");
    expect(text).toContain("timer trouble in a cell");
    expect(value(await s.execute("kept + 1"))).toBe(42);
  });

  test("after its run ended: the run stands, the error is reported, the session goes on", async () => {
    const s = createSession({ typeCheck: "off" });
    sessions.push(s);
    expect(value(await s.execute(`${pipeline(300)}\nawait p.run().waitUntilFinish();`))).toBe("DONE");
    // The timer fires in the next cell's time: it must not end this process.
    expect(value(await s.execute("await new Promise((r) => setTimeout(r, 600));\n'still here'"))).toBe("still here");
  });
});
