const HELP = `flowbook run FILE.ts [--runner direct|flink] [--flinkMaster host:port] [-- args...]

Runs a pipeline script through flowbook's evaluator (the one notebook cells use):
the flowbook API is preloaded, functions travel to the runner by value, and errors
point at the script's own lines. Arguments after -- reach the script as \`args\`.`;

export async function runCommand(argv: string[]): Promise<number> {
  let file: string | undefined;
  let runner: string | undefined;
  let flinkMaster: string | undefined;
  let args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      args = argv.slice(i + 1);
      break;
    } else if (a === "--help" || a === "-h") {
      console.log(HELP);
      return 0;
    } else if (a === "--runner") runner = argv[++i];
    else if (a.startsWith("--runner=")) runner = a.slice(9);
    else if (a === "--flinkMaster" || a === "--flink-master") flinkMaster = argv[++i];
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}\n\n${HELP}`);
    else if (!file) file = a;
    else args.push(a);
  }
  if (!file) throw new Error(`flowbook run needs a file\n\n${HELP}`);
  const { runFile } = await import("../session/run_file.js");
  const code = await runFile(file, { runner, flinkMaster, args });
  // Everything the script and its pipelines printed is handed to the OS before the process
  // may exit (writes to a pipe can still be queued; `flowbook run a.ts | wc -l` lost lines).
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  return code;
}

/** Resolves once what was written to `stream` before now has been handed to the OS (or failed: a closed pipe). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      stream.write("", () => resolve());
    } catch {
      resolve();
    }
  });
}
