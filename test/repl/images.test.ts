import { describe, expect, it } from "vitest";
import { detectImageProtocol, inlineImage } from "../../repl/terminal/images.js";

describe("inline images", () => {
  it("are on only in terminals known to draw them, and off inside tmux", () => {
    expect(detectImageProtocol({ TERM: "xterm-256color" })).toBe("none");
    expect(detectImageProtocol({ KITTY_WINDOW_ID: "1", TERM: "xterm-kitty" })).toBe("kitty");
    expect(detectImageProtocol({ TERM_PROGRAM: "iTerm.app" })).toBe("iterm");
    expect(detectImageProtocol({ TERM_PROGRAM: "WezTerm" })).toBe("iterm");
    expect(detectImageProtocol({ TERM_PROGRAM: "iTerm.app", TMUX: "/tmp/tmux-0/default,1,0" })).toBe("none");
    expect(detectImageProtocol({ TERM_PROGRAM: "iTerm.app", FLOWBOOK_IMAGES: "off" })).toBe("none");
    expect(detectImageProtocol({ FLOWBOOK_IMAGES: "kitty" })).toBe("kitty");
  });

  it("speak iTerm2's OSC 1337 and kitty's chunked graphics protocol", () => {
    const png = Buffer.alloc(6000, 7).toString("base64");
    expect(inlineImage("iterm", png)).toBe(`\x1b]1337;File=inline=1;preserveAspectRatio=1;size=6000:${png}\x07`);
    const kitty = inlineImage("kitty", png);
    const chunks = kitty.split("\x1b\\").filter(Boolean);
    expect(chunks.length).toBe(2);
    expect(chunks[0]).toMatch(/^\x1b_Ga=T,f=100,m=1;/);
    expect(chunks[1]).toMatch(/^\x1b_Gm=0;/);
    expect(chunks.map((c) => c.slice(c.indexOf(";") + 1)).join("")).toBe(png);
    expect(inlineImage("none", png)).toBe("");
  });
});
