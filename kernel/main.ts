/**
 * The kernel process: the socket thread (sockets/socket_thread.ts) for the wire, this
 * thread for the session (session_loop/). Started by the supervisor (supervisor.ts) as
 * `node kernel/main.js CONNECTION_FILE`, or directly.
 */
import { randomUUID } from "node:crypto";
import { writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { TypeCheckMode } from "../src/session/session.js";
import { kernelInfo } from "./kernel_info.js";
import { createSessionLoop, type SessionLoop } from "./session_loop/session_loop.js";
import { HistoryStore } from "./session_loop/history.js";
import type { FromSockets, SocketThreadData, ToSockets } from "./sockets/thread_messages.js";
import { readConnectionFile } from "./wire/connection.js";
import type { Header } from "./wire/message.js";

/** What the supervisor says when it restarted the kernel (supervisor.ts). */
export interface RestartNotice {
  reason: string;
  /** The execute_request that was running, answered with the reason. */
  request?: { identities: string[]; header: Header };
}

const log = (line: string) => {
  try {
    writeSync(2, `[flowbook kernel] ${line}\n`);
  } catch {
    /* stderr closed */
  }
};

export async function runKernel(connectionFile: string): Promise<void> {
  const connection = readConnectionFile(connectionFile);
  // SIGINT interrupts cells (the session listens while one runs); it never ends the kernel.
  process.on("SIGINT", () => undefined);
  const statusFd = process.env.FLOWBOOK_KERNEL_STATUS_FD ? Number(process.env.FLOWBOOK_KERNEL_STATUS_FD) : undefined;
  const supervisorStatus =
    statusFd === undefined
      ? undefined
      : (event: Record<string, unknown>) => {
          try {
            writeSync(statusFd, JSON.stringify(event) + "\n");
          } catch {
            /* the supervisor is gone */
          }
        };
  const info = kernelInfo();
  const data: SocketThreadData = { connection, kernelInfo: info, session: randomUUID(), statusFd };
  const fromSource = import.meta.url.endsWith(".ts");
  const worker = new Worker(fileURLToPath(new URL(`./sockets/socket_thread.${fromSource ? "ts" : "js"}`, import.meta.url)), { workerData: data });
  const toSockets = (m: ToSockets) => worker.postMessage(m);
  worker.on("error", (e) => {
    log(`the socket thread failed: ${e.stack ?? e.message}`);
    process.exit(1);
  });

  let loop: SessionLoop | undefined;
  const early: Array<(l: SessionLoop) => void> = [];
  const ready = new Promise<void>((resolve) => {
    worker.on("message", (m: FromSockets) => {
      if (m.kind === "ready") return resolve();
      if (m.kind === "shutdown") return void shutdown();
      if (m.kind === "interrupt") return loop ? loop.interrupt() : undefined;
      const l = loop;
      if (l) l.handle(m.channel, m.msg);
      else early.push((x) => x.handle(m.channel, m.msg));
    });
  });

  // The session loads once the sockets are bound (its modules take most of a second of
  // CPU, which the socket thread's start should not share); the socket thread answers
  // kernel_info meanwhile, so a front end sees the kernel ready at once.
  const typeCheck = (process.env.FLOWBOOK_KERNEL_TYPECHECK as TypeCheckMode | undefined) ?? "warn";
  const session = ready.then(() => import("../src/session/session.js")).then(({ createSession }) =>
    createSession({
      cwd: process.cwd(),
      typeCheck,
      progress: true,
      // Output outside any cell's hooks (until the session attributes it through onOutput).
      stdout: (text) => loop?.orphanStream("stdout", text),
      stderr: (text) => loop?.orphanStream("stderr", text),
    }),
  );
  session.catch((e: unknown) => log(`the session failed to start: ${(e as Error).stack ?? String(e)}`));

  loop = createSessionLoop({
    link: {
      send: (channel, msgType, content, parent, identities) => toSockets({ kind: "send", channel, msgType, content, parent, identities }),
      done: () => toSockets({ kind: "done" }),
      executing: (on) => toSockets({ kind: "executing", on }),
    },
    session,
    history: new HistoryStore(),
    kernelInfo: info,
    supervisorStatus,
    log,
  });
  for (const f of early.splice(0)) f(loop);

  async function shutdown(): Promise<void> {
    const s = await Promise.race([session.catch(() => undefined), new Promise<undefined>((r) => setTimeout(r, 1000))]);
    // dispose cancels the pipelines cells left running: a Flink job must not outlive the kernel.
    await Promise.race([s?.dispose(), new Promise((r) => setTimeout(r, 5000))]);
    process.exit(0);
  }
  // Jupyter (through the supervisor) ends a kernel with SIGTERM when it gives up on shutdown_request.
  process.on("SIGTERM", () => void shutdown());

  await ready;
  supervisorStatus?.({ event: "ready" });
  const notice = process.env.FLOWBOOK_KERNEL_RESTARTED;
  if (notice) announceRestart(JSON.parse(notice) as RestartNotice, toSockets);
}

/** After a crash: the request that was running gets its error and reply, with the reason. */
function announceRestart(notice: RestartNotice, send: (m: ToSockets) => void): void {
  const text = `The kernel ${notice.reason} and was restarted: every variable and pipeline of the session is gone; run the cells you need again.`;
  const error = { ename: "KernelRestarted", evalue: text, traceback: [`KernelRestarted: ${text}`] };
  log(text);
  const req = notice.request;
  if (!req) {
    send({ kind: "send", channel: "iopub", msgType: "stream", content: { name: "stderr", text: text + "\n" }, parent: {} });
    return;
  }
  const identities = req.identities.map((b) => new Uint8Array(Buffer.from(b, "base64")));
  send({ kind: "send", channel: "iopub", msgType: "error", content: error, parent: req.header });
  send({ kind: "send", channel: "shell", msgType: "execute_reply", content: { status: "error", execution_count: 0, ...error }, parent: req.header, identities, awaitPeerMs: 10_000 });
  send({ kind: "send", channel: "iopub", msgType: "status", content: { execution_state: "idle" }, parent: req.header });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node kernel/main.js CONNECTION_FILE");
    process.exit(2);
  }
  runKernel(file).catch((e: unknown) => {
    log(`cannot start: ${(e as Error).message}`);
    process.exit(1);
  });
}
