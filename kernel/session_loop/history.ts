/**
 * Execution history for history_request (tail, range, search), kept across kernel restarts
 * in a JSON-lines file: `<Jupyter data dir>/flowbook/history.jsonl` (FLOWBOOK_HISTORY_FILE
 * overrides). Each kernel process is one history session, numbered after the highest in
 * the file. Appends are single small writes (O_APPEND), so kernels running side by side
 * do not tear each other's lines; the file is compacted when it grows past a limit.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { jupyterDataDir } from "../install/paths.js";

interface Entry {
  s: number;
  l: number;
  i: string;
  o?: string | null;
}

/** [session, line, input] or, with output, [session, line, [input, output]]. */
export type HistoryItem = [number, number, string] | [number, number, [string, string | null]];

const KEEP = 10_000;

export function defaultHistoryFile(): string {
  return process.env.FLOWBOOK_HISTORY_FILE || path.join(jupyterDataDir(), "flowbook", "history.jsonl");
}

export class HistoryStore {
  private entries: Entry[] = [];
  readonly session: number;

  constructor(private readonly file: string = defaultHistoryFile()) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      /* no history yet */
    }
    let maxSession = 0;
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as Partial<Entry> & { start?: string };
        if (typeof e.s !== "number") continue;
        maxSession = Math.max(maxSession, e.s);
        if (typeof e.l === "number" && typeof e.i === "string") this.entries.push(e as Entry);
      } catch {
        /* a torn line from a crash: skipped */
      }
    }
    this.session = maxSession + 1;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      if (this.entries.length > 2 * KEEP) {
        this.entries = this.entries.slice(-KEEP);
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, this.entries.map((e) => JSON.stringify(e) + "\n").join(""));
        renameSync(tmp, file);
      }
      // Claims the session number before any cell runs.
      appendFileSync(file, JSON.stringify({ s: this.session, start: new Date().toISOString() }) + "\n");
    } catch {
      /* history is a convenience: a read-only home must not stop the kernel */
    }
  }

  add(line: number, input: string, output?: string): void {
    const e: Entry = { s: this.session, l: line, i: input, o: output ?? null };
    this.entries.push(e);
    try {
      appendFileSync(this.file, JSON.stringify(e) + "\n");
    } catch {
      /* as above */
    }
  }

  /** The last `n` entries of all sessions. */
  tail(n: number, output: boolean): HistoryItem[] {
    return this.sorted().slice(-Math.max(0, n)).map((e) => item(e, output));
  }

  /** Lines `start` ≤ line < `stop` (stop 0 or missing: to the end) of a session; 0 is this one, -1 the one before. */
  range(session: number, start: number, stop: number | undefined, output: boolean): HistoryItem[] {
    const s = session > 0 ? session : this.session + session;
    return this.sorted()
      .filter((e) => e.s === s && e.l >= start && (!stop || e.l < stop))
      .map((e) => item(e, output));
  }

  /** Inputs matching a glob (`*`, `?`, `[…]`, as IPython's history search); the last `n`; each input once if `unique`. */
  search(pattern: string, n: number | undefined, unique: boolean, output: boolean): HistoryItem[] {
    const re = globToRegExp(pattern || "*");
    let found = this.sorted().filter((e) => re.test(e.i));
    if (unique) {
      const last = new Map<string, Entry>();
      for (const e of found) last.set(e.i, e);
      found = [...last.values()].sort(order);
    }
    if (n !== undefined && n > 0) found = found.slice(-n);
    return found.map((e) => item(e, output));
  }

  private sorted(): Entry[] {
    return [...this.entries].sort(order);
  }
}

const order = (a: Entry, b: Entry) => a.s - b.s || a.l - b.l;
const item = (e: Entry, output: boolean): HistoryItem => (output ? [e.s, e.l, [e.i, e.o ?? null]] : [e.s, e.l, e.i]);

export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        re += "[" + glob.slice(i + 1, end).replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
