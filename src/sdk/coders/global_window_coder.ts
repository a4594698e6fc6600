import { GlobalWindow } from "../values/windows.js";
import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";

/** Beam's GlobalWindow.Coder (`beam:coder:global_window:v1`): zero bytes. */
export class GlobalWindowCoder extends Coder<GlobalWindow> {
  static readonly URN = "beam:coder:global_window:v1";
  static readonly INSTANCE = new GlobalWindowCoder();
  readonly urn = GlobalWindowCoder.URN;

  static of(): GlobalWindowCoder {
    return GlobalWindowCoder.INSTANCE;
  }

  encode(_value: GlobalWindow, _out: ByteWriter): void {}

  decode(_input: ByteReader): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }

  override structuralValue(_value: GlobalWindow): unknown {
    return 0;
  }
}

registerCoder(GlobalWindowCoder.URN, () => GlobalWindowCoder.INSTANCE);
