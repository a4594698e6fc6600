// Evaluated first in the sandbox's bundle (sandbox_entry.ts), before the SDK's modules use them.
import structuredClone from "@ungap/structured-clone";
import { formatStack } from "./stack_format.js";
import { installTextCodec } from "./text_codec.js";

installTextCodec();
Error.prepareStackTrace = formatStack as never;
// The host's structuredClone cannot read the sandbox's objects (vm2 hands it proxies).
if (typeof globalThis.structuredClone !== "function") {
  Object.defineProperty(globalThis, "structuredClone", { value: structuredClone, configurable: true, writable: true });
}
