/** Where a value being serialized belongs, for error messages. */
export interface SerializeWhere {
  /** The transform's full name, e.g. `CountWords/ExtractWords`. */
  transform?: string;
  /** What the root value is, e.g. `doFn`, `ExtractWordsFn`, `the CombineFn`. */
  variable?: string;
}

export interface SerializationErrorDetails {
  where: SerializeWhere;
  /** The captured variable closest to the refused value, if a capture was crossed. */
  variable?: string;
  /** The function (or class) that captured it, and where it was written. */
  capturedBy?: string;
  capturedAt?: string;
  /** The path from the root (or from the captured variable) to the refused value. */
  path: string;
  /** The full path from the root value, e.g. `doFn → captured 'cfg' of processElement → .db.sock`. */
  fullPath: string;
  /** What was refused, e.g. `a net.Socket`. */
  what: string;
  /** Why, or how to fix it. */
  hint?: string;
  /** Replaces the generated "captured variable ... cannot be serialized" sentence. */
  body?: string;
}

/** A value (or something it captures) cannot be sent to a runner. */
export class SerializationError extends Error {
  override readonly name = "SerializationError";
  readonly transform: string | undefined;
  readonly variable: string | undefined;
  readonly path: string;
  readonly fullPath: string;
  readonly what: string;

  constructor(message: string, details: SerializationErrorDetails) {
    super(message);
    this.transform = details.where.transform;
    this.variable = details.variable;
    this.path = details.path;
    this.fullPath = details.fullPath;
    this.what = details.what;
  }

  static describe(d: SerializationErrorDetails): string {
    const head = d.where.transform !== undefined
      ? `Cannot send transform '${d.where.transform}' to the runner: `
      : `Cannot serialize ${d.where.variable ?? "value"}: `;
    let body: string;
    if (d.body !== undefined) {
      body = d.body;
    } else if (d.variable !== undefined) {
      body = d.path === d.variable
        ? `captured variable '${d.variable}' is ${d.what}`
        : `captured variable '${d.variable}' holds ${d.what} at ${d.path}`;
    } else {
      body = `${d.path} is ${d.what}`;
    }
    if (d.body === undefined) body += ", which cannot be serialized";
    if (d.capturedBy !== undefined && d.body === undefined) {
      body += ` (captured by ${d.capturedBy}${d.capturedAt ? ` at ${d.capturedAt}` : ""})`;
    }
    let msg = head + body + ".";
    if (d.hint) msg += ` ${d.hint}`;
    if (d.fullPath && d.fullPath !== d.path) msg += `\n  path: ${d.fullPath}`;
    return msg;
  }
}
