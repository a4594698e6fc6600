/**
 * Inputs kept across sessions: one JSON string per line of the history file, so a
 * multi-line entry is stored, and recalled, as one block. The file lives in the user's
 * config directory ($XDG_CONFIG_HOME/flowbook/repl_history, else ~/.config/flowbook/…).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const MAX_ENTRIES = 1000;

export function defaultHistoryFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOWBOOK_REPL_HISTORY) return env.FLOWBOOK_REPL_HISTORY;
  const config = env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(config, "flowbook", "repl_history");
}

export class History {
  private readonly list: string[];

  /** `file` undefined: a history of this session only. */
  constructor(private readonly file?: string) {
    this.list = file ? load(file) : [];
  }

  get entries(): readonly string[] {
    return this.list;
  }

  /** Records an input (not a repeat of the previous one, not blank), appending to the file. */
  add(entry: string): void {
    if (!entry.trim() || this.list[this.list.length - 1] === entry) return;
    this.list.push(entry);
    if (this.list.length > MAX_ENTRIES) this.list.splice(0, this.list.length - MAX_ENTRIES);
    if (!this.file) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.appendFileSync(this.file, JSON.stringify(entry) + "\n");
      // Rewritten now and then, so the file stays bounded.
      if (this.list.length === MAX_ENTRIES && Math.random() < 0.05) fs.writeFileSync(this.file, this.list.map((e) => JSON.stringify(e)).join("\n") + "\n");
    } catch {
      // A read-only home: history for this session only.
    }
  }

  /**
   * Reverse search: the newest entry before index `before` (exclusive) containing `query`,
   * with its index; undefined when none.
   */
  search(query: string, before = this.list.length): { index: number; entry: string } | undefined {
    for (let i = Math.min(before, this.list.length) - 1; i >= 0; i--) {
      if (this.list[i]!.includes(query)) return { index: i, entry: this.list[i]! };
    }
    return undefined;
  }
}

function load(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (typeof v === "string") out.push(v);
    } catch {
      out.push(line); // a plain line (a history written by hand)
    }
  }
  return out.slice(-MAX_ENTRIES);
}

/**
 * Walking the history with ↑/↓: the draft being typed is kept, so ↓ past the newest entry
 * brings it back.
 */
export class HistoryCursor {
  /** The entry shown; undefined while at the draft (the input being typed). */
  private index: number | undefined;
  private draft = "";

  constructor(private readonly history: History) {}

  /** Back at the draft (after an input ran), whatever the history holds by then. */
  reset(): void {
    this.index = undefined;
  }

  /** The older entry, or undefined at the oldest. */
  older(current: string): string | undefined {
    if (this.index === undefined) {
      if (!this.history.entries.length) return undefined;
      this.draft = current;
      this.index = this.history.entries.length;
    }
    if (this.index === 0) return undefined;
    return this.history.entries[--this.index];
  }

  /** The newer entry, the draft past the newest, undefined when already at the draft. */
  newer(): string | undefined {
    if (this.index === undefined) return undefined;
    this.index++;
    if (this.index < this.history.entries.length) return this.history.entries[this.index];
    this.index = undefined;
    return this.draft;
  }
}
