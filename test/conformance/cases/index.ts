import type { PipelineCase } from "../harness.js";
import { coreCases } from "./core.js";
import { groupingCases } from "./grouping.js";
import { sideInputCases } from "./side_inputs.js";
import { windowingCases } from "./windowing.js";

export const allCases: PipelineCase[] = [...coreCases, ...groupingCases, ...sideInputCases, ...windowingCases];
