/** The wire layer alone: signatures, framing, refusals, code points, history globs. */
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { endpoint, parseConnectionInfo } from "../../kernel/wire/connection.js";
import { DELIMITER, MessageError, SignatureHistory, newHeader, parseMessage, serializeMessage } from "../../kernel/wire/message.js";
import { createSigner } from "../../kernel/wire/signing.js";
import { codePointToUtf16, utf16ToCodePoint } from "../../kernel/session_loop/code_points.js";
import { HistoryStore, globToRegExp } from "../../kernel/session_loop/history.js";

const KEY = "a0b1c2d3";
const signer = createSigner(KEY);
const msg = () => ({ header: newHeader("execute_request", "s1"), parent_header: {}, metadata: {}, content: { code: "1" }, buffers: [] });

describe("signing", () => {
  test("HMAC-SHA256 over the four JSON frames, hex, as jupyter_client computes it", () => {
    const parts = ["{}", "{}", "{}", '{"a":1}'].map((s) => Buffer.from(s));
    const h = createHmac("sha256", KEY);
    for (const p of parts) h.update(p);
    expect(signer.sign(parts)).toBe(h.digest("hex"));
    expect(signer.verify(Buffer.from(signer.sign(parts)), parts)).toBe(true);
  });
  test("a wrong, short, empty or other-key signature fails; an empty key accepts unsigned messages", () => {
    const parts = [Buffer.from("{}")];
    const good = signer.sign(parts);
    expect(signer.verify(Buffer.from(good.replace(/.$/, (c) => (c === "0" ? "1" : "0"))), parts)).toBe(false);
    expect(signer.verify(Buffer.from(good.slice(0, 10)), parts)).toBe(false);
    expect(signer.verify(Buffer.alloc(0), parts)).toBe(false);
    expect(signer.verify(Buffer.from(createSigner("other").sign(parts)), parts)).toBe(false);
    expect(createSigner("").verify(Buffer.alloc(0), parts)).toBe(true);
    expect(createSigner("").sign(parts)).toBe("");
  });
});

describe("messages", () => {
  test("round trip with identities and buffers", () => {
    const m = { ...msg(), buffers: [Buffer.from([1, 2, 3])] };
    const frames = serializeMessage(m, [Buffer.from("client-1")], signer);
    const back = parseMessage(frames, signer);
    expect(back.identities.map((i) => Buffer.from(i).toString())).toEqual(["client-1"]);
    expect(back.header).toEqual(m.header);
    expect(back.content).toEqual({ code: "1" });
    expect(back.buffers.map((b) => [...b])).toEqual([[1, 2, 3]]);
  });

  test("refusals say why", () => {
    const frames = serializeMessage(msg(), [], signer);
    const refuse = (f: Uint8Array[], seen?: SignatureHistory) => {
      try {
        parseMessage(f, signer, seen);
      } catch (e) {
        expect(e).toBeInstanceOf(MessageError);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refuse(frames.slice(1))).toBe("no <IDS|MSG> delimiter");
    expect(refuse(frames.slice(0, 4))).toMatch(/frames after the delimiter/);
    expect(refuse([DELIMITER, Buffer.from("0".repeat(64)), ...frames.slice(2)])).toBe("wrong signature");
    expect(refuse([DELIMITER, Buffer.alloc(0), ...frames.slice(2)])).toBe("missing signature");
    const bad = [Buffer.from("{nope"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    expect(refuse([DELIMITER, Buffer.from(signer.sign(bad)), ...bad])).toMatch(/header is not JSON/);
    const noType = [Buffer.from('{"msg_id":"x"}'), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    expect(refuse([DELIMITER, Buffer.from(signer.sign(noType)), ...noType])).toBe("header lacks msg_id or msg_type");
    const seen = new SignatureHistory();
    expect(refuse(frames, seen)).toBe("accepted");
    expect(refuse(frames, seen)).toBe("replayed signature");
  });

  test("the signature history forgets the oldest past its limit", () => {
    const h = new SignatureHistory(2);
    h.add("a");
    h.add("b");
    h.add("c");
    expect([h.has("a"), h.has("b"), h.has("c")]).toEqual([false, true, true]);
  });
});

describe("connection files", () => {
  const base = { shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, key: "k", signature_scheme: "hmac-sha256" };
  test("endpoints use the file's transport and address only", () => {
    expect(endpoint(parseConnectionInfo(JSON.stringify({ ...base, transport: "tcp", ip: "127.0.0.1" })), "shell")).toBe("tcp://127.0.0.1:1");
    expect(endpoint(parseConnectionInfo(JSON.stringify({ ...base, transport: "tcp", ip: "::1" })), "hb")).toBe("tcp://[::1]:5");
    expect(endpoint(parseConnectionInfo(JSON.stringify({ ...base, transport: "ipc", ip: "/tmp/k" })), "iopub")).toBe("ipc:///tmp/k-2");
  });
  test("an unknown signature scheme or a bad port is refused", () => {
    expect(() => parseConnectionInfo(JSON.stringify({ ...base, signature_scheme: "hmac-md5" }))).toThrow(/not supported/);
    expect(() => parseConnectionInfo(JSON.stringify({ ...base, shell_port: "x" }))).toThrow(/shell_port/);
  });
});

test("code points ↔ UTF-16", () => {
  const s = "a😀b😀c";
  expect(codePointToUtf16(s, 2)).toBe(3);
  expect(codePointToUtf16(s, 5)).toBe(7);
  expect(utf16ToCodePoint(s, 3)).toBe(2);
  expect(utf16ToCodePoint(s, 7)).toBe(5);
  expect(codePointToUtf16(s, 99)).toBe(s.length);
});

describe("history", () => {
  test("globs as IPython's search: *, ?, [..], whole input", () => {
    expect(globToRegExp("1?2*").test("1+2")).toBe(true);
    expect(globToRegExp("1?2*").test("1 + 2")).toBe(false);
    expect(globToRegExp("x[ab].(y)").test("xb.(y)")).toBe(true);
    expect(globToRegExp("*").test("multi\nline")).toBe(true);
  });
  test("sessions number up across stores on one file; range 0 is this session", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "flowbook-history-")), "h.jsonl");
    const a = new HistoryStore(file);
    a.add(1, "one", "1");
    a.add(2, "two");
    const b = new HistoryStore(file);
    expect(b.session).toBe(a.session + 1);
    b.add(1, "three");
    expect(b.tail(3, false)).toEqual([[a.session, 1, "one"], [a.session, 2, "two"], [b.session, 1, "three"]]);
    expect(b.range(0, 1, undefined, false)).toEqual([[b.session, 1, "three"]]);
    expect(b.range(-1, 1, 2, true)).toEqual([[a.session, 1, ["one", "1"]]]);
    expect(b.search("t*", 1, false, false)).toEqual([[b.session, 1, "three"]]);
  });
});
