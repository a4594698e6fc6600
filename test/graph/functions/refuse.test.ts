import { describe, expect, it } from "vitest";
import net from "node:net";
import fsp from "node:fs/promises";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { serializeValue, SerializationError } from "../../../src/graph/functions/serialize.js";

const where = { transform: "CountWords/ExtractWords", variable: "ExtractWordsFn" };

function refusal(value: unknown): SerializationError {
  try {
    serializeValue(value, where);
  } catch (e) {
    if (e instanceof SerializationError) return e;
    throw e;
  }
  throw new Error("expected a SerializationError");
}

describe("what cannot travel is refused, naming the variable and the transform", () => {
  it("a captured net.Socket", () => {
    const sock = new net.Socket();
    try {
      const send = (line: string) => sock.write(line);
      const e = refusal(send);
      expect(e.message).toMatch(
        /^Cannot send transform 'CountWords\/ExtractWords' to the runner: captured variable 'sock' is a net\.Socket, which cannot be serialized/,
      );
      expect(e.message).toMatch(/captured by send at .*refuse\.test\.ts:\d+/);
      expect(e.variable).toBe("sock");
      expect(e.transform).toBe("CountWords/ExtractWords");
    } finally {
      sock.destroy();
    }
  });

  it("a socket deep inside a captured object", () => {
    const sock = new net.Socket();
    try {
      const cfg = { db: { conns: [sock] } };
      const e = refusal(() => cfg.db.conns.length);
      expect(e.message).toContain("captured variable 'cfg' holds a net.Socket at cfg.db.conns[0], which cannot be serialized");
      expect(e.path).toBe("cfg.db.conns[0]");
    } finally {
      sock.destroy();
    }
  });

  it("an open file handle held by a DoFn-like instance", async () => {
    const fh = await fsp.open(fileURLToPath(import.meta.url));
    try {
      class ReaderFn {
        constructor(readonly handle: unknown) {}
        processElement() {}
      }
      const e = refusal(new ReaderFn(fh));
      expect(e.message).toMatch(
        /Cannot send transform 'CountWords\/ExtractWords' to the runner: ExtractWordsFn\.handle is an open file handle \(fs\.promises\.FileHandle\), which cannot be serialized/,
      );
      const viaCapture = refusal({ processElement: () => fh.fd });
      expect(viaCapture.message).toContain("captured variable 'fh' is an open file handle (fs.promises.FileHandle)");
      expect(viaCapture.fullPath).toBe("ExtractWordsFn.processElement → captured 'fh' of processElement");
    } finally {
      await fh.close();
    }
  });

  it("promises, weak collections, emitters, generators, bound and native functions", () => {
    const pending = Promise.resolve(1);
    expect(refusal(() => pending).message).toContain("captured variable 'pending' is a Promise");
    const cache = new WeakMap();
    expect(refusal(() => cache).message).toContain("captured variable 'cache' is a WeakMap");
    const bus = new EventEmitter();
    expect(refusal(() => bus).message).toContain("captured variable 'bus' is an EventEmitter");
    function* gen() {
      yield 1;
    }
    const it1 = gen();
    expect(refusal(() => it1).message).toContain("captured variable 'it1' is a generator object");
    const bound = function (this: unknown) {
      return this;
    }.bind(null);
    expect(refusal(() => bound).message).toContain("captured variable 'bound' is a bound function");
    const nativeFn = new Uint8Array(1).entries().next;
    expect(refusal(() => nativeFn).message).toContain("is a native function 'next'");
  });

  it("instances of classes with #private fields", () => {
    class Secret {
      #key = 1;
      peek() {
        return this.#key;
      }
    }
    const s = new Secret();
    expect(refusal(() => s.peek()).message).toContain("captured variable 's' is an instance of class Secret, which has #private members");
  });

  it("functions that were not instrumented but use outer variables", () => {
    const notInstrumented = new Function("x", "return x + threshold");
    const e = refusal({ fn: notInstrumented });
    expect(e.message).toContain("function anonymous uses variable 'threshold' from an enclosing scope");
    expect(e.message).toContain("not instrumented");
    expect(e.message).toContain("node --import flowbook/register");
  });
});
