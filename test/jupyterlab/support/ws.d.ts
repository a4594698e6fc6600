/** The part of the `ws` package (installed with @jupyterlab/services, without types) these tests use. */
declare module "ws" {
  import { EventEmitter } from "node:events";
  export default class WebSocket extends EventEmitter {
    constructor(url: string, options?: { perMessageDeflate?: boolean; maxPayload?: number });
    send(data: string): void;
    close(): void;
    on(event: "message", listener: (data: Buffer) => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
    once(event: string, listener: (...args: any[]) => void): this;
  }
}
