#!/usr/bin/env node
/** The `flowbook` command: wordcount, run, flink. */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

const HELP = `flowbook — the Dataflow model in TypeScript, on a local runner or Apache Flink

Usage:
  flowbook wordcount [FILE ...] [--output PREFIX] [--top N] [--runner direct|flink]
  flowbook run FILE.ts [--runner direct|flink] [--flinkMaster host:port] [-- args...]
  flowbook explain FILE.ts [--svg OUT.svg] [--json]
  flowbook flink start|stop|status [--port 8081] [--slots N] [--taskmanagers N]
  flowbook kernel install|uninstall|run [--user|--sys-prefix|--prefix DIR] [--name N]
  flowbook [repl] [--runner direct|flink] [--flinkMaster host:port]
  flowbook help`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "wordcount":
      return (await import("./wordcount_command.js")).wordcountCommand(rest);
    case "run":
      return (await import("./run_command.js")).runCommand(rest);
    case "flink":
      return (await import("./flink_command.js")).flinkCommand(rest);
    case "explain":
      return (await import("./explain_command.js")).explainCommand(rest);
    case "kernel":
      return (await import("./kernel_command.js")).kernelCommand(rest);
    case undefined:
    case "repl":
      return (await import("./repl_command.js")).replCommand(rest);
    case "help":
    case "--help":
    case "-h":
      console.log(HELP);
      return cmd === undefined ? 2 : 0;
    default:
      // `flowbook --runner flink`: the REPL's options without its name.
      if (cmd.startsWith("--")) return (await import("./repl_command.js")).replCommand(argv);
      console.error(`flowbook: unknown command '${cmd}'\n\n${HELP}`);
      return 2;
  }
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? (e.name === "Error" ? e.message : `${e.name}: ${e.message}`) : String(e));
      process.exitCode = 1;
    },
  );
}
