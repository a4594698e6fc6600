import { describe, expect, test } from "vitest";
import { imageMetadata } from "../../src/display/mime.js";

describe("imageMetadata", () => {
  test("a PNG beside an SVG shows at the SVG's size (px, or pt as Graphviz writes it)", () => {
    expect(imageMetadata({ "image/svg+xml": '<svg xmlns="x" width="648" height="347">', "image/png": "iVBOR" })).toEqual({ "image/png": { width: 648, height: 347 } });
    expect(imageMetadata({ "image/svg+xml": '<svg width="75pt" height="30pt" viewBox="0 0 75 30">', "image/png": "iVBOR" })).toEqual({ "image/png": { width: 100, height: 40 } });
  });
  test("nothing without both pictures or without a size", () => {
    expect(imageMetadata({ "image/png": "iVBOR" })).toEqual({});
    expect(imageMetadata({ "image/svg+xml": "<svg>", "image/png": "iVBOR" })).toEqual({});
    expect(imageMetadata({ "text/plain": "x" })).toEqual({});
  });
});
