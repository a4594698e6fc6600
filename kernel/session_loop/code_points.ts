/**
 * Jupyter counts cursor positions in Unicode code points; JavaScript strings (and the
 * session) count UTF-16 units. An emoji before the cursor is one code point, two units.
 */

/** The UTF-16 index of code point `cp` of `s` (clamped to the string). */
export function codePointToUtf16(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

/** The code point position of UTF-16 index `i` of `s`. */
export function utf16ToCodePoint(s: string, i: number): number {
  let cp = 0;
  for (let j = 0; j < i && j < s.length; cp++) {
    const c = s.charCodeAt(j);
    j += c >= 0xd800 && c <= 0xdbff && j + 1 < s.length ? 2 : 1;
  }
  return cp;
}
