// Evaluated first in the sandbox's bundle (sandbox_entry.ts), before the SDK's modules use them.
import { formatStack } from "./stack_format.js";
import { installTextCodec } from "./text_codec.js";

installTextCodec();
Error.prepareStackTrace = formatStack as never;
