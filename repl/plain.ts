/**
 * The REPL when stdin or stdout is not a terminal (`echo 'await show(x)' | flowbook repl`):
 * lines are read as they come, an input runs once the session says it is complete, outputs
 * are printed as text (no Ink, no escapes unless stdout is a terminal; a run's progress as
 * its last line, on stderr), and the exit status is 1 when any input failed.
 */
import readline from "node:readline";
import type { Session } from "../src/session/session.js";
import { isCommand, runCommand, type CommandContext } from "./commands.js";
import { paint } from "./render/ansi.js";
import { defaultFileDir, renderBundle } from "./render/bundle.js";
import { progressEnded } from "./render/progress.js";
import { runInput, type OutputSink } from "./run_input.js";
import type { MimeBundle } from "../src/display/mime.js";

export interface PlainOptions {
  session: Session;
  input: NodeJS.ReadableStream;
  out(text: string): void;
  err(text: string): void;
  colors: boolean;
  width: number;
  pipelineOptions: Record<string, unknown>;
}

export async function plainRepl(o: PlainOptions): Promise<number> {
  const p = paint(o.colors);
  let failed = false;
  const inputs: string[] = [];
  let exit = false;
  const terminal = { width: o.width, paint: p, images: "none" as const, fileDir: defaultFileDir() };
  const line = (t: string) => o.out(t.endsWith("\n") ? t : t + "\n");
  const progress = new Map<string, MimeBundle>();
  const sink: OutputSink = {
    stream: (name, text) => (name === "stderr" ? o.err(text) : o.out(text)),
    display: (_kind, id, bundle, late) => {
      // A progress display is printed once, in its last state (no in-place updates in a pipe).
      if (bundle["application/vnd.flowbook.progress+json"] !== undefined) {
        progress.set(id, bundle);
        if (late && progressEnded(bundle["application/vnd.flowbook.progress+json"])) flushProgress();
        return;
      }
      line(renderBundle(bundle, terminal).text);
    },
    result: (text) => line(text),
    error: (_kind, tb) => o.err(tb.join("\n") + "\n"),
    warnings: (lines) => o.err(lines.join("\n") + "\n"),
  };
  // To stderr: stdout keeps what the inputs printed and showed, for whatever reads the pipe.
  const flushProgress = () => {
    for (const b of progress.values()) o.err(renderBundle(b, terminal).text + "\n");
    progress.clear();
  };
  const running: Array<Promise<unknown>> = [];
  const run = async (code: string, filename?: string): Promise<boolean> => {
    const r = await runInput(o.session, code, sink, { colors: o.colors, width: o.width, filename });
    flushProgress();
    for (const cellRun of r.runs ?? []) if (cellRun.purpose === "run" && cellRun.result.state === "RUNNING") running.push(cellRun.result.waitUntilFinish());
    if (r.status === "ok") inputs.push(code);
    return r.status === "ok";
  };
  const ctx: CommandContext = {
    session: o.session,
    paint: p,
    width: o.width,
    print: line,
    printError: (t) => o.err(t + "\n"),
    pipelineOptions: o.pipelineOptions,
    inputs,
    run: (code, opts) => run(code, opts?.filename),
    exit: () => void (exit = true),
  };

  const rl = readline.createInterface({ input: o.input, crlfDelay: Infinity, terminal: false });
  let pending = "";
  const submit = async (code: string) => {
    const ok = isCommand(code) ? await runCommand(code, ctx) : await run(code);
    if (!ok) failed = true;
  };
  for await (const l of rl) {
    if (exit) break;
    pending = pending ? pending + "\n" + l : l;
    if (!pending.trim()) {
      pending = "";
      continue;
    }
    if (!isCommand(pending) && o.session.isComplete(pending).status === "incomplete") continue;
    const code = pending;
    pending = "";
    await submit(code);
  }
  rl.close();
  // An unfinished input at the end: run it, so its error is shown.
  if (pending.trim() && !exit) await submit(pending);
  // Pipelines the inputs started and did not wait for: the exit status includes them.
  for (const r of running) {
    try {
      await r;
    } catch (e) {
      failed = true;
      o.err(`${(e as Error).stack ?? String(e)}\n`);
    }
  }
  return failed ? 1 : 0;
}
