/**
 * The host's side of the interactive calls (services.ts): renderers, the sample service and
 * where displays go. A session builds one per sandbox (its displays go to the running
 * cell's outputs); src/index.ts builds the process's (displays printed as text). What
 * needs a runner is handed in — sampling runs (`samples`) and the Flink translation
 * (`planOf`) — so this layer imports no runner.
 */
import type { PipelineGraph } from "../../graph/types.js";
import type { FlinkJobGraph } from "../../runners/flink/flink_job_graph.js";
import type { FlinkPlan } from "../../runners/flink/flink_plan.js";
import type { TranslationTrace } from "../../runners/flink/translation_trace.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import type { RunEvent } from "../../sdk/runner.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";
import type { DisplayContext, MimeBundle } from "../mime.js";
import type { SampleService } from "../samples/sample_service.js";
import { RunWatch } from "../plan/run_watch.js";
import { encodeElements, unencodedSample } from "../samples/encoded_sample.js";
import type { EncodedSample, InteractiveServices, LiveRequest, SampleRequest } from "./services.js";

export interface HostServicesOptions {
  samples: SampleService;
  /** The Flink plan of a graph (the Flink runner's translation). */
  planOf: (graph: PipelineGraph, options: PipelineOptions) => FlinkPlan;
  /** The recorded translation of a graph (the Flink translator's trace): what `explain(p, { step: true })` walks. */
  traceOf?: (graph: PipelineGraph, options: PipelineOptions) => TranslationTrace;
  /** Flink's job graph of a graph, planned by the cluster in the options: `explain(p, { flink: true })`. */
  jobGraphOf?: (graph: PipelineGraph, options: PipelineOptions) => Promise<FlinkJobGraph>;
  /** The job graph of a Flink job that ran, with its vertices' metrics: `explain(p, { run: true })` on Flink. */
  jobGraphOfJob?: (jobId: string, plan: FlinkPlan, options: PipelineOptions) => Promise<FlinkJobGraph>;
  /** Where a watched run's users' output goes when the host's watch is its first listener (plain Node: printed). */
  runOutput?: (event: RunEvent & { kind: "output" }) => void;
  inspect: (value: unknown, width: number) => string;
  emit: (kind: "display" | "update", displayId: string, bundle: MimeBundle) => void;
  clear: (wait: boolean) => void;
  width: () => number;
}

// The renderers load vega, Graphviz and resvg: only when a picture is first asked for.
const charts = () => import("../chart/index.js");
const graphs = () => import("../graph/index.js");
const plans = () => import("../plan/index.js");
const steps = () => import("../plan/stepper/step_bundle.js");
const jobGraphs = () => import("../plan/job_graph.js");
const runMetrics = () => import("../plan/run_metrics.js");
const liveViews = () => import("../live/index.js");

export function hostServices(o: HostServicesOptions): InteractiveServices {
  const ctx = (json: string): DisplayContext => JSON.parse(json) as DisplayContext;
  // The steppers live here (their trace, Graphviz); a cell's stepper object moves them by id.
  let stepperHost: import("../plan/stepper/step_bundle.js").StepperHost | undefined;
  let runWatch: RunWatch | undefined;
  return {
    sample: (request: SampleRequest): Promise<EncodedSample> => o.samples.sample(request),
    async live(request: LiveRequest, context) {
      const live = await liveViews();
      const c = ctx(context);
      const spec = request.chartJson === undefined ? undefined : (JSON.parse(request.chartJson) as Record<string, unknown>);
      const result = o.samples.startLive(request);
      const arrived: WindowedValue<unknown>[] = [];
      const end = await live.runLiveView({
        result,
        pcollectionId: request.pcollectionId,
        displayId: request.displayId,
        durationMs: request.durationMs,
        n: request.n,
        // A chart redraws (vega, resvg) at most once a second; a table four times.
        minIntervalMs: spec ? 1000 : 250,
        render: (panes, status) => (request.collect ? {} : spec ? live.renderLiveChart(spec, request.name, panes, status, { width: o.width() }) : live.renderLiveTable(request.name, panes, status, { width: c.width ?? o.width() })),
        emit: request.collect ? () => undefined : o.emit,
        ...(request.collect ? { onElements: (e: readonly WindowedValue<unknown>[]) => void arrived.push(...e) } : {}),
      });
      // The final rows travel back encoded (as a sample does), the final bundle as JSON.
      const graph = JSON.parse(request.graphJson) as PipelineGraph;
      const elements = request.collect ? arrived : end.panes.rows().map((r) => r.element);
      const sample = encodeElements(graph, request.pcollectionId, { elements, truncated: false })?.sample ?? unencodedSample({ elements, truncated: false }, elements.length);
      return JSON.stringify({ outcome: end.outcome, bundle: end.bundle, sample });
    },
    async renderChart(requestJson, context) {
      return JSON.stringify(await (await charts()).renderChart(JSON.parse(requestJson), ctx(context)));
    },
    async renderGraph(graphJson, optionsJson, context) {
      return JSON.stringify(await (await graphs()).renderGraph(JSON.parse(graphJson) as PipelineGraph, JSON.parse(optionsJson), ctx(context)));
    },
    async renderPlan(graphJson, optionsJson, context) {
      const graph = JSON.parse(graphJson) as PipelineGraph;
      const { flink, run: runId, ...rest } = JSON.parse(optionsJson) as PipelineOptions & { flink?: unknown; run?: unknown };
      const options = { ...(graph.options as PipelineOptions), ...rest };
      const plan = o.planOf(graph, options);
      let run: import("../plan/run_metrics.js").PlanRunMetrics | undefined;
      let ran: FlinkJobGraph | undefined;
      if (typeof runId === "string") {
        if (!runWatch) throw new Error("explain(p, { run: true }): this host watched no run");
        const watched = await runWatch.take(runId);
        const started = watched.events.find((e) => e.kind === "run-started");
        const runner = started?.kind === "run-started" ? started.runner : String(options.runner ?? "direct");
        const jobId = (started?.kind === "run-started" ? started.jobId : undefined) ?? (watched.result as { jobId?: string }).jobId;
        if (runner === "flink" && jobId && o.jobGraphOfJob) {
          // The job's own numbers, exact once it ended; without them the plan still shows the events' counts.
          ran = await o.jobGraphOfJob(jobId, plan, options).catch(() => undefined);
        }
        run = (await runMetrics()).planRunMetrics(plan, watched.events, ran);
        if (run.runner === "?") run.runner = runner;
      }
      if (flink) {
        if (!o.jobGraphOf) throw new Error("explain(p, { flink: true }) needs a host that can ask a Flink cluster (a session, or the 'flowbook' package)");
        const g = ran ?? (await o.jobGraphOf(graph, options));
        return JSON.stringify(await (await jobGraphs()).renderJobGraph(g, ctx(context), run));
      }
      return JSON.stringify(await (await plans()).renderPlan(plan, ctx(context), run ? { run } : {}));
    },
    watchRun(graphJson) {
      runWatch ??= new RunWatch(o.runOutput as ((e: RunEvent) => void) | undefined);
      return runWatch.arm(JSON.parse(graphJson) as PipelineGraph);
    },
    async openStepper(graphJson, optionsJson, context) {
      if (!o.traceOf) throw new Error("explain(p, { step: true }) needs a host that records translations (a session, or the 'flowbook' package)");
      const graph = JSON.parse(graphJson) as PipelineGraph;
      const options = { ...(graph.options as PipelineOptions), ...(JSON.parse(optionsJson) as PipelineOptions) };
      const trace = o.traceOf(graph, options);
      stepperHost ??= new (await steps()).StepperHost();
      return JSON.stringify(await stepperHost.open(trace, ctx(context)));
    },
    stepper(id, commandJson, context) {
      if (!stepperHost) throw new Error("no stepper is open: call explain(p, { step: true }) first");
      return JSON.stringify(stepperHost.command(id, JSON.parse(commandJson), ctx(context)));
    },
    inspect: (value, width) => o.inspect(value, width),
    emit: (kind, displayId, bundleJson) => o.emit(kind, displayId, JSON.parse(bundleJson) as MimeBundle),
    clear: (wait) => o.clear(wait),
    width: () => o.width(),
  };
}
