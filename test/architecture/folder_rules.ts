/**
 * The import rules of docs/architecture.md, read from the doc itself: its "Folders" table
 * (the "may import" column) and its "Known exceptions" table. The doc is the one place the
 * rules are written, so it cannot drift from what the test enforces.
 *
 * The "may import" column, clause by clause (clauses are separated by `;`, text in
 * parentheses is commentary and ignored):
 * - backticked repo paths (a folder ends in `/`): allowed;
 * - `types from` paths: allowed for `import type` only (erased when compiled);
 * - `never` paths: forbidden, type-only imports included, whatever another clause allows;
 * - `no \`node:\``: Node's built-in modules forbidden (they are allowed unless said);
 * - `only …` without paths: nothing beyond the row's own paths;
 * - `anything`: no limit;
 * - `—` alone: the row adds no rule of its own (the enclosing folders' rows apply).
 * A row's own paths may always import each other. A file follows the allow-list of the most
 * specific row containing it (its longest path), and the `never` and `no node:` clauses of
 * every row containing it. npm packages are not limited here.
 */
import type { ImportEdge } from "./import_graph.js";

export interface FolderRule {
  /** The repo paths of the row's first column (folders end in `/`). */
  paths: string[];
  /** The "may import" cell as written. */
  text: string;
  /** Line of the row in the doc (1-based). */
  line: number;
  /** False for a `—` row: it documents the folder, its enclosing rows rule it. */
  constrains: boolean;
  anything: boolean;
  allow: string[];
  allowTypes: string[];
  never: string[];
  noNode: boolean;
}

export interface KnownException {
  /** The importing file or folder. */
  from: string;
  /** The imported file or folder. */
  imports: string;
  why: string;
  removedBy: string;
  line: number;
}

export interface Violation {
  edge: ImportEdge;
  rule: FolderRule;
  /** Why the rule refuses it, in words. */
  reason: string;
}

/** `src/x/` contains `src/x/y.ts`; a file path contains only itself. */
export function contains(path: string, file: string): boolean {
  return path.endsWith("/") ? file.startsWith(path) : file === path;
}

const BACKTICKED = /`([^`]+)`/g;

function backticked(text: string): string[] {
  return [...text.matchAll(BACKTICKED)].map((m) => m[1]!);
}

function cells(row: string): string[] {
  return row.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

/** The rows of the first markdown table after `heading` (up to the next heading of that level or above). */
function tableAfter(doc: string, heading: RegExp): { cells: string[]; line: number }[] {
  const lines = doc.split("\n");
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) throw new Error(`docs/architecture.md: no heading matching ${heading}`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const rows: { cells: string[]; line: number }[] = [];
  let inTable = false;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    const h = /^(#+)\s/.exec(l);
    if (h && h[1]!.length <= level) break;
    if (l.trimStart().startsWith("|")) {
      inTable = true;
      if (/^\s*\|[\s:|-]+\|\s*$/.test(l)) continue; // the separator row
      rows.push({ cells: cells(l), line: i + 1 });
    } else if (inTable) break;
  }
  if (rows.length < 2) throw new Error(`docs/architecture.md: no table after the heading matching ${heading}`);
  return rows.slice(1); // without the header row
}

/** Parses one "may import" cell; throws naming the row when a clause says nothing the test can read. */
export function parseMayImport(paths: string[], text: string, line: number): FolderRule {
  const rule: FolderRule = { paths, text, line, constrains: true, anything: false, allow: [], allowTypes: [], never: [], noNode: false };
  const bare = text.replace(/\([^)]*\)/g, "").trim();
  if (bare === "—" || bare === "-") return { ...rule, constrains: false };
  for (const raw of bare.split(";")) {
    const clause = raw.trim();
    if (!clause) continue;
    const words = clause.replace(BACKTICKED, "").toLowerCase();
    const found = backticked(clause);
    if (/^no\s+`node:`/i.test(clause)) {
      rule.noNode = true;
    } else if (/^never\b/i.test(clause)) {
      rule.never.push(...found);
    } else if (/^types? from\b/i.test(clause)) {
      rule.allowTypes.push(...found);
    } else if (/^anything\b/i.test(clause)) {
      rule.anything = true;
    } else if (found.length > 0) {
      rule.allow.push(...found);
    } else if (!/^only\b/.test(words.trim())) {
      throw new Error(`docs/architecture.md:${line}: cannot read the clause "${clause}" of "${text}" (see the rules above the Folders table)`);
    }
  }
  return rule;
}

export function parseFolderRules(doc: string): FolderRule[] {
  return tableAfter(doc, /^##\s+Folders\b/).map(({ cells: c, line }) => {
    if (c.length < 3) throw new Error(`docs/architecture.md:${line}: a Folders row needs three columns`);
    const paths = backticked(c[0]!);
    if (paths.length === 0) throw new Error(`docs/architecture.md:${line}: the first column names no backticked path`);
    return parseMayImport(paths, c[c.length - 1]!, line);
  });
}

export function parseKnownExceptions(doc: string): KnownException[] {
  return tableAfter(doc, /^#+\s+Known exceptions\b/).map(({ cells: c, line }) => {
    const [from, imports] = [backticked(c[0] ?? ""), backticked(c[1] ?? "")];
    if (from.length !== 1 || imports.length !== 1 || c.length < 4 || !c[3]) {
      throw new Error(`docs/architecture.md:${line}: a known exception names one importer, one import, why, and the issue that removes it`);
    }
    return { from: from[0]!, imports: imports[0]!, why: c[2]!, removedBy: c[3]!, line };
  });
}

/** The rows that rule a file (every row whose paths contain it). */
export function rulesFor(rules: FolderRule[], file: string): FolderRule[] {
  return rules.filter((r) => r.paths.some((p) => contains(p, file)));
}

/** How closely a row's paths fit a file: the length of the longest that contains it. */
function specificity(rule: FolderRule, file: string): number {
  return Math.max(...rule.paths.filter((p) => contains(p, file)).map((p) => p.length));
}

/** The row whose allow-list a file follows: the most specific of those with a rule of their own. */
export function governingRule(rules: FolderRule[], file: string): FolderRule | undefined {
  let best: FolderRule | undefined;
  for (const r of rulesFor(rules, file)) {
    if (r.constrains && (!best || specificity(r, file) > specificity(best, file))) best = r;
  }
  return best;
}

function allowList(rule: FolderRule): string {
  return [...rule.paths.map((p) => `\`${p}\` (itself)`), ...rule.allow.map((p) => `\`${p}\``), ...rule.allowTypes.map((p) => `types from \`${p}\``)].join(", ");
}

/**
 * The rules an import breaks: the `never` and `no node:` clauses of every row containing the
 * importer, and the allow-list of the most specific one (so a row for a subfolder or a file
 * may say exactly what it needs, but never lift a prohibition of its folder's).
 */
export function refusals(rules: FolderRule[], edge: ImportEdge): Violation[] {
  const out: Violation[] = [];
  const rows = rulesFor(rules, edge.from).filter((r) => r.constrains);
  for (const rule of rows) {
    if (edge.kind === "node" && rule.noNode) out.push({ edge, rule, reason: "may import no `node:` module" });
    const never = edge.kind === "repo" ? rule.never.find((p) => contains(p, edge.target)) : undefined;
    if (never) out.push({ edge, rule, reason: `may never import \`${never}\`` });
  }
  const rule = governingRule(rules, edge.from);
  if (!rule || edge.kind !== "repo" || rule.anything || out.length > 0) return out;
  const t = edge.target;
  if (rule.paths.some((p) => contains(p, t)) || rule.allow.some((p) => contains(p, t))) return out;
  const typesFrom = rule.allowTypes.find((p) => contains(p, t));
  if (typesFrom && edge.typeOnly) return out;
  out.push({ edge, rule, reason: typesFrom ? `may import only types from \`${typesFrom}\`` : `may import only ${allowList(rule)}` });
  return out;
}

export function violations(rules: FolderRule[], edges: ImportEdge[]): Violation[] {
  return edges.flatMap((e) => refusals(rules, e));
}

/** Paths that two rows with rules of their own both name (which one would rule is unclear). */
export function duplicatePaths(rules: FolderRule[]): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const r of rules.filter((x) => x.constrains)) {
    for (const p of r.paths) {
      if (seen.has(p)) out.push(`\`${p}\`: rows at lines ${seen.get(p)} and ${r.line}`);
      else seen.set(p, r.line);
    }
  }
  return out;
}

export function isExcused(v: Violation, exceptions: KnownException[]): KnownException | undefined {
  return exceptions.find((x) => contains(x.from, v.edge.from) && v.edge.kind === "repo" && contains(x.imports, v.edge.target));
}

export function describeViolation(v: Violation): string {
  const e = v.edge;
  const resolved = e.target !== e.specifier ? ` (${e.target})` : "";
  return (
    `${e.from}:${e.line} imports "${e.specifier}"${resolved}${e.typeOnly ? " (types only)" : ""}, ` +
    `but docs/architecture.md:${v.rule.line} says ${v.rule.paths.filter((p) => contains(p, e.from)).map((p) => `\`${p}\``).join(", ")} ${v.reason} ` +
    `[may import: ${v.rule.text}]`
  );
}
