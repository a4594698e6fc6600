/**
 * The kernel's speed, from a Node zeromq client (as jupyter_client talks to it), on the
 * built kernel started as its kernelspec starts it (supervisor → kernel process):
 *   - start to kernel_info_reply (target < 1.5 s),
 *   - a trivial execute's round trip, request → reply and idle (target < 20 ms),
 *   - `await show(pcoll, { n: 20 })` of a cached PCollection (target < 50 ms).
 * Run: `npm run build && node --import tsx bench/kernel/run.ts`.
 */
import { KernelClient } from "../../test/kernel/support/kernel_client.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function startTime(): Promise<number> {
  const t0 = performance.now();
  const k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" } });
  // One request, queued by zeromq until the kernel has bound its socket.
  await k.request("shell", "kernel_info_request", {}, 30_000);
  const ms = performance.now() - t0;
  await k.shutdown();
  return ms;
}

async function roundTrips(typeCheck: "off" | "warn", n: number): Promise<number[]> {
  const k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: typeCheck } });
  try {
    await k.ready();
    for (let i = 0; i < 5; i++) await k.execute("1");
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await k.execute("1");
      times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await k.shutdown();
  }
}

async function showCached(n: number): Promise<number[]> {
  const k = await KernelClient.start({ env: { FLOWBOOK_KERNEL_TYPECHECK: "off" } });
  try {
    await k.ready();
    const setup = await k.execute("const p = Pipeline.create();\nconst squares = p.apply(Create.of(...Array.from({ length: 1000 }, (_, i) => i))).apply(MapElements.via((x: number) => ({ n: x, square: x * x })));\nawait show(squares, { n: 20 });");
    if (setup.reply.content.status !== "ok") throw new Error(JSON.stringify(setup.reply.content));
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await k.execute("await show(squares, { n: 20 })");
      times.push(performance.now() - t0);
      if (r.reply.content.status !== "ok") throw new Error(JSON.stringify(r.reply.content));
    }
    return times;
  } finally {
    await k.shutdown();
  }
}

const starts: number[] = [];
for (let i = 0; i < 5; i++) starts.push(await startTime());
console.log(`start → kernel_info_reply: median ${fmt(median(starts))}, max ${fmt(Math.max(...starts))} (target < 1500 ms) [${starts.map((s) => s.toFixed(0)).join(", ")}]`);
for (const mode of ["off", "warn"] as const) {
  const t = await roundTrips(mode, 200);
  console.log(`trivial execute round trip (type check ${mode}): median ${fmt(median(t))}, p90 ${fmt(pct(t, 90))}, min ${fmt(Math.min(...t))} (target < 20 ms)`);
}
try {
  const s = await showCached(20);
  console.log(`show(pcoll, { n: 20 }) of a cached PCollection, round trip: median ${fmt(median(s))}, p90 ${fmt(pct(s, 90))} (target < 50 ms)`);
} catch (e) {
  console.log(`show of a cached PCollection: failed: ${(e as Error).message}`);
}
process.exit(0);
