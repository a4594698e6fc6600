import { inspect } from "node:util";
import { isRuntimeFrame } from "../../sdk/internal/stack.js";

/**
 * An exception thrown by user code, with what a person needs to find it: the
 * transform's full name, the element (shortened) and the user's own stack.
 */
export class UserCodeError extends Error {
  constructor(
    readonly transform: string,
    readonly element: string | undefined,
    readonly userStack: string,
    readonly causeName: string,
    readonly causeMessage: string,
  ) {
    super(
      `Error in transform '${transform}'${element !== undefined ? ` while processing element ${element}` : ""}:\n${userStack}`,
    );
    this.name = "UserCodeError";
    // The message holds the user's own stack; flowbook's frames would only hide it.
    this.stack = `${this.name}: ${this.message}`;
  }

  static from(transform: string, element: unknown, hasElement: boolean, err: unknown): UserCodeError {
    if (err instanceof UserCodeError) return err;
    const e = err instanceof Error ? err : new Error(String(err));
    return new UserCodeError(
      transform,
      hasElement ? shortElement(element) : undefined,
      userStack(e),
      e.name,
      e.message,
    );
  }

  /** Plain data, to cross a thread or process boundary. */
  toJSON(): Record<string, unknown> {
    return {
      type: "UserCodeError",
      transform: this.transform,
      element: this.element,
      userStack: this.userStack,
      causeName: this.causeName,
      causeMessage: this.causeMessage,
    };
  }

  static fromJSON(j: Record<string, unknown>): UserCodeError {
    return new UserCodeError(String(j.transform), j.element as string | undefined, String(j.userStack), String(j.causeName), String(j.causeMessage));
  }
}

export function shortElement(v: unknown, max = 200): string {
  const s = inspect(v, { depth: 3, breakLength: Infinity, maxArrayLength: 10, maxStringLength: max, colors: false });
  return s.length > max ? s.slice(0, max) + "…" : s;
}


/** The error's message and the frames of user code (flowbook's own frames removed). */
export function userStack(e: Error): string {
  const lines = (e.stack ?? `${e.name}: ${e.message}`).split("\n");
  const head: string[] = [];
  const frames: string[] = [];
  for (const line of lines) {
    if (/^\s+at /.test(line)) {
      if (!isRuntimeFrame(line)) frames.push(line);
    } else if (frames.length === 0) head.push(line);
  }
  return [...head, ...frames].join("\n");
}

/** Rebuilds an error sent as plain data. */
export function errorFromJSON(j: unknown): Error {
  if (j && typeof j === "object" && (j as { type?: string }).type === "UserCodeError") return UserCodeError.fromJSON(j as Record<string, unknown>);
  const o = (j ?? {}) as { name?: string; message?: string; stack?: string };
  const e = new Error(o.message ?? String(j));
  e.name = o.name ?? "Error";
  if (o.stack) e.stack = o.stack;
  return e;
}

export function errorToJSON(e: unknown): unknown {
  if (e instanceof UserCodeError) return e.toJSON();
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: "Error", message: String(e) };
}
