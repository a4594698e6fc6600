/**
 * `flowbook run FILE.ts`: a whole script evaluated as one cell of a session, so it behaves
 * as the same code would in a notebook (the API preloaded, functions travelling with their
 * captured variables), with errors pointing at the script's own lines and name.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { createSession, type TypeCheckMode } from "./session.js";

export interface RunFileOptions {
  /** "direct" or "flink": the default runner of every Pipeline.create() in the script. */
  runner?: string;
  /** The Flink cluster's REST address, "host:port". */
  flinkMaster?: string;
  /** Flink: start the script's pipelines from this savepoint (the pipeline option `fromSavepoint`). */
  fromSavepoint?: string;
  /** The script's arguments: `args` and `process.argv.slice(2)` in the script. */
  args?: string[];
  /** Type-check the script first: `off` (default, as tsx does), `warn` or `error`. */
  typeCheck?: TypeCheckMode;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/** Runs a script; resolves with the process exit code (0 ok, 1 error, 130 interrupted). */
export async function runFile(file: string, options: RunFileOptions = {}): Promise<number> {
  const abs = path.resolve(file);
  const err = options.stderr ?? ((t: string) => void process.stderr.write(t));
  let code: string;
  try {
    code = await fs.readFile(abs, "utf8");
  } catch (e) {
    err(`flowbook run: cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const pipelineOptions: Record<string, unknown> = {};
  if (options.runner) pipelineOptions.runner = options.runner;
  if (options.flinkMaster) pipelineOptions.flinkMaster = options.flinkMaster;
  if (options.fromSavepoint) pipelineOptions.fromSavepoint = options.fromSavepoint;
  const typeCheck = options.typeCheck ?? "off";
  const session = createSession({
    cwd: process.cwd(),
    args: options.args ?? [],
    script: abs,
    pipelineOptions,
    typeCheck,
    stdout: options.stdout,
    stderr: options.stderr,
  });
  const rel = path.relative(process.cwd(), abs);
  const shownName = rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : abs;

  await session.ready();
  try {
    const result = await session.execute(code, { filename: shownName, language: /\.[cm]?js$/.test(abs) ? "js" : "ts" });
    const warnings = await result.typeErrors;
    for (const w of warnings) err(w.text.join("\n") + "\n");
    if (result.status === "error") {
      err(result.error!.traceback.join("\n") + "\n");
      return result.error!.kind === "interrupted" ? 130 : 1;
    }
    // Pipelines the script did not wait for: wait, and fail if they fail. One it waited for
    // (its failure perhaps caught) was the script's business.
    let failed = false;
    for (const { result: r } of result.runs.filter((x) => x.purpose === "run" && !x.awaited)) {
      try {
        await r.waitUntilFinish();
      } catch (e) {
        failed = true;
        err(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      }
    }
    return failed ? 1 : 0;
  } finally {
    await session.dispose();
  }
}
