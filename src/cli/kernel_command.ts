/**
 * `flowbook kernel install|uninstall|run`: the Jupyter kernel (kernel/). `run` is what the
 * kernelspec's argv calls with the connection file.
 */
import type { SpecLocation } from "../../kernel/install/paths.js";

// Each subcommand loads only what it needs: `run` starts every kernel, and the installer
// pulls in the PNG renderer for the logos.
const installer = () => import("../../kernel/install/install.js");
const DEFAULT_NAME = "flowbook";

const HELP = `Usage:
  flowbook kernel install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT] [--max-memory MB]
  flowbook kernel uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]
  flowbook kernel run --connection-file FILE [--max-memory MB]

install writes the kernelspec (default: --user, name 'flowbook'); JupyterLab, Notebook, VS Code
and nbclient then list "flowbook (TypeScript)". --max-memory sets the kernel's JavaScript heap
limit: past it the kernel is restarted, and the cell that was running says why.`;

interface Parsed {
  where: SpecLocation;
  name?: string;
  displayName?: string;
  connectionFile?: string;
  maxMemory?: number;
}

function parse(args: string[]): Parsed {
  const p: Parsed = { where: { kind: "user" } };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--user":
        p.where = { kind: "user" };
        break;
      case "--sys-prefix":
        p.where = { kind: "sys-prefix" };
        break;
      case "--prefix":
        p.where = { kind: "prefix", prefix: value() };
        break;
      case "--name":
        p.name = value();
        break;
      case "--display-name":
        p.displayName = value();
        break;
      case "--connection-file":
      case "-f":
        p.connectionFile = value();
        break;
      case "--max-memory": {
        const mb = Number(value());
        if (!Number.isInteger(mb) || mb < 64) throw new Error("--max-memory: a number of megabytes (at least 64)");
        p.maxMemory = mb;
        break;
      }
      default:
        if (!a.startsWith("-") && !p.connectionFile && a.endsWith(".json")) p.connectionFile = a;
        else throw new Error(`unknown option '${a}'\n\n${HELP}`);
    }
  }
  return p;
}

export async function kernelCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "help" || sub === "--help" || sub === "-h") {
    console.log(HELP);
    return sub === undefined ? 2 : 0;
  }
  const p = parse(rest);
  switch (sub) {
    case "install": {
      const env = p.maxMemory ? { FLOWBOOK_KERNEL_MAX_OLD_SPACE_MB: String(p.maxMemory) } : undefined;
      const { installKernelSpec } = await installer();
      const dir = installKernelSpec({ where: p.where, name: p.name, displayName: p.displayName, env });
      console.log(`Installed the kernelspec ${p.name ?? DEFAULT_NAME} in ${dir}`);
      return 0;
    }
    case "uninstall": {
      const { uninstallKernelSpec } = await installer();
      const dir = uninstallKernelSpec({ where: p.where, name: p.name });
      if (!dir) {
        console.error(`flowbook kernel uninstall: no kernelspec '${p.name ?? DEFAULT_NAME}' there`);
        return 1;
      }
      console.log(`Removed ${dir}`);
      return 0;
    }
    case "run": {
      if (!p.connectionFile) throw new Error(`kernel run: --connection-file is required\n\n${HELP}`);
      const { superviseKernel } = await import("../../kernel/supervisor.js");
      return superviseKernel(p.connectionFile, { maxOldSpaceMb: p.maxMemory });
    }
    default:
      console.error(`flowbook kernel: unknown command '${sub}'\n\n${HELP}`);
      return 2;
  }
}
