/**
 * show and chart of an unbounded PCollection in a session (issue 14, point 5): one display
 * (display_data) then updates of that same display id (update_display_data) as panes come,
 * a final state saying why it stopped — the source ended, the duration, n, an interrupt —
 * and the run it started cancelled. Real unbounded runs on the local runner: TestStream and
 * GenerateSequence.withRate.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runFile } from "../../src/session/run_file.js";
import type { CellOutput } from "../../src/display/outputs.js";
import { LIVE_MIME } from "../../src/display/live/live_status.js";
import { createSession, type CellResult, type Session } from "../../src/session/session.js";
import { livePanesCell } from "../support/live_panes.js";

const sessions: Session[] = [];
function session(onOutput: (o: CellOutput) => void = () => undefined): { s: Session; outputs: CellOutput[] } {
  const outputs: CellOutput[] = [];
  const s = createSession({ typeCheck: "off", onOutput: (o) => void (outputs.push(o), onOutput(o)) });
  sessions.push(s);
  return { s, outputs };
}
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.dispose()));
});

function value(r: CellResult): unknown {
  if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
  return r.value;
}

/** The outputs of live display `id` (its display, then its updates), ignoring the run's progress display. */
function liveOutputs(outputs: CellOutput[]): Array<CellOutput & { type: "display" | "update" }> {
  const first = outputs.find((o) => (o.type === "display" || o.type === "update") && o.bundle[LIVE_MIME] !== undefined) as (CellOutput & { type: "display" }) | undefined;
  if (!first) throw new Error(`no live display among ${outputs.length} outputs`);
  return outputs.filter((o): o is CellOutput & { type: "display" | "update" } => (o.type === "display" || o.type === "update") && o.displayId === first.displayId);
}

const text = (o: CellOutput & { type: "display" | "update" }) => String(o.bundle["text/plain"]);

const TEST_STREAM = livePanesCell("{ parallelism: 2 }");

describe("live show in a session", () => {
  test("a TestStream's panes: one display updated in place, the latest pane per key and window, 'the source ended'", async () => {
    const { s, outputs } = session();
    value(await s.execute(TEST_STREAM));
    const r = await s.execute("const shown = await show(sums);\n[shown.value.live.reason, shown.value.live.elements, shown.value.values]");
    expect(value(r)).toEqual(["ended", 4, [{ key: "k", value: 10 }]]);
    const live = liveOutputs(outputs);
    expect(live[0]!.type).toBe("display");
    expect(live.slice(1).length).toBeGreaterThan(0);
    expect(live.slice(1).every((o) => o.type === "update")).toBe(true);
    const last = text(live.at(-1)!);
    // One row: key k in its window, its latest pane the late one.
    // The watermark the last pane's stage had reached: 6 minutes (the late pane came after it).
    expect(last).toMatch(/^Sum.out · live: latest pane per key and window · 1 row · watermark 1970-01-01T00:06:00Z$/m);
    expect(last).toMatch(/^\*\s+k\s+10\s+\[1970-01-01 00:00:00, 00:05:00\)\s+LATE\s+3\s+1970-01-01T00:04:59\.999Z$/m);
    expect(last).toMatch(/stopped: the source ended · 4 elements in \d+\.\d s$/);
    expect(live.at(-1)!.bundle[LIVE_MIME]).toEqual({ state: "stopped", reason: "ended" });
    // Every live output went to the cell that ran show.
    expect(new Set(live.map((o) => o.cell.execution)).size).toBe(1);
  }, 120_000);

  test("GenerateSequence.withRate: n reached stops the run; the table holds n rows", async () => {
    const { s, outputs } = session();
    value(await s.execute("const p = Pipeline.create({ parallelism: 2 });\nconst seq = p.apply(GenerateSequence.from(0).withRate(20, Duration.seconds(1)));"));
    const r = await s.execute("const shown = await show(seq, { n: 5 });\n[shown.value.live.reason, shown.value.values.length]");
    expect(value(r)).toEqual(["count", 5]);
    const last = text(liveOutputs(outputs).at(-1)!);
    expect(last).toMatch(/^seq|GenerateSequence/m);
    expect(last).toMatch(/· live: elements as they come · 5 rows/);
    expect(last).toMatch(/stopped: n reached \(5 elements\) · 5 elements in/);
    // The one run it started (a sample run of the cell) was cancelled.
    expect(r.runs.map((run) => [run.purpose, run.result.state])).toEqual([["sample", "CANCELLED"]]);
  }, 120_000);

  test("GenerateSequence.withRate: the duration stops it, said in the output", async () => {
    const { s, outputs } = session();
    value(await s.execute("const p = Pipeline.create({ parallelism: 2 });\nconst seq = p.apply(GenerateSequence.from(0).withRate(2, Duration.seconds(1)));"));
    const r = await s.execute("const shown = await show(seq, { duration: Duration.seconds(1.5), n: 1000 });\nshown.value.live.reason");
    expect(value(r)).toBe("duration");
    const live = liveOutputs(outputs);
    expect(text(live[0]!)).toMatch(/live · \d+\.\d s of 1\.5 s · \d+ of 1 000 elements/);
    expect(text(live.at(-1)!)).toMatch(/stopped: duration reached \(1\.5 s\)/);
    // In between, the same display redrawn while running, with rows (2 elements a second).
    expect(live.slice(1, -1).some((o) => o.type === "update" && /^live · /m.test(text(o)) && /· [1-9]\d* rows? · watermark \d{4}-/m.test(text(o)))).toBe(true);
    expect(r.runs.map((run) => run.result.state)).toEqual(["CANCELLED"]);
  }, 120_000);

  test("an interrupt stops it cleanly: the run cancelled, the final state says 'interrupted'", async () => {
    let s!: Session;
    const { s: made, outputs } = session((o) => {
      // Interrupt once the live display is up.
      if (o.type === "display" && o.bundle[LIVE_MIME] !== undefined) setTimeout(() => s.interrupt(), 300);
    });
    s = made;
    value(await s.execute("const p = Pipeline.create({ parallelism: 2 });\nconst seq = p.apply(GenerateSequence.from(0).withRate(5, Duration.seconds(1)));"));
    const r = await s.execute("await show(seq, { duration: Duration.seconds(60), n: 100000 });");
    expect(r.error?.kind).toBe("interrupted");
    // The final state comes after the run confirmed its cancel.
    for (let i = 0; i < 100 && !text(liveOutputs(outputs).at(-1)!).includes("stopped"); i++) await new Promise((res) => setTimeout(res, 100));
    const last = liveOutputs(outputs).at(-1)!;
    expect(text(last)).toMatch(/stopped: interrupted/);
    expect(last.bundle[LIVE_MIME]).toEqual({ state: "stopped", reason: "interrupted" });
    // The session goes on.
    expect(value(await s.execute("1 + 1"))).toBe(2);
  }, 120_000);

  test("chart of an unbounded PCollection updates live; its subtitle says why it stopped", async () => {
    const { s, outputs } = session();
    value(await s.execute(TEST_STREAM));
    const r = await s.execute('const c = await chart(sums, { bar: { x: "pane", y: "value" } });\n[c.value.kind, c.value.live.reason]');
    expect(value(r)).toEqual(["chart", "ended"]);
    const live = liveOutputs(outputs);
    expect(live[0]!.type).toBe("display");
    const last = live.at(-1)!.bundle;
    const spec = last["application/vnd.vegalite.v5+json"] as { title: { subtitle: string[] }; data: { values: Array<Record<string, unknown>> } };
    expect(spec.title.subtitle.at(-1)).toMatch(/^stopped: the source ended · 4 elements/);
    expect(spec.data.values).toEqual([expect.objectContaining({ key: "k", value: 10, pane: "LATE", index: 3 })]);
    expect(typeof last["image/png"]).toBe("string");
    expect(String(last["text/plain"])).toContain("stopped: the source ended");
  }, 120_000);

  test("collect of an unbounded PCollection takes its first n elements (or what the duration brings), in order, with no display, and cancels the run", async () => {
    const { s, outputs } = session();
    value(await s.execute("const p = Pipeline.create({ parallelism: 2 });\nconst seq = p.apply(GenerateSequence.from(0).withRate(20, Duration.seconds(1)));"));
    const r = await s.execute("await collect(seq, { n: 5 })");
    expect(value(r)).toEqual([0, 1, 2, 3, 4]);
    expect(r.runs.map((run) => run.result.state)).toEqual(["CANCELLED"]);
    const few = await s.execute("(await collect(seq, { duration: Duration.seconds(1) })).length");
    expect(value(few)).toBeGreaterThan(0);
    expect(value(few)).toBeLessThan(1000);
    expect(outputs.filter((o) => (o.type === "display" || o.type === "update") && o.bundle[LIVE_MIME] !== undefined)).toEqual([]);
  }, 120_000);

  test("display() of an unbounded PCollection says to show it live", async () => {
    const { s } = session();
    value(await s.execute("const p = Pipeline.create();\nconst seq = p.apply(GenerateSequence.from(0).withRate(20, Duration.seconds(1)));"));
    const r = await s.execute("display(seq)");
    expect(r.status).toBe("error");
    expect(r.error!.evalue).toMatch(/is unbounded: await show\(.*, \{ duration, n \}\) shows it live/);
  }, 60_000);

  test("a script (flowbook run) prints a live show's first and final state only: text cannot be redrawn", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "flowbook-live-run-"));
    const file = path.join(dir, "live.ts");
    writeFileSync(file, [
      "const p = Pipeline.create({ parallelism: 2 });",
      'const seq = p.apply("Seq", GenerateSequence.from(0).withRate(10, Duration.seconds(1)));',
      "const shown = await show(seq, { duration: Duration.seconds(2), n: 1000 });",
      'console.log("stopped:", shown.value.live.reason);',
    ].join("\n"));
    let out = "";
    let err = "";
    const status = await runFile(file, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
    expect(err).toBe("");
    expect(status).toBe(0);
    expect(out.match(/Seq\.out · live:/g)).toHaveLength(2);
    expect(out).toMatch(/^Seq\.out · live: elements as they come · 0 rows\n\(waiting for the first elements…\)\nlive · 0\.0 s of 2 s · 0 of 1 000 elements/);
    expect(out).toMatch(/stopped: duration reached \(2 s\) · \d+ elements in \d+\.\d s\nstopped: duration\n$/);
  }, 120_000);
});
