import type { Coder } from "../coders/coder.js";
import type { WindowFnSpec } from "../../graph/types.js";
import type { Instant } from "../values/time.js";
import type { BoundedWindow } from "../values/windows.js";

/** Where a merging WindowFn says which windows become one. */
export interface WindowMerge<W extends BoundedWindow> {
  toMerge: W[];
  result: W;
}

/** Assigns windows to elements by their timestamps (Beam's WindowFn). */
export abstract class WindowFn<W extends BoundedWindow = BoundedWindow> {
  abstract assignWindows(timestamp: Instant): W[];
  abstract windowCoder(): Coder<W>;
  abstract toSpec(): WindowFnSpec;

  /** Sessions merge; Fixed, Sliding and Global do not. */
  isNonMerging(): boolean {
    return true;
  }

  /** Groups of windows that merge into one; only merging WindowFns override this. */
  mergeWindows(_windows: W[]): WindowMerge<W>[] {
    return [];
  }

  /** The window of a side input that a main-input window reads. */
  abstract getSideInputWindow(mainWindow: BoundedWindow): W;

  /** Same kind and parameters: what Flatten and CoGroupByKey require of their inputs. */
  isCompatible(other: WindowFn<BoundedWindow>): boolean {
    return JSON.stringify(this.toSpec()) === JSON.stringify(other.toSpec());
  }

  toString(): string {
    return `${this.constructor.name}(${JSON.stringify(this.toSpec().payload ?? {})})`;
  }
}

type WindowFnFactory = (payload: any) => WindowFn<BoundedWindow>;
const factories = new Map<string, WindowFnFactory>();

export function registerWindowFn(urn: string, factory: WindowFnFactory): void {
  factories.set(urn, factory);
}

export function windowFnFromSpec(spec: WindowFnSpec): WindowFn<BoundedWindow> {
  const f = factories.get(spec.urn);
  if (!f) throw new Error(`unknown WindowFn URN '${spec.urn}'`);
  return f(spec.payload);
}
