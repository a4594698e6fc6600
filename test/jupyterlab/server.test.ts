/**
 * The kernel behind a real `jupyter server` (the venv's), driven as JupyterLab drives it:
 * @jupyterlab/services over the server's REST API and its kernel WebSocket, token auth.
 * One server and one kernel session for the whole file: start the session, execute cells,
 * read their display_data (a table bundle, a chart's Vega-Lite), interrupt a busy loop and
 * an awaited timer through the server's interrupt endpoint, and find the kernel answering
 * afterwards with its state kept.
 */
import { KernelManager, ServerConnection, SessionManager, type KernelMessage, type Session } from "@jupyterlab/services";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startJupyter, type JupyterProcess } from "./support/servers.js";

let server: JupyterProcess;
let kernels: KernelManager;
let sessions: SessionManager;
let session: Session.ISessionConnection;

beforeAll(async () => {
  server = await startJupyter("server");
  const settings = ServerConnection.makeSettings({
    baseUrl: `${server.url}/`,
    wsUrl: `ws://127.0.0.1:${server.port}/`,
    token: server.token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  kernels = new KernelManager({ serverSettings: settings });
  sessions = new SessionManager({ serverSettings: settings, kernelManager: kernels });
  await sessions.ready;
  session = await sessions.startNew({ path: "flowbook-test.ipynb", name: "flowbook-test.ipynb", type: "notebook", kernel: { name: "flowbook" } });
  await waitFor(() => session.kernel?.connectionStatus === "connected", 60_000, "the kernel's WebSocket to connect");
  const info = await withTimeout(session.kernel!.info, 60_000, "kernel_info");
  expect(info.language_info.name).toBe("typescript");
}, 180_000);

afterAll(async () => {
  try {
    if (session) await withTimeout(session.shutdown(), 20_000, "session shutdown");
  } finally {
    sessions?.dispose();
    kernels?.dispose();
    await server?.stop();
  }
}, 60_000);

interface Executed {
  reply: KernelMessage.IExecuteReplyMsg["content"];
  iopub: KernelMessage.IIOPubMessage[];
  ms: number;
}

/** Executes a cell through the session's kernel; the iopub messages it caused, its reply, how long it took. */
async function execute(code: string, opts: { timeoutMs?: number; onBusy?: () => void } = {}): Promise<Executed> {
  const started = Date.now();
  const future = session.kernel!.requestExecute({ code, stop_on_error: false });
  const iopub: KernelMessage.IIOPubMessage[] = [];
  future.onIOPub = (msg) => {
    iopub.push(msg);
    if (msg.header.msg_type === "status" && (msg.content as { execution_state: string }).execution_state === "busy") opts.onBusy?.();
  };
  const reply = (await withTimeout(future.done, opts.timeoutMs ?? 120_000, `executing ${JSON.stringify(code.slice(0, 40))}`)) as KernelMessage.IExecuteReplyMsg;
  return { reply: reply.content, iopub, ms: Date.now() - started };
}

function ofType<T extends KernelMessage.IIOPubMessage>(e: Executed, type: string): T[] {
  return e.iopub.filter((m) => m.header.msg_type === type) as T[];
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}\n${server?.log().slice(-3000)}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("through jupyter server and @jupyterlab/services", () => {
  test("the session runs the installed flowbook kernelspec", async () => {
    expect(session.kernel!.name).toBe("flowbook");
    const spec = await session.kernel!.spec;
    expect(spec?.display_name).toBe("flowbook (TypeScript)");
    const r = await fetch(`${server.url}/api/sessions`, { headers: { Authorization: `token ${server.token}` } });
    const listed = (await r.json()) as { path: string; kernel: { name: string } }[];
    expect(listed.map((s) => [s.path, s.kernel.name])).toEqual([["flowbook-test.ipynb", "flowbook"]]);
  });

  test("a cell's value comes back as execute_result; state stays across cells", async () => {
    await execute("const base = 40;");
    const e = await execute("base + 2");
    expect(e.reply.status).toBe("ok");
    const [result] = ofType<KernelMessage.IExecuteResultMsg>(e, "execute_result");
    expect(result!.content.data["text/plain"]).toBe("42");
    // busy → execute_input → … → idle, each with the request as parent.
    const states = ofType<KernelMessage.IStatusMsg>(e, "status").map((m) => m.content.execution_state);
    expect(states).toEqual(["busy", "idle"]);
    expect(e.iopub.map((m) => m.header.msg_type).slice(0, 2)).toEqual(["status", "execute_input"]);
  });

  test("show: display_data with the table bundle (text, HTML, data resource)", async () => {
    const e = await execute(
      [
        "const p = Pipeline.create();",
        "const sales = p.apply('Sales', Create.of(KV.of('north', 120), KV.of('south', 75), KV.of('east', 210), KV.of('west', 40)));",
        "await show(sales);",
      ].join("\n"),
    );
    expect(e.reply.status).toBe("ok");
    const tables = ofType<KernelMessage.IDisplayDataMsg>(e, "display_data").filter((m) => "application/vnd.dataresource+json" in m.content.data);
    expect(tables).toHaveLength(1);
    const { data, transient } = tables[0]!.content as KernelMessage.IDisplayDataMsg["content"] & { transient?: { display_id?: string } };
    expect(transient?.display_id).toMatch(/^flowbook-/);
    const resource = data["application/vnd.dataresource+json"] as { schema: { fields: { name: string }[] }; data: { key: string; value: number }[] };
    expect(resource.schema.fields.map((f) => f.name)).toEqual(["key", "value"]);
    expect(resource.data.map((r) => `${r.key}=${r.value}`).sort()).toEqual(["east=210", "north=120", "south=75", "west=40"]);
    expect(String(data["text/html"])).toContain("<table");
    expect(String(data["text/plain"])).toMatch(/key +value/);
  });

  test("chart: display_data with the Vega-Lite v5 spec and its PNG and SVG fallbacks", async () => {
    const e = await execute("await chart(sales, { bar: { x: 'key', y: 'value' }, top: 3 });");
    expect(e.reply.status).toBe("ok");
    const charts = ofType<KernelMessage.IDisplayDataMsg>(e, "display_data").filter((m) => "application/vnd.vegalite.v5+json" in m.content.data);
    expect(charts).toHaveLength(1);
    const data = charts[0]!.content.data;
    const spec = data["application/vnd.vegalite.v5+json"] as { $schema: string; data: { values: { key: string }[] }; mark: unknown };
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(spec.data.values.map((v) => v.key).sort()).toEqual(["east", "north", "south"]);
    expect(Buffer.from(String(data["image/png"]), "base64").subarray(1, 4).toString()).toBe("PNG");
    expect(String(data["image/svg+xml"])).toMatch(/^<svg/);
  });

  test("interrupting a busy loop: the cell stops within a second, the kernel answers, its state is kept", async () => {
    await execute("let spins = 0;");
    let busyAt = 0;
    const running = execute("while (true) { spins++; }", { onBusy: () => (busyAt = Date.now()) });
    await waitFor(() => busyAt > 0, 30_000, "the loop's cell to start");
    await new Promise((r) => setTimeout(r, 1_000));
    const t0 = Date.now();
    await withTimeout(session.kernel!.interrupt(), 10_000, "POST /api/kernels/<id>/interrupt");
    const e = await running;
    const stoppedIn = Date.now() - t0;
    expect(e.reply.status).toBe("error");
    expect((e.reply as KernelMessage.IReplyErrorContent).ename).toMatch(/Interrupt/);
    expect(ofType(e, "error")).toHaveLength(1);
    expect(stoppedIn).toBeLessThan(1_500); // the kernel's own bound is 1 s; the rest is the server's REST hop
    const after = await execute("spins > 0 && base === 40");
    expect(ofType<KernelMessage.IExecuteResultMsg>(after, "execute_result")[0]!.content.data["text/plain"]).toBe("true");
    expect(session.kernel!.status).toBe("idle");
  });

  test("interrupting an awaited timer: the cell stops within a second, the next cell sees the session's values", async () => {
    let busyAt = 0;
    const running = execute("const before = base * 2;\nawait new Promise((resolve) => setTimeout(resolve, 60_000));\n'never'", { onBusy: () => (busyAt = Date.now()) });
    await waitFor(() => busyAt > 0, 30_000, "the timer's cell to start");
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await withTimeout(session.kernel!.interrupt(), 10_000, "interrupt");
    const e = await running;
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(e.reply.status).toBe("error");
    expect(ofType(e, "execute_result")).toEqual([]);
    const after = await execute("[base, before, (await collect(sales)).length]");
    expect(after.reply.status).toBe("ok");
    expect(ofType<KernelMessage.IExecuteResultMsg>(after, "execute_result")[0]!.content.data["text/plain"]).toBe("[ 40, 80, 4 ]");
  });
});
