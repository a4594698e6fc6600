/**
 * One socket's outgoing messages, sent one at a time (a zeromq socket takes one send at a
 * time). Adjacent stream messages of one request and stream are merged while they wait, so
 * a cell printing in a tight loop costs a few large messages, not one per line, and no
 * timer delays the first line.
 */
import type { ToSockets } from "./thread_messages.js";

type Send = ToSockets & { kind: "send" };
/** Merged stream text above this size waits for the next message instead. */
const MERGE_LIMIT = 1 << 20;

export class Outbox {
  private readonly items: Send[] = [];
  private sending = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly transmit: (m: Send) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  push(m: Send): void {
    const last = this.items[this.items.length - 1];
    if (last && m.msgType === "stream" && last.msgType === "stream" && sameParent(last, m)) {
      const a = last.content as { name: string; text: string };
      const b = m.content as { name: string; text: string };
      if (a.name === b.name && a.text.length < MERGE_LIMIT) {
        a.text += b.text;
        return;
      }
    }
    this.items.push(m);
    if (!this.sending) void this.drain();
  }

  /** Resolves when everything pushed so far is sent. */
  drained(): Promise<void> {
    if (!this.sending && this.items.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.items.length) {
      const m = this.items.shift()!;
      try {
        await this.transmit(m);
      } catch (e) {
        this.log(`could not send ${m.msgType} on ${m.channel}: ${(e as Error).message}`);
      }
    }
    this.sending = false;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

function sameParent(a: Send, b: Send): boolean {
  return (a.parent as { msg_id?: string }).msg_id === (b.parent as { msg_id?: string }).msg_id;
}
