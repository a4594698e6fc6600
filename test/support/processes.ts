// Runs a process to its end for tests that check what a user's command printed and returned.
import { spawn } from "node:child_process";

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Killed after timeoutMs: it did not end by itself. */
  hung: boolean;
}

/** Runs `node args…` to its end (SIGKILL after `timeoutMs`), collecting its output; colours off. */
export function runNode(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    let hung = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung });
    });
  });
}
