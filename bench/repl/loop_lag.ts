// How free the REPL's thread is while a local pipeline runs: the session's main thread's
// event-loop delay during `await p.run().waitUntilFinish()` (WordCount over
// tinyshakespeare). A key's echo waits at least this long, plus a frame.
//
//   npx tsx bench/repl/loop_lag.ts      (after npm run build)
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
const { createSession } = await import("../../dist/src/session/session.js");
const s = createSession({ typeCheck: "off", progress: true, onOutput: () => undefined });
await s.execute("const p = Pipeline.create()");
await s.execute(`p.apply(TextIO.read().from("/work/shared/data/tinyshakespeare.txt")).apply(FlatMapElements.via((l: string) => l.split(/[^a-zA-Z']+/).filter((w) => w))).apply(Count.perElement()).apply(MapElements.via((kv: KV<string, number>) => kv.key + " " + kv.value)).apply(TextIO.write().to("/tmp/flowbook-bench-repl/out"))`);
const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
const t0 = performance.now();
const r = await s.execute("await p.run().waitUntilFinish()");
h.disable();
console.log(r.status, (performance.now() - t0).toFixed(0), "ms; loop delay p50", (h.percentile(50) / 1e6).toFixed(1), "p99", (h.percentile(99) / 1e6).toFixed(1), "max", (h.max / 1e6).toFixed(1), "ms; load average", os.loadavg()[0].toFixed(1));
await s.dispose();
process.exit(0);
