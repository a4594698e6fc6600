/** Stepping through a recorded Flink translation (issue 15): the model and its text; step_bundle.ts draws it for notebooks (Graphviz, host only). */
export { Stepper, matches, type MoveResult, type StepCommand, type TraceDecision, type TraceEvent, type TraceTransform, type TranslationTrace } from "./stepper.js";
export { stepView, planAfter, type StepView, type StepEdge } from "./step_view.js";
export { stepText, renderStepText, type StepText, type StepTextOptions, type StepStyle } from "./step_text.js";
