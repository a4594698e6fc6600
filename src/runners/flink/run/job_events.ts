/**
 * What a Flink job reports while it runs, as run events (sdk/runner.ts RunEvent): its job
 * vertices starting and finishing, progress per transform (job_progress.ts) and users'
 * console output (console_output.ts), polled over REST about twice a second, and once more
 * after the job ended, so the final lines and counts come before `run-finished`.
 */
import type { RunEventBus } from "../../shared/run_events.js";
import type { FlinkPlan } from "../flink_plan.js";
import { TERMINAL_JOB_STATES, type FlinkRestClient, type JobAccumulators, type JobDetails } from "../rest/client.js";
import { ConsoleOutputReader } from "./console_output.js";
import { JobProgress } from "./job_progress.js";

const VERTEX_DONE = new Set(["FINISHED", "CANCELED", "FAILED"]);
const VERTEX_WAITING = new Set(["CREATED", "SCHEDULED", "DEPLOYING", "INITIALIZING", "RECONCILING"]);

export interface JobEventsOptions {
  /** Poll interval (default 500 ms). */
  pollMs?: number;
  /**
   * The first poll (default 1 s after submission). Flink's REST serves a job's graph from a
   * cache (web.refresh-interval): a poll shortly before the job ends delays the final read
   * until that entry expires, so a job that ends within this delay is read only at its end.
   */
  firstPollMs?: number;
  /** The runner option that raises the console output's bound, and the bound, for the message when lines are dropped. */
  consoleOption?: string;
  consoleMaxBytes?: number;
}

export class JobEvents {
  private readonly progress: JobProgress;
  private readonly console: ConsoleOutputReader;
  private readonly started = new Set<string>();
  private readonly finished = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;
  private lastProgress = "";
  private ended = false;
  /** Accumulators are read at most this often: a big value (collected samples) costs the JobManager and us. */
  private accumulatorsEveryMs = 0;
  private accumulatorsAt = 0;

  constructor(
    private readonly bus: RunEventBus,
    private readonly client: FlinkRestClient,
    private readonly jobId: string,
    plan: FlinkPlan,
    private readonly options: JobEventsOptions = {},
  ) {
    this.progress = new JobProgress(plan);
    this.console = new ConsoleOutputReader(options.consoleOption, options.consoleMaxBytes, plan.operators.map((o) => o.id));
  }

  /** Starts polling the running job. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.polling = this.poll()
        .catch(() => {
          // A failed poll (a busy JobManager) is retried at the next tick; the job's end is what counts.
        })
        .finally(() => {
          this.polling = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs ?? 500);
        });
    };
    this.timer = setTimeout(tick, this.options.firstPollMs ?? 1000);
  }

  /** Stops polling (and waits for a poll under way). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling?.catch(() => {});
  }

  private async poll(): Promise<void> {
    const details = await this.client.jobDetails(this.jobId);
    if (this.stopped) return;
    // Flink's REST serves a cached graph: once it shows the end, leave the rest to finish().
    if (TERMINAL_JOB_STATES.has(details.state)) return;
    const readAccumulators = async () => {
      if (Date.now() - this.accumulatorsAt < this.accumulatorsEveryMs) return undefined;
      const t0 = Date.now();
      const a = await this.client.jobAccumulators(this.jobId);
      this.accumulatorsAt = Date.now();
      this.accumulatorsEveryMs = 5 * (this.accumulatorsAt - t0);
      return a;
    };
    const [acc] = await Promise.all([readAccumulators(), this.progress.poll(this.client, this.jobId, details)]);
    if (this.stopped) return;
    this.emitAll(details, acc, false);
  }

  private emitAll(details: JobDetails | undefined, acc: JobAccumulators | undefined, final: boolean): void {
    const now = Date.now();
    if (details) {
      for (const v of details.vertices) {
        if (!this.started.has(v.id) && (!VERTEX_WAITING.has(v.status) || (final && v["start-time"] > 0))) {
          this.started.add(v.id);
          this.bus.emit({ kind: "stage-started", at: now, stage: v.id, name: v.name });
        }
      }
    }
    for (const e of this.console.read(acc, final, now)) this.bus.emit(e);
    this.progress.setAccumulators(acc);
    if (details) for (const v of details.vertices) this.progress.vertexBytes(v);
    const transforms = this.progress.snapshot();
    const key = JSON.stringify(transforms);
    if (final || key !== this.lastProgress) {
      this.lastProgress = key;
      this.bus.emit({ kind: "progress", at: now, transforms });
    }
    if (details) {
      for (const v of details.vertices) {
        if (this.started.has(v.id) && !this.finished.has(v.id) && (VERTEX_DONE.has(v.status) || final)) {
          this.finished.add(v.id);
          this.bus.emit({ kind: "stage-finished", at: now, stage: v.id, name: v.name });
        }
      }
    }
  }

  /**
   * The job ended: stops polling, then emits what is left from its final details and
   * accumulators (the last console lines, the final counts, the vertices' ends).
   */
  async finish(final: { details?: JobDetails; accumulators?: JobAccumulators }): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.stop();
    let details = final.details;
    if (!details) details = await this.client.jobDetails(this.jobId).catch(() => undefined);
    if (details) await this.progress.poll(this.client, this.jobId, details).catch(() => {});
    this.emitAll(details, final.accumulators, true);
  }
}
