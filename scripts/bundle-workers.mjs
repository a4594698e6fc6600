#!/usr/bin/env node
// Bundles each of flowbook's worker entry points with all of flowbook into one file:
//   - the Flink runner's Node worker (src/runners/flink/worker/main.ts) into
//     dist/flink-worker/flowbook-worker.mjs, which the bridge jar embeds (flink/bridge, at
//     `mvn package` time) and starts once per user-code subtask;
//   - the local runner's worker thread (src/runners/direct/worker_main.ts) into
//     dist/src/runners/direct/worker_main.bundle.mjs, which worker_pool.ts starts when it
//     exists: one file loads in a fifth of the time of the ~360 modules it holds, and each
//     thread loads it while the session is still starting.
//   node scripts/bundle-workers.mjs [--quiet]
import { build } from "esbuild";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const quiet = process.argv.slice(2).includes("--quiet");

const BUNDLES = [
  { entry: "src/runners/flink/worker/main.ts", outfile: "dist/flink-worker/flowbook-worker.mjs" },
  // Beside worker_main.js: the modules that resolve packages from their own location find the same node_modules.
  { entry: "src/runners/direct/worker_main.ts", outfile: "dist/src/runners/direct/worker_main.bundle.mjs" },
];

// In a bundle every module shares one file: flowbook's own stack frames are the frames
// of that file, so src/sdk/internal/stack.ts must look for the bundle, not for src/.
const stackFrames = {
  name: "flowbook-stack-frames",
  setup(b) {
    b.onLoad({ filter: /src[\\/]sdk[\\/]internal[\\/]stack\.ts$/ }, async (a) => {
      const text = await readFile(a.path, "utf8");
      const patched = text.replace('new URL("../../", import.meta.url)', "new URL(import.meta.url)");
      if (patched === text) throw new Error("bundle-workers: src/sdk/internal/stack.ts no longer computes SRC_DIR as expected");
      return { contents: patched, loader: "ts" };
    });
  },
};

async function bundle({ entry, outfile: out }) {
  const outfile = join(root, out);
  const started = Date.now();
  const result = await build({
    write: false,
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    // CommonJS dependencies call require(); give the ES module bundle one.
    banner: { js: 'import { createRequire as __fbCreateRequire } from "node:module"; const require = __fbCreateRequire(import.meta.url);' },
    plugins: [stackFrames],
    // The display layer's renderers (loaded only when a picture is drawn, never in a worker):
    // native and wasm modules that a bundle cannot hold.
    external: ["@resvg/resvg-js", "vega", "vega-lite", "@viz-js/viz", "dejavu-fonts-ttf"],
  });
  // Write only when the bytes changed, so the jar that embeds the Flink bundle is not rebuilt for nothing.
  const text = result.outputFiles[0].contents;
  const old = await readFile(outfile).catch(() => undefined);
  if (old && Buffer.compare(old, Buffer.from(text)) === 0) {
    if (!quiet) console.log(`${out} is up to date`);
    return;
  }
  await mkdir(dirname(outfile), { recursive: true });
  // Atomically: workers may be starting from the old file while this runs.
  const tmp = `${outfile}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, outfile);
  if (!quiet) console.log(`bundled ${entry} into ${out} in ${Date.now() - started} ms`);
}

await Promise.all(BUNDLES.map(bundle));
