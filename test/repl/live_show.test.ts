// show(pcoll) on an unbounded PCollection as a person sees it in `flowbook repl` (tmux):
// the live table redrawn in place in the live area while the run goes, then its final state
// once in the scrollback with why it stopped; Ctrl-C stops it cleanly.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TmuxTerminal } from "./support/tmux.js";

const root = path.resolve(import.meta.dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repl-live-"));
let term: TmuxTerminal;

const lastLine = (s: string) => s.trimEnd().split("\n").pop() ?? "";
const atPrompt = (s: string) => lastLine(s).trim() === "›";
const count = (s: string, re: RegExp) => s.match(new RegExp(re.source, "g"))?.length ?? 0;

async function paste(code: string): Promise<void> {
  term.paste(code);
  // A busy machine: Ink may take seconds to draw a pasted block.
  await term.waitFor((s) => /…/.test(s), 30_000, () => term.screen());
  term.press("Enter");
  await term.waitFor(atPrompt, 60_000, () => term.screen());
}

/** Types a line and Enter, without waiting for the prompt. */
function enter(line: string): void {
  term.type(line);
  term.press("Enter");
}

const SOURCES = `const MIN = 60_000
const p = Pipeline.create({ parallelism: 2 })
const sums = p.apply(TestStream.create(VarLongCoder.of()).addElements(TimestampedValue.of(1, 0), TimestampedValue.of(2, 1000)).advanceWatermarkTo(MIN).addElements(TimestampedValue.of(3, 2000)).advanceWatermarkTo(6 * MIN).addElements(TimestampedValue.of(4, 3000)).advanceWatermarkToInfinity()).apply(Window.into<number>(FixedWindows.of(Duration.minutes(5))).triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(1)).withLateFirings(AfterPane.elementCountAtLeast(1))).accumulatingFiredPanes().withAllowedLateness(Duration.minutes(5))).apply(WithKeys.of<number, string>("k")).apply("Group", GroupByKey.create<string, number>()).apply("Sum", MapElements.via((kv: KV<string, number[]>) => KV.of(kv.key, kv.value.reduce((a, b) => a + b, 0))))
const q = Pipeline.create({ parallelism: 2 })
const ticks = q.apply("Ticks", GenerateSequence.from(0).withRate(4, Duration.seconds(1)))
`;

describe("live show in the REPL", () => {
  beforeAll(async () => {
    term = new TmuxTerminal(`${process.execPath} --import tsx src/cli/main.ts repl --history ${path.join(dir, "history")}`, { cwd: root, cols: 120, rows: 40 });
    await term.waitFor(/flowbook REPL/, 60_000);
    await term.waitFor(atPrompt, 10_000, () => term.screen());
    await paste(SOURCES);
  }, 120_000);
  afterAll(() => term?.kill());
  beforeEach(async () => {
    if (!atPrompt(term.screen())) term.press("C-c");
    await term.waitFor(atPrompt, 30_000, () => term.screen());
    term.press("C-l");
  }, 40_000);

  it("redraws the live table in place while it runs, then leaves its final state once, saying the duration was reached", async () => {
    enter("await show(ticks, { duration: Duration.seconds(4), n: 1000 })");
    // While running: the live area holds the table with rows, and its status line.
    const running = await term.waitFor((s) => /^live · \d+\.\d s of 4 s · [1-9]\d* of 1 000 elements/m.test(s) && /Ticks\.out · live: elements as they come · [1-9]\d* rows?/.test(s), 30_000, () => term.screen());
    expect(count(running, /Ticks\.out · live:/)).toBe(1);
    const end = await term.waitFor((s) => atPrompt(s) && /stopped: duration reached \(4 s\)/.test(s), 60_000, () => term.screen());
    // One table on the screen: the running ones were redrawn in place, not stacked.
    expect(count(end, /Ticks\.out · live:/)).toBe(1);
    expect(end).not.toMatch(/^live · /m);
    expect(end).toMatch(/^\*\s+value\s+window\s+pane\s+index\s+timestamp/m);
    expect(end).toMatch(/^\s+0\s+GlobalWindow\s+NO_FIRING\s+0\s/m);
  }, 90_000);

  it("shows a TestStream's latest pane per key and window, and says the source ended", async () => {
    enter("await show(sums)");
    const end = await term.waitFor((s) => atPrompt(s) && /stopped: the source ended · 4 elements/.test(s), 60_000, () => term.screen());
    expect(end).toMatch(/Sum\.out · live: latest pane per key and window · 1 row/);
    expect(end).toMatch(/^\*\s+k\s+10\s+\[1970-01-01 00:00:00, 00:05:00\)\s+LATE\s+3\s/m);
  }, 90_000);

  it("Ctrl-C stops it cleanly: the run cancelled, the final state says interrupted, the REPL goes on", async () => {
    enter("await show(ticks, { duration: Duration.seconds(120), n: 100000 })");
    await term.waitFor((s) => /^live · .* of 2 min|^live · .* of 120 s/m.test(s), 30_000, () => term.screen());
    term.press("C-c");
    const end = await term.waitFor((s) => atPrompt(s) && /stopped: interrupted/.test(s), 30_000, () => term.screen());
    expect(end).toContain("^C interrupted");
    expect(count(end, /Ticks\.out · live:/)).toBe(1);
    enter("40 + 2");
    await term.waitFor((s) => atPrompt(s) && /^42$/m.test(s), 20_000, () => term.screen());
  }, 90_000);
});
