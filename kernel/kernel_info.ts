/** kernel_info_reply's content: who this kernel is and the language it speaks. */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PROTOCOL_VERSION } from "./wire/message.js";

/** flowbook's package.json, found upward from this file (kernel/ or dist/kernel/). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "flowbook") return pkg.version ?? "0.0.0";
    }
  }
  return "0.0.0";
}

export function kernelInfo(): Record<string, unknown> {
  const version = packageVersion();
  let tsVersion = "5";
  try {
    tsVersion = (createRequire(import.meta.url)("typescript/package.json") as { version: string }).version;
  } catch {
    /* the version is informative only */
  }
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "flowbook",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: tsVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      // A string: JupyterLab 4 (CodeMirror 6) looks the mode up by name; Notebook 7 too.
      codemirror_mode: "typescript",
      pygments_lexer: "typescript",
      nbconvert_exporter: "script",
    },
    banner: `flowbook ${version}: the Dataflow model in TypeScript (TypeScript ${tsVersion}, Node ${process.versions.node})`,
    debugger: false,
    help_links: [],
  };
}
