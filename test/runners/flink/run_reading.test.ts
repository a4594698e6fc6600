/**
 * How the Flink runner reads a job's console accumulators and metrics back (no cluster):
 * each line once however often the cumulative values are read, and counts mapped from
 * Flink's operators to the pipeline's transforms.
 */
import { describe, expect, it } from "vitest";
import type { FlinkPlan } from "../../../src/runners/flink/flink_plan.js";
import type { FlinkRestClient, JobAccumulators, JobDetails, JobVertexInfo } from "../../../src/runners/flink/rest/client.js";
import { ConsoleOutputReader } from "../../../src/runners/flink/run/console_output.js";
import { JobProgress, chainOf, metricOperatorName } from "../../../src/runners/flink/run/job_progress.js";

const consoleAcc = (name: string, sources: Record<string, Array<[number, string, string | null, string]>>, dropped = 0): JobAccumulators["user-task-accumulators"][number] => ({
  name: `flowbook.console/${name}`,
  type: "ConsoleAccumulator",
  value: JSON.stringify({ maxBytes: 1000, dropped, sources }),
});
const accs = (...a: JobAccumulators["user-task-accumulators"]): JobAccumulators => ({ "job-accumulators": [], "user-task-accumulators": a });

describe("reading console output back from accumulators", () => {
  it("emits each line once, in its source's order, as entries grow and sources appear", () => {
    const r = new ConsoleOutputReader();
    const first = r.read(accs(consoleAcc("op2", { "op2/0/0": [[0, "stdout", "T", "a\nb\n"]] })));
    expect(first.map((e) => [e.stream, e.transform, e.text])).toEqual([["stdout", "T", "a\nb\n"]]);
    // The same value again: nothing new.
    expect(r.read(accs(consoleAcc("op2", { "op2/0/0": [[0, "stdout", "T", "a\nb\n"]] })))).toEqual([]);
    // The entry grew, another entry and another source came.
    const next = r.read(accs(
      consoleAcc("op2", { "op2/0/0": [[0, "stdout", "T", "a\nb\nc\n"], [3, "stderr", null, "e\n"]], "op2/1/0": [[0, "stdout", "T", "x\n"]] }),
    ));
    expect(next.map((e) => [e.stream, e.transform, e.text])).toEqual([["stdout", "T", "c\n"], ["stderr", undefined, "e\n"], ["stdout", "T", "x\n"]]);
  });

  it("emits what one read brings upstream operators first", () => {
    const r = new ConsoleOutputReader("flinkOutputMaxBytes", undefined, ["op1", "op2", "op5"]);
    const got = r.read(accs(consoleAcc("op5", { "op5/0/0": [[0, "stdout", "Print", "A\n"]] }), consoleAcc("op2", { "op2/0/0": [[0, "stdout", "Shout", "a\n"]] })));
    expect(got.map((e) => e.transform)).toEqual(["Shout", "Print"]);
  });

  it("says once while running and once at the end how many lines were dropped, naming the option", () => {
    const r = new ConsoleOutputReader("flinkOutputMaxBytes", 4 << 20);
    const live = r.read(accs(consoleAcc("op2", {}, 3)));
    expect(live.map((e) => e.text)).toEqual(["[flowbook] 3+ line(s) of console output were dropped: the job's console output reached its limit of 4 MiB (the Flink runner option flinkOutputMaxBytes raises it)\n"]);
    expect(r.read(accs(consoleAcc("op2", {}, 5)))).toEqual([]);
    const final = r.read(accs(consoleAcc("op2", {}, 9)), true);
    expect(final.map((e) => [e.stream, e.text])).toEqual([["stderr", expect.stringMatching(/^\[flowbook\] 9 line\(s\) .*flinkOutputMaxBytes/)]]);
  });
});

describe("mapping Flink's metrics to transforms", () => {
  it("names operators as Flink's metrics do", () => {
    expect(chainOf("Source: Nums -> Nums/Records -> Slow + Count.Init")).toEqual([
      { flinkName: "Source: Nums", name: "Nums" },
      { flinkName: "Nums/Records", name: "Nums/Records" },
      { flinkName: "Slow + Count.Init", name: "Slow + Count.Init" },
    ]);
    expect(metricOperatorName("Source: Nums")).toBe("Source__Nums");
    expect(metricOperatorName("Slow + Count/Combine.perKey, x")).toBe("Slow_+_Count/Combine_perKey__x");
    expect(metricOperatorName("x".repeat(100))).toHaveLength(80);
  });

  it("input to a plan operator's first transform, output from its last; chained inputs from predecessors; exact user-code counts win", async () => {
    const plan = {
      operators: [
        { id: "op1", name: "Nums", kind: "source:create", transforms: ["Nums"], inputs: [], outputs: ["main"] },
        { id: "op2", name: "Talk + Format", kind: "usercode", transforms: ["Talk", "Format"], inputs: [{ from: "op1", ship: "forward" }], outputs: ["main"] },
        { id: "op3", name: "Print", kind: "sink:console", transforms: ["Print"], inputs: [{ from: "op2", ship: "forward" }], outputs: [] },
      ],
    } as unknown as FlinkPlan;
    const vertex: JobVertexInfo = {
      id: "v1", name: "Source: Nums -> Nums/Records -> Talk + Format -> Print", status: "RUNNING",
      metrics: { "read-bytes": 0, "write-bytes": 0, "read-records": 0, "write-records": 0 },
    } as unknown as JobVertexInfo;
    const metrics: Record<string, number> = {
      "Source__Nums.numRecordsOut": 10, "Nums/Records.numRecordsIn": 10, "Nums/Records.numRecordsOut": 10,
      "Talk_+_Format.numRecordsIn": 9, "Talk_+_Format.numRecordsOut": 4, "Print.numRecordsIn": 0,
    };
    const asked: string[] = [];
    const client = {
      get: async (path: string) => {
        asked.push(path);
        const q = decodeURIComponent(/get=([^&]*)/.exec(path)![1]!).split(",");
        return q.filter((id) => id in metrics).map((id) => ({ id, sum: metrics[id] }));
      },
    } as unknown as FlinkRestClient;
    const progress = new JobProgress(plan);
    await progress.poll(client, "job1", { vertices: [vertex] } as unknown as JobDetails);
    expect(asked[0]).toMatch(/^\/jobs\/job1\/vertices\/v1\/subtasks\/metrics\?get=.*Talk_%2B_Format\.numRecordsIn/);
    expect(progress.snapshot()).toEqual([
      { transform: "Nums", elementsOut: 10 },
      // Chained: what Nums/Records sent, Talk received (its own metric lagged at 9).
      { transform: "Talk", elementsIn: 10 },
      { transform: "Format", elementsOut: 4 },
      { transform: "Print", elementsIn: 4 },
    ]);
    // The end: the bridge's exact counters of the user-code operator; a stale (lower) metric is ignored.
    metrics["Talk_+_Format.numRecordsOut"] = 2;
    progress.setAccumulators(accs(
      { name: "flowbook.records/op2/in", type: "LongCounter", value: "10" },
      { name: "flowbook.records/op2/out", type: "LongCounter", value: "10" },
    ));
    await progress.poll(client, "job1", { vertices: [vertex] } as unknown as JobDetails);
    expect(progress.snapshot()).toEqual([
      { transform: "Nums", elementsOut: 10 },
      { transform: "Talk", elementsIn: 10 },
      { transform: "Format", elementsOut: 10 },
      { transform: "Print", elementsIn: 10 },
    ]);
  });

  it("a transform counted by two operators (a lifted combine's halves) never goes back", async () => {
    const plan = {
      operators: [
        { id: "op1", name: "R", kind: "source:create", transforms: ["R"], inputs: [], outputs: ["main"] },
        { id: "op2", name: "Words + C", kind: "usercode", transforms: ["Words", "C"], inputs: [{ from: "op1", ship: "forward" }], outputs: ["main"] },
        { id: "op3", name: "C", kind: "combine", transforms: ["C"], inputs: [{ from: "op2", ship: "hash" }], outputs: ["main"] },
      ],
    } as unknown as FlinkPlan;
    const v1 = { id: "v1", name: "Source: R -> Words + C -> C/PreCombine", status: "RUNNING", metrics: {} } as unknown as JobVertexInfo;
    const v2 = { id: "v2", name: "C/Merge", status: "CREATED", metrics: {} } as unknown as JobVertexInfo;
    const metrics: Record<string, number> = { "Words_+_C.numRecordsIn": 3, "Words_+_C.numRecordsOut": 5, "C/PreCombine.numRecordsOut": 4 };
    const client = {
      get: async (path: string) => decodeURIComponent(/get=([^&]*)/.exec(path)![1]!).split(",").filter((id) => id in metrics).map((id) => ({ id, sum: metrics[id] })),
    } as unknown as FlinkRestClient;
    const progress = new JobProgress(plan);
    const out = () => progress.snapshot().find((t) => t.transform === "C")!.elementsOut;
    // Output from the last operator known: the pre-combine's partial accumulators.
    await progress.poll(client, "j", { vertices: [v1] } as unknown as JobDetails);
    expect(out()).toBe(4);
    // The merge's vertex appears, not yet running: its 0 does not replace the 4.
    await progress.poll(client, "j", { vertices: [v1, v2] } as unknown as JobDetails);
    expect(out()).toBe(4);
    metrics["C/Merge.numRecordsOut"] = 7;
    await progress.poll(client, "j", { vertices: [v1, { ...v2, status: "RUNNING" }] } as unknown as JobDetails);
    expect(out()).toBe(7);
  });

  it("a source's count fetched before its task ended is raised to what its chained successor counted exactly", async () => {
    const plan = {
      operators: [
        { id: "op1", name: "R", kind: "source:text", transforms: ["R"], inputs: [], outputs: ["main"] },
        { id: "op2", name: "W", kind: "usercode", transforms: ["W"], inputs: [{ from: "op1", ship: "forward" }], outputs: ["main"] },
      ],
    } as unknown as FlinkPlan;
    const v = { id: "v1", name: "Source: R -> R/ToRecord -> W", status: "FINISHED", metrics: {} } as unknown as JobVertexInfo;
    const metrics: Record<string, number> = { "Source__R.numRecordsOut": 8, "R/ToRecord.numRecordsIn": 8, "R/ToRecord.numRecordsOut": 8, "W.numRecordsIn": 8 };
    const client = {
      get: async (path: string) => decodeURIComponent(/get=([^&]*)/.exec(path)![1]!).split(",").filter((id) => id in metrics).map((id) => ({ id, sum: metrics[id] })),
    } as unknown as FlinkRestClient;
    const progress = new JobProgress(plan);
    await progress.poll(client, "j", { vertices: [v] } as unknown as JobDetails);
    progress.setAccumulators(accs({ name: "flowbook.records/op2/in", type: "LongCounter", value: "10" }));
    expect(progress.snapshot()).toEqual([{ transform: "R", elementsOut: 10 }, { transform: "W", elementsIn: 10, elementsOut: 0 }]);
  });
});
