/**
 * What the session loads into the vm2 sandbox cells run in: the API (src/api.ts) and the
 * hooks the session drives it by, bundled into one CommonJS script (api_bundle.ts). The
 * sandbox has its own copy of the SDK, so a cell's `class X extends DoFn` extends a class
 * of its own realm and the serializer reads the cell's functions directly. What runs a
 * pipeline stays outside: runs are forwarded to the host's runners as the graph's JSON
 * (forwarding_runner.ts).
 */
import "./install_globals.js";
import * as api from "../../api.js";
import { installInstrumentationGlobals } from "../../graph/functions/meta.js";
import { registerSandboxModule, setHostJsonParse } from "../../graph/realm.js";
import { resultBundleOf } from "../../display/interactive/calls.js";
import { connectInteractiveServices } from "../../display/interactive/services.js";
import { onPipelineCreated, setDefaultPipelineOptions, setTransformOwner, type Pipeline } from "../../sdk/pipeline.js";
import { onPipelineRun } from "../../sdk/runner.js";
import { connectHostRunners, type HostRunners } from "./forwarding_runner.js";

export { api, connectHostRunners, installInstrumentationGlobals, onPipelineCreated, onPipelineRun, registerSandboxModule, setDefaultPipelineOptions, setHostJsonParse, setTransformOwner, connectInteractiveServices };

/** A pipeline's graph as JSON text, made in the sandbox (a string crosses vm2 as it is). */
export function graphJson(p: Pipeline): string {
  return JSON.stringify(p.toJSON());
}
export type { HostRunners };

/** The bundle a cell's value shows as (display's own function), as JSON text. */
export async function bundleJson(value: unknown): Promise<string> {
  return JSON.stringify(await resultBundleOf(value));
}
