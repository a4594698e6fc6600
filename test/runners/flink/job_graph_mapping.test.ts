/**
 * Mapping Flink's plan JSON back onto ours (explain/job_graph_of.ts), without a cluster: the
 * chain tree Flink draws in a vertex's description (`+- `, `:- `, `:  `), HTML escapes,
 * entities this side does not know, and operators no vertex shows. The cluster's own answers
 * are checked in job_graph.test.ts.
 */
import { describe, expect, it } from "vitest";
import { chainFromDescription, mapJobPlan } from "../../../src/runners/flink/explain/index.js";
import type { FlinkPlan } from "../../../src/runners/flink/flink_plan.js";

const plan = (names: Array<[string, string]>): FlinkPlan => ({
  format: "flowbook.flinkplan/v1",
  jobName: "j",
  parallelism: 2,
  runtimeMode: "BATCH",
  stages: {},
  operators: names.map(([id, name], i) => ({ id, name, kind: i === 0 ? "source:text" : "usercode", transforms: [name], inputs: i ? [{ from: "op1", ship: "forward" }] : [], outputs: ["main"] })),
});

describe("Flink's job graph mapped onto our plan", () => {
  it("reads the chain as the tree Flink draws, branches included", () => {
    const d = "Source: A<br/>+- A/ToRecord<br/>   +- B<br/>      :- C<br/>      :  +- C/Write<br/>      +- D<br/>";
    expect(chainFromDescription(d)).toEqual([
      { name: "Source: A" },
      { name: "A/ToRecord", parent: 0 },
      { name: "B", parent: 1 },
      { name: "C", parent: 2 },
      { name: "C/Write", parent: 3 },
      { name: "D", parent: 2 },
    ]);
  });

  it("undoes Flink's HTML escaping, and maps a name with an entity it does not know by the rest of it", () => {
    expect(chainFromDescription("Source: Read &lt;&amp;&gt; &hellip; &rarr; &#92;x")).toEqual([{ name: "Source: Read <&> … → \\x" }]);
    const p = plan([["op1", "Lire ⟨fichiers⟩"], ["op2", "Épurer"]]);
    const g = mapJobPlan(
      { jid: "j1", name: "j", type: "BATCH", nodes: [{ id: "v1", parallelism: 2, operator: "", operator_strategy: "", description: "Source: Lire &lang;fichiers&rang;<br/>+- &Eacute;purer<br/>" }] },
      p,
      "planned",
    );
    expect(g.vertices[0]!.chain.map((c) => c.operator)).toEqual(["op1", "op2"]);
    expect(g.unmapped).toEqual([]);
  });

  it("orders vertices sources first and says which plan operators no vertex shows", () => {
    const p = plan([["op1", "A"], ["op2", "B"], ["op3", "C"]]);
    const g = mapJobPlan(
      {
        jid: "j1",
        name: "j",
        nodes: [
          { id: "v2", parallelism: 2, operator: "", operator_strategy: "", description: "B", inputs: [{ num: 0, id: "v1", ship_strategy: "HASH", exchange: "blocking" }] },
          { id: "v1", parallelism: 1, operator: "", operator_strategy: "", description: "Source: A" },
        ],
      },
      p,
      "planned",
    );
    expect(g.vertices.map((v) => [v.id, v.index])).toEqual([["v1", 1], ["v2", 2]]);
    expect(g.vertices[1]!.inputs).toEqual([{ from: "v1", ship: "HASH", exchange: "blocking" }]);
    expect(g.unmapped).toEqual(["op3"]);
  });
});
