/**
 * Issue 12, point 3, on the local runner: a DoFn that keeps its context and outputs from a
 * timer (setTimeout) once its bundle finished, or whose timer throws. The output has nowhere to
 * go; it must never be dropped silently nor blamed on another transform, and a timer's error
 * must never take the process (the session, the kernel) down: the run fails naming the DoFn.
 * Both executors: worker threads, and this thread (inProcess: true, as a session may run).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Create, DoFn, MapElements, ParDo, Pipeline, TextIO, View, type PCollectionView } from "../../../src/index.js";
import type { RunEvent } from "../../../src/sdk/runner.js";
import { failure } from "../../support/runs.js";

const dir = mkdtempSync(join(tmpdir(), "flowbook-late-timer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Keeps its context; from a timer set in finishBundle, outputs through it (or throws). */
class TimerFn extends DoFn<number, number> {
  private kept: { output(x: number): void } | undefined;
  constructor(private readonly what: "output" | "caught output" | "throw", private readonly delayMs: number) {
    super();
  }
  processElement(c: { element(): number; output(x: number): void }) {
    this.kept = c;
    c.output(c.element());
  }
  override finishBundle() {
    const kept = this.kept!;
    const what = this.what;
    setTimeout(() => {
      if (what === "throw") throw new Error("boom from a DoFn's timer");
      if (what === "output") return kept.output(999);
      try {
        kept.output(999);
      } catch {
        // swallowed by the user: the run must fail anyway
      }
    }, this.delayMs);
  }
}

let n = 0;
function outDir(): string {
  const d = join(dir, `out-${n++}`);
  return d;
}

/** No file under the final output name, and no temporary file left. */
function expectNothingWritten(d: string): void {
  const files = existsSync(d) ? readdirSync(d, { recursive: true }).map(String) : [];
  expect(files).toEqual([]);
}

describe.each([
  { mode: "in process", options: { inProcess: true } },
  { mode: "worker threads", options: { parallelism: 1, inProcess: false } },
])("a DoFn's timer after its bundle ended, on the local runner ($mode)", ({ options }) => {
  for (const what of ["output", "caught output"] as const) {
    it(`a timer that calls output() (${what === "output" ? "uncaught" : "caught by the user"}) fails the run naming the DoFn; nothing is written`, async () => {
      const d = outDir();
      const p = Pipeline.create(options);
      p.apply(Create.of(1, 2, 3))
        .apply("Late", ParDo.of(new TimerFn(what, 0)))
        .apply("ToText", MapElements.via((x: number) => String(x)))
        .apply(TextIO.write().to(join(d, "out")));
      const e = await failure(p.run());
      expect(e.message).toContain("Error in transform 'Late'");
      expect(e.message).toMatch(/LateOutputError: output\(\) called after the bundle ended/);
      expect(e.message).toContain("after finishBundle returned");
      expectNothingWritten(d);
    });
  }

  it("a timer that throws fails the run with the error, naming the DoFn; the process goes on", async () => {
    const d = outDir();
    const p = Pipeline.create(options);
    p.apply(Create.of(1, 2, 3))
      .apply("Thrower", ParDo.of(new TimerFn("throw", 0)))
      .apply("ToText", MapElements.via((x: number) => String(x)))
      .apply(TextIO.write().to(join(d, "out")));
    const e = await failure(p.run());
    expect(e.message).toContain("'Thrower'");
    expect(e.message).toContain("boom from a DoFn's timer");
    expectNothingWritten(d);
    // The next run in the same threads is not blamed.
    const q = Pipeline.create(options);
    q.apply(Create.of(1, 2, 3)).apply("Fine", MapElements.via((x: number) => String(x + 1))).apply(TextIO.write().to(join(outDir(), "ok")));
    await expect(q.run().waitUntilFinish()).resolves.toBe("DONE");
  });

  it("a timer that outputs while a later stage of the same run runs fails that run, naming the DoFn", async () => {
    // A later stage that reads a file: its task awaits between chunks, so the timer fires during it.
    const input = join(dir, "big.txt");
    if (!existsSync(input)) writeFileSync(input, Array.from({ length: 400_000 }, (_, i) => `line ${i}`).join("\n") + "\n");
    const d = outDir();
    const p = Pipeline.create(options);
    const view: PCollectionView<number[]> = p.apply(Create.of(1, 2, 3)).apply("Late", ParDo.of(new TimerFn("caught output", 20))).apply(View.asList());
    p.apply(TextIO.read().from(input))
      .apply(
        "UsesSide",
        ParDo.of((line: string, c) => {
          c.output(`${line} ${c.sideInput(view).length}`);
        }).withSideInputs(view),
      )
      .apply(TextIO.write().to(join(d, "out")));
    const r = p.run();
    const events: RunEvent[] = [];
    r.onEvent((ev) => events.push(ev));
    const e = await failure(r);
    expect(e.message).toContain("Error in transform 'Late'");
    expect(e.message).toContain("called after the bundle ended");
    // It failed the stage it fired in, not only the run's end.
    const finished = events.flatMap((ev) => (ev.kind === "stage-finished" ? [ev.name] : []));
    expect(finished.some((name) => name.includes("Late"))).toBe(true);
    expect(finished.some((name) => name.includes("UsesSide"))).toBe(false);
    expectNothingWritten(d);
  });
});

/** From a timer set in finishBundle, ends its worker thread (process.exit in a worker ends the thread). */
class ExitFromTimer extends DoFn<number, number> {
  processElement(c: { element(): number; output(x: number): void }) {
    c.output(c.element());
  }
  override finishBundle() {
    setTimeout(() => process.exit(3), 0);
  }
}

describe("a worker thread that dies between tasks (worker threads)", () => {
  it("fails the runs it held, saying what happened, instead of losing them or hanging; the next run is not blamed", async () => {
    const d = outDir();
    const p = Pipeline.create({ parallelism: 1, inProcess: false });
    p.apply(Create.of(1, 2, 3)).apply("Exits", ParDo.of(new ExitFromTimer())).apply(MapElements.via((x: number) => String(x))).apply(TextIO.write().to(join(d, "out")));
    const e = await failure(p.run());
    expect(e.message).toContain("worker thread");
    expect(e.message).toContain("exited (code 3)");
    expectNothingWritten(d);
    const q = Pipeline.create({ parallelism: 1, inProcess: false });
    q.apply(Create.of(1, 2, 3)).apply("Fine", MapElements.via((x: number) => String(x + 1))).apply(TextIO.write().to(join(outDir(), "ok")));
    await expect(q.run().waitUntilFinish()).resolves.toBe("DONE");
  });
});
