/**
 * Inline images in terminals that can show them: kitty's graphics protocol and iTerm2's
 * inline images (also WezTerm). Detected from the environment only, off otherwise, since an
 * unsupported terminal prints the escape's payload as garbage. FLOWBOOK_IMAGES=kitty|iterm|off
 * overrides the detection.
 */
export type ImageProtocol = "kitty" | "iterm" | "none";

export function detectImageProtocol(env: NodeJS.ProcessEnv = process.env): ImageProtocol {
  const forced = env.FLOWBOOK_IMAGES?.toLowerCase();
  if (forced === "kitty" || forced === "iterm") return forced;
  if (forced === "off" || forced === "none") return "none";
  // Inside tmux or screen the escapes do not reach the outer terminal unaltered.
  if (env.TMUX || /^screen/.test(env.TERM ?? "")) return "none";
  if (env.KITTY_WINDOW_ID || env.TERM === "xterm-kitty" || env.TERM_PROGRAM === "ghostty") return "kitty";
  if (env.TERM_PROGRAM === "iTerm.app" || env.TERM_PROGRAM === "WezTerm" || env.LC_TERMINAL === "iTerm2") return "iterm";
  return "none";
}

/** The escape sequence showing a PNG (base64) inline, or "" when the protocol is none. */
export function inlineImage(protocol: ImageProtocol, pngBase64: string): string {
  if (protocol === "iterm") return `\x1b]1337;File=inline=1;preserveAspectRatio=1;size=${Buffer.byteLength(pngBase64, "base64")}:${pngBase64}\x07`;
  if (protocol === "kitty") {
    // Chunks of at most 4096 base64 bytes; m=1 says more follow.
    const chunks: string[] = [];
    for (let i = 0; i < pngBase64.length; i += 4096) {
      const part = pngBase64.slice(i, i + 4096);
      const more = i + 4096 < pngBase64.length ? 1 : 0;
      chunks.push(i === 0 ? `\x1b_Ga=T,f=100,m=${more};${part}\x1b\\` : `\x1b_Gm=${more};${part}\x1b\\`);
    }
    return chunks.join("");
  }
  return "";
}
