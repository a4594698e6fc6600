/**
 * Corpora for bench/user: tinyshakespeare repeated, made once under <repo>/.cache/bench/
 * (git-ignored). ×10 ≈ 11 MB (--quick), ×100 ≈ 111 MB (the default). ×1000 ≈ 1.1 GB (--large)
 * is made in a temporary directory for the run and removed after it (`temporary`).
 */
import { createWriteStream, existsSync, readFileSync, renameSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../../..");
export const seedFile = process.env.FLOWBOOK_BENCH_SEED ?? resolve(repoRoot, "../shared/data/tinyshakespeare.txt");

export interface Corpus {
  file: string;
  bytes: number;
  copies: number;
  /** Removes a temporary corpus (nothing for a cached one). */
  dispose?: () => Promise<void>;
}

export async function corpus(copies: number, opts: { temporary?: boolean } = {}): Promise<Corpus> {
  if (!existsSync(seedFile)) throw new Error(`the seed text is missing: ${seedFile} (set FLOWBOOK_BENCH_SEED)`);
  const seed = readFileSync(seedFile);
  if (opts.temporary) {
    const tmp = await mkdtemp(join(tmpdir(), "flowbook-bench-corpus-"));
    const c = await write(seed, copies, join(tmp, `tinyshakespeare-x${copies}.txt`));
    return { ...c, dispose: () => rm(tmp, { recursive: true, force: true }) };
  }
  return write(seed, copies, join(repoRoot, ".cache/bench", `tinyshakespeare-x${copies}.txt`));
}

async function write(seed: Buffer, copies: number, file: string): Promise<Corpus> {
  const dir = resolve(file, "..");
  const bytes = seed.length * copies;
  if (existsSync(file) && statSync(file).size === bytes) return { file, bytes, copies };
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.partial`;
  const out = createWriteStream(tmp);
  for (let i = 0; i < copies; i++) {
    if (!out.write(seed)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  renameSync(tmp, file);
  return { file, bytes, copies };
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
