/**
 * Stack traces in the sandbox. vm2 hands `Error.prepareStackTrace` call sites whose
 * `toString()` is `CallSite {}` (so its default shows no frame at all) and whose getters
 * are null for the host's frames (any file path: Node, the host's flowbook, and this
 * bundle). Formatted here as V8 does, the host's frames left out: a cell's error shows
 * the cell's frames, which error_mapping.ts maps back to cell lines.
 */

interface SandboxCallSite {
  getTypeName(): string | null;
  getFunctionName(): string | null;
  getMethodName(): string | null;
  getFileName(): string | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  isToplevel(): boolean | null;
  isNative(): boolean | null;
  isConstructor(): boolean | null;
  isAsync(): boolean | null;
  isPromiseAll(): boolean | null;
  getPromiseIndex(): number | null;
}

function frameText(cs: SandboxCallSite): string | undefined {
  const file = cs.getFileName();
  if (!file && !cs.isNative()) return undefined;
  const location = cs.isNative() ? "native" : `${file}:${cs.getLineNumber()}:${cs.getColumnNumber()}`;
  const fn = cs.getFunctionName();
  if (cs.isPromiseAll()) return `Promise.all (index ${cs.getPromiseIndex()})`;
  let name: string | undefined;
  if (cs.isConstructor()) name = `new ${fn || "<anonymous>"}`;
  else if (!cs.isToplevel()) {
    const type = cs.getTypeName();
    const method = cs.getMethodName();
    name = fn ? (type && !fn.startsWith(type + ".") ? `${type}.${fn}` : fn) : `${type ?? "<anonymous>"}.${method ?? "<anonymous>"}`;
    if (fn && method && method !== fn && !fn.endsWith("." + method)) name += ` [as ${method}]`;
  } else if (fn) name = fn;
  const text = name ? `${name} (${location})` : location;
  return cs.isAsync() ? `async ${text}` : text;
}

export function formatStack(error: Error, callSites: SandboxCallSite[]): string {
  let name = "Error";
  let message = "";
  try {
    name = String(error.name ?? "Error");
    message = String(error.message ?? "");
  } catch {
    // an exotic error: keep the defaults
  }
  let out = message ? `${name}: ${message}` : name;
  for (const cs of callSites) {
    const text = frameText(cs);
    if (text) out += `\n    at ${text}`;
  }
  return out;
}
