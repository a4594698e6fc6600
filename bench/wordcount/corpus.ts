import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");

/** tinyshakespeare from ../shared/data, else the repository's own docs (a fresh clone has those). */
function seedText(): string {
  const shared = resolve(repo, "../shared/data/tinyshakespeare.txt");
  if (existsSync(shared)) return readFileSync(shared, "utf8");
  return ["README.md", "docs/architecture.md", "docs/coders.md", "docs/flink-plan.md"]
    .filter((f) => existsSync(join(repo, f)))
    .map((f) => readFileSync(join(repo, f), "utf8"))
    .join("\n");
}

/** A corpus of about `targetBytes` (default 111 MB: tinyshakespeare × 100), made once under bench/.data. */
export async function corpus(targetBytes = 111_000_000): Promise<string> {
  const seed = seedText();
  const copies = Math.max(1, Math.round(targetBytes / Buffer.byteLength(seed)));
  const file = join(repo, "bench/.data", `corpus-${Buffer.byteLength(seed)}x${copies}.txt`);
  if (existsSync(file) && statSync(file).size === Buffer.byteLength(seed) * copies) return file;
  await mkdir(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  for (let i = 0; i < copies; i++) {
    if (!out.write(seed)) await new Promise((r) => out.once("drain", r));
  }
  await new Promise<void>((r, j) => out.end((e?: Error) => (e ? j(e) : r())));
  return file;
}

export { createReadStream };
