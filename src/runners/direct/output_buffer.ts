/**
 * Users' output on its way back to the coordinator, in the order printed. Consecutive
 * pieces of one run, stream and transform join into one record, so a DoFn printing a line
 * per element costs a string append, and the coordinator sees few large `output` events.
 * Delivered when 64 KB wait, when the event loop turns, when the oldest waited 100 ms (a
 * long synchronous task still prints live), and whenever the owner flushes (before a
 * task's result, so outputs arrive first). Until the owner flushes, a line still being
 * written (`process.stdout.write("50%... ")`) waits for its end, so output events hold
 * whole lines and other threads' lines do not cut into it.
 */
import type { OutputStream } from "../../io/console/user_output.js";

export interface OutputRecord {
  /** The run whose code printed it; undefined when printed outside any task. */
  run?: string;
  stream: OutputStream;
  text: string;
  transform?: string;
}

const FLUSH_CHARS = 64 * 1024;
const FLUSH_MS = 100;

export class OutputBuffer {
  private records: OutputRecord[] = [];
  private chars = 0;
  private scheduled: NodeJS.Immediate | undefined;
  /** When the oldest record waiting was added. */
  private since = 0;

  constructor(private readonly deliver: (records: OutputRecord[]) => void) {}

  add(run: string | undefined, stream: OutputStream, text: string, transform: string | undefined): void {
    if (!text) return;
    if (!this.records.length) this.since = Date.now();
    const last = this.records[this.records.length - 1];
    if (last && last.run === run && last.stream === stream && last.transform === transform) last.text += text;
    else this.records.push(transform === undefined ? { run, stream, text } : { run, stream, text, transform });
    this.chars += text.length;
    if (this.chars >= FLUSH_CHARS || Date.now() - this.since >= FLUSH_MS) this.flush(false);
    else if (!this.scheduled) this.scheduled = setImmediate(() => this.flush(false));
  }

  /** Delivers what waits; `all: false` keeps an unfinished last line (unless it is huge). */
  flush(all = true): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (!this.records.length) return;
    let records = this.records;
    let kept: OutputRecord | undefined;
    const last = records[records.length - 1]!;
    const end = last.text.lastIndexOf("\n") + 1;
    if (!all && end < last.text.length && last.text.length - end < FLUSH_CHARS) {
      kept = { ...last, text: last.text.slice(end) };
      records = end > 0 ? [...records.slice(0, -1), { ...last, text: last.text.slice(0, end) }] : records.slice(0, -1);
    }
    this.records = kept ? [kept] : [];
    this.chars = kept ? kept.text.length : 0;
    if (kept) this.since = Date.now();
    if (records.length) this.deliver(records);
  }
}
