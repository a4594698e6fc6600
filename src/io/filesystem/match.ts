/**
 * File patterns → files, for the file-based sources (TextIO, AvroIO).
 *
 * Glob syntax (close to java.nio's, which the Flink side uses):
 *   `*`      any run of characters except `/`
 *   `?`      one character except `/`
 *   `[abc]`, `[a-z]`, `[!a-c]` / `[^a-c]`   one character of (not of) a set
 *   `{a,b}`  alternatives (may nest and may contain `/` and other globs)
 *   `**`     as a whole path segment: zero or more directories (`/data/**\/*.txt`
 *            matches `/data/x.txt` and `/data/a/b/x.txt`); as the last segment, every
 *            file below. Elsewhere `**` is the same as `*`.
 *   `\c`     the character c itself
 * Only regular files match (symbolic links to files too). `**` does not descend into
 * symbolic links to directories, nor into `.flowbook-temp-*` directories (the temporary
 * output of running writes). Results are absolute paths, sorted, without duplicates.
 * A pattern without glob syntax that names a directory matches the regular files directly
 * inside it whose names do not start with "." (as the Flink bridge reads a directory).
 */
import { promises as fsp, type Dirent } from "node:fs";
import * as path from "node:path";

export interface MatchedFile {
  path: string;
  size: number;
}

const GLOB_CHARS = /[*?[{\\]/;

/** True if the pattern has glob syntax (as opposed to naming one file). */
export function hasGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Thrown when a pattern matches no file and empty matches are not allowed. */
export class EmptyMatchError extends Error {
  readonly code = "FLOWBOOK_NO_FILES_MATCHED";
  constructor(readonly pattern: string) {
    super(`No files matched spec: ${pattern}`);
    this.name = "EmptyMatchError";
  }
}

export type EmptyMatchTreatment = "disallow" | "allow" | "allow_if_wildcard";

/**
 * Every regular file matching an absolute pattern. With `emptyMatch` "disallow" (the
 * default) a pattern matching nothing throws EmptyMatchError ("No files matched spec: ...").
 */
export async function matchFiles(pattern: string, emptyMatch: EmptyMatchTreatment = "disallow"): Promise<MatchedFile[]> {
  if (!path.isAbsolute(pattern)) throw new Error(`file pattern must be absolute: ${pattern}`);
  const found = new Map<string, number>();
  const dir = hasGlob(pattern) ? null : await statOrNull(pattern);
  if (dir?.isDirectory()) {
    // A directory: the files directly inside it, as the Flink side reads it.
    await filesInDirectory(path.resolve(pattern), found);
  } else {
    for (const alt of expandBraces(pattern)) {
      await matchOne(alt, found);
    }
  }
  const files = [...found.entries()].map(([p, size]) => ({ path: p, size })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (files.length === 0) {
    const allowed = emptyMatch === "allow" || (emptyMatch === "allow_if_wildcard" && hasGlob(pattern));
    if (!allowed) throw new EmptyMatchError(pattern);
  }
  return files;
}

/** Bash-like brace expansion: `/a/{b,c{d,e}}/f` → `/a/b/f`, `/a/cd/f`, `/a/ce/f`. */
export function expandBraces(pattern: string): string[] {
  // Find the first top-level `{` that has a matching `}` and at least one top-level comma.
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") {
      const end = classEnd(pattern, i);
      if (end > 0) i = end;
      continue;
    }
    if (c !== "{") continue;
    let depth = 0;
    const commas: number[] = [];
    let close = -1;
    for (let j = i; j < pattern.length; j++) {
      const d = pattern[j];
      if (d === "\\") {
        j++;
        continue;
      }
      if (d === "{") depth++;
      else if (d === "}") {
        depth--;
        if (depth === 0) {
          close = j;
          break;
        }
      } else if (d === "," && depth === 1) commas.push(j);
    }
    if (close < 0) return [pattern]; // an unbalanced brace is taken literally
    const before = pattern.slice(0, i);
    const after = pattern.slice(close + 1);
    const bounds = [i, ...commas, close];
    const out: string[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const alt = pattern.slice(bounds[k]! + 1, bounds[k + 1]!);
      for (const e of expandBraces(before + alt + after)) out.push(e);
    }
    return out;
  }
  return [pattern];
}

/** Index of the `]` closing a character class opened at `start`, or -1. */
function classEnd(p: string, start: number): number {
  let j = start + 1;
  if (p[j] === "!" || p[j] === "^") j++;
  if (p[j] === "]") j++; // a leading `]` is a member
  for (; j < p.length; j++) {
    if (p[j] === "]") return j;
    if (p[j] === "/") return -1;
  }
  return -1;
}

/** A regular expression for one path segment (no `/`, braces already expanded). */
export function segmentRegExp(segment: string): RegExp {
  let re = "^";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "\\" && i + 1 < segment.length) {
      re += escapeRe(segment[++i]!);
    } else if (c === "*") {
      while (segment[i + 1] === "*") i++;
      re += ".*";
    } else if (c === "?") {
      re += ".";
    } else if (c === "[") {
      const end = classEnd(segment, i);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      let negate = false;
      if (body[0] === "!" || body[0] === "^") {
        negate = true;
        body = body.slice(1);
      }
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, (m) => "\\" + m)}]`;
      i = end;
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(re + "$", "s");
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? "\\" + c : c;
}

/** The literal text of a segment without glob syntax (`\x` → `x`). */
function unescape(segment: string): string {
  return segment.replace(/\\(.)/g, "$1");
}

async function matchOne(pattern: string, found: Map<string, number>): Promise<void> {
  const segments = pattern.split("/").filter((s, i) => i === 0 || s !== "");
  // segments[0] is "" (the root); find where the globs start.
  let k = 1;
  while (k < segments.length && !hasGlob(segments[k]!)) k++;
  if (k === segments.length) {
    const p = path.resolve("/" + segments.slice(1).map(unescape).join("/"));
    const st = await statOrNull(p);
    if (st?.isFile()) found.set(p, st.size);
    return;
  }
  const base = "/" + segments.slice(1, k).map(unescape).join("/");
  await walk(base, segments.slice(k), found);
}

async function statOrNull(p: string) {
  try {
    return await fsp.stat(p);
  } catch {
    return null;
  }
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Matches `rest` (segments) below directory `dir`. */
async function walk(dir: string, rest: string[], found: Map<string, number>): Promise<void> {
  const [seg, ...tail] = rest;
  if (seg === undefined) return;
  if (seg === "**") {
    // Zero directories: match the tail here (or, as the last segment, every file below).
    if (tail.length === 0) {
      await allFilesBelow(dir, found);
      return;
    }
    await walk(dir, tail, found);
    for (const e of await readDir(dir)) {
      if (e.isDirectory() && !e.name.startsWith(".flowbook-temp-")) await walk(path.join(dir, e.name), rest, found);
    }
    return;
  }
  if (!hasGlob(seg)) {
    const p = path.join(dir, unescape(seg));
    if (tail.length === 0) {
      const st = await statOrNull(p);
      if (st?.isFile()) found.set(p, st.size);
    } else {
      await walk(p, tail, found);
    }
    return;
  }
  const re = segmentRegExp(seg);
  for (const e of await readDir(dir)) {
    if (!re.test(e.name)) continue;
    const p = path.join(dir, e.name);
    if (tail.length === 0) {
      if (e.isFile() || e.isSymbolicLink()) {
        const st = await statOrNull(p);
        if (st?.isFile()) found.set(p, st.size);
      }
    } else if (e.isDirectory() || e.isSymbolicLink()) {
      await walk(p, tail, found);
    }
  }
}

/**
 * The files of a directory given as the pattern, exactly as the Flink bridge lists them
 * (TextSourceTranslator.expand): regular files directly inside (symlinks to files too), not
 * those whose name starts with "." (hidden files, temporary output), not subdirectories.
 */
async function filesInDirectory(dir: string, found: Map<string, number>): Promise<void> {
  for (const e of await readDir(dir)) {
    if (e.name.startsWith(".") || e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    const st = await statOrNull(p);
    if (st?.isFile()) found.set(p, st.size);
  }
}

async function allFilesBelow(dir: string, found: Map<string, number>): Promise<void> {
  for (const e of await readDir(dir)) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith(".flowbook-temp-")) await allFilesBelow(p, found);
    } else if (e.isFile() || e.isSymbolicLink()) {
      const st = await statOrNull(p);
      if (st?.isFile()) found.set(p, st.size);
    }
  }
}

/**
 * Resolves a user's file pattern against the working directory at apply time.
 * Accepts `file://` URLs; other schemes (gs://, s3://, hdfs://) are refused.
 */
export function resolvePattern(pattern: string, what: string): string {
  if (typeof pattern !== "string" || pattern === "") throw new Error(`${what} needs a non-empty file pattern, got ${JSON.stringify(pattern)}`);
  let p = pattern;
  if (p.startsWith("file://")) p = decodeURIComponent(p.slice("file://".length));
  else if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(p)) {
    throw new Error(`${what}: only local files are supported, not ${JSON.stringify(pattern)}`);
  }
  if (p === "~" || p.startsWith("~/")) p = path.join(process.env.HOME ?? "~", p.slice(1));
  return path.resolve(process.cwd(), p);
}
