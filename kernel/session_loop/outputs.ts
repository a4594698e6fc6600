/**
 * The display contract's outputs (src/display/outputs.ts) as Jupyter iopub messages.
 * Display messages always carry `transient.display_id`, so a later update finds them.
 */
import type { CellOutput } from "../../src/display/outputs.js";
import { imageMetadata, type MimeBundle } from "../../src/display/mime.js";

export interface OutgoingIopub {
  msgType: "stream" | "display_data" | "update_display_data" | "execute_result" | "error" | "clear_output";
  content: Record<string, unknown>;
}

export function iopubMessage(o: CellOutput): OutgoingIopub {
  switch (o.type) {
    case "stream":
      return { msgType: "stream", content: { name: o.name, text: o.text } };
    case "display":
      return { msgType: "display_data", content: { data: jsonSafe(o.bundle), metadata: o.metadata ?? imageMetadata(o.bundle), transient: { display_id: o.displayId } } };
    case "update":
      return { msgType: "update_display_data", content: { data: jsonSafe(o.bundle), metadata: o.metadata ?? imageMetadata(o.bundle), transient: { display_id: o.displayId } } };
    case "result":
      return { msgType: "execute_result", content: { execution_count: o.cell.executionCount, data: jsonSafe(o.bundle), metadata: imageMetadata(o.bundle) } };
    case "error":
      return { msgType: "error", content: { ename: o.ename, evalue: o.evalue, traceback: o.traceback } };
    case "clear":
      return { msgType: "clear_output", content: { wait: o.wait } };
  }
}

/**
 * A bundle as plain JSON: it crosses to the socket thread by structured clone, which
 * refuses functions and the sandbox's proxies; Jupyter wants JSON anyway.
 */
function jsonSafe(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle)) {
    if (data === undefined) continue;
    out[mime] = typeof data === "string" ? data : JSON.parse(JSON.stringify(data) ?? "null");
  }
  return out;
}
