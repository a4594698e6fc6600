import { describe, expect, it } from "vitest";
import {
  ClosingBehavior, Create, Duration, FixedWindows, OnTimeBehavior, Pipeline, Window, type PCollection,
} from "../../../src/index.js";
import { WindowingStrategy } from "../../../src/sdk/windowing/windowing_strategy.js";

const windowed = (w: ReturnType<typeof Window.into<number>>): PCollection<number> => Pipeline.create().apply(Create.of(1)).apply(w);

describe("ClosingBehavior and OnTimeBehavior in the windowing strategy", () => {
  it("default to Beam's (FIRE_IF_NON_EMPTY, FIRE_ALWAYS) and stay out of the spec then", () => {
    const s = windowed(Window.into<number>(FixedWindows.of(Duration.seconds(10))).withAllowedLateness(Duration.seconds(5))).windowingStrategy;
    expect(s.closingBehavior).toBe("FIRE_IF_NON_EMPTY");
    expect(s.onTimeBehavior).toBe("FIRE_ALWAYS");
    const spec = s.toSpec();
    expect(spec).not.toHaveProperty("closingBehavior");
    expect(spec).not.toHaveProperty("onTimeBehavior");
  });

  it("are set by withAllowedLateness(d, behaviour) and withOnTimeBehavior, and survive a JSON round trip", () => {
    const s = windowed(Window.into<number>(FixedWindows.of(Duration.seconds(10)))
      .withAllowedLateness(Duration.minutes(5), ClosingBehavior.FIRE_ALWAYS)
      .withOnTimeBehavior(OnTimeBehavior.FIRE_IF_NON_EMPTY)).windowingStrategy;
    expect(s.allowedLatenessMillis).toBe(300_000);
    const spec = s.toSpec();
    expect(spec).toMatchObject({ closingBehavior: "FIRE_ALWAYS", onTimeBehavior: "FIRE_IF_NON_EMPTY" });
    const back = WindowingStrategy.fromSpec(JSON.parse(JSON.stringify(spec)));
    expect(back.closingBehavior).toBe("FIRE_ALWAYS");
    expect(back.onTimeBehavior).toBe("FIRE_IF_NON_EMPTY");
    expect(back.toSpec()).toEqual(spec);
  });

  it("withAllowedLateness without a behaviour keeps the input's, as Beam's Window.configure does", () => {
    const first = windowed(Window.into<number>(FixedWindows.of(Duration.seconds(10))).withAllowedLateness(Duration.seconds(5), ClosingBehavior.FIRE_ALWAYS));
    const again = first.apply(Window.configure<number>().withAllowedLateness(Duration.seconds(50)));
    expect(again.windowingStrategy.allowedLatenessMillis).toBe(50_000);
    expect(again.windowingStrategy.closingBehavior).toBe("FIRE_ALWAYS");
  });

  it("refuse anything else, naming the setting", () => {
    const w = Window.into<number>(FixedWindows.of(Duration.seconds(10)));
    expect(() => w.withAllowedLateness(Duration.seconds(1), "SOMETIMES" as never)).toThrow(/Window\.withAllowedLateness.*ClosingBehavior\.FIRE_ALWAYS.*got SOMETIMES/);
    expect(() => w.withOnTimeBehavior(undefined as never)).toThrow(/Window\.withOnTimeBehavior.*OnTimeBehavior\.FIRE_IF_NON_EMPTY.*got undefined/);
  });
});
