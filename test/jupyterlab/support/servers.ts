/**
 * A real `jupyter server` or `jupyter lab` from the repository's venv, for the front-end
 * tests: token auth, a free port on 127.0.0.1, a temporary root dir, the flowbook
 * kernelspec found through JUPYTER_PATH (installed into a temporary prefix), and
 * `--allow-root` when the tests run as root (CI does). Every wait is bounded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { JUPYTER, installKernel, type InstalledKernel } from "../../notebooks/support/jupyter.js";

export interface JupyterProcess {
  kind: "server" | "lab";
  url: string;
  token: string;
  port: number;
  rootDir: string;
  env: NodeJS.ProcessEnv;
  /** What the process printed (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts `jupyter server` or `jupyter lab` and resolves once its REST API answers with the token. */
export async function startJupyter(kind: "server" | "lab", options: { rootDir?: string; timeoutMs?: number; kernel?: InstalledKernel } = {}): Promise<JupyterProcess> {
  const ownKernel = !options.kernel;
  const kernel = options.kernel ?? installKernel();
  const env: NodeJS.ProcessEnv = { ...kernel.env };
  if (kind === "lab") {
    // Lab's user settings and workspaces in the temporary prefix (never the user's home),
    // without the news and update notifications that would cover part of a screenshot.
    const settings = path.join(kernel.prefix, "lab-settings");
    mkdirSync(path.join(settings, "@jupyterlab", "apputils-extension"), { recursive: true });
    writeFileSync(path.join(settings, "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings"), JSON.stringify({ fetchNews: "false", checkForUpdates: false }));
    // Every cell attached to the page (no windowing), so a test can find any output.
    mkdirSync(path.join(settings, "@jupyterlab", "notebook-extension"), { recursive: true });
    writeFileSync(path.join(settings, "@jupyterlab", "notebook-extension", "tracker.jupyterlab-settings"), JSON.stringify({ windowingMode: "none" }));
    env.JUPYTERLAB_SETTINGS_DIR = settings;
    env.JUPYTERLAB_WORKSPACES_DIR = path.join(kernel.prefix, "lab-workspaces");
  }
  const ownRoot = !options.rootDir;
  const rootDir = options.rootDir ?? mkdtempSync(path.join(os.tmpdir(), `flowbook-${kind}-root-`));
  const token = randomBytes(16).toString("hex");
  const port = await freePort();
  const args = [
    kind,
    "--no-browser",
    `--ServerApp.ip=127.0.0.1`,
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${rootDir}`,
  ];
  // Lab: no news or update checks (nothing leaves the machine).
  if (kind === "lab") args.push("--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate");
  if (process.getuid?.() === 0) args.push("--allow-root");
  const child: ChildProcess = spawn(JUPYTER, args, { cwd: rootDir, env, stdio: ["ignore", "pipe", "pipe"], detached: false });
  let log = "";
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let ready = false;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/api/status`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(2_000) });
      if (r.ok) {
        ready = true;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killed = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killed);
    // What this function made goes with the process.
    if (ownRoot) rmSync(rootDir, { recursive: true, force: true });
    if (ownKernel) rmSync(kernel.prefix, { recursive: true, force: true });
  };
  if (!ready) {
    await stop();
    throw new Error(`jupyter ${kind} did not answer on ${url} within the bound:\n${log.slice(-4000)}`);
  }
  return { kind, url, token, port, rootDir, env, log: () => log, stop };
}
