/**
 * The REPL's output router and live displays (LIVE_MIME): a running live show sits in the
 * live area, redrawn in place by each update, never printed; its final state goes into the
 * scrollback once, and the input's end prints nothing more of it. A progress display that
 * ended before it goes first, as the run's progress came before what it showed.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OutputRouter } from "../../repl/output_router.js";
import { paint } from "../../repl/render/ansi.js";
import { LIVE_MIME } from "../../src/display/live/live_status.js";
import { Mime, type MimeBundle } from "../../src/display/mime.js";

function router(fileDir = "/tmp") {
  const printed: string[] = [];
  let changes = 0;
  const r = new OutputRouter({
    paint: paint(false),
    terminal: () => ({ width: 80, paint: paint(false), images: "none", fileDir }),
    print: (text) => void printed.push(text),
    liveChanged: () => void changes++,
  });
  return { r, sink: r.sink(), printed, changes: () => changes };
}

const liveBundle = (text: string, state: "running" | "stopped"): MimeBundle => ({ [Mime.text]: text, [LIVE_MIME]: state === "running" ? { state } : { state, reason: "duration" } });

describe("live displays in the REPL", () => {
  it("stay in the live area while running, redrawn in place; the final state is printed once", () => {
    const { r, sink, printed, changes } = router();
    sink.display("display", "live-1", liveBundle("T · 0 rows\nlive · 0.0 s", "running"), false);
    expect(r.renderLive()).toEqual(["T · 0 rows\nlive · 0.0 s"]);
    sink.display("update", "live-1", liveBundle("T · 2 rows\nlive · 0.5 s", "running"), false);
    expect(r.renderLive()).toEqual(["T · 2 rows\nlive · 0.5 s"]);
    expect(printed).toEqual([]);
    expect(changes()).toBe(2);
    sink.display("update", "live-1", liveBundle("T · 3 rows\nstopped: duration reached (1 s)", "stopped"), false);
    expect(printed).toEqual(["T · 3 rows\nstopped: duration reached (1 s)"]);
    expect(r.hasLive).toBe(false);
    r.flushLive("done");
    expect(printed).toHaveLength(1);
  });

  it("a running live display outlives the input's end (an interrupt returns first); its final state then prints", () => {
    const { r, sink, printed } = router();
    sink.display("display", "live-2", liveBundle("T\nlive · 1.0 s", "running"), false);
    r.flushLive("done");
    expect(printed).toEqual([]);
    expect(r.hasLive).toBe(true);
    sink.display("update", "live-2", liveBundle("T\nstopped: interrupted", "stopped"), true);
    expect(printed).toEqual(["T\nstopped: interrupted"]);
    expect(r.hasLive).toBe(false);
  });

  it("another display printed meanwhile does not take the running live display with it", () => {
    const { r, sink, printed } = router();
    sink.display("display", "live-3", liveBundle("T\nlive · 1.0 s", "running"), false);
    sink.display("display", "other", { [Mime.text]: "a table" }, false);
    expect(printed).toEqual(["a table"]);
    expect(r.renderLive()).toEqual(["T\nlive · 1.0 s"]);
  });

  it("a running live chart is redrawn as text, its picture written to a file only for the final state", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "flowbook-live-router-"));
    const { r, sink, printed } = router(dir);
    const png = "iVBORw0KGgo="; // the bytes do not matter here: only whether a file is written
    const chart = (state: "running" | "stopped") => ({ ...liveBundle(`bars (${state})`, state), [Mime.png]: png, [Mime.vegaLite]: {} });
    sink.display("display", "chart-1", chart("running"), false);
    for (let i = 0; i < 5; i++) expect(r.renderLive()).toEqual(["bars (running)"]);
    expect(readdirSync(dir)).toEqual([]);
    sink.display("update", "chart-1", chart("stopped"), false);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^bars \(stopped\)\nchart: .*chart-\d+\.png$/);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
