/**
 * Bytes from a terminal in raw mode → key events. Ink 6.8 has no bracketed paste, so the
 * REPL reads stdin itself: ESC[200~ … ESC[201~ is one `paste` (it may span many chunks and
 * never submits), escape sequences become named keys, runs of printable text one `text`.
 */
export type KeyName =
  | "enter" | "tab" | "backspace" | "delete" | "escape"
  | "up" | "down" | "left" | "right" | "home" | "end" | "pageup" | "pagedown"
  | "f1" | "f2" | "f3" | "f4";

export type Key =
  | { kind: "text"; text: string }
  | { kind: "paste"; text: string }
  /** A named key, or a letter with ctrl/meta (`{ name: "r", ctrl: true }` is Ctrl-R). */
  | { kind: "key"; name: KeyName | string; ctrl?: boolean; meta?: boolean; shift?: boolean };

export const PASTE_ON = "\x1b[?2004h";
export const PASTE_OFF = "\x1b[?2004l";
const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";

const CSI_TILDE: Record<string, KeyName> = {
  "1": "home", "7": "home", "4": "end", "8": "end", "3": "delete", "5": "pageup", "6": "pagedown",
  "11": "f1", "12": "f2", "13": "f3", "14": "f4",
};
const CSI_LETTER: Record<string, KeyName> = { A: "up", B: "down", C: "right", D: "left", H: "home", F: "end", P: "f1", Q: "f2", R: "f3", S: "f4" };

export class KeyParser {
  private pending = "";
  /** Inside a bracketed paste: what it holds so far. */
  private paste: string | undefined;

  feed(chunk: string): Key[] {
    const keys: Key[] = [];
    let s = this.pending + chunk;
    this.pending = "";
    let i = 0;
    let text = "";
    const flushText = () => {
      if (text) keys.push({ kind: "text", text });
      text = "";
    };
    while (i < s.length) {
      if (this.paste !== undefined) {
        const end = s.indexOf(PASTE_END, i);
        if (end < 0) {
          // Keep a possible partial end marker for the next chunk.
          const keep = partialSuffix(s.slice(i), PASTE_END);
          this.paste += s.slice(i, s.length - keep);
          this.pending = s.slice(s.length - keep);
          return keys;
        }
        this.paste += s.slice(i, end);
        keys.push({ kind: "paste", text: this.paste.replace(/\r\n?/g, "\n") });
        this.paste = undefined;
        i = end + PASTE_END.length;
        continue;
      }
      const c = s[i]!;
      if (c === "\x1b") {
        flushText();
        if (s.startsWith(PASTE_START, i)) {
          this.paste = "";
          i += PASTE_START.length;
          continue;
        }
        const m = /^\x1b(\[|O)([0-9;]*)([A-Za-z~])/.exec(s.slice(i, i + 16));
        if (m) {
          keys.push(escapeKey(m[1]!, m[2]!, m[3]!));
          i += m[0].length;
          continue;
        }
        const rest = s.slice(i + 1);
        if (rest === "" || (/^(\[|O)[0-9;]*$/.test(rest) && rest.length < 12)) {
          // An unfinished sequence at the chunk's end: a lone ESC is the Escape key only if
          // nothing follows; a partial CSI waits for the next chunk.
          if (rest === "") keys.push({ kind: "key", name: "escape" });
          else this.pending = s.slice(i);
          return keys;
        }
        // ESC + key: Alt (meta) + that key.
        const next = s[i + 1]!;
        const k = controlKey(next) ?? { kind: "key" as const, name: next };
        keys.push({ ...k, meta: true } as Key);
        i += 2;
        continue;
      }
      const ctl = controlKey(c);
      if (ctl) {
        flushText();
        keys.push(ctl);
        i++;
        continue;
      }
      text += c;
      i++;
    }
    flushText();
    return keys;
  }
}

function controlKey(c: string): Key | undefined {
  const code = c.charCodeAt(0);
  if (c === "\r") return { kind: "key", name: "enter" };
  if (c === "\t") return { kind: "key", name: "tab" };
  if (c === "\x7f" || c === "\b") return { kind: "key", name: "backspace" };
  if (c === "\n") return { kind: "key", name: "j", ctrl: true };
  if (code < 32) return { kind: "key", name: String.fromCharCode(code + 96), ctrl: true };
  return undefined;
}

function escapeKey(intro: string, params: string, final: string): Key {
  const parts = params.split(";");
  const mod = Number(parts[1] ?? 1) - 1;
  const mods = { shift: (mod & 1) !== 0 || undefined, meta: (mod & 2) !== 0 || undefined, ctrl: (mod & 4) !== 0 || undefined };
  if (final === "~") {
    const name = CSI_TILDE[parts[0]!];
    return name ? { kind: "key", name, ...clean(mods) } : { kind: "key", name: `unknown:${params}~` };
  }
  if (final === "u") {
    // CSI code;mods u (kitty's and xterm's modifyOtherKeys): Shift-Enter is 13;2u.
    const code = Number(parts[0]);
    const name = code === 13 ? "enter" : code === 9 ? "tab" : code === 27 ? "escape" : String.fromCharCode(code);
    return { kind: "key", name, ...clean(mods) };
  }
  if (final === "Z") return { kind: "key", name: "tab", shift: true };
  const name = CSI_LETTER[final];
  if (name) return { kind: "key", name, ...clean(mods) };
  return { kind: "key", name: `unknown:${intro}${params}${final}` };
}

function clean<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Length of the longest suffix of `s` that is a prefix of `marker`. */
function partialSuffix(s: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, s.length); n > 0; n--) if (marker.startsWith(s.slice(s.length - n))) return n;
  return 0;
}
