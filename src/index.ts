/**
 * flowbook: the Dataflow programming model in TypeScript.
 *
 * Build a pipeline by applying transforms to PCollections, then run it on the
 * embedded local runner (the default) or on Apache Flink:
 *
 * ```ts
 * const p = Pipeline.create();
 * p.apply(TextIO.read().from("data/*.txt"))
 *  .apply(FlatMapElements.via((line: string) => line.split(/\W+/).filter(Boolean)))
 *  .apply(Count.perElement())
 *  .apply(MapElements.via((kv: KV<string, number>) => `${kv.key}: ${kv.value}`))
 *  .apply(TextIO.write().to("out/counts"));
 * await p.run().waitUntilFinish();
 * ```
 *
 * Everything a user writes is exported here; the rest of src/ is internal.
 */

export * from "./api.js";

// Runners register themselves when loaded; the WordCount example's classes travel by name.
import "./runners/direct/direct_runner.js";
import "./runners/flink/flink_runner.js";
import "./examples/word_count.js";

// show/chart/graph/explain in plain Node (a session connects its own): samples cached for
// the process, displays printed as their text to stdout.
import { inspect } from "node:util";
import { hostServices } from "./display/interactive/host_services.js";
import { connectInteractiveServices } from "./display/interactive/services.js";
import { SampleService } from "./display/samples/sample_service.js";
import { LIVE_MIME } from "./display/live/live_status.js";
import { flinkJobGraphOf, flinkJobGraphOfJob, flinkPlanOf, translationTraceOf } from "./runners/flink/explain/index.js";

connectInteractiveServices(
  hostServices({
    samples: new SampleService(),
    planOf: (graph, options) => flinkPlanOf(graph, options),
    traceOf: (graph, options) => translationTraceOf(graph, options),
    jobGraphOf: (graph, options) => flinkJobGraphOf(graph, options),
    jobGraphOfJob: (jobId, plan, options) => flinkJobGraphOfJob(jobId, plan, options),
    // explain(p, { run: true }) listens to its run first: users' output is printed as the run's own fallback would.
    runOutput: (e) => void (e.stream === "stderr" ? process.stderr : process.stdout).write(e.text),
    inspect: (value, width) => inspect(value, { depth: 4, breakLength: width }),
    emit: (kind, _id, bundle) => {
      // Printed text cannot be redrawn: a live display (show of an unbounded PCollection) prints its first and final state only.
      if (kind === "update" && (bundle[LIVE_MIME] as { state?: string } | undefined)?.state === "running") return;
      const text = bundle["text/plain"];
      if (text !== undefined) process.stdout.write(`${typeof text === "string" ? text : JSON.stringify(text)}\n`);
    },
    clear: () => undefined,
    width: () => process.stdout.columns || 100,
  }),
);
