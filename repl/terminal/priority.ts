/**
 * The thread that draws the screen goes first. While an input runs, the local runner's
 * workers (one per core) compete with the REPL's main thread for the CPU, and a key's echo
 * waits its turn. On Linux every other thread of the process gets a lower priority (nice
 * +10), checked again while an input runs since new threads inherit the main thread's. It
 * is not given back (lowering a nice value needs privilege): the REPL's other threads are
 * background work. It matters only when the CPU is short; elsewhere this does nothing.
 */
import fs from "node:fs";
import os from "node:os";

const NICE = 10;
const lowered = new Set<number>();

/** Lowers the priority of every thread of this process but the main one. */
export function favorMainThread(): void {
  let tids: string[];
  try {
    tids = fs.readdirSync("/proc/self/task");
  } catch {
    return; // not Linux
  }
  for (const t of tids) {
    const tid = Number(t);
    if (tid === process.pid || lowered.has(tid)) continue;
    try {
      if (os.getPriority(tid) < NICE) os.setPriority(tid, NICE);
      lowered.add(tid);
    } catch {
      // the thread ended meanwhile
    }
  }
}
