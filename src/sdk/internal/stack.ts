import { fileURLToPath } from "node:url";

// This file is src/sdk/internal/stack.ts, or dist/src/sdk/internal/stack.js once built.
const SRC_DIR = fileURLToPath(new URL("../../", import.meta.url));

const RUNTIME = /node:internal|\(native\)|[\\/]node_modules[\\/](tsx|vitest|@vitest|vite|vm2)[\\/]/;

/** True for a stack frame of flowbook's own code or of the machinery that runs it. */
export function isRuntimeFrame(line: string): boolean {
  return line.includes(SRC_DIR) || RUNTIME.test(line);
}

/** The first stack frame outside flowbook: where the user applied a transform. */
export function callerLocation(): string | undefined {
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  for (const line of stack) {
    if (isRuntimeFrame(line) || !/^\s+at /.test(line)) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?\s*$/.exec(line);
    if (m) return m[1]!.replace(/^file:\/\//, "");
  }
  return undefined;
}
