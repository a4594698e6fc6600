/**
 * Watches the cluster a job runs on (issue 12, point 4): a TaskManager that dies mid-job made
 * the client wait ten minutes in silence (Flink restarts the job, whose tasks then wait for
 * slots until `slot.request.timeout`). Once a second, while the job runs, this reads the
 * cluster's TaskManagers (`GET /taskmanagers`, `/overview`):
 *
 * - a TaskManager registered when the job started is gone: a notice on stderr (the run goes
 *   on: Flink restarts the job's tasks on the TaskManagers left, if there are any);
 * - no TaskManager (no slots at all) for `NO_SLOTS_GRACE_MS` after losing them (15 s when the
 *   cluster never had one during the job): fatal — the job cannot run; the
 *   runner cancels it and fails the run with this error, naming what was lost (from the job's
 *   exceptions) and the command that brings TaskManagers back;
 * - slots exist but none is free while the job's vertices wait in CREATED/SCHEDULED for
 *   `WAITING_NOTICE_MS`: a notice that the job waits for slots (other jobs hold them).
 */
import type { FlinkRestClient, TaskManagerInfo } from "../rest/client.js";

export const HEALTH_POLL_MS = 1000;
export const NO_SLOTS_GRACE_MS = 2000;
/**
 * A cluster that had no TaskManager when the job started may be starting them (an active
 * resource manager on Kubernetes or YARN allocates them on demand): longer grace.
 */
export const NEVER_HAD_SLOTS_GRACE_MS = 15_000;
export const WAITING_NOTICE_MS = 5000;

export interface ClusterHealthHooks {
  /** A line for the user (stderr). */
  notice(text: string): void;
  /** The job cannot run; the runner cancels it and fails with this error. */
  fatal(e: Error): void;
}

export class ClusterHealthWatch {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private known?: Map<string, TaskManagerInfo>;
  private readonly lost = new Set<string>();
  private noSlotsSince?: number;
  private waitingSince?: number;
  private waitingNoticed = false;
  private busy = false;

  constructor(
    private readonly client: FlinkRestClient,
    private readonly jobId: string,
    private readonly jobName: string,
    private readonly hooks: ClusterHealthHooks,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.check().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, HEALTH_POLL_MS);
      });
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private port(): string {
    const m = /:(\d+)\/?$/.exec(this.client.baseUrl);
    return m ? m[1]! : "8081";
  }

  async check(now = Date.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let tms: TaskManagerInfo[];
      try {
        tms = await this.client.taskManagers();
      } catch {
        return; // the JobManager itself: the job's status poll reports an unreachable cluster
      }
      if (this.stopped) return;
      const ids = new Map(tms.map((t) => [t.id, t]));
      if (!this.known) this.known = new Map(ids);
      for (const id of this.known.keys()) {
        if (!ids.has(id) && !this.lost.has(id)) {
          this.lost.add(id);
          this.hooks.notice(
            `flowbook: Flink TaskManager ${id} was lost while job ${this.jobId} ran (its process died or stopped answering); ` +
              (tms.length ? `Flink restarts the job's tasks on the ${tms.length} TaskManager(s) left.\n` : `no TaskManager is left.\n`),
          );
        }
      }
      for (const [id, t] of ids) if (!this.known.has(id)) this.known.set(id, t);
      const slotsTotal = tms.reduce((n, t) => n + (t.slotsNumber ?? 0), 0);
      const slotsFree = tms.reduce((n, t) => n + (t.freeSlots ?? 0), 0);
      if (slotsTotal === 0) {
        this.noSlotsSince ??= now;
        const grace = this.lost.size > 0 ? NO_SLOTS_GRACE_MS : NEVER_HAD_SLOTS_GRACE_MS;
        if (now - this.noSlotsSince >= grace) {
          this.stop();
          this.hooks.fatal(await this.noSlotsError());
        }
        return;
      }
      this.noSlotsSince = undefined;
      if (slotsFree > 0 || this.waitingNoticed) {
        this.waitingSince = undefined;
        return;
      }
      // Every slot is taken: is this job waiting for one?
      const d = await this.client.jobDetails(this.jobId).catch(() => undefined);
      const waiting = d?.vertices.some((v) => v.status === "SCHEDULED" || v.status === "CREATED") && !d.vertices.some((v) => v.status === "RUNNING" || v.status === "DEPLOYING" || v.status === "INITIALIZING");
      if (!waiting) {
        this.waitingSince = undefined;
        return;
      }
      this.waitingSince ??= now;
      if (now - this.waitingSince >= WAITING_NOTICE_MS) {
        this.waitingNoticed = true;
        this.hooks.notice(
          `flowbook: Flink job ${this.jobId} (${this.jobName}) waits for task slots: all ${slotsTotal} slot(s) of the cluster are in use ` +
            `(by other jobs); it starts when they free up, or start more TaskManagers.\n`,
        );
      }
    } finally {
      this.busy = false;
    }
  }

  /** Names what was lost, from what the job recorded (its exceptions) and what the watch saw. */
  private async noSlotsError(): Promise<Error> {
    let cause = "";
    try {
      const ex = await this.client.jobExceptions(this.jobId, 10);
      const texts = (ex.exceptionHistory?.entries ?? []).flatMap((e) => [e, ...(e.concurrentExceptions ?? [])]).map((e) => (e.stacktrace || e.exceptionName || "").split("\n")[0]!);
      cause = texts.find((t) => /TaskManager|TaskExecutor|heartbeat|no longer reachable|disconnect/i.test(t)) ?? "";
    } catch {
      /* the exceptions are a detail */
    }
    const lost = [...this.lost];
    const what = lost.length
      ? `its TaskManager${lost.length > 1 ? "s" : ""} ${lost.join(", ")} ${lost.length > 1 ? "were" : "was"} lost`
      : "the cluster has no TaskManager";
    const port = this.port();
    return new Error(
      `Flink job ${this.jobId} (${this.jobName}) cannot run: ${what}, so no task slot is left and its tasks would wait for one indefinitely. ` +
        `The job was cancelled.` +
        (cause ? ` Flink said: ${cause.replace(/^[\w.]+\.(\w+(Exception|Error))/, "$1").slice(0, 300).replace(/\.?$/, ".")}` : "") +
        ` Start the missing TaskManagers with \`flowbook flink start --port ${port}\`; \`flowbook flink status --port ${port}\` shows the cluster.`,
    );
  }
}
