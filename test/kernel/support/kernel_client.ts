/**
 * A real Jupyter client for tests, in Node: a kernel started from the built CLI (as its
 * kernelspec starts it) on a fresh connection file, and zeromq sockets that sign what they
 * send and check what they get, as jupyter_client does.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const CLI = path.join(ROOT, "dist/src/cli/main.js");

/** Tests run the built kernel; a stale build would test old code, so say so and fail. */
export function assertBuilt(): void {
  const built = path.join(ROOT, "dist/kernel/main.js");
  if (!existsSync(built) || !existsSync(CLI)) throw new Error("the kernel is not built: run 'npm run build'");
  const builtAt = statSync(built).mtimeMs;
  const newer = (dir: string): string | undefined => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        const n = newer(p);
        if (n) return n;
      } else if (p.endsWith(".ts") && statSync(p).mtimeMs > builtAt + 1000) return p;
    }
    return undefined;
  };
  const stale = newer(path.join(ROOT, "kernel"));
  if (stale) throw new Error(`dist/ is older than ${path.relative(ROOT, stale)}: run 'npm run build'`);
}

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => resolve(s)); })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface Msg {
  header: { msg_id: string; msg_type: string; session: string; date: string; version: string; username: string };
  parent_header: { msg_id?: string; msg_type?: string };
  metadata: Record<string, unknown>;
  content: Record<string, any>;
  buffers: Buffer[];
}

export interface StartOptions {
  env?: Record<string, string>;
  key?: string;
  args?: string[];
  cwd?: string;
}

export class KernelClient {
  readonly session = randomUUID();
  readonly shell: zmq.Dealer;
  readonly control: zmq.Dealer;
  readonly stdin: zmq.Dealer;
  readonly iopub = new zmq.Subscriber();
  readonly hb = new zmq.Dealer();
  /** Every iopub message received, in order. */
  readonly iopubLog: Msg[] = [];
  stderr = "";
  private readonly replies = new Map<string, (m: Msg) => void>();
  private readonly early = new Map<string, Msg>();
  private iopubWaiters: Array<() => void> = [];
  private stdinHandler?: (m: Msg) => void;
  private closed = false;

  private constructor(
    readonly connection: Record<string, any>,
    readonly dir: string,
    readonly process: ChildProcess,
  ) {
    const id = Buffer.from(this.session);
    this.shell = new zmq.Dealer({ routingId: this.session });
    this.control = new zmq.Dealer({ routingId: this.session + "-control" });
    this.stdin = new zmq.Dealer({ routingId: this.session });
    void id;
    process.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
  }

  static async start(o: StartOptions = {}): Promise<KernelClient> {
    assertBuilt();
    const dir = mkdtempSync(path.join(os.tmpdir(), "flowbook-kernel-"));
    const [shell_port, iopub_port, stdin_port, control_port, hb_port] = await freePorts(5);
    const connection = { transport: "tcp", ip: "127.0.0.1", shell_port, iopub_port, stdin_port, control_port, hb_port, key: o.key ?? randomBytes(16).toString("hex"), signature_scheme: "hmac-sha256", kernel_name: "flowbook" };
    const file = path.join(dir, "connection.json");
    writeFileSync(file, JSON.stringify(connection));
    const child = spawn(process.execPath, [CLI, "kernel", "run", "--connection-file", file, ...(o.args ?? [])], {
      cwd: o.cwd ?? dir,
      env: { ...process.env, FLOWBOOK_HISTORY_FILE: path.join(dir, "history.jsonl"), ...o.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const c = new KernelClient(connection, dir, child);
    const url = (p: number) => `tcp://127.0.0.1:${p}`;
    c.shell.connect(url(shell_port));
    c.control.connect(url(control_port));
    c.stdin.connect(url(stdin_port));
    c.hb.connect(url(hb_port));
    c.iopub.connect(url(iopub_port));
    c.iopub.subscribe();
    void c.pump(c.shell);
    void c.pump(c.control);
    void c.pumpStdin();
    void c.pumpIopub();
    return c;
  }

  sign(parts: Buffer[]): string {
    if (!this.connection.key) return "";
    const h = createHmac("sha256", this.connection.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  /** The frames of a message (after the routing id zeromq adds). */
  frames(msgType: string, content: unknown, o: { msgId?: string; parent?: unknown; metadata?: unknown } = {}): Buffer[] {
    const header = { msg_id: o.msgId ?? randomUUID(), msg_type: msgType, session: this.session, username: "test", date: new Date().toISOString(), version: "5.3" };
    const parts = [header, o.parent ?? {}, o.metadata ?? {}, content].map((p) => Buffer.from(JSON.stringify(p)));
    return [Buffer.from("<IDS|MSG>"), Buffer.from(this.sign(parts)), ...parts];
  }

  /** Sends a request; returns its msg_id. */
  async send(channel: "shell" | "control" | "stdin", msgType: string, content: unknown, o: { metadata?: unknown; parent?: unknown } = {}): Promise<string> {
    const msgId = randomUUID();
    await this[channel].send(this.frames(msgType, content, { msgId, ...o }));
    return msgId;
  }

  /** The reply to `msgId` (shell or control). */
  reply(msgId: string, timeoutMs = 60_000): Promise<Msg> {
    const got = this.early.get(msgId);
    if (got) {
      this.early.delete(msgId);
      return Promise.resolve(got);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply to ${msgId} in ${timeoutMs} ms; kernel stderr:\n${this.stderr.slice(-2000)}`)), timeoutMs);
      this.replies.set(msgId, (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  }

  async request(channel: "shell" | "control", msgType: string, content: unknown = {}, timeoutMs?: number): Promise<Msg> {
    return this.reply(await this.send(channel, msgType, content), timeoutMs);
  }

  /** Waits until an iopub message satisfies `pred`; returns it. */
  async waitIopub(pred: (m: Msg) => boolean, timeoutMs = 60_000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.iopubLog.length; seen++) if (pred(this.iopubLog[seen]!)) return this.iopubLog[seen]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such iopub message in ${timeoutMs} ms; kernel stderr:\n${this.stderr.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.iopubWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The iopub messages whose parent is `msgId`. */
  childrenOf(msgId: string): Msg[] {
    return this.iopubLog.filter((m) => m.parent_header.msg_id === msgId);
  }

  /** Runs code; resolves after its reply and its idle status, with both and its iopub messages. */
  async execute(code: string, content: Record<string, unknown> = {}, o: { metadata?: unknown; timeoutMs?: number } = {}): Promise<{ msgId: string; reply: Msg; outputs: Msg[] }> {
    const msgId = await this.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...content }, o);
    const reply = await this.reply(msgId, o.timeoutMs);
    await this.waitIopub((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "status" && m.content.execution_state === "idle", o.timeoutMs);
    return { msgId, reply, outputs: this.childrenOf(msgId).filter((m) => m.header.msg_type !== "status" && m.header.msg_type !== "execute_input") };
  }

  /** One heartbeat round trip, in ms (rejects after timeoutMs). */
  async ping(timeoutMs = 2000): Promise<number> {
    const t0 = performance.now();
    const payload = randomUUID();
    await this.hb.send(payload);
    const got = await Promise.race([this.hb.receive(), new Promise<never>((_, r) => setTimeout(() => r(new Error("no heartbeat")), timeoutMs))]);
    if (got[0]!.toString() !== payload) throw new Error("heartbeat echoed something else");
    return performance.now() - t0;
  }

  onInputRequest(handler: (m: Msg) => void): void {
    this.stdinHandler = handler;
  }

  private parse(frames: Buffer[]): Msg | undefined {
    const at = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
    if (at < 0) throw new Error("a kernel message without the delimiter");
    const parts = frames.slice(at + 2, at + 6);
    if (frames[at + 1]!.toString() !== this.sign(parts)) throw new Error("a kernel message with a wrong signature");
    const [header, parent_header, metadata, content] = parts.map((p) => JSON.parse(p.toString()));
    return { header, parent_header, metadata, content, buffers: frames.slice(at + 6) };
  }

  private async pump(socket: zmq.Dealer): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch {
        return;
      }
      const m = this.parse(frames)!;
      const id = m.parent_header.msg_id ?? "";
      const waiter = this.replies.get(id);
      if (waiter) {
        this.replies.delete(id);
        waiter(m);
      } else this.early.set(id, m);
    }
  }

  private async pumpStdin(): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await this.stdin.receive();
      } catch {
        return;
      }
      this.stdinHandler?.(this.parse(frames)!);
    }
  }

  private async pumpIopub(): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await this.iopub.receive();
      } catch {
        return;
      }
      this.iopubLog.push(this.parse(frames)!);
      const w = this.iopubWaiters;
      this.iopubWaiters = [];
      for (const f of w) f();
    }
  }

  /** Waits for kernel_info (retrying, as jupyter_client does, until iopub is connected too). */
  async ready(timeoutMs = 30_000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const id = await this.send("shell", "kernel_info_request", {});
      try {
        const r = await this.reply(id, 1000);
        await this.waitIopub((m) => m.parent_header.msg_id === id, 300);
        return r;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
    }
  }

  exited(): Promise<number | null> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve(this.process.exitCode);
    return new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
  }

  /** shutdown_request, then closes the sockets; kills the kernel if it did not exit. */
  async shutdown(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      try {
        await this.request("control", "shutdown_request", { restart: false }, 5000);
        await Promise.race([this.exited(), new Promise((r) => setTimeout(r, 5000))]);
      } catch {
        /* killed below */
      }
    }
    this.close();
  }

  close(): void {
    this.closed = true;
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill("SIGKILL");
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.hb]) {
      s.linger = 0;
      s.close();
    }
  }
}
