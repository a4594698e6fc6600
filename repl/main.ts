/**
 * `flowbook repl` (and `flowbook` alone): the Ink REPL on a terminal, the plain line REPL
 * otherwise. Both drive one Session (src/session) and draw its outputs with render/.
 */
import { defaultHistoryFile, History } from "./editor/history.js";
import { paint } from "./render/ansi.js";
import { detectImageProtocol } from "./terminal/images.js";
import { PASTE_OFF, PASTE_ON } from "./terminal/keys.js";
import { startKeyboardThread } from "./terminal/stdin_thread.js";
import { favorMainThread } from "./terminal/priority.js";
import { PROMPT } from "./prompt.js";
import type { TypeCheckMode } from "../src/session/session.js";

export interface ReplOptions {
  runner?: string;
  flinkMaster?: string;
  /** History file; null: none (nothing read or written). */
  historyFile?: string | null;
  typeCheck?: TypeCheckMode;
  /** Force the plain REPL even on a terminal. */
  plain?: boolean;
}

export async function startRepl(options: ReplOptions = {}): Promise<number> {
  const pipelineOptions: Record<string, unknown> = {};
  if (options.runner) pipelineOptions.runner = options.runner;
  if (options.flinkMaster) pipelineOptions.flinkMaster = options.flinkMaster;
  const tty = !options.plain && process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (!tty) return runPlain(options, pipelineOptions);
  return runInk(options, pipelineOptions);
}

async function runPlain(options: ReplOptions, pipelineOptions: Record<string, unknown>): Promise<number> {
  const { createSession } = await import("../src/session/session.js");
  const { plainRepl } = await import("./plain.js");
  const colors = process.stdout.isTTY === true;
  const width = process.stdout.columns || 100;
  const session = createSession({ pipelineOptions, typeCheck: options.typeCheck ?? "off", colors, displayWidth: width, progress: true });
  try {
    return await plainRepl({
      session,
      input: process.stdin,
      out: (t) => void process.stdout.write(t),
      err: (t) => void process.stderr.write(t),
      colors,
      width,
      pipelineOptions,
    });
  } finally {
    await session.dispose();
  }
}

async function runInk(options: ReplOptions, pipelineOptions: Record<string, unknown>): Promise<number> {
  const stdout = process.stdout;
  const size = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const p = paint(true);
  // The prompt first: loading Ink (its layout engine is WebAssembly) and the session takes
  // 0.5–2 s on a busy machine. Until then keys are kept (printable ones echoed) and handed
  // to the editor once it is up.
  const runner = String(pipelineOptions.runner ?? "direct");
  stdout.write(PASTE_ON + p("gray", `flowbook REPL · ${runner} runner · .help for commands and keys, Ctrl-D exits`) + "\n");
  let early: string[] | undefined = [];
  let echoing = true;
  let echoed = 0;
  let deliver: (text: string) => void = (text) => {
    early!.push(text);
    if (echoing && /^[\x20-\x7e]+$/.test(text)) {
      stdout.write(text);
      echoed += text.length;
    } else echoing = false;
  };
  let interrupted: () => void = () => undefined;
  let ended: () => void = () => process.exit(0);
  const keyboard = startKeyboardThread(
    (text) => deliver(text),
    () => interrupted(),
    () => ended(),
  );
  // The prompt once the terminal is raw: a key typed at it is a key (in cooked mode, Enter
  // would come as a line feed, which is Ctrl-J here).
  await keyboard.ready;
  stdout.write(p("green", PROMPT));
  // SIGINT from the keyboard thread may land just after a cell ended: never let it kill the REPL.
  const ignoreSigint = () => undefined;
  process.on("SIGINT", ignoreSigint);

  const [{ createSession }, { ReplController }, { KeyParser }, { mountScreen }, { defaultFileDir }] = await Promise.all([
    import("../src/session/session.js"),
    import("./controller.js"),
    import("./terminal/keys.js"),
    import("./ui/mount.js"),
    import("./render/bundle.js"),
  ]);
  let print: (text: string) => void = (t) => void stdout.write(t);
  const session = createSession({
    pipelineOptions,
    typeCheck: options.typeCheck ?? "warn",
    colors: true,
    progress: true,
    displayWidth: () => size().columns - 1,
    // Hidden inputs (.runner) give no onOutput of their own.
    stdout: (t) => print(t.replace(/\n$/, "")),
    stderr: (t) => print(t.replace(/\n$/, "")),
  });
  let done!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (done = resolve));
  const parser = new KeyParser();
  let favoring: NodeJS.Timeout | undefined;
  const controller = new ReplController({
    session,
    history: new History(options.historyFile === null ? undefined : (options.historyFile ?? defaultHistoryFile())),
    size,
    colors: true,
    images: detectImageProtocol(),
    fileDir: defaultFileDir(),
    pipelineOptions,
    setBusy: (b) => {
      keyboard.setBusy(b);
      clearInterval(favoring);
      if (!b) return;
      favorMainThread();
      favoring = setInterval(favorMainThread, 250);
    },
    onExit: (code) => done(code),
    clearScreen: () => screen.clearScreen(),
  });
  print = (t) => controller.print(t);
  // The early prompt (and what was echoed on it) gives way to Ink's live area.
  const promptRows = Math.floor((PROMPT.length + echoed) / size().columns);
  stdout.write("\r\x1b[2K" + "\x1b[1A\x1b[2K".repeat(promptRows));
  const screen = mountScreen(controller, p, size);
  deliver = (text) => {
    for (const k of parser.feed(text)) controller.key(k);
  };
  interrupted = () => controller.interrupted();
  ended = () => done(0);
  for (const text of early) deliver(text);
  early = undefined;
  const onResize = () => screen.refresh();
  stdout.on("resize", onResize);
  try {
    return await exited;
  } finally {
    stdout.off("resize", onResize);
    screen.unmount();
    stdout.write(PASTE_OFF);
    await keyboard.close();
    process.off("SIGINT", ignoreSigint);
    await session.dispose();
  }
}
