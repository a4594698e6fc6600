/**
 * The kernel survives what cells and the network throw at it: a cell that throws or runs a
 * failing pipeline leaves it alive with its state; a cell that exhausts the heap gets the
 * kernel restarted (the cell's reply says why); 10 000 malformed messages execute nothing,
 * crash nothing, and the kernel still answers.
 */
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { KernelClient } from "./support/kernel_client.js";

describe("cells that fail", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" } });
    await k.ready();
  }, 60_000);
  afterAll(async () => {
    await k?.shutdown();
  });

  test("a failing pipeline is one error naming the transform; the state stays", async () => {
    await k.execute("const survivor = 7");
    const code = [
      "const failing = Pipeline.create({ runner: 'direct' });",
      "failing.apply(Create.of(1, 2, 3)).apply('Explode', MapElements.via((x: number) => { if (x === 2) throw new Error('bad element ' + x); return x; }));",
      "await failing.run().waitUntilFinish();",
    ].join("\n");
    const { reply, outputs } = await k.execute(code);
    expect(reply.content.status).toBe("error");
    const errors = outputs.filter((m) => m.header.msg_type === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.content.traceback.join("\n")).toMatch(/Explode/);
    expect(errors[0]!.content.traceback.join("\n")).toMatch(/bad element 2/);
    expect((await k.execute("survivor * 6")).outputs[0]!.content.data["text/plain"]).toBe("42");
  });
});

describe("memory exhaustion", () => {
  test("restarts the kernel cleanly; the cell that ran is told why", async () => {
    const k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" }, args: ["--max-memory", "256"] });
    try {
      await k.ready();
      await k.execute("const before = 1");
      const { reply, outputs } = await k.execute("const hog: number[][] = [];\nwhile (true) hog.push(new Array(100_000).fill(Math.random()));", {}, { timeoutMs: 60_000 });
      expect(reply.content).toMatchObject({ status: "error", ename: "KernelRestarted" });
      expect(reply.content.evalue).toMatch(/ran out of memory/);
      expect(reply.content.evalue).toMatch(/256 MB/);
      expect(outputs.filter((m) => m.header.msg_type === "error").map((m) => m.content.ename)).toEqual(["KernelRestarted"]);
      // A fresh session: the old names are gone, new cells run.
      const after = await k.execute("typeof before");
      expect(after.outputs[0]!.content.data["text/plain"]).toBe("'undefined'");
      expect(k.process.exitCode).toBe(null);
    } finally {
      await k.shutdown();
    }
  }, 120_000);
});

describe("fuzz: 10 000 malformed messages", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" } });
    await k.ready();
  }, 60_000);
  afterAll(async () => {
    await k?.shutdown();
  });

  test("none is executed, the kernel never crashes and still answers", async () => {
    await k.execute("const beforeFuzz = 'still here'");
    // A message sent properly once, then replayed byte for byte: run once only.
    const replayed = k.frames("execute_request", { code: "globalThis.__replays = (globalThis.__replays ?? 0) + 1", silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: false });
    await k.shell.send(replayed);

    // Every execute below would count itself if it ran.
    const canary = { code: "globalThis.__fuzzed = (globalThis.__fuzzed ?? 0) + 1", silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: false };
    const json = (v: unknown) => Buffer.from(JSON.stringify(v));
    const header = (type = "execute_request") => ({ msg_id: randomBytes(8).toString("hex"), msg_type: type, session: k.session, username: "fuzz", date: new Date().toISOString(), version: "5.3" });
    const signWith = (key: string, parts: Buffer[]) => { const h = createHmac("sha256", key); for (const p of parts) h.update(p); return Buffer.from(h.digest("hex")); };
    const signed = (parts: Buffer[]) => [Buffer.from("<IDS|MSG>"), Buffer.from(k.sign(parts)), ...parts];
    const body = () => [json(header()), json({}), json({}), json(canary)];
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);

    const kinds: Array<() => Buffer[]> = [
      // Wrong, missing, other-key and truncated signatures.
      () => [Buffer.from("<IDS|MSG>"), Buffer.from(randomBytes(32).toString("hex")), ...body()],
      () => [Buffer.from("<IDS|MSG>"), Buffer.alloc(0), ...body()],
      () => { const b = body(); return [Buffer.from("<IDS|MSG>"), signWith("not-the-key", b), ...b]; },
      () => { const b = body(); return [Buffer.from("<IDS|MSG>"), Buffer.from(k.sign(b).slice(0, 63)), ...b]; },
      () => { const b = body(); return [Buffer.from("<IDS|MSG>"), Buffer.from(k.sign(b).toUpperCase()), ...b]; },
      // A valid signature over other frames than those sent (content swapped).
      () => { const b = body(); const sig = k.sign(b); b[3] = json({ ...canary, code: canary.code + " " }); return [Buffer.from("<IDS|MSG>"), Buffer.from(sig), ...b]; },
      // Truncated: too few frames after the delimiter.
      () => signed(body()).slice(0, 1 + rand(5)),
      // No delimiter.
      () => body(),
      () => [Buffer.from("<IDS|MSG"), Buffer.from(k.sign(body())), ...body()],
      // Invalid JSON, correctly signed.
      () => signed([Buffer.from('{"msg_id": "x", "msg_type": "execute_request"'), json({}), json({}), json(canary)]),
      () => signed([json(header()), json({}), json({}), Buffer.from("{code: globalThis.__fuzzed = 1}")]),
      () => signed([json(header()), json({}), json({}), Buffer.from([0xff, 0xfe, 0x00, 0x7b])]),
      // Wrong shapes, correctly signed.
      () => signed([json([header()]), json({}), json({}), json(canary)]),
      () => signed([json({ ...header(), msg_type: 42 }), json({}), json({}), json(canary)]),
      () => signed([json({ ...header(), msg_id: undefined }), json({}), json({}), json(canary)]),
      () => signed([json(header()), json(null), json({}), json(canary)]),
      () => signed([json(header()), json({}), json({}), json([canary])]),
      // Unknown types, correctly signed: answered with an error, never executed.
      () => signed([json(header("execute_requestx")), json({}), json({}), json(canary)]),
      () => signed([json(header("nonsense")), json({}), json({}), json(canary)]),
      // Garbage.
      () => Array.from({ length: 1 + rand(8) }, () => randomBytes(rand(200))),
      // The replayed message.
      () => replayed,
    ];
    const huge = [
      () => [Buffer.from("<IDS|MSG>"), Buffer.from("0".repeat(64)), json(header()), json({}), json({}), json({ ...canary, pad: "x".repeat(16 << 20) })],
      () => signed([json(header("huge_request")), json({}), json({}), json({ pad: "y".repeat(16 << 20) })]),
    ];

    const sockets = [k.shell, k.control, k.stdin];
    let sent = 0;
    for (let i = 0; i < 10_000; i++) {
      const frames = i % 1000 === 999 ? huge[(i / 1000) % 2 | 0]!() : kinds[i % kinds.length]!();
      // Dealers prepend their routing id; the kernel sees identities, then what we send.
      await sockets[i % 3]!.send(frames);
      sent++;
    }
    expect(sent).toBe(10_000);

    // Still answers: heartbeat, control, shell, and a cell with the state from before.
    expect(await k.ping(5000)).toBeLessThan(5000);
    expect((await k.request("control", "kernel_info_request", {}, 30_000)).content.status).toBe("ok");
    const check = await k.execute("[typeof globalThis.__fuzzed, globalThis.__replays, beforeFuzz]", {}, { timeoutMs: 60_000 });
    expect(check.outputs[0]!.content.data["text/plain"]).toBe("[ 'undefined', 1, 'still here' ]");
    expect(k.process.exitCode).toBe(null);
    expect(k.stderr).not.toMatch(/restarted|ran out of memory|exited unexpectedly/);
    // Drops were logged, and the log was kept short.
    expect(k.stderr).toMatch(/dropped a message on (shell|control|stdin): /);
    expect(k.stderr.split("\n").filter((l) => l.includes("dropped")).length).toBeLessThan(100);
  }, 300_000);
});

describe("ending", () => {
  test("a shutdown_request while a cell busy-loops ends the kernel within seconds", async () => {
    const k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" } });
    try {
      await k.ready();
      const msgId = await k.send("shell", "execute_request", { code: 'console.log("looping"); while (true) {}', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
      await k.waitIopub((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "stream");
      const t0 = performance.now();
      expect((await k.request("control", "shutdown_request", { restart: false }, 5000)).content.status).toBe("ok");
      expect(await k.exited()).toBe(0);
      expect(performance.now() - t0).toBeLessThan(5000);
    } finally {
      k.close();
    }
  }, 60_000);

  test("when Jupyter kills the supervisor outright, the kernel process does not outlive it", async () => {
    const k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" } });
    try {
      await k.ready();
      const { execFileSync } = await import("node:child_process");
      const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(k.process.pid)], { encoding: "utf8" }).trim().split(/\s+/).map(Number);
      expect(children).toHaveLength(1);
      const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
      expect(alive(children[0]!)).toBe(true);
      k.process.kill("SIGKILL");
      let gone = false;
      for (let i = 0; i < 50 && !gone; i++) {
        await new Promise((r) => setTimeout(r, 100));
        gone = !alive(children[0]!);
      }
      expect(gone).toBe(true);
    } finally {
      k.close();
    }
  }, 60_000);
});
