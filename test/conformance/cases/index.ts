import type { PipelineCase } from "../harness.js";
import { coderCases } from "./coders.js";
import { coreCases } from "./core.js";
import { groupingCases } from "./grouping.js";
import { modelCases } from "./model.js";
import { sideInputCases } from "./side_inputs.js";
import { streamingCases } from "./streaming.js";
import { windowedCases } from "./windowed.js";
import { windowingCases } from "./windowing.js";

export const allCases: PipelineCase[] = [
  ...coreCases, ...groupingCases, ...sideInputCases, ...windowingCases,
  ...modelCases, ...windowedCases, ...coderCases, ...streamingCases,
];
