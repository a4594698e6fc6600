import type { SinkImpl, SinkWriter, WriteContext } from "../../../io/registry.js";
import { setCurrentMetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Operator } from "./receiver.js";

/** Writes elements through a sink's writer; its close() result goes to the finalizer. */
export class SinkOp implements Operator {
  private writer?: SinkWriter;
  result: unknown;
  constructor(private readonly sink: SinkImpl, private readonly payload: unknown, private readonly ctx: WriteContext) {}
  async start(): Promise<void> {
    this.writer = await this.sink.open(this.payload, this.ctx);
  }
  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    const prev = setCurrentMetricsContainer(this.ctx.metrics);
    try {
      this.writer!.write(wv.value);
    } catch (e) {
      throw UserCodeError.from(this.ctx.transform, wv.value, true, e);
    } finally {
      setCurrentMetricsContainer(prev);
    }
  }
  async finish(): Promise<void> {
    this.result = await this.writer!.close();
    this.writer = undefined;
  }
  async abort(): Promise<void> {
    await this.writer?.abort();
    this.writer = undefined;
  }
}
