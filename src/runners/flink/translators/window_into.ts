/**
 * Window.into → window assignment, as the local runner's WindowIntoOp does it.
 *
 * After user code (its input is produced in an open stage) the assignment joins that
 * stage: the worker runs the very WindowIntoOp. After a native operator (a source, a
 * grouping) it is the bridge's native `window:assign` map, with no Node round trip.
 * Window.configure() (no new WindowFn) only changes how later groupings fire: the records
 * flow on unchanged.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, type TransformTranslator } from "./translator.js";

export const windowIntoTranslator: TransformTranslator = {
  name: "window_into",
  javaClass: JAVA_CLASS_OF_KIND["window:assign"]!,
  becomes: "window:assign (native), or fused into the user-code stage before it",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const input = ctx.mainInput(t);
    const output = ctx.output(t);
    const windowFn = (t.payload as { windowFn?: { urn: string; payload?: unknown } } | undefined)?.windowFn;
    const f = ctx.fusion(t, input);
    const s = f.stage;
    if (s) {
      ctx.decide({ kind: "fuse", choice: `fused into ${s.op.id}`, reason: `${f.reason}: the worker assigns the windows (the local runner's WindowIntoOp)`, operators: [s.op.id] });
      ctx.fuse(s, t, { kind: "window_into", transform: t.id, input, output }, [output]);
      return;
    }
    if (!windowFn) {
      ctx.decide({ kind: "window", choice: "no operator", reason: "Window.configure() sets no new WindowFn: it only changes how later groupings fire, so the records flow on unchanged" });
      ctx.setOutput(output, ctx.ref(input, t));
      return;
    }
    ctx.decide({ kind: "window", choice: "native window:assign", reason: `${f.reason}: the bridge re-assigns windows by timestamp in a native map, no Node round trip` });
    const main = ctx.input(input, "forward", t);
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "window:assign",
      transforms: [t.fullName],
      parallelism: ctx.parallelismOf(main.from),
      inputs: [main],
      outputs: ["main"],
      payload: { windowing: ctx.windowing(input, t), windowFn: ctx.windowFn(windowFn.urn, windowFn.payload, t) },
    });
    ctx.setOutput(output, { op: op.id, output: "main" });
  },
};
