/**
 * The conformance harness (like Beam's ValidatesRunner): every pipeline case runs on
 * each runner, and on the local runner a second time from its JSON round-tripped graph.
 */
import { expect } from "vitest";
import { Pipeline, TestPipeline, type PipelineOptions, type PipelineResult } from "../../src/index.js";

export interface PipelineCase {
  name: string;
  /** Builds the pipeline (PAsserts inside check results); may return a check of the result. */
  build(p: Pipeline): void | ((result: PipelineResult) => void | Promise<void>);
  options?: PipelineOptions;
  /** The run must fail, with an error whose message matches. */
  fails?: RegExp;
  /** Runners this case does not apply to, with the reason. */
  skip?: Partial<Record<string, string>>;
}

export interface RunnerUnderTest {
  name: string;
  options: PipelineOptions;
  roundTrip?: boolean;
}

export async function runCase(c: PipelineCase, r: RunnerUnderTest): Promise<void> {
  const p = TestPipeline.create({ ...r.options, ...c.options });
  const check = c.build(p);
  const target = r.roundTrip ? Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())), { ...r.options, ...c.options }) : p;
  const result = target.run();
  if (c.fails) {
    await expect(result.waitUntilFinish()).rejects.toThrow(c.fails);
    expect(result.state).toBe("FAILED");
  } else {
    await result.waitUntilFinish();
    expect(result.state).toBe("DONE");
  }
  if (check) await check(result);
}
