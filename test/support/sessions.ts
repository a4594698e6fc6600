// Sessions for tests: quiet, unchecked unless asked, disposed after the file's tests.
import { afterAll } from "vitest";
import { createSession, type CellResult, type Session, type SessionOptions } from "../../src/session/session.js";

/** A maker of sessions (call it at a test file's top level: it registers their disposal). */
export function sessionMaker(): (options?: SessionOptions) => Session {
  const sessions: Session[] = [];
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.dispose()));
  });
  return (options = {}) => {
    const s = createSession({ typeCheck: "off", stdout: () => undefined, stderr: () => undefined, ...options });
    sessions.push(s);
    return s;
  };
}

/** A cell's value; its traceback as the error when it failed. */
export function ok(r: CellResult): unknown {
  if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
  return r.value;
}
