#!/usr/bin/env node
// Bundles the API the session loads into its vm2 sandbox (src/session/sandbox/sandbox_entry.ts)
// into one CommonJS script beside the built api_bundle.js, so a session need not run esbuild
// when it starts. Run after tsc (it reads the built api_bundle.js for the shared options).
//   node scripts/bundle-sandbox-api.mjs
import { build } from "esbuild";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { BUNDLE_FILE, bundleOptions } = await import(join(root, "dist/src/session/sandbox/api_bundle.js"));
const outfile = join(root, "dist/src/session/sandbox", BUNDLE_FILE);
const result = await build(bundleOptions(join(root, "src/session/sandbox/sandbox_entry.ts")));
await mkdir(dirname(outfile), { recursive: true });
const tmp = `${outfile}.${process.pid}.tmp`;
await writeFile(tmp, result.outputFiles[0].contents);
await rename(tmp, outfile);
