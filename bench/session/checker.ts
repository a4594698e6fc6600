// Type-checker latency per cell (in-process CellProject, the same code the worker runs).
import { CellProject } from "../../src/session/language_service.js";

const t0 = performance.now();
const project = new CellProject({ cwd: process.cwd() });
const t1 = performance.now();
project.warmUp();
const t2 = performance.now();
console.log(`create ${(t1 - t0).toFixed(0)} ms, warm-up (lib + API) ${(t2 - t1).toFixed(0)} ms`);
const body = Array.from({ length: 48 }, (_, i) => `const v${i}: number = ${i} * 2; const s${i} = String(v${i});`).join("\n");
for (let i = 0; i < 8; i++) {
  const a = performance.now();
  const d = project.check(`const p${i} = Pipeline.create();\n${body}\nconst w${i} = p${i}.apply(Create.of("a"));`, { commit: "always" });
  console.log(`cell ${i}: ${(performance.now() - a).toFixed(0)} ms, ${d.length} errors`);
}
