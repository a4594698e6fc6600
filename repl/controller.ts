/**
 * The REPL as a state machine, apart from Ink: keys in, a state snapshot out (what the
 * scrollback gained, the editor's buffer, the live area), with the session's work in
 * between. The Ink components (ui/) only draw the snapshot, so everything here is testable
 * with a fake session and no terminal.
 */
import type { Session } from "../src/session/session.js";
import * as B from "./editor/buffer.js";
import { choose, completionStep, moveSelection, type CompletionMenu } from "./editor/completion_menu.js";
import { History, HistoryCursor } from "./editor/history.js";
import { actionOf, type Action } from "./editor/keymap.js";
import { COMMAND_HELP, STEP_HELP, formatDoc, isCommand, runCommand, type CommandContext } from "./commands.js";
import { paint, type Painter } from "./render/ansi.js";
import type { TerminalContext } from "./render/bundle.js";
import { highlightLines } from "./render/highlight.js";
import { OutputRouter } from "./output_router.js";
import { runInput } from "./run_input.js";
import type { ImageProtocol } from "./terminal/images.js";
import type { Key } from "./terminal/keys.js";
import { CONTINUATION, PROMPT } from "./prompt.js";
import { Stepper, stepView, type StepCommand, type StepView, type TranslationTrace } from "../src/display/plan/stepper/index.js";

export { CONTINUATION, PROMPT };

export interface ScrollItem {
  readonly id: number;
  readonly text: string;
  /** Escapes written as they are after the text (an inline image). */
  readonly raw?: string;
}

export type Mode = "edit" | "running" | "search" | "input" | "step";

export interface ReplState {
  /** Everything finished, oldest first: Ink's <Static> prints each item once, into the scrollback. */
  readonly scrollback: readonly ScrollItem[];
  readonly buffer: B.Buffer;
  readonly mode: Mode;
  readonly menu?: CompletionMenu;
  readonly search?: { readonly query: string; readonly match?: string; readonly failed: boolean };
  /** Live displays of the running input (progress bars), rendered. */
  readonly live: readonly string[];
  readonly running?: { readonly since: number; readonly interrupted: boolean };
  /** A cell's prompt("…") waiting for a line. */
  readonly question?: { readonly text: string; readonly password: boolean };
  /** The translation stepper's current step (`.plan --step`; mode "step"). */
  readonly step?: StepView;
  /** A one-line note under the editor until the next key ("Ctrl-D exits"). */
  readonly hint?: string;
  readonly tick: number;
}

export interface ControllerOptions {
  session: Session;
  history: History;
  size(): { columns: number; rows: number };
  colors: boolean;
  images: ImageProtocol;
  fileDir: string;
  /** Shared with the session's creation, so .reset keeps the runner. */
  pipelineOptions: Record<string, unknown>;
  /** A cell starts or stops running (the stdin thread turns Ctrl-C into SIGINT while busy). */
  setBusy?(busy: boolean): void;
  onExit(code: number): void;
  clearScreen?(): void;
}


/** Lines past which a block bypasses Ink's layout (see `state`). */
const BIG_BLOCK_LINES = 200;

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && n <= BIG_BLOCK_LINES; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

export class ReplController {
  private s: ReplState = { scrollback: [], buffer: B.EMPTY, mode: "edit", live: [], tick: 0 };
  private readonly listeners = new Set<() => void>();
  private nextId = 0;
  private readonly cursor: HistoryCursor;
  private readonly paint: Painter;
  /** The inputs that ran without error (for .save). */
  readonly inputs: string[] = [];
  private readonly outputs: OutputRouter;
  private ticker: NodeJS.Timeout | undefined;
  private searchSaved: B.Buffer | undefined;
  private searchIndex = 0;
  private answer: ((text: string) => void) | undefined;
  private savedBuffer: B.Buffer | undefined;
  private submitWhenDone = false;
  /** Printed this turn, not yet in the state (many prints in one turn cost one copy). */
  private printed: ScrollItem[] = [];
  private notifying = false;
  /** The translation being stepped through (mode "step"), the stepper asked for by a command, and the last move (Enter repeats it). */
  private stepper: Stepper | undefined;
  private stepWanted: TranslationTrace | undefined;
  private lastMove: StepCommand = { move: "next" };

  constructor(private readonly o: ControllerOptions) {
    this.cursor = new HistoryCursor(o.history);
    this.paint = paint(o.colors);
    this.outputs = new OutputRouter({
      paint: this.paint,
      terminal: () => this.terminal(),
      print: (text, raw) => this.print(text, raw),
      liveChanged: () => {
        this.set({ live: this.outputs.renderLive() });
        this.updateTicker();
      },
    });
  }

  get state(): ReplState {
    if (this.printed.length) {
      // What was printed in one turn is one item (a loop's 20 000 console.logs are one
      // block, not 20 000 items). An item's raw escapes are written after Ink printed the
      // frame's items, so an item with raw ends the frame: the rest wait for the next one.
      let item = this.printed[0]!;
      let n = 1;
      while (n < this.printed.length && !item.raw) {
        const next = this.printed[n++]!;
        item = { id: item.id, text: item.text + "\n" + next.text, raw: next.raw };
      }
      // Ink lays text out at ~0.2 ms a line: a long block is written as it is instead.
      if (!item.raw && countLines(item.text) > BIG_BLOCK_LINES) item = { id: item.id, text: "", raw: item.text };
      this.s = { ...this.s, scrollback: [...this.s.scrollback, item] };
      this.printed = this.printed.slice(n);
      if (this.printed.length) this.notify();
    }
    return this.s;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<ReplState>): void {
    this.s = { ...this.s, ...patch };
    this.notify();
  }

  /**
   * Listeners hear once per turn: the steps of one key (input echoed, editor cleared,
   * running) reach the screen as one frame, never as a flash of an empty prompt.
   */
  private notify(): void {
    if (this.notifying) return;
    this.notifying = true;
    queueMicrotask(() => {
      this.notifying = false;
      for (const l of this.listeners) l();
    });
  }

  /** Draws the live area again (the terminal was resized). */
  refresh(): void {
    this.set({ tick: this.s.tick + 1, live: this.outputs.renderLive() });
  }

  /** Adds finished text to the scrollback. */
  print(text: string, raw?: string): void {
    this.printed.push({ id: this.nextId++, text, raw });
    this.notify();
  }

  private printError(text: string): void {
    this.print(this.paint("red", text));
  }

  // --- keys ------------------------------------------------------------------------------

  key(key: Key): void {
    const action = actionOf(key);
    if (!action) return;
    if (this.s.hint) this.set({ hint: undefined });
    if (this.s.mode === "search") return this.searchKey(action);
    if (this.s.mode === "step") return this.stepKey(action);
    if (this.s.menu) {
      if (this.menuKey(action)) return;
      this.set({ menu: undefined });
    }
    if (this.s.mode === "running" && action.type === "interrupt") return this.interrupt();
    if (this.s.mode === "input") {
      if (action.type === "submit") return this.answerQuestion();
      if (action.type === "interrupt") return this.interrupt();
    }
    this.edit(action);
  }

  private edit(a: Action): void {
    const b = this.s.buffer;
    const put = (buffer: B.Buffer) => this.set({ buffer });
    switch (a.type) {
      case "insert": {
        // A closing bracket typed first on a line goes back one indent level.
        const line = b.lines[b.row]!;
        if (/^[}\])]/.test(a.text) && b.col >= 2 && /^ +$/.test(line.slice(0, b.col))) return put(B.insert(B.backspace(b), a.text));
        return put(B.insert(b, a.text));
      }
      case "paste":
        // Pasted text is never run by itself: Enter runs it.
        return put(B.insert(b, a.text.replace(/\t/g, "  ")));
      case "newline":
        return put(B.insert(b, "\n" + this.indentAfter(b)));
      case "submit":
        return void this.submit();
      case "backspace":
        return put(B.backspace(b));
      case "delete":
        return put(B.deleteForward(b));
      case "left":
        return put(B.left(b));
      case "right":
        return put(B.right(b));
      case "home":
        return put(B.home(b));
      case "end":
        return put(B.end(b));
      case "wordLeft":
        return put(B.wordLeft(b));
      case "wordRight":
        return put(B.wordRight(b));
      case "killEnd":
        return put(B.killToEnd(b));
      case "killStart":
        return put(B.killToStart(b));
      case "deleteWord":
        return put(B.deleteWordBefore(b));
      case "bufferStart":
        return put({ ...b, row: 0, col: 0 });
      case "bufferEnd":
        return put(B.fromText(B.textOf(b)));
      case "up":
        if (!B.isFirstRow(b) || this.s.mode !== "edit") return put(B.up(b));
        return this.recall(this.cursor.older(B.textOf(b)));
      case "down":
        if (!B.isLastRow(b) || this.s.mode !== "edit") return put(B.down(b));
        return this.recall(this.cursor.newer());
      case "dedent": {
        const line = b.lines[b.row]!;
        const n = Math.min(2, /^ */.exec(line)![0].length);
        return put(B.replaceRange(b, B.offsetOf({ ...b, col: 0 }), B.offsetOf({ ...b, col: n }), ""));
      }
      case "complete":
        return void this.complete();
      case "doc":
        return void this.doc();
      case "search":
        if (this.s.mode !== "edit") return;
        this.searchSaved = b;
        this.searchIndex = this.o.history.entries.length;
        return this.set({ mode: "search", search: { query: "", failed: false } });
      case "interrupt":
        if (B.isEmpty(b)) return this.set({ hint: "(Ctrl-D or .exit leaves)" });
        this.cursor.reset();
        return put(B.EMPTY);
      case "eof":
        if (this.s.mode === "edit" && B.isEmpty(b)) return this.o.onExit(0);
        return put(B.deleteForward(b));
      case "clearScreen":
        return this.o.clearScreen?.();
      case "escape":
        return;
    }
  }

  private recall(text: string | undefined): void {
    if (text === undefined) return;
    this.set({ buffer: B.fromText(text) });
  }

  private indentAfter(b: B.Buffer): string {
    const before = B.textOf(b).slice(0, B.offsetOf(b));
    const r = this.o.session.isComplete(before);
    if (r.status === "incomplete" && r.indent !== undefined) return r.indent;
    return /^\s*/.exec(b.lines[b.row]!)![0];
  }

  // --- completion, docs, search -----------------------------------------------------------

  private async complete(): Promise<void> {
    const b = this.s.buffer;
    const line = b.lines[b.row]!;
    if (!line.slice(0, b.col).trim()) return this.set({ buffer: B.insert(b, "  ") });
    const text = B.textOf(b);
    let c;
    if (isCommand(text) || /^\.[a-z]*$/i.test(text.trim())) {
      const word = text.trim();
      const names = COMMAND_HELP.map(([form]) => form.split(" ")[0]!).filter((n) => n.startsWith(word));
      c = { matches: names, cursorStart: text.indexOf(word), cursorEnd: text.indexOf(word) + word.length };
    } else {
      try {
        c = await this.slow(this.o.session.complete(text, B.offsetOf(b)), "(completing… the language service starts on first use)");
      } catch (e) {
        return this.set({ hint: `completion failed: ${(e as Error).message}` });
      }
    }
    if (this.s.buffer !== b) return; // typed on meanwhile
    const step = completionStep(b, c);
    if (step.kind === "none") return this.set({ hint: "(no completions)" });
    if (step.kind === "insert") return this.set({ buffer: step.buffer });
    this.set({ buffer: step.buffer, menu: step.menu });
  }

  /** Says what is being waited for when an answer takes more than a moment (the type checker's first start takes seconds). */
  private async slow<T>(work: Promise<T>, hint: string): Promise<T> {
    const timer = setTimeout(() => this.set({ hint }), 300);
    try {
      return await work;
    } finally {
      clearTimeout(timer);
      if (this.s.hint === hint) this.set({ hint: undefined });
    }
  }

  /** Keys while the menu is open; false: the key closes the menu and acts as usual. */
  private menuKey(a: Action): boolean {
    const menu = this.s.menu!;
    if (a.type === "complete" || a.type === "down") return this.set({ menu: moveSelection(menu, 1) }), true;
    if (a.type === "dedent" || a.type === "up") return this.set({ menu: moveSelection(menu, -1) }), true;
    if (a.type === "submit" && menu.selected >= 0) return this.set({ buffer: choose(this.s.buffer, menu), menu: undefined }), true;
    if (a.type === "escape" || a.type === "interrupt") return this.set({ menu: undefined }), true;
    return false;
  }

  private async doc(): Promise<void> {
    const b = this.s.buffer;
    const r = await this.slow(this.o.session.inspect(B.textOf(b), B.offsetOf(b)), "(looking it up…)").catch(() => ({ found: false, data: {} as Record<string, string> }));
    if (!r.found || !r.data["text/plain"]) return this.set({ hint: "(nothing documented under the cursor)" });
    this.print(formatDoc(r.data["text/plain"], this.paint));
  }

  private searchKey(a: Action): void {
    const s = this.s.search!;
    const find = (query: string, before: number) => {
      const m = query ? this.o.history.search(query, before) : undefined;
      if (m) this.searchIndex = m.index;
      return { query, match: m?.entry ?? (query ? s.match : undefined), failed: !!query && !m };
    };
    switch (a.type) {
      case "insert":
        return this.set({ search: find(s.query + a.text, this.searchIndex + (s.match ? 1 : 0)) });
      case "backspace":
        this.searchIndex = this.o.history.entries.length;
        return this.set({ search: find(s.query.slice(0, -1), this.searchIndex) });
      case "search":
        return this.set({ search: find(s.query, this.searchIndex) });
      case "escape":
      case "interrupt":
        return this.set({ mode: "edit", search: undefined, buffer: this.searchSaved ?? this.s.buffer });
      default: {
        // Enter or any other key: take the match into the editor (Enter then runs it).
        const buffer = s.match !== undefined ? B.fromText(s.match) : (this.searchSaved ?? this.s.buffer);
        this.set({ mode: "edit", search: undefined, buffer });
        if (a.type !== "submit") this.edit(a);
      }
    }
  }

  // --- running inputs ---------------------------------------------------------------------

  private async submit(): Promise<void> {
    const b = this.s.buffer;
    const text = B.textOf(b);
    if (this.s.mode === "running") {
      // Typed ahead: run once the running input is done.
      if (this.o.session.isComplete(text).status !== "incomplete") this.submitWhenDone = true;
      else this.set({ buffer: B.insert(b, "\n" + this.indentAfter(b)) });
      return;
    }
    if (this.s.mode !== "edit") return;
    if (!isCommand(text) && text.trim()) {
      const status = this.o.session.isComplete(text).status;
      // Incomplete: Enter continues the block (at the cursor, with the next line's indent).
      if (status === "incomplete") return this.set({ buffer: B.insert(b, "\n" + this.indentAfter(b)) });
    }
    this.cursor.reset();
    this.set({ buffer: B.EMPTY });
    this.echo(text);
    if (!text.trim()) return;
    this.o.history.add(text);
    if (isCommand(text)) {
      this.startBusy(false);
      try {
        await runCommand(text, this.commandContext());
      } catch (e) {
        this.printError(String((e as Error).message ?? e));
      } finally {
        this.endBusy();
      }
      if (this.stepWanted) this.startStepping(this.stepWanted);
      return;
    }
    await this.runCode(text, {});
  }

  // --- the translation stepper (.plan --step) --------------------------------------------

  private startStepping(trace: TranslationTrace): void {
    this.stepWanted = undefined;
    this.stepper = new Stepper(trace);
    this.lastMove = { move: "next" };
    this.set({ mode: "step", step: stepView(this.stepper), buffer: B.EMPTY });
  }

  private stepKey(a: Action): void {
    const empty = B.isEmpty(this.s.buffer);
    switch (a.type) {
      case "submit": {
        const text = B.textOf(this.s.buffer).trim();
        this.set({ buffer: B.EMPTY });
        return this.stepCommand(text);
      }
      case "interrupt":
      case "eof":
      case "escape":
        if (!empty && a.type !== "escape") return this.set({ buffer: B.EMPTY });
        return this.stopStepping();
      case "right":
        if (empty) return this.stepMove({ move: "next" });
        break;
      case "left":
        if (empty) return this.stepMove({ move: "back" });
        break;
      case "newline":
      case "paste":
      case "complete":
      case "search":
        return;
    }
    this.edit(a);
  }

  /** A line typed at the stepper's prompt: a move, a breakpoint, why, q. */
  private stepCommand(text: string): void {
    const [word = "", ...rest] = text.split(/\s+/);
    const arg = rest.join(" ");
    const move = ((): StepCommand | "quit" | "help" | undefined => {
      switch (word.toLowerCase()) {
        case "":
          return this.lastMove;
        case "n":
        case "next":
          return { move: "next" };
        case "s":
        case "step":
        case "into":
          return { move: "into" };
        case "o":
        case "out":
        case "finish":
          return { move: "out" };
        case "c":
        case "cont":
        case "continue":
          return { move: "continue" };
        case "b":
        case "back":
          return arg ? { move: "break", query: arg } : { move: "back" };
        case "break":
        case "br":
          return { move: "break", query: arg };
        case "unbreak":
        case "delete":
        case "clear":
          return arg ? { move: "unbreak", query: arg } : { move: "unbreak" };
        case "r":
        case "run":
        case "runto":
          return { move: "runTo", query: arg };
        case "w":
        case "why":
          return { move: "why" };
        case "g":
        case "go":
          return { move: "goTo", index: Number(arg) - 1 };
        case "q":
        case "quit":
        case "exit":
          return "quit";
        case "h":
        case "help":
        case "?":
          return "help";
        default:
          return /^\d+$/.test(word) ? { move: "goTo", index: Number(word) - 1 } : undefined;
      }
    })();
    if (move === "quit") return this.stopStepping();
    if (move === "help") {
      const w = Math.max(...STEP_HELP.map(([k]) => k.length));
      this.print([this.paint("bold", "The stepper's commands (then Enter)"), ...STEP_HELP.map(([k, what]) => `  ${this.paint("cyan", k.padEnd(w))}  ${what}`)].join("\n"));
      return;
    }
    if (move === undefined) {
      this.stepper!.note = `unknown: ${text} · ${STEP_HELP.slice(0, 6).map(([k]) => k.split(" ")[0]).join(" ")} why q (h lists them)`;
      return this.set({ step: stepView(this.stepper!) });
    }
    this.stepMove(move);
  }

  private stepMove(c: StepCommand): void {
    const st = this.stepper!;
    st.run(c);
    if (["next", "into", "out", "continue", "back"].includes(c.move)) this.lastMove = c;
    this.set({ step: stepView(st) });
  }

  private stopStepping(): void {
    const st = this.stepper;
    this.stepper = undefined;
    this.set({ mode: "edit", step: undefined, buffer: B.EMPTY });
    if (!st) return;
    const ev = st.current;
    this.print(this.paint("gray", `left the stepper at step ${st.position + 1} of ${st.total} (${ev.kind}${ev.kind === "finish" ? ` ${ev.what}` : ` ${ev.transform.fullName}`})`));
  }

  private echo(text: string): void {
    const lines = highlightLines(text, this.paint);
    this.print(lines.map((l, i) => this.paint("gray", i === 0 ? PROMPT : CONTINUATION) + l).join("\n"));
  }

  /** Runs code as an input: outputs to the scrollback, live displays in the live area. */
  async runCode(code: string, opts: { filename?: string }): Promise<boolean> {
    this.startBusy(true);
    const started = performance.now();
    let ok = false;
    try {
      const r = await runInput(this.o.session, code, this.outputs.sink(), {
        colors: this.o.colors,
        width: this.width(),
        filename: opts.filename,
        input: (q, o) => this.ask(q, o.password),
      });
      ok = r.status === "ok";
      if (ok) this.inputs.push(code);
    } catch (e) {
      this.printError(`flowbook: ${(e as Error).stack ?? String(e)}`);
    } finally {
      this.outputs.flushStreams();
      this.outputs.flushLive("done");
      const ms = performance.now() - started;
      if (ms > 2000) this.print(this.paint("gray", `(${(ms / 1000).toFixed(1)} s)`));
      this.endBusy();
    }
    return ok;
  }

  private startBusy(cell: boolean): void {
    if (cell) this.o.setBusy?.(true);
    this.set({ mode: "running", running: { since: Date.now(), interrupted: false } });
    this.updateTicker();
  }

  /** Redraws the live area a few times a second while something in it moves (a spinner, a time). */
  private updateTicker(): void {
    const moving = this.s.mode === "running" || this.outputs.hasLive;
    if (moving && !this.ticker) {
      this.ticker = setInterval(() => this.set({ tick: this.s.tick + 1, live: this.outputs.renderLive() }), 150);
      this.ticker.unref?.();
    } else if (!moving && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private endBusy(): void {
    this.o.setBusy?.(false);
    this.set({ mode: "edit", running: undefined, live: this.outputs.renderLive() });
    this.updateTicker();
    if (this.submitWhenDone) {
      this.submitWhenDone = false;
      void this.submit();
    }
  }

  /** A Ctrl-C already delivered to the session as SIGINT (read while the main thread was busy). */
  interrupted(): void {
    if (this.s.running) this.set({ running: { ...this.s.running, interrupted: true } });
    if (this.answer) this.answerQuestion("");
  }

  private interrupt(): void {
    if (this.answer) this.answerQuestion("");
    this.o.session.interrupt();
    if (this.s.running) this.set({ running: { ...this.s.running, interrupted: true } });
  }

  private ask(question: string, password: boolean): Promise<string> {
    this.outputs.flushStreams();
    this.savedBuffer = this.s.buffer;
    this.set({ mode: "input", question: { text: question, password }, buffer: B.EMPTY });
    return new Promise((resolve) => (this.answer = resolve));
  }

  private answerQuestion(forced?: string): void {
    const text = forced ?? B.textOf(this.s.buffer);
    const q = this.s.question;
    if (q) this.print(q.text + (q.password ? "•".repeat(text.length) : text));
    const resolve = this.answer;
    this.answer = undefined;
    this.set({ mode: "running", question: undefined, buffer: this.savedBuffer ?? B.EMPTY });
    resolve?.(text);
  }

  private width(): number {
    return Math.max(20, this.o.size().columns);
  }

  private terminal(): TerminalContext {
    return { width: this.width() - 1, paint: this.paint, images: this.o.images, fileDir: this.o.fileDir };
  }

  commandContext(): CommandContext {
    return {
      session: this.o.session,
      paint: this.paint,
      width: this.width(),
      print: (t) => this.print(t),
      printError: (t) => this.printError(t),
      pipelineOptions: this.o.pipelineOptions,
      inputs: this.inputs,
      run: async (code, opts) => this.runCode(code, opts ?? {}),
      step: (trace) => void (this.stepWanted = trace),
      exit: () => this.o.onExit(0),
    };
  }
}
