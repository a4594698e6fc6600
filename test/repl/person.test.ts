// The REPL as a person uses it: `flowbook repl` (from sources) in a real terminal (tmux),
// keys typed and the screen read back. WordCount over tinyshakespeare, line by line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TmuxTerminal } from "./support/tmux.js";

const root = path.resolve(import.meta.dirname, "../..");
const corpus = "/work/shared/data/tinyshakespeare.txt";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repl-person-"));
const history = path.join(dir, "history");
let term: TmuxTerminal;

const lastLine = (s: string) => s.trimEnd().split("\n").pop() ?? "";
/** The prompt is back, empty: the input before it has finished. */
const atPrompt = (s: string) => lastLine(s).trim() === "›";

const squeeze = (x: string) => x.replace(/\s+/g, "");
/** The editor: the screen from the last prompt down (Ink wraps long lines with real newlines). */
const editor = (s: string) => s.slice(s.lastIndexOf("›"));

async function enter(line: string, timeoutMs = 60_000): Promise<string> {
  term.type(line);
  // Ink wraps long lines itself (real newlines).
  await term.waitFor((s) => squeeze(editor(s)).endsWith(squeeze(line)), 10_000, () => term.screen());
  term.press("Enter");
  // The echo of the input, then the prompt again.
  return term.waitFor((s) => atPrompt(s) && !lastLine(s).includes(line.slice(-10)), timeoutMs, () => term.screen());
}

describe.skipIf(!fs.existsSync(corpus))("the REPL in a terminal", () => {
  beforeAll(async () => {
    term = new TmuxTerminal(`${process.execPath} --import tsx src/cli/main.ts repl --history ${history}`, { cwd: root, cols: 100, rows: 30 });
    await term.waitFor(/flowbook REPL/, 60_000);
    await term.waitFor(atPrompt, 10_000, () => term.screen());
  }, 90_000);
  afterAll(() => term?.kill());
  // A test that failed half-way leaves no input behind for the next.
  beforeEach(async () => {
    if (!atPrompt(term.screen())) term.press("C-c");
    await term.waitFor(atPrompt, 120_000, () => term.screen());
  }, 130_000);

  it("builds WordCount line by line, completing a name with Tab, and shows its table", async () => {
    await enter("const p = Pipeline.create()");
    await enter(`const lines = p.apply("ReadLines", TextIO.read().from(${JSON.stringify(corpus)}))`);
    // Tab completes FlatMapElements.vi → via (the language service's first answer takes a while).
    term.type("const words = lines.apply(FlatMapElements.vi");
    term.press("Tab");
    await term.waitFor(/FlatMapElements\.via\s*$/m, 60_000, () => term.screen());
    await enter(`((l: string) => l.split(/[^a-zA-Z']+/).filter((w) => w)))`);
    await enter("const counts = words.apply(Count.perElement())");
    const s = await enter("await show(counts, { n: 5 })", 120_000);
    expect(s).toMatch(/\b5 of at least/);
    expect(s).toMatch(/key\s+value/);
    expect(s).toMatch(/✓ direct · done in/);
    // The chart: Unicode bars in the terminal, the PNG in a file.
    const c = await enter('await chart(counts, { bar: { x: "key", y: "value" }, top: 5 })', 180_000);
    expect(c).toMatch(/^the\s+█+/m);
    const png = /chart: (\S+\.png)/.exec(c)?.[1];
    expect(png && fs.readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
  }, 400_000);

  it("takes a multi-line class line by line and recalls it as one block", async () => {
    term.type("class Fmt extends DoFn<KV<string, number>, string> {");
    term.press("Enter");
    term.type("processElement(c: ProcessContext<KV<string, number>, string>) {");
    term.press("Enter");
    term.type("c.output(`${c.element().key}: ${c.element().value}`)");
    term.press("Enter");
    term.type("}");
    term.press("Enter");
    // Still one input: continuation prompts, nothing ran.
    const open = await term.waitFor(/… {3}}\n…$/m, 10_000, () => term.screen());
    expect(open).toMatch(/… {5}c\.output/);
    term.type("}");
    term.press("Enter");
    await term.waitFor(atPrompt, 30_000, () => term.screen());
    await enter("typeof Fmt");
    // ↑ twice: the previous input, then the whole class as one block.
    term.press("Up", "Up");
    const recalled = await term.waitFor(/› class Fmt[^\n]*\n… {3}processElement[\s\S]*\n… }\s*$/, 10_000, () => term.screen());
    expect(lastLine(recalled)).toBe("… }");
    term.press("C-c");
    await term.waitFor(atPrompt, 5_000, () => term.screen());
  }, 120_000);

  it("finds an entry with Ctrl-R", async () => {
    term.press("C-r");
    term.type("Count.per");
    await term.waitFor(/reverse-i-search\)`Count\.per': const counts = words/, 10_000, () => term.screen());
    term.press("Escape");
    await term.waitFor(atPrompt, 5_000, () => term.screen());
  }, 30_000);

  it("never runs a pasted block early; Enter runs it", async () => {
    term.paste("const a = 20\nconst b = a + 1\n");
    const pasted = await term.waitFor(/› const a = 20\n… const b = a \+ 1\n…$/, 10_000, () => term.screen());
    expect(pasted).not.toMatch(/running/);
    term.press("Enter");
    await term.waitFor(atPrompt, 30_000, () => term.screen());
    const s = await enter("b * 2");
    expect(s).toMatch(/› b \* 2\n42\n/);
  }, 60_000);

  it("interrupts a busy loop with Ctrl-C, keeping the session's state", async () => {
    term.type("let i = 0; while (true) { i++ }");
    term.press("Enter");
    await term.waitFor(/running \d/, 20_000, () => term.screen());
    await new Promise((r) => setTimeout(r, 500));
    term.press("C-c");
    await term.waitFor(/\^C interrupted/, 10_000, () => term.screen());
    const s = await enter("i > 1000");
    expect(s).toMatch(/› i > 1000\ntrue/);
  }, 60_000);

  it("interrupts a running pipeline with Ctrl-C", async () => {
    // A pipeline slow enough to be running when Ctrl-C comes (5 ms a line).
    await enter("const slow = Pipeline.create()");
    await enter(`slow.apply(TextIO.read().from(${JSON.stringify(corpus)})).apply(MapElements.via((l: string) => { const t = Date.now(); while (Date.now() - t < 5) {} return l }))`);
    term.type("await slow.run().waitUntilFinish()");
    term.press("Enter");
    await term.waitFor(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/, 20_000, () => term.screen());
    await new Promise((r) => setTimeout(r, 1000));
    const pressed = Date.now();
    term.press("C-c");
    const s = await term.waitFor((x) => /\^C interrupted/.test(x) && atPrompt(x), 20_000, () => term.screen());
    expect(Date.now() - pressed).toBeLessThan(15_000);
    expect(s).not.toMatch(/'DONE'/);
  }, 60_000);

  it("saves the inputs as a script and loads it back after .reset", async () => {
    const file = path.join(dir, "wordcount.ts");
    let s = await enter(`.save ${file}`);
    expect(s).toMatch(/saved \d+ inputs/);
    const script = fs.readFileSync(file, "utf8");
    expect(script).toContain("const counts = words.apply(Count.perElement())");
    expect(script).toContain("class Fmt extends DoFn");
    expect(script).not.toContain("while (true)");
    await enter(".reset");
    // The answer, not just the prompt: the input's echo and the prompt can show before the answer does.
    await enter("typeof counts");
    s = await term.waitFor(/› typeof counts\n'undefined'/, 10_000, () => term.screen());
    expect(s).toMatch(/› typeof counts\n'undefined'/);
    await enter(`.load ${file}`, 180_000);
    await enter("typeof counts");
    s = await term.waitFor(/› typeof counts\n'object'/, 10_000, () => term.screen());
    expect(s).toMatch(/› typeof counts\n'object'/);
  }, 300_000);

  it("leaves no ghost lines when the terminal narrows and widens under a long input", async () => {
    term.type(`const wide = ${JSON.stringify("w".repeat(150))}`);
    await term.waitFor((s) => s.includes('w"'), 10_000, () => term.screen());
    for (const cols of [70, 45, 90, 40]) {
      term.resize(cols, 30);
      await new Promise((r) => setTimeout(r, 700));
      const screen = term.screen();
      expect(screen.match(/› const wide/g)?.length, screen).toBe(1);
      expect(squeeze(editor(screen))).toBe(squeeze(`› const wide = ${JSON.stringify("w".repeat(150))}`));
    }
    term.resize(100, 30);
    term.press("C-c");
    await term.waitFor(atPrompt, 5_000, () => term.screen());
  }, 60_000);

  it("kept the whole session in the scrollback, and Ctrl-D exits", async () => {
    const all = term.all();
    expect(all).toMatch(/flowbook REPL/);
    expect(all).toContain("› const p = Pipeline.create()");
    term.press("C-d");
    await term.waitFor(/\[exited 0\]/, 20_000);
    expect(fs.readFileSync(history, "utf8")).toContain(JSON.stringify("const p = Pipeline.create()"));
  }, 60_000);
});
