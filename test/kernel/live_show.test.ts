/**
 * show and chart of an unbounded PCollection in the kernel, driven by jupyter_client (the
 * repository's venv): the live display comes as display_data with a display_id, then as
 * update_display_data with that same id while panes come, and ends with a line saying why it
 * stopped; a kernel interrupt (interrupt_request) stops it cleanly — the cell errors with
 * Interrupted, the display's final update says "interrupted", the kernel goes on.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { installedKernel, python } from "./support/venv.js";
import { livePanesCell } from "../support/live_panes.js";

interface Sent {
  msg_type: string;
  display_id?: string;
  text?: string;
  live?: { state: string; reason?: string };
  vegalite?: { title?: { subtitle?: string[] } };
}

interface CellRun {
  status: string;
  outputs: Sent[];
}

/**
 * Runs cells in a kernel started by jupyter_client. A cell given as `{ interrupt: code }` is
 * interrupted (interrupt_request) once its live display is up; iopub is then read on for a
 * few seconds, so updates after the reply are seen too.
 */
function runCells(cells: Array<string | { interrupt: string }>): CellRun[] {
  const { env, prefix } = installedKernel();
  const resultFile = path.join(prefix, "result.json");
  const script = `
import json, time
from jupyter_client.manager import start_new_kernel
cells = json.loads(${JSON.stringify(JSON.stringify(cells))})
km, kc = start_new_kernel(kernel_name="flowbook", startup_timeout=90)
def sent_of(m):
    t = m["msg_type"]
    if t not in ("display_data", "update_display_data", "execute_result", "error", "stream"):
        return None
    c = m["content"]
    d = c.get("data", {})
    return {"msg_type": t, "display_id": c.get("transient", {}).get("display_id"), "text": d.get("text/plain", c.get("text", c.get("evalue"))),
            "live": d.get("application/vnd.flowbook.live+json"), "vegalite": d.get("application/vnd.vegalite.v5+json")}
out = []
try:
    for cell in cells:
        sent = []
        if isinstance(cell, str):
            def hook(m):
                s = sent_of(m)
                if s: sent.append(s)
            r = kc.execute_interactive(cell, timeout=120, output_hook=hook)
            out.append({"status": r["content"]["status"], "outputs": sent})
            continue
        msg_id = kc.execute(cell["interrupt"])
        interrupted = False
        status = None
        deadline = time.time() + 120
        while time.time() < deadline:
            if status is None:
                try:
                    reply = kc.get_shell_msg(timeout=0.05)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        status = reply["content"]["status"]
                        deadline = min(deadline, time.time() + 5)
                except Exception:
                    pass
            try:
                m = kc.get_iopub_msg(timeout=0.1)
            except Exception:
                continue
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            s = sent_of(m)
            if s:
                sent.append(s)
                if not interrupted and s["live"] is not None and s["msg_type"] == "display_data":
                    time.sleep(0.5)
                    km.interrupt_kernel()
                    interrupted = True
                if s["live"] and s["live"].get("state") == "stopped" and status is not None:
                    break
        out.append({"status": status, "outputs": sent})
finally:
    km.shutdown_kernel(now=True)
with open(${JSON.stringify(resultFile)}, "w") as f:
    json.dump(out, f)
print("RESULT written")
`;
  const r = python(["-c", script], { ...env, PYTHONUNBUFFERED: "1" }, 400_000);
  if (r.status !== 0 || !r.output.includes("RESULT written")) throw new Error(r.output);
  return JSON.parse(readFileSync(resultFile, "utf8"));
}

const TEST_STREAM = `${livePanesCell("{ parallelism: 2 }")}
const q = Pipeline.create({ parallelism: 2 });
const ticks = q.apply("Ticks", GenerateSequence.from(0).withRate(4, Duration.seconds(1)));`;

/** The outputs of the cell's live display: its display_data and the updates of its id. */
function liveOf(run: CellRun): Sent[] {
  const first = run.outputs.find((o) => o.msg_type === "display_data" && o.live);
  expect(first, JSON.stringify(run.outputs.map((o) => o.msg_type))).toBeDefined();
  return run.outputs.filter((o) => o.display_id === first!.display_id && o.live);
}

test("show and chart of unbounded PCollections update one display in place, end saying why, and stop on an interrupt", () => {
  const [define, shown, counted, charted, interrupted, after] = runCells([
    TEST_STREAM,
    "await show(sums);",
    "await show(ticks, { n: 6 });",
    'await chart(ticks, { line: { x: "timestamp", y: "value" } }, { duration: Duration.seconds(6), n: 100000 });',
    { interrupt: "await show(ticks, { duration: Duration.seconds(120), n: 100000 });" },
    "1 + 1",
  ]);
  expect(define!.status).toBe("ok");

  // The TestStream's panes: one row, its latest pane the late one; the source ended.
  expect(shown!.status).toBe("ok");
  const a = liveOf(shown!);
  expect(a[0]!.msg_type).toBe("display_data");
  expect(a.slice(1).every((o) => o.msg_type === "update_display_data")).toBe(true);
  expect(a.at(-1)!.live).toEqual({ state: "stopped", reason: "ended" });
  expect(a.at(-1)!.text).toMatch(/^\*\s+k\s+10\s+\[1970-01-01 00:00:00, 00:05:00\)\s+LATE\s+3\s/m);
  expect(a.at(-1)!.text).toMatch(/stopped: the source ended · 4 elements in/);

  // An unbounded sequence: n reached.
  const b = liveOf(counted!);
  expect(b.at(-1)!.live).toEqual({ state: "stopped", reason: "count" });
  expect(b.at(-1)!.text).toMatch(/Ticks\.out · live: elements as they come · 6 rows/);
  expect(b.at(-1)!.text).toMatch(/stopped: n reached \(6 elements\)/);

  // A live chart: updated while running (4 elements a second, redrawn each second once vega is loaded), then the duration.
  const c = liveOf(charted!);
  expect(c.length).toBeGreaterThanOrEqual(3);
  expect(c.some((o) => o.msg_type === "update_display_data" && o.live?.state === "running")).toBe(true);
  expect(c.at(-1)!.live).toEqual({ state: "stopped", reason: "duration" });
  expect(c.at(-1)!.vegalite!.title!.subtitle!.at(-1)).toMatch(/^stopped: duration reached \(6 s\)/);

  // A kernel interrupt: the cell fails with Interrupted, the display's last update says so.
  expect(interrupted!.status).toBe("error");
  const d = liveOf(interrupted!);
  expect(d.at(-1)!.live).toEqual({ state: "stopped", reason: "interrupted" });
  expect(d.at(-1)!.text).toMatch(/stopped: interrupted/);

  expect(after!.status).toBe("ok");
  expect(after!.outputs.find((o) => o.msg_type === "execute_result")?.text).toBe("2");
}, 420_000);
