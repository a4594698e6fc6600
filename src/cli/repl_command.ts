const HELP = `flowbook repl [--runner direct|flink] [--flinkMaster host:port] [--no-history] [--type-check warn|error|off] [--plain]

An interactive session: pipelines built line by line, tables, charts, graphs and live
progress in the terminal. With stdin or stdout not a terminal it reads inputs line by line
and prints text (exit status 1 when an input failed). .help inside lists commands and keys.`;

export async function replCommand(argv: string[]): Promise<number> {
  let runner: string | undefined;
  let flinkMaster: string | undefined;
  let historyFile: string | null | undefined;
  let typeCheck: "warn" | "error" | "off" | undefined;
  let plain = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") {
      console.log(HELP);
      return 0;
    } else if (a === "--runner") runner = argv[++i];
    else if (a.startsWith("--runner=")) runner = a.slice(9);
    else if (a === "--flinkMaster" || a === "--flink-master") flinkMaster = argv[++i];
    else if (a === "--no-history") historyFile = null;
    else if (a === "--history") historyFile = argv[++i];
    else if (a === "--plain") plain = true;
    else if (a === "--type-check") {
      const v = argv[++i];
      if (v !== "warn" && v !== "error" && v !== "off") throw new Error(`--type-check takes warn, error or off\n\n${HELP}`);
      typeCheck = v;
    } else throw new Error(`unknown option ${a}\n\n${HELP}`);
  }
  if (runner && runner !== "direct" && runner !== "flink") throw new Error(`--runner takes direct or flink`);
  const { startRepl } = await import("../../repl/main.js");
  return startRepl({ runner, flinkMaster, historyFile, typeCheck, plain });
}
