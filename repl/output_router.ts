/**
 * Where an input's outputs go on the screen: stream text to the scrollback by whole lines;
 * a progress display, a live display of an unbounded PCollection (LIVE_MIME: show or chart
 * running), and a display updated before it was shown, to the live area, updated in place
 * until its run ends or the live display stops, then once into the scrollback; everything
 * else drawn once into the scrollback as it comes.
 */
import { Mime, type MimeBundle } from "../src/display/mime.js";
import { LIVE_MIME } from "../src/display/live/live_status.js";
import type { Painter } from "./render/ansi.js";
import { renderBundle, type TerminalContext } from "./render/bundle.js";
import { progressEnded } from "./render/progress.js";
import type { OutputSink } from "./run_input.js";

export interface OutputHost {
  paint: Painter;
  terminal(): TerminalContext;
  /** Adds finished text to the scrollback (with escapes to write after it: an inline image). */
  print(text: string, raw?: string): void;
  /** The live displays changed: draw renderLive() again. */
  liveChanged(): void;
}

export class OutputRouter {
  private readonly live = new Map<string, MimeBundle>();
  private readonly printed = new Set<string>();
  private tail: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  private tailTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: OutputHost) {}

  get hasLive(): boolean {
    return this.live.size > 0;
  }

  /** The live displays, drawn now (a progress line's time and spinner move on each call). */
  renderLive(): string[] {
    // A running live chart is drawn as its text: its picture would be written to a file at every redraw.
    return [...this.live.values()].map((b) => renderBundle(liveState(b) === "running" ? textOnly(b) : b, this.host.terminal()).text);
  }

  sink(): OutputSink {
    const { paint, print } = this.host;
    return {
      stream: (name, text) => {
        this.tail[name] += text;
        const cut = this.tail[name].lastIndexOf("\n");
        if (cut >= 0) {
          const lines = this.tail[name].slice(0, cut);
          this.tail[name] = this.tail[name].slice(cut + 1);
          print(name === "stderr" ? paint("yellow", lines) : lines);
        }
        // A line without its end yet (a prompt, a progress dot) shows after a moment anyway.
        if (this.tail.stdout || this.tail.stderr) {
          clearTimeout(this.tailTimer);
          this.tailTimer = setTimeout(() => this.flushStreams(), 100);
        }
      },
      display: (kind, id, bundle, late) => {
        const progress = bundle[Mime.progress] !== undefined;
        // A run's last line is in the scrollback already.
        if (progress && this.printed.has(id)) return;
        const live = liveState(bundle);
        if (live !== undefined && !this.printed.has(id)) {
          // Redrawn in place while it runs; its final state (with why it stopped) goes to the scrollback.
          this.live.set(id, bundle);
          if (live === "stopped") this.flushLive("ended");
          else this.host.liveChanged();
          return;
        }
        if (this.live.has(id) || progress || (kind === "update" && !this.printed.has(id) && !late)) {
          this.live.set(id, bundle);
          if (progress && progressEnded(bundle[Mime.progress])) this.flushLive("ended");
          else this.host.liveChanged();
          return;
        }
        // A run that has ended goes first: its progress came before what it computed.
        this.flushLive("ended");
        this.printed.add(id);
        const out = renderBundle(bundle, this.host.terminal());
        print(out.text, out.raw);
      },
      result: (text) => print(text),
      error: (kind, traceback) => {
        if (kind === "interrupted" || kind === "Interrupted") return print(paint("yellow", "^C interrupted"));
        const [first, ...rest] = traceback;
        print([paint("red", first ?? "error"), ...rest].join("\n"));
      },
      warnings: (lines) => print(paint("yellow", lines.join("\n"))),
    };
  }

  /** Prints what streams hold without a line end yet. */
  flushStreams(): void {
    clearTimeout(this.tailTimer);
    for (const name of ["stdout", "stderr"] as const) {
      const t = this.tail[name];
      this.tail[name] = "";
      if (t) this.host.print(name === "stderr" ? this.host.paint("yellow", t) : t);
    }
  }

  /**
   * Moves live displays to the scrollback: `ended`, the progress of runs that have ended;
   * `done` (the input finished), everything but the progress of runs still going (a
   * pipeline the input started and did not wait for stays live above the prompt).
   */
  flushLive(which: "ended" | "done"): void {
    for (const [id, bundle] of this.live) {
      const p = bundle[Mime.progress];
      const live = liveState(bundle);
      const running = (p !== undefined && !progressEnded(p)) || live === "running";
      if (running || (which === "ended" && p === undefined && live === undefined)) continue;
      this.live.delete(id);
      this.printed.add(id);
      const out = renderBundle(bundle, this.host.terminal());
      this.host.print(out.text, out.raw);
    }
    this.host.liveChanged();
  }
}

function textOnly(bundle: MimeBundle): MimeBundle {
  return { [Mime.text]: bundle[Mime.text], [LIVE_MIME]: bundle[LIVE_MIME] };
}

/** A live display's state (LIVE_MIME), or undefined for any other bundle. */
function liveState(bundle: MimeBundle): "running" | "stopped" | undefined {
  const v = bundle[LIVE_MIME] as { state?: unknown } | undefined;
  return v?.state === "running" || v?.state === "stopped" ? v.state : undefined;
}
