import { describe, expect, it } from "vitest";
import { Duration } from "../../../src/sdk/values/time.js";
import {
  AfterAll,
  AfterEach,
  AfterFirst,
  AfterPane,
  AfterProcessingTime,
  AfterSynchronizedProcessingTime,
  AfterWatermark,
  Always,
  DefaultTrigger,
  Never,
  Repeatedly,
  Trigger,
  triggerFromSpec,
} from "../../../src/sdk/windowing/triggers.js";

function roundTrip(t: Trigger): Trigger {
  const spec = t.toSpec();
  const json = JSON.parse(JSON.stringify(spec));
  expect(json).toEqual(spec);
  const back = triggerFromSpec(json);
  expect(back.toSpec()).toEqual(spec);
  expect(back.toString()).toBe(t.toString());
  expect(back.constructor).toBe(t.constructor);
  expect(back.equals(t)).toBe(true);
  return back;
}

describe("triggers as data", () => {
  it("mirror Beam's Trigger proto", () => {
    expect(DefaultTrigger.of().toSpec()).toEqual({ kind: "default" });
    expect(AfterWatermark.pastEndOfWindow().toSpec()).toEqual({ kind: "afterEndOfWindow" });
    expect(
      AfterWatermark.pastEndOfWindow()
        .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.minutes(1)))
        .withLateFirings(AfterPane.elementCountAtLeast(1))
        .toSpec(),
    ).toEqual({
      kind: "afterEndOfWindow",
      earlyFirings: { kind: "afterProcessingTime", timestampTransforms: [{ kind: "delay", delayMillis: 60_000 }] },
      lateFirings: { kind: "elementCount", elementCount: 1 },
    });
    expect(AfterProcessingTime.pastFirstElementInPane().alignedTo(Duration.seconds(10), 3).plusDelayOf(5).toSpec()).toEqual({
      kind: "afterProcessingTime",
      timestampTransforms: [
        { kind: "alignTo", periodMillis: 10_000, offsetMillis: 3 },
        { kind: "delay", delayMillis: 5 },
      ],
    });
    expect(Repeatedly.forever(AfterPane.elementCountAtLeast(3)).toSpec()).toEqual({
      kind: "repeat",
      subtrigger: { kind: "elementCount", elementCount: 3 },
    });
    expect(AfterFirst.of(AfterPane.elementCountAtLeast(2), Never.ever()).toSpec()).toEqual({
      kind: "afterAny",
      subtriggers: [{ kind: "elementCount", elementCount: 2 }, { kind: "never" }],
    });
    expect(Repeatedly.forever(AfterPane.elementCountAtLeast(2)).orFinally(AfterWatermark.pastEndOfWindow()).toSpec()).toEqual({
      kind: "orFinally",
      main: { kind: "repeat", subtrigger: { kind: "elementCount", elementCount: 2 } },
      finally: { kind: "afterEndOfWindow" },
    });
  });

  it("round-trip through JSON for every kind", () => {
    const early = AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.seconds(30)).alignedTo(Duration.minutes(1), new Date(1000));
    const all: Trigger[] = [
      DefaultTrigger.of(),
      AfterWatermark.pastEndOfWindow(),
      AfterWatermark.pastEndOfWindow().withEarlyFirings(early),
      AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1)),
      AfterWatermark.pastEndOfWindow().withEarlyFirings(early).withLateFirings(AfterPane.elementCountAtLeast(5)),
      AfterProcessingTime.pastFirstElementInPane(),
      early,
      AfterSynchronizedProcessingTime.ofFirstElement(),
      AfterPane.elementCountAtLeast(100),
      Always.of(),
      Never.ever(),
      Repeatedly.forever(AfterPane.elementCountAtLeast(2)),
      AfterFirst.of(AfterPane.elementCountAtLeast(2), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(10)),
      AfterAll.of(AfterPane.elementCountAtLeast(2), AfterWatermark.pastEndOfWindow()),
      AfterEach.inOrder(AfterPane.elementCountAtLeast(2), Repeatedly.forever(AfterPane.elementCountAtLeast(1))),
      Repeatedly.forever(AfterFirst.of(AfterPane.elementCountAtLeast(10), early)).orFinally(AfterWatermark.pastEndOfWindow()),
      DefaultTrigger.of().orFinally(AfterAll.of(Never.ever())),
    ];
    for (const t of all) roundTrip(t);
  });

  it("read like the builder calls", () => {
    expect(
      AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(10)).withLateFirings(AfterPane.elementCountAtLeast(1)).toString(),
    ).toBe("AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(10)).withLateFirings(AfterPane.elementCountAtLeast(1))");
    expect(Repeatedly.forever(Never.ever()).orFinally(AfterPane.elementCountAtLeast(3)).toString()).toBe(
      "Repeatedly.forever(Never.ever()).orFinally(AfterPane.elementCountAtLeast(3))",
    );
  });

  it("require once-triggers where Beam Java does", () => {
    const rep = Repeatedly.forever(AfterPane.elementCountAtLeast(1));
    expect(() => AfterWatermark.pastEndOfWindow().withEarlyFirings(rep)).toThrow(/at most once/);
    expect(() => AfterWatermark.pastEndOfWindow().withLateFirings(DefaultTrigger.of())).toThrow(/at most once/);
    expect(() => AfterFirst.of(AfterPane.elementCountAtLeast(1), rep)).toThrow(/at most once/);
    expect(() => AfterAll.of()).toThrow(/at least one/);
    expect(() => Never.ever().orFinally(rep)).toThrow(/at most once/);
    expect(() => AfterEach.inOrder(rep, AfterPane.elementCountAtLeast(1))).not.toThrow();
    expect(() => AfterPane.elementCountAtLeast(0)).toThrow(RangeError);
    expect(() => AfterProcessingTime.pastFirstElementInPane().plusDelayOf(-1)).toThrow(RangeError);
    expect(() => AfterProcessingTime.pastFirstElementInPane().alignedTo(0)).toThrow(RangeError);
  });

  it("refuse malformed specs with a message", () => {
    expect(() => triggerFromSpec({ kind: "sometimes" })).toThrow(/unknown kind 'sometimes'/);
    expect(() => triggerFromSpec({ kind: "elementCount" })).toThrow(/elementCount/);
    expect(() => triggerFromSpec({ kind: "afterAll", subtriggers: [] })).toThrow(/subtriggers/);
    expect(() => triggerFromSpec({ kind: "afterAny", subtriggers: [{ kind: "default" }] })).toThrow(/at most once/);
    expect(() => triggerFromSpec({ kind: "afterEndOfWindow", earlyFirings: { kind: "repeat", subtrigger: { kind: "never" } } })).toThrow(/earlyFirings/);
    expect(() => triggerFromSpec({ kind: "afterProcessingTime", timestampTransforms: [{ kind: "delay" }] })).toThrow(/timestamp transform/);
    expect(() => triggerFromSpec(null as never)).toThrow(/no kind/);
  });

  it("give Beam's continuation triggers", () => {
    expect(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(5).getContinuationTrigger().toSpec()).toEqual({ kind: "afterSynchronizedProcessingTime" });
    expect(Repeatedly.forever(AfterPane.elementCountAtLeast(5)).getContinuationTrigger().toSpec()).toEqual({
      kind: "repeat",
      subtrigger: { kind: "elementCount", elementCount: 1 },
    });
    expect(AfterEach.inOrder(AfterPane.elementCountAtLeast(5), AfterWatermark.pastEndOfWindow()).getContinuationTrigger().toString()).toBe(
      "Repeatedly.forever(AfterFirst.of(AfterPane.elementCountAtLeast(1), AfterWatermark.pastEndOfWindow()))",
    );
    const wm = AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane()).withLateFirings(AfterPane.elementCountAtLeast(3));
    expect(wm.getContinuationTrigger().toSpec()).toEqual({
      kind: "afterEndOfWindow",
      earlyFirings: { kind: "afterSynchronizedProcessingTime" },
      lateFirings: { kind: "elementCount", elementCount: 1 },
    });
    expect(DefaultTrigger.of().getContinuationTrigger().toSpec()).toEqual({ kind: "default" });
  });

  it("know which may finish", () => {
    expect(AfterPane.elementCountAtLeast(1).mayFinish()).toBe(true);
    expect(Repeatedly.forever(AfterPane.elementCountAtLeast(1)).mayFinish()).toBe(false);
    expect(DefaultTrigger.of().mayFinish()).toBe(false);
    expect(AfterWatermark.pastEndOfWindow().withEarlyFirings(Never.ever()).mayFinish()).toBe(true);
    expect(AfterWatermark.pastEndOfWindow().withLateFirings(Never.ever()).mayFinish()).toBe(false);
    expect(Repeatedly.forever(Never.ever()).orFinally(Never.ever()).mayFinish()).toBe(true);
  });
});
