/**
 * The sandbox's copy of the API as one CommonJS script. `npm run build` writes it next to
 * this file's built form (scripts/bundle-sandbox-api.mjs); running from the TypeScript
 * sources (tests, tsx), it is bundled with esbuild on first use.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BUNDLE_FILE = "flowbook-sandbox-api.cjs";
const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The name V8 gives the bundle's code: a file beside this one, so the SDK's stack frames in
 * the sandbox count as flowbook's own (src/sdk/internal/stack.ts looks for src/).
 */
export const bundleFilename = path.join(here, BUNDLE_FILE);

/** Options shared by the build script and the on-demand build. */
export function bundleOptions(entry: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "node" as const,
    format: "cjs" as const,
    target: "node20",
    write: false,
    legalComments: "none" as const,
    logLevel: "warning" as const,
    // Class names as written (`Pipeline`, not `_Pipeline`): they show in values and errors.
    keepNames: true,
    // Node's modules and these packages are the host's, through the sandbox's require;
    // others (a structuredClone of the sandbox's own) are bundled into it.
    external: ["avsc", "typescript", "esbuild", "vm2"],
    // Each module's import.meta.url: the bundle's own (stack.ts finds src/ two levels up).
    define: { "import.meta.url": "__fb_bundle_url" },
  };
}

let cached: string | undefined;

export async function loadApiBundle(): Promise<string> {
  if (cached !== undefined) return cached;
  const built = path.join(here, BUNDLE_FILE);
  if (!import.meta.url.endsWith(".ts") && fs.existsSync(built)) return (cached = fs.readFileSync(built, "utf8"));
  const { build } = await import("esbuild");
  const result = await build(bundleOptions(path.join(here, "sandbox_entry.ts")));
  return (cached = result.outputFiles![0]!.text);
}
