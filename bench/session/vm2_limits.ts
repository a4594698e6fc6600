// What running cells in vm2 would break, measured (src/session/README.md, "Why not vm2").
//   npx tsx bench/session/vm2_limits.ts
import { createRequire } from "node:module";
import vm from "node:vm";

const { VM } = createRequire(import.meta.url)("vm2") as typeof import("vm2");
const { DoFn } = await import("../../src/index.js");

// 1. A class a cell writes that extends a host class (DoFn) loses its own methods:
//    vm2's construct trap drops new.target on purpose, so `new Sub()` builds a host DoFn.
const sandbox = new VM({ sandbox: { DoFn } });
const viaVm2 = sandbox.run(`class Upper extends DoFn { processElement(c) { c.output(c.element().toUpperCase()); } }
  const u = new Upper(); [u instanceof Upper, typeof u.processElement]`) as unknown[];
console.log(`vm2: class Upper extends DoFn → instance of Upper: ${viaVm2[0]}, processElement: ${viaVm2[1]}`);
const same = vm.runInThisContext(`(DoFn) => { class Upper extends DoFn { processElement(c) {} } const u = new Upper(); return [u instanceof Upper, typeof u.processElement]; }`)(DoFn);
console.log(`same realm: instance of Upper: ${same[0]}, processElement: ${same[1]}`);

// 2. The serializer reads a function's source with Function.prototype.toString: on vm2's
//    proxy it gets "[native code]"; through the proxy, vm2's own rewriting shows.
const fn = sandbox.run(`(x) => { try { return x + 1; } catch (e) { return 0; } }`) as (x: number) => number;
console.log(`vm2: Function.prototype.toString → ${JSON.stringify(Function.prototype.toString.call(fn))}`);
console.log(`vm2: fn.toString() → ${JSON.stringify(fn.toString())}`);

// 3. Values from another realm fail the SDK's and coders' instanceof checks.
const ctx = vm.createContext({});
const d = vm.runInContext("new Date(0)", ctx);
const bytes = vm.runInContext("new Uint8Array(2)", ctx);
console.log(`node:vm context: date instanceof Date: ${d instanceof Date}, bytes instanceof Uint8Array: ${bytes instanceof Uint8Array}`);

// 4. Calls across vm2's proxies cost per call.
const hostAdd = (a: number, b: number) => a + b;
const loop = new VM({ sandbox: { hostAdd } }).run("(n) => { let s = 0; for (let i = 0; i < n; i++) s = hostAdd(s, 1); return s; }") as (n: number) => number;
const direct = vm.runInThisContext("(hostAdd) => (n) => { let s = 0; for (let i = 0; i < n; i++) s = hostAdd(s, 1); return s; }")(hostAdd) as (n: number) => number;
for (const [name, f] of [["vm2", loop], ["same realm", direct]] as const) {
  f(1000);
  const t = performance.now();
  f(200_000);
  console.log(`${name}: 200k host calls from a cell: ${(performance.now() - t).toFixed(1)} ms`);
}
