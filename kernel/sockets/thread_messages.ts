/**
 * What the socket thread and the session's thread tell each other (worker_threads
 * messages). The signing key never crosses: the socket thread verifies what arrives and
 * signs what leaves, so nothing the session's thread holds (and no cell) can reach it.
 */
import type { ConnectionInfo } from "../wire/connection.js";
import type { Header, Received } from "../wire/message.js";

export type RequestChannel = "shell" | "control" | "stdin";
export type SendChannel = "shell" | "control" | "iopub" | "stdin";

/** Socket thread → session thread. */
export type FromSockets =
  | { kind: "ready" }
  /** A verified request for the session (shell, and stdin's input_reply). */
  | { kind: "request"; channel: RequestChannel; msg: Received }
  /** interrupt_request (on control) or SIGINT: interrupt the running cell. */
  | { kind: "interrupt" }
  /** shutdown_request: already answered; dispose and exit. */
  | { kind: "shutdown"; restart: boolean };

/** Session thread → socket thread. */
export type ToSockets =
  | {
      kind: "send";
      channel: SendChannel;
      msgType: string;
      content: unknown;
      /** The request this answers or was caused by (`{}` for none). */
      parent: Header | Record<string, never>;
      /** Routing identities (shell, control and stdin replies). */
      identities?: Uint8Array[];
      metadata?: Record<string, unknown>;
      buffers?: Uint8Array[];
      /**
       * Wait up to this long for the peer to (re)connect before giving up on the message:
       * a kernel restarted after a crash answers clients that are still reconnecting.
       */
      awaitPeerMs?: number;
    }
  /** A request the socket thread forwarded is finished (its idle status was sent). */
  | { kind: "done" }
  /** Whether a cell is running: an interrupt then also sends SIGINT (a busy loop needs it). */
  | { kind: "executing"; on: boolean };

export interface SocketThreadData {
  connection: ConnectionInfo;
  /** kernel_info_reply's content: the socket thread answers it itself while the session is idle. */
  kernelInfo: Record<string, unknown>;
  /** This kernel's session id (header.session of what it sends). */
  session: string;
  /** A supervisor's status pipe (supervisor.ts), if the kernel runs under one. */
  statusFd?: number;
}
