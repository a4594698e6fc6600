/**
 * User code never starves the wire: while a cell busy-loops, the heartbeat and control are
 * answered (the sockets' own thread), and an interrupt — interrupt_request on control, or
 * SIGINT to the kernel process — stops a busy loop, an awaited timer and a running local
 * pipeline within a second, keeping the session's state.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { KernelClient } from "./support/kernel_client.js";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" } });
  await k.ready();
  await k.execute("const kept = 'state before the interrupts'");
}, 60_000);
afterAll(async () => {
  await k?.shutdown();
});

/** Starts `code`, waits until it printed "started", interrupts it with `how`; ms from interrupt to the reply. */
async function interruptAfterStart(code: string, how: "message" | "signal"): Promise<{ ms: number; reply: Record<string, any>; msgId: string }> {
  const msgId = await k.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  await k.waitIopub((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "stream" && m.content.text.includes("started"));
  await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  if (how === "message") {
    const r = await k.request("control", "interrupt_request", {}, 2000);
    expect(r.content).toEqual({ status: "ok" });
  } else k.process.kill("SIGINT");
  const reply = await k.reply(msgId, 10_000);
  return { ms: performance.now() - t0, reply: reply.content, msgId };
}

describe("while a cell busy-loops", () => {
  test("heartbeat and control are answered", async () => {
    const msgId = await k.send("shell", "execute_request", { code: 'console.log("started"); while (true) {}', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await k.waitIopub((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "stream");
    const pings: number[] = [];
    for (let i = 0; i < 5; i++) pings.push(await k.ping(1000));
    expect(Math.max(...pings)).toBeLessThan(500);
    const info = await k.request("control", "kernel_info_request", {}, 1000);
    expect(info.content.status).toBe("ok");
    // No status on iopub for it: an "idle" now would tell front ends the kernel is idle.
    expect(k.childrenOf(info.parent_header.msg_id!)).toEqual([]);
    await k.request("control", "interrupt_request", {}, 2000);
    expect((await k.reply(msgId, 5000)).content).toMatchObject({ status: "error", ename: "Interrupted" });
  });
});

describe("an interrupt stops the cell within a second and keeps the state", () => {
  test("even one sent the moment the cell was requested (before the session started running it)", async () => {
    const code = `// ${"padding to make converting take a moment ".repeat(200)}\nlet early = 0;\nwhile (true) { early++; }`;
    const msgId = await k.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await k.request("control", "interrupt_request", {}, 2000);
    expect((await k.reply(msgId, 10_000)).content).toMatchObject({ status: "error", ename: "Interrupted" });
  });

  test.each(["message", "signal"] as const)("a busy loop (%s)", async (how) => {
    const { ms, reply, msgId } = await interruptAfterStart('let spins = 0;\nconsole.log("started");\nwhile (true) { spins++; }', how);
    expect(reply).toMatchObject({ status: "error", ename: "Interrupted" });
    expect(ms).toBeLessThan(1000);
    // Exactly one error message for the interrupted cell.
    expect(k.childrenOf(msgId).filter((m) => m.header.msg_type === "error")).toHaveLength(1);
    expect((await k.execute("kept")).outputs[0]!.content.data["text/plain"]).toContain("state before the interrupts");
  });

  test("an awaited timer", async () => {
    const { ms, reply } = await interruptAfterStart('console.log("started");\nawait new Promise((r) => setTimeout(r, 60_000));', "message");
    expect(reply).toMatchObject({ status: "error", ename: "Interrupted" });
    expect(ms).toBeLessThan(1000);
    expect((await k.execute("kept.length")).reply.content.status).toBe("ok");
  });

  test("a running local pipeline, which is cancelled", async () => {
    const code = [
      "const slow = Pipeline.create({ runner: 'direct' });",
      "slow.apply(Create.of(...Array.from({ length: 4000 }, (_, i) => i))).apply(MapElements.via((x: number) => { const t = Date.now(); while (Date.now() - t < 20) {} return x; }));",
      "const slowRun = slow.run();",
      'console.log("started");',
      "await slowRun.waitUntilFinish();",
    ].join("\n");
    const { ms, reply } = await interruptAfterStart(code, "message");
    expect(reply).toMatchObject({ status: "error", ename: "Interrupted" });
    expect(ms).toBeLessThan(1000);
    const state = await k.execute("slowRun.state");
    expect(state.outputs[0]!.content.data["text/plain"]).toMatch(/CANCELLED/);
    expect((await k.execute("kept")).reply.content.status).toBe("ok");
  });
});
