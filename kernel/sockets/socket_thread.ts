/**
 * The socket thread (a worker_thread): binds the five ZeroMQ sockets, verifies every
 * message, answers heartbeat and control itself, and forwards shell and stdin requests to
 * the session's thread. It never waits for that thread, so a cell that busy-loops cannot
 * starve the heartbeat, an interrupt or a shutdown. It holds the signing key; the session's
 * thread sends unsigned message bodies that are signed here.
 */
import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import { endpoint } from "../wire/connection.js";
import { MessageError, SignatureHistory, newHeader, parseMessage, serializeMessage, type Received } from "../wire/message.js";
import { createSigner } from "../wire/signing.js";
import { Outbox } from "./outbox.js";
import type { FromSockets, RequestChannel, SocketThreadData, ToSockets } from "./thread_messages.js";

const data = workerData as SocketThreadData;
const port = parentPort!;
const signer = createSigner(data.connection.key);
const seen = new SignatureHistory();
const post = (m: FromSockets) => port.postMessage(m);

/** Written straight to fd 2: the session's thread, which owns process.stderr, may be busy. */
function log(line: string): void {
  try {
    writeSync(2, `[flowbook kernel] ${line}\n`);
  } catch {
    /* stderr closed */
  }
}

/** Supervisor status lines (supervisor.ts): written by whichever thread knows. */
function status(event: Record<string, unknown>): void {
  if (data.statusFd === undefined) return;
  try {
    writeSync(data.statusFd, JSON.stringify(event) + "\n");
  } catch {
    /* the supervisor is gone */
  }
}

// Dropped messages are logged, the first ones one by one, then counted (a flood must not
// turn into a flood of log lines).
let dropped = 0;
let droppedSinceReport = 0;
let lastReport = 0;
function drop(channel: string, reason: string): void {
  dropped++;
  if (dropped <= 10) return log(`dropped a message on ${channel}: ${reason}`);
  droppedSinceReport++;
  const now = Date.now();
  if (now - lastReport > 5000) {
    log(`dropped ${droppedSinceReport} more malformed or unsigned messages (${dropped} in all; last on ${channel}: ${reason})`);
    droppedSinceReport = 0;
    lastReport = now;
  }
}

const info = data.connection;
const shell = new zmq.Router({ handover: true });
const control = new zmq.Router({ handover: true });
const stdin = new zmq.Router({ handover: true });
const hb = new zmq.Router({ handover: true });
// XPUB: it hears subscriptions, so what is published before the first subscriber joined
// (a just-started or restarted kernel) waits for it instead of being lost.
const iopub = new zmq.XPublisher();
for (const s of [shell, control, stdin, hb, iopub]) s.linger = 1000;

const sign = (m: ToSockets & { kind: "send" }, identities: Uint8Array[]) =>
  serializeMessage(
    { header: newHeader(m.msgType, data.session), parent_header: m.parent, metadata: m.metadata ?? {}, content: m.content as Record<string, unknown>, buffers: m.buffers ?? [] },
    identities,
    signer,
  );
/** Sends to a routing identity; with awaitPeerMs, retries while that peer is not connected. */
async function route(socket: zmq.Router, m: ToSockets & { kind: "send" }): Promise<void> {
  const frames = sign(m, m.identities ?? []);
  if (!m.awaitPeerMs) return socket.send(frames);
  const deadline = Date.now() + m.awaitPeerMs;
  socket.mandatory = true;
  try {
    for (;;) {
      try {
        return await socket.send(frames);
      } catch (e) {
        if ((e as { code?: string }).code !== "EHOSTUNREACH" || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    socket.mandatory = false;
  }
}

/** The first subscriber joined (or the wait was given up: then iopub publishes as usual). */
let subscribed!: () => void;
const firstSubscriber = new Promise<void>((resolve) => (subscribed = resolve));
const outboxes = {
  shell: new Outbox((m) => route(shell, m), log),
  control: new Outbox((m) => route(control, m), log),
  stdin: new Outbox((m) => route(stdin, m), log),
  // ipykernel's topic frame, so subscribers that filter by topic see what they expect.
  iopub: new Outbox(async (m) => {
    await firstSubscriber;
    await iopub.send(sign(m, [Buffer.from(`kernel.${data.session}.${m.msgType}`)]));
  }, log),
};

/** Shell requests forwarded to the session's thread and not yet finished. */
let pending = 0;
/** A cell runs (the session's thread said so). */
let executing = false;
let shuttingDown = false;

port.on("message", (m: ToSockets) => {
  if (m.kind === "send") outboxes[m.channel].push(m);
  else if (m.kind === "done") pending = Math.max(0, pending - 1);
  else if (m.kind === "executing") {
    executing = m.on;
    if (!m.on) clearInterval(reinterrupt);
  }
});

function send(channel: keyof typeof outboxes, req: Received, msgType: string, content: unknown): void {
  outboxes[channel].push({ kind: "send", channel, msgType, content, parent: req.header, identities: req.identities });
}

/**
 * A request answered here. Status busy/idle around it only while the session is idle: an
 * "idle" sent while a cell runs would tell JupyterLab the kernel is idle.
 */
function answer(channel: "shell" | "control", req: Received, msgType: string, content: unknown): void {
  const quiet = pending > 0 || executing;
  if (!quiet) send("iopub", req, "status", { execution_state: "busy" });
  send(channel, req, msgType, content);
  if (!quiet) send("iopub", req, "status", { execution_state: "idle" });
}

/** Repeats an interrupt while the same execution still runs (see interrupt()). */
let reinterrupt: NodeJS.Timeout | undefined;

function interrupt(): void {
  // A busy loop in the cell only stops on SIGINT (the session's watchdog); awaits stop on
  // the message, which the session's thread reads as soon as it is free.
  const once = () => {
    if (executing) process.kill(process.pid, "SIGINT");
    post({ kind: "interrupt" });
  };
  once();
  // An interrupt that came while the cell was still being converted finds no cell to stop
  // yet: say it again, a few times, as long as that execution runs.
  clearInterval(reinterrupt);
  let left = 3;
  reinterrupt = setInterval(() => {
    if (!executing || --left < 0) return clearInterval(reinterrupt);
    once();
  }, 400);
}

async function shutdown(channel: "shell" | "control", req: Received): Promise<void> {
  const restart = req.content.restart === true;
  send(channel, req, "shutdown_reply", { status: "ok", restart });
  if (shuttingDown) return;
  shuttingDown = true;
  status({ event: "shutdown" });
  if (executing) process.kill(process.pid, "SIGINT");
  await Promise.all(Object.values(outboxes).map((o) => o.drained()));
  // Closed here, in their thread: zeromq aborts the process if a worker ends with open sockets.
  for (const s of [shell, control, stdin, hb, iopub]) s.close();
  post({ kind: "shutdown", restart });
  // The session's thread exits the process; if a cell holds it (a loop SIGINT cannot
  // break), end the process anyway: the supervisor knows this was a shutdown.
  setTimeout(() => process.kill(process.pid, "SIGKILL"), 3000).unref();
}

function unknownRequest(channel: "shell" | "control", req: Received): void {
  const type = req.header.msg_type;
  log(`no handler for ${type} on ${channel}`);
  if (type.endsWith("_request")) {
    answer(channel, req, type.replace(/_request$/, "_reply"), { status: "error", ename: "UnknownMessageType", evalue: `flowbook does not handle ${type}`, traceback: [] });
  }
}

function onControl(req: Received): void {
  switch (req.header.msg_type) {
    case "interrupt_request":
      interrupt();
      return answer("control", req, "interrupt_reply", { status: "ok" });
    case "shutdown_request":
      return void shutdown("control", req);
    case "kernel_info_request":
      return answer("control", req, "kernel_info_reply", data.kernelInfo);
    default:
      return unknownRequest("control", req);
  }
}

function onShell(req: Received): void {
  switch (req.header.msg_type) {
    case "kernel_info_request":
      // Answered here when nothing waits before it (start-up, while the session loads).
      if (pending === 0) return answer("shell", req, "kernel_info_reply", data.kernelInfo);
      break;
    case "shutdown_request":
      return void shutdown("shell", req);
    case "connect_request": {
      // Deprecated, but still in the spec: the ports, which only this thread knows.
      const { shell_port, iopub_port, stdin_port, control_port, hb_port } = info;
      return answer("shell", req, "connect_reply", { status: "ok", shell_port, iopub_port, stdin_port, control_port, hb_port });
    }
  }
  if (shuttingDown) return;
  pending++;
  post({ kind: "request", channel: "shell", msg: req });
}

async function serve(socket: zmq.Router, channel: RequestChannel, handle: (req: Received) => void): Promise<void> {
  for await (const frames of receiving(socket)) {
    let req: Received;
    try {
      req = parseMessage(frames, signer, seen);
    } catch (e) {
      if (!(e instanceof MessageError)) log(`failed to read a message on ${channel}: ${(e as Error).stack}`);
      drop(channel, (e as Error).message);
      continue;
    }
    try {
      handle(req);
    } catch (e) {
      log(`failed to handle ${req.header.msg_type} on ${channel}: ${(e as Error).stack}`);
    }
  }
}

async function heartbeat(): Promise<void> {
  for await (const frames of receiving(hb)) await hb.send(frames).catch(() => undefined);
}

/** Reads iopub's subscription messages (XPUB queues them); the first one releases held output. */
async function subscriptions(): Promise<void> {
  setTimeout(subscribed, 3000).unref();
  while (!iopub.closed) {
    try {
      const [frame] = await iopub.receive();
      if (frame && frame[0] === 1) subscribed();
    } catch {
      return;
    }
  }
}

/** A socket's messages until it is closed. */
async function* receiving(socket: zmq.Router): AsyncGenerator<Buffer[]> {
  while (!socket.closed) {
    try {
      yield await socket.receive();
    } catch (e) {
      if (socket.closed || (e as { code?: string }).code === "EAGAIN") return;
      log(`receive failed: ${(e as Error).message}`);
    }
  }
}

async function start(): Promise<void> {
  await Promise.all([
    shell.bind(endpoint(info, "shell")),
    control.bind(endpoint(info, "control")),
    stdin.bind(endpoint(info, "stdin")),
    hb.bind(endpoint(info, "hb")),
    iopub.bind(endpoint(info, "iopub")),
  ]);
  void serve(shell, "shell", onShell);
  void serve(control, "control", onControl);
  void serve(stdin, "stdin", (req) => post({ kind: "request", channel: "stdin", msg: req }));
  void heartbeat();
  void subscriptions();
  if (data.statusFd !== undefined) {
    // Under a supervisor: if it dies (killed by Jupyter), so does this process.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
    }, 500).unref();
  }
  post({ kind: "ready" });
}

start().catch((e: unknown) => {
  log(`cannot bind the kernel's sockets: ${(e as Error).message}`);
  process.kill(process.pid, "SIGTERM");
});
