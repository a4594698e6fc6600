/**
 * Positions V8 reports in code vm2 compiled, back to positions in the code it was given.
 * vm2 (lib/transformer.js) inserts `e=VM2_INTERNAL_STATE_DO_NOT_USE_OR_PROGRAM_WILL_FAIL
 * .handleException(e);` before the first statement of each `catch (e)` block, on the same
 * line: columns after it on that line are off by its length. The same insertions are found
 * here with TypeScript's parser, when an error first needs them. (A destructured catch
 * parameter gets a longer rewrite, whose columns are left as V8 gives them.)
 */
import { typescript } from "../typescript.js";

const STATE = "VM2_INTERNAL_STATE_DO_NOT_USE_OR_PROGRAM_WILL_FAIL";

interface Insertion {
  column: number;
  length: number;
}

/** For code compiled by vm2: (0-based line, V8's 0-based column) → the column in `code`. */
export function vm2ColumnMapper(code: string): (line: number, column: number) => number {
  let byLine: Map<number, Insertion[]> | undefined;
  const insertions = (): Map<number, Insertion[]> => {
    if (byLine) return byLine;
    byLine = new Map();
    if (!code.includes("catch")) return byLine;
    const ts = typescript();
    const sf = ts.createSourceFile("vm2.js", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    const visit = (n: import("typescript").Node): void => {
      if (ts.isCatchClause(n) && n.variableDeclaration && ts.isIdentifier(n.variableDeclaration.name) && n.block.statements.length) {
        const name = n.variableDeclaration.name.text;
        const at = sf.getLineAndCharacterOfPosition(n.block.statements[0]!.getStart(sf));
        const list = byLine!.get(at.line) ?? [];
        list.push({ column: at.character, length: `${name}=${STATE}.handleException(${name});`.length });
        byLine!.set(at.line, list.sort((a, b) => a.column - b.column));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return byLine;
  };
  return (line, column) => {
    let shift = 0;
    for (const ins of insertions().get(line) ?? []) {
      const start = ins.column + shift;
      if (column < start) break;
      if (column < start + ins.length) return ins.column;
      shift += ins.length;
    }
    return column - shift;
  };
}
