/**
 * UTF-8 TextEncoder and TextDecoder of the sandbox's own realm. A vm2 context has none,
 * and the host's cannot write into or read from the sandbox's Uint8Arrays (vm2 hands them
 * over as proxies), while the SDK's coders (src/sdk/coders/byte_io.ts) encode into such
 * arrays. Installed as globals before any SDK module is evaluated (sandbox_entry.ts).
 */

const REPLACEMENT = 0xfffd;

export class SandboxTextEncoder {
  readonly encoding = "utf-8";

  encode(input = ""): Uint8Array {
    const out = new Uint8Array(input.length * 3);
    return out.subarray(0, this.encodeInto(input, out).written);
  }

  /** Writes whole characters while they fit, as the WHATWG encoder does. */
  encodeInto(input: string, dest: Uint8Array): { read: number; written: number } {
    let read = 0;
    let written = 0;
    const n = input.length;
    while (read < n) {
      let c = input.charCodeAt(read);
      let units = 1;
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = read + 1 < n ? input.charCodeAt(read + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          units = 2;
        } else {
          c = REPLACEMENT; // a lone surrogate
        }
      }
      const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if (written + size > dest.length) break;
      if (size === 1) dest[written++] = c;
      else if (size === 2) {
        dest[written++] = 0xc0 | (c >> 6);
        dest[written++] = 0x80 | (c & 0x3f);
      } else if (size === 3) {
        dest[written++] = 0xe0 | (c >> 12);
        dest[written++] = 0x80 | ((c >> 6) & 0x3f);
        dest[written++] = 0x80 | (c & 0x3f);
      } else {
        dest[written++] = 0xf0 | (c >> 18);
        dest[written++] = 0x80 | ((c >> 12) & 0x3f);
        dest[written++] = 0x80 | ((c >> 6) & 0x3f);
        dest[written++] = 0x80 | (c & 0x3f);
      }
      read += units;
    }
    return { read, written };
  }
}

export class SandboxTextDecoder {
  readonly encoding = "utf-8";
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;

  constructor(label = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    if (!/^\s*(utf-?8|unicode-1-1-utf-8)\s*$/i.test(label)) throw new RangeError(`The "${label}" encoding is not supported in a notebook cell`);
    this.fatal = options.fatal ?? false;
    this.ignoreBOM = options.ignoreBOM ?? false;
  }

  /** The WHATWG UTF-8 decoder: each maximal invalid subpart becomes one U+FFFD. */
  decode(input?: ArrayBufferView | ArrayBuffer): string {
    if (input === undefined) return "";
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const units: number[] = [];
    let s = "";
    const flush = () => {
      s += String.fromCharCode.apply(null, units);
      units.length = 0;
    };
    const bad = () => {
      if (this.fatal) throw new TypeError("The encoded data was not valid for encoding utf-8");
      units.push(REPLACEMENT);
    };
    let cp = 0;
    let needed = 0;
    let seen = 0;
    let lower = 0x80;
    let upper = 0xbf;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (needed === 0) {
        if (b <= 0x7f) units.push(b);
        else if (b >= 0xc2 && b <= 0xdf) (needed = 1), (cp = b & 0x1f);
        else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
          needed = 2;
          cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
          needed = 3;
          cp = b & 0x07;
        } else bad();
      } else if (b < lower || b > upper) {
        cp = needed = seen = 0;
        lower = 0x80;
        upper = 0xbf;
        bad();
        i--; // the byte starts afresh
      } else {
        lower = 0x80;
        upper = 0xbf;
        cp = (cp << 6) | (b & 0x3f);
        if (++seen === needed) {
          if (cp > 0xffff) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
          else units.push(cp);
          cp = needed = seen = 0;
        }
      }
      if (units.length > 8192) flush();
    }
    if (needed) bad();
    flush();
    return !this.ignoreBOM && s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }
}

/** Defines TextEncoder and TextDecoder on this realm's global object if it has none. */
export function installTextCodec(): void {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.TextEncoder !== "function") Object.defineProperty(g, "TextEncoder", { value: SandboxTextEncoder, configurable: true, writable: true });
  if (typeof g.TextDecoder !== "function") Object.defineProperty(g, "TextDecoder", { value: SandboxTextDecoder, configurable: true, writable: true });
}
