/**
 * The connection file Jupyter writes for a kernel (transport, ip, five ports, key, signature
 * scheme), read and checked before anything binds.
 */
import { readFileSync } from "node:fs";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  /** The signing key; empty: messages are not signed. */
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export type Channel = "shell" | "control" | "iopub" | "stdin" | "hb";

const PORTS = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const;

export function parseConnectionInfo(text: string): ConnectionInfo {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const transport = raw.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new Error(`connection file: unknown transport '${String(transport)}'`);
  const ip = raw.ip ?? "127.0.0.1";
  if (typeof ip !== "string" || !ip) throw new Error("connection file: 'ip' must be a string");
  const scheme = raw.signature_scheme ?? "hmac-sha256";
  const key = raw.key ?? "";
  if (typeof key !== "string") throw new Error("connection file: 'key' must be a string");
  // Only HMAC-SHA256: a kernel that signed with another scheme than the client verifies would
  // accept nothing, and silently accepting unsigned messages would be worse.
  if (key && scheme !== "hmac-sha256") throw new Error(`connection file: signature scheme '${String(scheme)}' is not supported (hmac-sha256 is)`);
  const info = { transport, ip, key, signature_scheme: String(scheme), kernel_name: typeof raw.kernel_name === "string" ? raw.kernel_name : undefined } as ConnectionInfo;
  for (const p of PORTS) {
    const v = raw[p];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 65535) throw new Error(`connection file: '${p}' must be a port number`);
    info[p] = v;
  }
  return info;
}

export function readConnectionFile(file: string): ConnectionInfo {
  return parseConnectionInfo(readFileSync(file, "utf8"));
}

/** The ZeroMQ endpoint a channel binds to: only the file's transport and address. */
export function endpoint(info: ConnectionInfo, channel: Exclude<Channel, never>): string {
  const port = info[`${channel}_port` as const];
  if (info.transport === "ipc") return `ipc://${info.ip}-${port}`;
  const host = info.ip.includes(":") && !info.ip.startsWith("[") ? `[${info.ip}]` : info.ip;
  return `tcp://${host}:${port}`;
}
