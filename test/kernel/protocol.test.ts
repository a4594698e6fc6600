/**
 * The kernel over the wire, from a Node zeromq client: every request type gets its reply,
 * iopub wraps each request in busy → execute_input → outputs → idle with the request as
 * parent, outputs land on the execution that caused them, history outlives the kernel.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { KernelClient, type Msg } from "./support/kernel_client.js";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.ready();
}, 60_000);
afterAll(async () => {
  await k?.shutdown();
});

const types = (ms: Msg[]) => ms.map((m) => m.header.msg_type);

describe("kernel_info", () => {
  test("describes TypeScript as JupyterLab and jupyter-kernel-test expect, inside busy/idle", async () => {
    const id = await k.send("shell", "kernel_info_request", {});
    const r = await k.reply(id);
    expect(r.header.msg_type).toBe("kernel_info_reply");
    expect(r.parent_header.msg_id).toBe(id);
    expect(r.content).toMatchObject({ status: "ok", implementation: "flowbook", protocol_version: "5.3" });
    expect(r.content.language_info).toMatchObject({ name: "typescript", mimetype: "text/typescript", file_extension: ".ts", codemirror_mode: "typescript", pygments_lexer: "typescript" });
    await k.waitIopub((m) => m.parent_header.msg_id === id && m.content.execution_state === "idle");
    expect(k.childrenOf(id).map((m) => m.content.execution_state)).toEqual(["busy", "idle"]);
  });
});

describe("execute", () => {
  test("busy → execute_input → stream → idle, each with the request as parent", async () => {
    const { msgId, reply } = await k.execute('console.log("hello, world")');
    expect(reply.content).toMatchObject({ status: "ok" });
    const seq = k.childrenOf(msgId);
    expect(types(seq)).toEqual(["status", "execute_input", "stream", "status"]);
    expect(seq[0]!.content.execution_state).toBe("busy");
    expect(seq[1]!.content).toEqual({ code: 'console.log("hello, world")', execution_count: reply.content.execution_count });
    expect(seq[2]!.content).toEqual({ name: "stdout", text: "hello, world\n" });
    expect(seq[3]!.content.execution_state).toBe("idle");
  });

  test("user_expressions are evaluated after the cell in its scope: a bundle each, or an error; they count no execution", async () => {
    const { reply } = await k.execute("const answer = 6 * 7", {
      user_expressions: { a: "answer + 1", rows: "[{ w: 'x', n: 1 }]", bad: "nope.length", stmt: "const z = 1" },
    });
    expect(reply.content.status).toBe("ok");
    const ue = reply.content.user_expressions as Record<string, { status: string; data?: Record<string, unknown>; ename?: string; evalue?: string }>;
    expect(ue.a).toEqual({ status: "ok", data: { "text/plain": "43" }, metadata: {} });
    expect(ue.rows!.status).toBe("ok");
    expect(Object.keys(ue.rows!.data!)).toEqual(expect.arrayContaining(["text/plain", "text/html"]));
    expect(ue.bad).toMatchObject({ status: "error", ename: "ReferenceError" });
    expect(ue.bad!.evalue).toContain("nope");
    expect(ue.stmt).toMatchObject({ status: "error", ename: "SyntaxError" });
    const next = await k.execute("1");
    expect(next.reply.content.execution_count).toBe((reply.content.execution_count as number) + 1);
  });

  test("stderr is its own stream", async () => {
    const { outputs } = await k.execute('console.error("to stderr")');
    expect(outputs.map((m) => m.content)).toEqual([{ name: "stderr", text: "to stderr\n" }]);
  });

  test("the last expression is the execute_result, with the reply's execution_count; names persist", async () => {
    await k.execute("const base = 40");
    const { reply, outputs } = await k.execute("base + 2");
    expect(types(outputs)).toEqual(["execute_result"]);
    expect(outputs[0]!.content.data["text/plain"]).toBe("42");
    expect(outputs[0]!.content.execution_count).toBe(reply.content.execution_count);
  });

  test("an error is exactly one error message with ename, evalue and the cell's line; the reply says error", async () => {
    const { reply, outputs } = await k.execute('const ok = 1;\nfunction f() {\n  throw new TypeError("bad thing");\n}\nf()');
    expect(types(outputs)).toEqual(["error"]);
    expect(outputs[0]!.content).toMatchObject({ ename: "TypeError", evalue: "bad thing" });
    const n = reply.content.execution_count;
    expect(outputs[0]!.content.traceback.join("\n")).toContain(`cell[${n}]:3:`);
    expect(reply.content).toMatchObject({ status: "error", ename: "TypeError", evalue: "bad thing" });
    // The kernel lives on, with the cell's earlier declarations.
    expect((await k.execute("ok + base")).outputs[0]!.content.data["text/plain"]).toBe("41");
  });

  test("display_data carries transient.display_id; an update names the same id", async () => {
    const { outputs } = await k.execute('const h = display("first");\nh.update("second");');
    const shown = outputs.find((m) => m.header.msg_type === "display_data")!;
    const updated = outputs.find((m) => m.header.msg_type === "update_display_data")!;
    expect(shown.content.transient.display_id).toEqual(expect.any(String));
    expect(updated.content.transient.display_id).toBe(shown.content.transient.display_id);
    expect(JSON.stringify(shown.content.data)).toContain("first");
    expect(JSON.stringify(updated.content.data)).toContain("second");
  });

  test("late output (a timer's console.log after the cell returned) goes to the cell that set the timer", async () => {
    const a = await k.execute('setTimeout(() => console.log("late from A"), 400); "A done"');
    const b = await k.execute('"B"');
    const late = await k.waitIopub((m) => m.header.msg_type === "stream" && m.content.text.includes("late from A"));
    expect(late.parent_header.msg_id).toBe(a.msgId);
    expect(late.parent_header.msg_id).not.toBe(b.msgId);
  });

  test("a pipeline's progress is one display updated in place; a DoFn's console.log is the cell's stream", async () => {
    const code = [
      "const pp = Pipeline.create({ runner: 'direct' });",
      "pp.apply(Create.of(1, 2, 3)).apply(MapElements.via((x: number) => { console.log('in the DoFn', x); return x + 1; }));",
      "await pp.run().waitUntilFinish();",
    ].join("\n");
    const { msgId, reply } = await k.execute(code);
    expect(reply.content.status).toBe("ok");
    // Worker output may arrive after the reply: it is still this cell's.
    await k.waitIopub((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "stream" && m.content.text.includes("in the DoFn 3"), 10_000);
    const mine = k.childrenOf(msgId);
    const displays = mine.filter((m) => m.header.msg_type === "display_data");
    const ids = new Set(displays.map((m) => m.content.transient.display_id));
    expect(displays.length).toBeGreaterThanOrEqual(1);
    for (const u of mine.filter((m) => m.header.msg_type === "update_display_data")) expect(ids.has(u.content.transient.display_id)).toBe(true);
    const text = mine.filter((m) => m.header.msg_type === "stream").map((m) => m.content.text).join("");
    for (const n of [1, 2, 3]) expect(text).toContain(`in the DoFn ${n}`);
  });

  test("silent: runs, replies, broadcasts nothing but busy and idle, and is not in the history", async () => {
    const { msgId, reply } = await k.execute('console.log("quiet"); const silentlySet = 5; silentlySet', { silent: true });
    expect(reply.content.status).toBe("ok");
    expect(k.childrenOf(msgId).map((m) => m.content.execution_state ?? m.header.msg_type)).toEqual(["busy", "idle"]);
    expect((await k.execute("silentlySet")).outputs[0]!.content.data["text/plain"]).toBe("5");
    const tail = await k.request("shell", "history_request", { output: false, raw: true, hist_access_type: "tail", n: 2 });
    expect(tail.content.history.map((h: unknown[]) => h[2])).not.toContain('console.log("quiet"); const silentlySet = 5; silentlySet');
  });

  test("prompt() asks through stdin's input_request and gets the input_reply's value", async () => {
    k.onInputRequest((m) => {
      expect(m.content).toEqual({ prompt: "Name? ", password: false });
      void k.send("stdin", "input_reply", { value: "Ada" }, { parent: m.header });
    });
    const { reply, outputs } = await k.execute('const who = await prompt("Name? "); `hello ${who}`', { allow_stdin: true });
    expect(reply.content.status).toBe("ok");
    expect(outputs.at(-1)!.content.data["text/plain"]).toContain("hello Ada");
  });

  test("stop_on_error: executes queued behind a failing one are aborted, not run", async () => {
    const ids = [
      await k.send("shell", "execute_request", { code: 'await new Promise((r) => setTimeout(r, 200)); throw new Error("stop")', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }),
      await k.send("shell", "execute_request", { code: "globalThis.__ranAfter = 1", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }),
    ];
    expect((await k.reply(ids[0]!)).content.status).toBe("error");
    expect((await k.reply(ids[1]!)).content.status).toBe("aborted");
    expect((await k.execute("typeof globalThis.__ranAfter")).outputs[0]!.content.data["text/plain"]).toBe("'undefined'");
  });
});

describe("complete, inspect, is_complete", () => {
  test("completion positions count Unicode code points, not UTF-16 units", async () => {
    const code = 'const s = "😀😀"; Pipeline.cr';
    const cursor = [...code].length;
    const r = await k.request("shell", "complete_request", { code, cursor_pos: cursor });
    expect(r.content.status).toBe("ok");
    expect(r.content.matches).toContain("create");
    expect(r.content.cursor_end).toBe(cursor);
    expect(r.content.cursor_start).toBe(cursor - 2);
  });

  test("inspect finds the API's doc comment", async () => {
    const r = await k.request("shell", "inspect_request", { code: "Pipeline", cursor_pos: 4, detail_level: 0 });
    expect(r.content).toMatchObject({ status: "ok", found: true });
    expect(r.content.data["text/plain"]).toContain("Pipeline");
  });

  test("is_complete: complete, incomplete (with an indent), invalid", async () => {
    const ask = async (code: string) => (await k.request("shell", "is_complete_request", { code })).content;
    expect(await ask("const x = 1;")).toEqual({ status: "complete" });
    expect(await ask("function f() {")).toMatchObject({ status: "incomplete", indent: expect.any(String) });
    expect((await ask("const = = 2;")).status).toBe("invalid");
  });
});

describe("history, comms, unknown requests", () => {
  test("tail, range and search", async () => {
    await k.execute("const hist1 = 101");
    await k.execute("const hist2 = 102");
    const tail = await k.request("shell", "history_request", { output: false, raw: true, hist_access_type: "tail", n: 2 });
    expect(tail.content.history.map((h: unknown[]) => h[2])).toEqual(["const hist1 = 101", "const hist2 = 102"]);
    const [session, line] = tail.content.history[1];
    const range = await k.request("shell", "history_request", { output: false, raw: true, hist_access_type: "range", session, start: line, stop: line + 1 });
    expect(range.content.history).toEqual([[session, line, "const hist2 = 102"]]);
    const search = await k.request("shell", "history_request", { output: false, raw: true, hist_access_type: "search", pattern: "const hist? = 10*", unique: true });
    expect(search.content.history.map((h: unknown[]) => h[2])).toEqual(["const hist1 = 101", "const hist2 = 102"]);
    const withOutput = await k.request("shell", "history_request", { output: true, raw: true, hist_access_type: "tail", n: 1 });
    expect(withOutput.content.history[0][2]).toHaveLength(2);
  });

  test("comm_info answers; a comm_open is answered with comm_close", async () => {
    const info = await k.request("shell", "comm_info_request", {});
    expect(info.content).toEqual({ status: "ok", comms: {} });
    const id = await k.send("shell", "comm_open", { comm_id: "c-1", target_name: "jupyter.widget", data: {} });
    const close = await k.waitIopub((m) => m.parent_header.msg_id === id && m.header.msg_type === "comm_close");
    expect(close.content.comm_id).toBe("c-1");
  });

  test("connect_request (deprecated) answers with the ports", async () => {
    const r = await k.request("shell", "connect_request", {});
    expect(r.content).toEqual({ status: "ok", shell_port: k.connection.shell_port, iopub_port: k.connection.iopub_port, stdin_port: k.connection.stdin_port, control_port: k.connection.control_port, hb_port: k.connection.hb_port });
  });

  test("an unknown request gets an error reply, and the kernel still answers", async () => {
    const r = await k.request("shell", "frobnicate_request", {});
    expect(r.header.msg_type).toBe("frobnicate_reply");
    expect(r.content.status).toBe("error");
    expect((await k.request("control", "kernel_info_request")).content.status).toBe("ok");
  });
});

test("history outlives the kernel: a new kernel on the same history file sees the old session", async () => {
  const file = `${k.dir}/history.jsonl`;
  const k2 = await KernelClient.start({ env: { FLOWBOOK_HISTORY_FILE: file } });
  try {
    await k2.ready();
    const tail = await k2.request("shell", "history_request", { output: false, raw: true, hist_access_type: "tail", n: 1000 });
    const inputs = tail.content.history.map((h: unknown[]) => h[2]);
    expect(inputs).toContain("const hist2 = 102");
    const sessions = new Set(tail.content.history.map((h: unknown[]) => h[0]));
    await k2.execute("const fromSecond = 1");
    const after = await k2.request("shell", "history_request", { output: false, raw: true, hist_access_type: "range", session: 0, start: 0 });
    expect(after.content.history.map((h: unknown[]) => h[2])).toEqual(["const fromSecond = 1"]);
    expect(sessions.has(after.content.history[0][0])).toBe(false);
  } finally {
    await k2.shutdown();
  }
}, 60_000);

test("shutdown_request is answered on control and the kernel process exits cleanly", async () => {
  const k3 = await KernelClient.start();
  try {
    await k3.ready();
    const r = await k3.request("control", "shutdown_request", { restart: false });
    expect(r.content).toEqual({ status: "ok", restart: false });
    expect(await k3.exited()).toBe(0);
  } finally {
    k3.close();
  }
}, 60_000);

test("an empty key means unsigned messages, both ways", async () => {
  const k4 = await KernelClient.start({ key: "" });
  try {
    await k4.ready();
    const { reply, outputs } = await k4.execute("6 * 7");
    expect(reply.content.status).toBe("ok");
    expect(outputs[0]!.content.data["text/plain"]).toBe("42");
  } finally {
    await k4.shutdown();
  }
}, 60_000);
