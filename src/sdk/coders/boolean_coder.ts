import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { notA } from "./describe.js";

/** Beam's BooleanCoder (`beam:coder:bool:v1`): one byte, `00` false, `01` true. */
export class BooleanCoder extends Coder<boolean> {
  static readonly URN = "beam:coder:bool:v1";
  static readonly INSTANCE = new BooleanCoder();
  readonly urn = BooleanCoder.URN;

  static of(): BooleanCoder {
    return BooleanCoder.INSTANCE;
  }

  encode(value: boolean, out: ByteWriter): void {
    if (typeof value !== "boolean") throw notA("a boolean", value, this);
    out.byte(value ? 1 : 0);
  }

  decode(input: ByteReader): boolean {
    const b = input.byte("a boolean");
    if (b > 1) throw new RangeError(`BooleanCoder: byte 0x${b.toString(16).padStart(2, "0")} at offset ${input.pos - 1} is neither 00 (false) nor 01 (true)`);
    return b === 1;
  }

  override structuralValue(value: boolean): unknown {
    return value;
  }
}

registerCoder(BooleanCoder.URN, () => BooleanCoder.INSTANCE);
