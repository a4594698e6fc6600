/**
 * Message signatures: HMAC-SHA256 over the header, parent header, metadata and content
 * frames, hex-encoded. Verified in constant time; an empty key means messages are unsigned.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface Signer {
  readonly signed: boolean;
  sign(frames: readonly Uint8Array[]): string;
  /** True when `signature` is the one `frames` should carry (always, when unsigned). */
  verify(signature: Uint8Array, frames: readonly Uint8Array[]): boolean;
}

export function createSigner(key: string): Signer {
  const keyBytes = Buffer.from(key, "utf8");
  const signed = keyBytes.length > 0;
  const sign = (frames: readonly Uint8Array[]) => {
    if (!signed) return "";
    const h = createHmac("sha256", keyBytes);
    for (const f of frames) h.update(f);
    return h.digest("hex");
  };
  return {
    signed,
    sign,
    verify(signature, frames) {
      if (!signed) return true;
      const expected = Buffer.from(sign(frames), "ascii");
      // timingSafeEqual throws on different lengths; a length says nothing about the key.
      if (signature.length !== expected.length) return false;
      return timingSafeEqual(Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength), expected);
    },
  };
}
