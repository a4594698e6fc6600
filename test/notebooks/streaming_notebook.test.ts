/**
 * notebooks/streaming.ipynb executed by nbclient against the installed kernel: every live
 * display is ONE output whose final content (nbclient applies each update_display_data to
 * the output with its display_id) is the final state with why it stopped — the TestStream's
 * latest panes per team and window (EARLY, ON_TIME and LATE as Beam fires them), the live
 * chart of them, GenerateSequence.withRate's windows stopped at the duration — and collect
 * takes the stream's first elements.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { LIVE_MIME } from "../../src/display/live/live_status.js";
import { NOTEBOOKS, RESULTS, cellWith, displays, executeNotebook, installKernel, problems, resultText, sourceOf, text, type Notebook } from "./support/jupyter.js";

let nb: Notebook;
let prefix: string | undefined;

beforeAll(async () => {
  const kernel = installKernel();
  prefix = kernel.prefix;
  nb = await executeNotebook(path.join(NOTEBOOKS, "streaming.ipynb"), path.join(RESULTS, "notebooks", "streaming.ipynb"), kernel.env, 420_000);
}, 480_000);
afterAll(() => {
  if (prefix) rmSync(prefix, { recursive: true, force: true });
});

/** Rows as [team, score, window, …]: by window, then team. */
const byWindowThenTeam = (a: string[], b: string[]) => a[2]!.localeCompare(b[2]!) || a[0]!.localeCompare(b[0]!);

/** The one live display of a cell (its final content). */
function live(snippet: string): Record<string, unknown> {
  const c = cellWith(nb, snippet);
  const ds = displays(c, LIVE_MIME);
  expect(ds, sourceOf(c).slice(0, 60)).toHaveLength(1);
  return ds[0]!.data!;
}

test("runs clean", () => {
  expect(problems(nb)).toEqual([]);
  for (const c of nb.cells.filter((c) => c.cell_type === "code")) expect(c.execution_count).toBeGreaterThan(0);
});

test("the TestStream's team scores: the latest pane per team and window, the late play in a LATE pane, 'the source ended'", () => {
  const d = live("await show(teamScores)");
  expect(d[LIVE_MIME]).toEqual({ state: "stopped", reason: "ended" });
  const t = text(d["text/plain"]);
  const rows = t.split("\n").filter((l) => /\b(red|blue)\b/.test(l)).map((l) => l.replace(/^\*?\s+/, "").split(/\s{2,}/));
  // Accumulating panes: red 3+1 on time in the first window; blue 2, then 2+5 when its late play came.
  // Rows come in the order they first appeared: the teams' groups may run on different threads.
  expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[4]]).sort(byWindowThenTeam)).toEqual([
    ["blue", "7", "[2026-01-05 09:00:00, 09:05:00)", "LATE", "2"],
    ["red", "4", "[2026-01-05 09:00:00, 09:05:00)", "ON_TIME", "2"],
    ["blue", "4", "[2026-01-05 09:05:00, 09:10:00)", "ON_TIME", "1"],
    ["red", "2", "[2026-01-05 09:05:00, 09:10:00)", "ON_TIME", "1"],
  ]);
  expect(t).toMatch(/stopped: the source ended · 10 elements in \d+\.\d s$/);
  expect(text(d["text/html"])).toContain("stopped: the source ended");
});

test("the live chart ends with the same rows, its subtitle saying the source ended", () => {
  const d = live("await chart(teamScores");
  const spec = d["application/vnd.vegalite.v5+json"] as { title: { subtitle: string[] }; data: { values: Array<Record<string, unknown>> } };
  expect(spec.title.subtitle.at(-1)).toMatch(/^stopped: the source ended · 10 elements/);
  const windowStart = (r: Record<string, unknown>) => String((r.window as { start: number }).start);
  expect(spec.data.values.map((r) => [String(r.key), String(r.value), windowStart(r), String(r.pane)]).sort(byWindowThenTeam)).toEqual([
    ["blue", "7", String(Date.UTC(2026, 0, 5, 9, 0)), "LATE"],
    ["red", "4", String(Date.UTC(2026, 0, 5, 9, 0)), "ON_TIME"],
    ["blue", "4", String(Date.UTC(2026, 0, 5, 9, 5)), "ON_TIME"],
    ["red", "2", String(Date.UTC(2026, 0, 5, 9, 5)), "ON_TIME"],
  ]);
  expect(typeof d["image/png"]).toBe("string");
});

test("GenerateSequence.withRate: 2-second windows' ON_TIME counts, stopped at the duration", () => {
  const d = live("await show(perTwoSeconds");
  expect(d[LIVE_MIME]).toEqual({ state: "stopped", reason: "duration" });
  const t = text(d["text/plain"]);
  expect(t).toMatch(/stopped: duration reached \(7 s\)/);
  const rows = t.split("\n").filter((l) => /\b(even|odd)\b/.test(l));
  expect(rows.length).toBeGreaterThanOrEqual(2);
  for (const r of rows) expect(r).toMatch(/\b(even|odd)\s+\d+\s+\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \d\d:\d\d:\d\d\)\s+ON_TIME\s+0\s/);
});

test("collect takes the stream's first elements", () => {
  expect(resultText(cellWith(nb, "await collect(ticks"))).toBe("[ 0, 1, 2, 3, 4 ]");
});
