/**
 * The session's thread: requests the socket thread forwarded, answered through the
 * Session (src/session) and the display contract (src/display/outputs.ts). Executes run one
 * at a time, in order; complete, inspect, history and the rest are answered at once, even
 * while a cell runs. Every request is wrapped in status busy → … → idle, except that a
 * request answered while a cell runs sends no status (an "idle" then would be a lie).
 */
import type { CellOutput } from "../../src/display/outputs.js";
import type { CellResult, Session } from "../../src/session/session.js";
import type { Header, Received } from "../wire/message.js";
import type { RequestChannel, SendChannel } from "../sockets/thread_messages.js";
import { codePointToUtf16, utf16ToCodePoint } from "./code_points.js";
import type { HistoryStore } from "./history.js";
import { iopubMessage } from "./outputs.js";

export interface SocketLink {
  send(channel: SendChannel, msgType: string, content: unknown, parent: Header | Record<string, never>, identities?: Uint8Array[]): void;
  /** A forwarded shell request is finished. */
  done(): void;
  executing(on: boolean): void;
}

export interface SessionLoopOptions {
  link: SocketLink;
  session: Promise<Session>;
  history: HistoryStore;
  kernelInfo: Record<string, unknown>;
  /** Tells a supervisor which request runs, so a restart after a crash can answer it. */
  supervisorStatus?: (event: Record<string, unknown>) => void;
  log?: (line: string) => void;
}

export interface SessionLoop {
  handle(channel: RequestChannel, req: Received): void;
  interrupt(): void;
  /** Output that names no execution (the session's own hooks): to the request running or last run. */
  orphanStream(name: "stdout" | "stderr", text: string): void;
}

const KEEP_PARENTS = 5000;
/** A result's text kept in the history (history_request with output=True), at most. */
const HISTORY_OUTPUT_CHARS = 10_000;

export function createSessionLoop(options: SessionLoopOptions): SessionLoop {
  const { link, history } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`[flowbook kernel] ${line}\n`));
  const queue: Received[] = [];
  let running: Received | undefined;
  let lastRun: Received | undefined;
  let loaded: Session | undefined;
  void options.session.then((s) => (loaded = s), () => undefined);
  let waitingInput: { req: Received; resolve: (v: string) => void; reject: (e: Error) => void } | undefined;
  /** Execution (CellRef.execution) → the execute_request that started it: where its late output goes. */
  const parents = new Map<string, Received>();

  const publish = (req: Received | undefined, msgType: string, content: unknown) => link.send("iopub", msgType, content, req?.header ?? {});
  const reply = (req: Received, msgType: string, content: unknown) => link.send("shell", msgType, content, req.header, req.identities);
  const replyType = (req: Received) => req.header.msg_type.replace(/_request$/, "_reply");
  const str = (v: unknown, d = "") => (typeof v === "string" ? v : d);
  const num = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);

  function remember(execution: string, req: Received): void {
    if (parents.has(execution)) return;
    parents.set(execution, req);
    if (parents.size > KEEP_PARENTS) parents.delete(parents.keys().next().value as string);
  }

  const handlers: Record<string, (req: Received) => Promise<void> | void> = {
    kernel_info_request: (req) => reply(req, "kernel_info_reply", options.kernelInfo),
    async complete_request(req) {
      const code = str(req.content.code);
      const cursor = codePointToUtf16(code, num(req.content.cursor_pos, Number.MAX_SAFE_INTEGER));
      const session = await options.session;
      const r = await session.complete(code, cursor);
      const cp = (i: number) => utf16ToCodePoint(code, i);
      reply(req, "complete_reply", {
        status: "ok",
        matches: r.matches,
        cursor_start: cp(r.cursorStart),
        cursor_end: cp(r.cursorEnd),
        metadata: { _jupyter_types_experimental: r.items.map((it) => ({ text: it.text, type: it.type, start: cp(it.start), end: cp(it.end) })) },
      });
    },
    async inspect_request(req) {
      const code = str(req.content.code);
      const cursor = codePointToUtf16(code, num(req.content.cursor_pos, Number.MAX_SAFE_INTEGER));
      const r = await (await options.session).inspect(code, cursor);
      reply(req, "inspect_reply", { status: "ok", found: r.found, data: r.data, metadata: {} });
    },
    async is_complete_request(req) {
      const r = (await options.session).isComplete(str(req.content.code));
      reply(req, "is_complete_reply", r.status === "incomplete" ? { status: r.status, indent: r.indent ?? "" } : { status: r.status });
    },
    history_request(req) {
      const c = req.content;
      const output = c.output === true;
      const type = c.hist_access_type;
      const items =
        type === "tail"
          ? history.tail(num(c.n, 10), output)
          : type === "range"
            ? history.range(num(c.session, 0), num(c.start, 0), typeof c.stop === "number" ? c.stop : undefined, output)
            : type === "search"
              ? history.search(str(c.pattern, "*"), typeof c.n === "number" ? c.n : undefined, c.unique === true, output)
              : [];
      reply(req, "history_reply", { status: "ok", history: items });
    },
    comm_info_request: (req) => reply(req, "comm_info_reply", { status: "ok", comms: {} }),
    // No comm targets: the spec asks for an immediate comm_close so the front end's comm
    // does not wait for a partner that does not exist.
    comm_open: (req) => publish(req, "comm_close", { comm_id: str(req.content.comm_id), data: {} }),
    comm_msg: () => undefined,
    comm_close: () => undefined,
  };

  async function answerNow(req: Received): Promise<void> {
    const type = req.header.msg_type;
    if (!running) publish(req, "status", { execution_state: "busy" });
    try {
      const h = handlers[type];
      if (h) await h(req);
      else {
        log(`no handler for ${type} on shell`);
        if (type.endsWith("_request")) reply(req, replyType(req), { status: "error", ename: "UnknownMessageType", evalue: `flowbook does not handle ${type}`, traceback: [] });
      }
    } catch (e) {
      log(`${type} failed: ${(e as Error).stack ?? String(e)}`);
      if (type.endsWith("_request")) reply(req, replyType(req), { status: "error", ename: (e as Error).name ?? "Error", evalue: (e as Error).message ?? String(e), traceback: [] });
    }
    if (!running) publish(req, "status", { execution_state: "idle" });
  }

  async function pump(): Promise<void> {
    if (running) return;
    while (queue.length) {
      const req = queue.shift()!;
      running = lastRun = req;
      let failed = false;
      try {
        failed = await execute(req);
      } catch (e) {
        log(`execute failed: ${(e as Error).stack ?? String(e)}`);
      } finally {
        running = undefined;
        link.done();
      }
      // stop_on_error: what was queued behind a failed cell (Run All) is not run.
      if (failed) for (const q of queue.splice(0)) abort(q);
    }
  }

  function abort(req: Received): void {
    publish(req, "status", { execution_state: "busy" });
    reply(req, "execute_reply", { status: "aborted", execution_count: loaded?.executionCount ?? 0 });
    publish(req, "status", { execution_state: "idle" });
    link.done();
  }

  /** Runs one execute_request; true when it failed and asked to stop on error. */
  async function execute(req: Received): Promise<boolean> {
    const c = req.content;
    const code = str(c.code);
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    publish(req, "status", { execution_state: "busy" });
    let session: Session;
    try {
      session = await options.session;
    } catch (e) {
      const error = { ename: "KernelError", evalue: `the session failed to start: ${(e as Error).message}`, traceback: [String((e as Error).stack ?? e)] };
      publish(req, "error", error);
      reply(req, "execute_reply", { status: "error", execution_count: 0, ...error });
      publish(req, "status", { execution_state: "idle" });
      return true;
    }
    const count = session.executionCount + 1;
    if (!silent) publish(req, "execute_input", { code, execution_count: count });

    let sentError = false;
    let resultText: string | undefined;
    const onOutput = (out: CellOutput) => {
      const target = parents.get(out.cell.execution) ?? (remember(out.cell.execution, req), req);
      if (target === req) {
        if (silent) return;
        if (out.type === "result") {
          resultText = typeof out.bundle["text/plain"] === "string" ? (out.bundle["text/plain"] as string) : undefined;
        }
        if (out.type === "error") {
          if (sentError) return; // exactly one error message per execution
          sentError = true;
        }
      }
      const m = iopubMessage(out);
      publish(target, m.msgType, m.content);
    };
    const cellId = typeof req.metadata.cellId === "string" ? req.metadata.cellId : undefined;
    options.supervisorStatus?.({ event: "executing", identities: req.identities.map((i) => Buffer.from(i).toString("base64")), header: req.header });
    link.executing(true);
    let result: CellResult;
    try {
      result = await session.execute(code, {
        cellId,
        onOutput,
        input: c.allow_stdin === true ? (prompt, o) => askInput(req, prompt, o.password) : undefined,
      });
    } catch (e) {
      // The session itself failed (not the cell): the request still gets its error and reply.
      log(`the session failed to run a cell: ${(e as Error).stack ?? String(e)}`);
      const failure = { ename: "KernelError", evalue: `the session failed to run the cell: ${(e as Error).message}`, traceback: [String((e as Error).stack ?? e)] };
      if (!silent) publish(req, "error", failure);
      reply(req, "execute_reply", { status: "error", execution_count: count, ...failure });
      publish(req, "status", { execution_state: "idle" });
      return true;
    } finally {
      link.executing(false);
      options.supervisorStatus?.({ event: "idle" });
      if (waitingInput?.req === req) {
        waitingInput.reject(new Error("the cell ended"));
        waitingInput = undefined;
      }
    }
    remember(result.cell.execution, req);
    // The session sends the result (or none: a value that shows as nothing, like a display
    // handle) and the error through onOutput; the error is sent here only if it did not.
    const error = result.error ? { ename: result.error.ename, evalue: result.error.evalue, traceback: result.error.traceback } : undefined;
    if (error && !silent && !sentError) publish(req, "error", error);
    if (storeHistory) history.add(result.executionCount, code, resultText === undefined ? undefined : resultText.slice(0, HISTORY_OUTPUT_CHARS));
    if (error) reply(req, "execute_reply", { status: "error", execution_count: result.executionCount, ...error });
    else reply(req, "execute_reply", { status: "ok", execution_count: result.executionCount, payload: [], user_expressions: await userExpressions(session, c.user_expressions) });
    publish(req, "status", { execution_state: "idle" });
    // Type warnings come once the cell was checked (after it ran): late output of this cell.
    if (!silent)
      void result.typeErrors.then(
        (diags) => {
          if (diags.length) publish(req, "stream", { name: "stderr", text: diags.map((d) => d.text.join("\n")).join("\n") + "\n" });
        },
        () => undefined,
      );
    return error !== undefined && c.stop_on_error !== false;
  }

  function askInput(req: Received, prompt: string, password: boolean): Promise<string> {
    waitingInput?.reject(new Error("another input was requested"));
    return new Promise<string>((resolve, reject) => {
      waitingInput = { req, resolve, reject };
      link.send("stdin", "input_request", { prompt, password }, req.header, req.identities);
    });
  }

  function onStdin(req: Received): void {
    if (req.header.msg_type !== "input_reply" || !waitingInput) return;
    const w = waitingInput;
    waitingInput = undefined;
    w.resolve(str(req.content.value));
  }

  return {
    handle(channel, req) {
      if (channel === "stdin") return onStdin(req);
      if (req.header.msg_type === "execute_request") {
        queue.push(req);
        void pump();
        return;
      }
      void answerNow(req).finally(() => link.done());
    },
    interrupt() {
      loaded?.interrupt();
    },
    orphanStream(name, text) {
      publish(running ?? lastRun, "stream", { name, text });
    },
  };
}

/** user_expressions: each evaluated after the cell (only when it succeeded, as IPython does); a mime bundle or an error each. */
async function userExpressions(session: Session, requested: unknown): Promise<Record<string, unknown>> {
  if (!requested || typeof requested !== "object") return {};
  const expressions: Record<string, string> = {};
  for (const [name, code] of Object.entries(requested)) expressions[name] = String(code);
  if (!Object.keys(expressions).length) return {};
  try {
    return await session.evaluateExpressions(expressions);
  } catch (e) {
    const error = { status: "error", ename: "KernelError", evalue: `user_expressions failed: ${(e as Error).message}`, traceback: [] };
    return Object.fromEntries(Object.keys(expressions).map((n) => [n, error]));
  }
}
