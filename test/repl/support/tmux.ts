// A terminal a test can type into and read, as a person would: a tmux pane (a real
// terminal emulator, so the screen read back is what a person sees), on a private server.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export class TmuxTerminal {
  private readonly socket = `flowbook-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(command: string, options: { cols?: number; rows?: number; cwd: string; env?: Record<string, string> }) {
    // `env -u CI`: Ink prints only its last frame when CI is set.
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`).join(" ");
    const shell = `cd ${shellQuote(options.cwd)} && env -u CI ${env} ${command}; echo "[exited $?]"; sleep 600`;
    this.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", String(options.cols ?? 100), "-y", String(options.rows ?? 30), shell);
    this.tmux("set-option", "-t", "t", "history-limit", "20000");
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    this.tmux("send-keys", "-t", "t", "-l", text);
  }

  /** Presses keys by tmux's names: Enter, C-c, Up, Tab, Escape, F1… */
  press(...keys: string[]): void {
    this.tmux("send-keys", "-t", "t", ...keys);
  }

  /** Pastes as a terminal does, bracketed when the program asked for it. */
  paste(text: string): void {
    this.tmux("set-buffer", "-b", "p", "--", text);
    this.tmux("paste-buffer", "-p", "-b", "p", "-t", "t");
  }

  resize(cols: number, rows: number): void {
    this.tmux("resize-window", "-t", "t", "-x", String(cols), "-y", String(rows));
  }

  /** The visible screen (lines the terminal wrapped joined again, trailing spaces cut). */
  screen(): string {
    return trimLines(this.tmux("capture-pane", "-p", "-J", "-t", "t"));
  }

  /** The visible screen with its SGR escapes (colours, inverse), as the terminal drew it. */
  styled(): string {
    return trimLines(this.tmux("capture-pane", "-p", "-e", "-J", "-t", "t"));
  }

  /** The scrollback and the screen. */
  all(): string {
    return trimLines(this.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t"));
  }

  async waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 30_000, read: () => string = () => this.all()): Promise<string> {
    const ok = typeof test === "function" ? test : (s: string) => test.test(s);
    const end = Date.now() + timeoutMs;
    let s = read();
    while (!ok(s)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${String(test)}; the screen:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 100));
      s = read();
    }
    return s;
  }

  kill(): void {
    try {
      this.tmux("kill-server");
    } catch {
      // already gone
    }
    // The server leaves its socket file behind.
    fs.rmSync(path.join(process.env.TMUX_TMPDIR ?? "/tmp", `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }

  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
  }
}

function trimLines(s: string): string {
  return s
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .trimEnd();
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
