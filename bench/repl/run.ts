// The REPL's speed as a person feels it, through a pseudo-terminal (node-pty, CI unset so
// Ink draws as for a person):
//   1. start to prompt: spawning `flowbook repl` until the prompt is on the screen (target < 1 s);
//   2. keystroke echo while a pipeline runs: a key written to the terminal until the screen
//      shows it, typed ahead while `await p.run().waitUntilFinish()` runs WordCount over
//      tinyshakespeare (target < 50 ms).
//
//   npx tsx bench/repl/run.ts           (the built CLI in dist/: run `npm run build` first)
//   npx tsx bench/repl/run.ts --src     (from sources through tsx: slower to start)
import os from "node:os";
import path from "node:path";
import pty from "node-pty";

const root = path.resolve(import.meta.dirname, "../..");
const corpus = process.env.CORPUS ?? "/work/shared/data/tinyshakespeare.txt";
const fromSource = process.argv.includes("--src");
const args = fromSource ? ["--import", "tsx", "src/cli/main.ts", "repl", "--no-history"] : ["dist/src/cli/main.js", "repl", "--no-history"];
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "CI") env[k] = v;
env.TERM = "xterm-256color";

interface Term {
  p: pty.IPty;
  out: string;
  /** Resolves when the output since `from` satisfies `test`, with the time it took. */
  until(test: (s: string) => boolean, from: number, timeoutMs?: number): Promise<number>;
}

function spawn(): { term: Term; started: number } {
  const started = performance.now();
  const p = pty.spawn(process.execPath, args, { cols: 100, rows: 30, cwd: root, env });
  const term: Term = {
    p,
    out: "",
    until(test, from, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const check = () => {
          if (test(term.out.slice(from))) {
            sub.dispose();
            clearTimeout(timer);
            resolve(performance.now() - t0);
          }
        };
        const sub = p.onData(() => check());
        const timer = setTimeout(() => {
          sub.dispose();
          reject(new Error(`timed out; output so far:\n${term.out.slice(-2000)}`));
        }, timeoutMs);
        check();
      });
    },
  };
  p.onData((d) => (term.out += d));
  return { term, started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);
const promptSeen = (s: string) => s.includes("›");

/** Ink's editor is drawn: the prompt with the inverse cursor after it. */
const EMPTY_EDITOR = "\x1b[32m› \x1b[39m\x1b[7m \x1b[27m";
const editorLive = (s: string) => s.includes(EMPTY_EDITOR);

// 1. Start to prompt (and to the editor drawn by Ink, which takes typing before it).
const starts: number[] = [];
const lives: number[] = [];
for (let i = 0; i < 5; i++) {
  const { term, started } = spawn();
  await term.until(promptSeen, 0, 30_000);
  starts.push(performance.now() - started);
  await term.until(editorLive, 0, 30_000);
  lives.push(performance.now() - started);
  term.p.kill();
  await new Promise((r) => setTimeout(r, 300));
}
const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
console.log(`start to prompt: median ${median(starts).toFixed(0)} ms, max ${max(starts).toFixed(0)} ms (target < 1000 ms) [${list(starts)}]`);
console.log(`start to Ink's editor (keys typed before it are kept and echoed): median ${median(lives).toFixed(0)} ms [${list(lives)}]`);

// 2. Echo while a pipeline runs.
const { term } = spawn();
await term.until(editorLive, 0);
const type = async (text: string, waitFor: RegExp, timeoutMs = 120_000) => {
  const from = term.out.length;
  term.p.write(text);
  await term.until((s) => waitFor.test(s), from, timeoutMs);
};
await type(`const p = Pipeline.create()\r`, /Pipeline[\s\S]*\x1b\[32m› \x1b\[39m\x1b\[7m \x1b\[27m/);
await type(
  `p.apply(TextIO.read().from(${JSON.stringify(corpus)})).apply(FlatMapElements.via((l: string) => l.split(/[^a-zA-Z']+/).filter((w) => w))).apply(Count.perElement()).apply(MapElements.via((kv: KV<string, number>) => kv.key + " " + kv.value)).apply(TextIO.write().to("/tmp/flowbook-bench-repl/out"))\r`,
  /PDone/,
);
/** Types the letters of `word` one by one, each timed until the screen shows it. */
async function echoTimes(word: string, stop: () => boolean): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < word.length && !stop(); i++) {
    const from = term.out.length;
    const t0 = performance.now();
    term.p.write(word[i]!);
    await term.until((s) => s.includes(word.slice(0, i + 1)), from, 5_000);
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 150));
  }
  return times;
}
const idle = await echoTimes("zyxwvutsrq", () => false);
console.log(`keystroke echo at an idle prompt: median ${median(idle).toFixed(1)} ms, max ${max(idle).toFixed(1)} ms over ${idle.length} keys`);
term.p.write("\x15");
const runFrom = term.out.length;
term.p.write("await p.run().waitUntilFinish()\r");
await term.until((s) => /running|direct ·/.test(s), runFrom);
let finished = false;
void term.until((s) => s.includes("'DONE'"), runFrom, 600_000).then(() => (finished = true), () => undefined);
const echoes = await echoTimes("abcdefghijklmnopqrst", () => finished);
console.log(
  `keystroke echo while the pipeline runs: median ${median(echoes).toFixed(1)} ms, max ${max(echoes).toFixed(1)} ms over ${echoes.length} keys (target < 50 ms)${finished ? " — the run ended before all keys were typed" : ""}`,
);
console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores`);
term.p.write("\x03");
await new Promise((r) => setTimeout(r, 1500));
term.p.write("\x15\x04");
await new Promise((r) => setTimeout(r, 1000));
term.p.kill();
process.exit(0);
