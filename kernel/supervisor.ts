/**
 * The process Jupyter starts. It runs the kernel (main.ts) as a child and restarts it when
 * it dies without being asked to: out of memory (V8 aborts the whole process, sockets and
 * all), or killed. The new kernel binds the same ports (clients reconnect by themselves)
 * and answers the request that was running with an error saying why. A clean exit (a
 * shutdown_request) ends the supervisor too.
 *
 * The child reports on a status pipe (fd 3): which request runs, idle, shutdown.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { RestartNotice } from "./main.js";

export interface SuperviseOptions {
  /** The kernel's V8 heap limit in MB (--max-old-space-size); Node's default when missing. */
  maxOldSpaceMb?: number;
  /** More restarts than this within a minute: give up (a kernel that cannot start). */
  maxRestartsPerMinute?: number;
}

const TAIL = 16 * 1024;

export function superviseKernel(connectionFile: string, options: SuperviseOptions = {}): Promise<number> {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = fileURLToPath(new URL(`./main.${fromSource ? "ts" : "js"}`, import.meta.url));
  const heapMb = options.maxOldSpaceMb ?? (process.env.FLOWBOOK_KERNEL_MAX_OLD_SPACE_MB ? Number(process.env.FLOWBOOK_KERNEL_MAX_OLD_SPACE_MB) : undefined);
  const execArgv = [...process.execArgv.filter((a) => !a.startsWith("--max-old-space-size") && !a.startsWith("--inspect")), ...(heapMb ? [`--max-old-space-size=${heapMb}`] : [])];
  const restarts: number[] = [];
  const limit = options.maxRestartsPerMinute ?? 5;

  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn> | undefined;
    let stopping = false;
    // Jupyter interrupts by message (interrupt_mode "message"); a SIGINT from a terminal is
    // passed on, as is a request to terminate.
    process.on("SIGINT", () => child?.kill("SIGINT"));
    process.on("SIGTERM", () => {
      stopping = true;
      child?.kill("SIGTERM");
    });

    const start = (notice?: RestartNotice) => {
      const env: NodeJS.ProcessEnv = { ...process.env, FLOWBOOK_KERNEL_STATUS_FD: "3" };
      if (notice) env.FLOWBOOK_KERNEL_RESTARTED = JSON.stringify(notice);
      else delete env.FLOWBOOK_KERNEL_RESTARTED;
      const c = spawn(process.execPath, [...execArgv, entry, connectionFile], { stdio: ["ignore", "inherit", "pipe", "pipe"], env });
      child = c;
      let stderrTail = "";
      c.stderr!.on("data", (chunk: Buffer) => {
        process.stderr.write(chunk);
        stderrTail = (stderrTail + chunk.toString("utf8")).slice(-TAIL);
      });
      let running: RestartNotice["request"];
      let shutdownRequested = false;
      let ready = false;
      let buffered = "";
      const status = c.stdio[3] as NodeJS.ReadableStream;
      status.setEncoding("utf8");
      status.on("data", (text: string) => {
        buffered += text;
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          try {
            const e = JSON.parse(line) as { event: string; identities?: string[]; header?: RestartNotice["request"] extends infer R ? (R extends { header: infer H } ? H : never) : never };
            if (e.event === "executing" && e.header && e.identities) running = { identities: e.identities, header: e.header };
            else if (e.event === "idle") running = undefined;
            else if (e.event === "shutdown") shutdownRequested = true;
            else if (e.event === "ready") ready = true;
          } catch {
            /* not a status line */
          }
        }
      });
      c.on("exit", (code, signal) => {
        if (stopping || shutdownRequested || code === 0) return resolve(code ?? 0);
        // Died before its sockets were up (a bad connection file, a port taken): starting it
        // again would fail the same way.
        if (!ready && !notice) return resolve(code ?? 1);
        const now = Date.now();
        restarts.push(now);
        while (restarts.length && now - restarts[0]! > 60_000) restarts.shift();
        const reason = /heap out of memory|Reached heap limit|Allocation failed/.test(stderrTail)
          ? `ran out of memory (its JavaScript heap reached the limit${heapMb ? ` of ${heapMb} MB` : ""})`
          : signal
            ? `was killed (${signal}${signal === "SIGKILL" ? ": the system may have run out of memory" : ""})`
            : `exited unexpectedly (exit code ${code})`;
        process.stderr.write(`[flowbook kernel] the kernel ${reason}\n`);
        if (restarts.length > limit) {
          process.stderr.write(`[flowbook kernel] ${restarts.length} restarts within a minute: giving up\n`);
          return resolve(1);
        }
        start({ reason, request: running });
      });
    };
    start();
  });
}
