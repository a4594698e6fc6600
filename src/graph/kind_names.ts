/** What kind of transform a URN is, for people: the graph's drawing and the translation trace name kinds alike. */
import { Urns } from "./types.js";

export const KIND_NAMES: Readonly<Record<string, string>> = {
  [Urns.CREATE]: "Create",
  [Urns.PAR_DO]: "ParDo",
  [Urns.GROUP_BY_KEY]: "GroupByKey",
  [Urns.COMBINE_PER_KEY]: "Combine.perKey",
  [Urns.COMBINE_GLOBALLY]: "Combine.globally",
  [Urns.COMBINE_GROUPED_VALUES]: "Combine.GroupedValues",
  [Urns.FLATTEN]: "Flatten",
  [Urns.WINDOW_INTO]: "Window.into",
  [Urns.RESHUFFLE]: "Reshuffle",
  [Urns.TEXT_READ]: "TextIO.Read",
  [Urns.TEXT_WRITE]: "TextIO.Write",
  [Urns.AVRO_READ]: "AvroIO.Read",
  [Urns.AVRO_WRITE]: "AvroIO.Write",
  [Urns.CONSOLE_WRITE]: "ConsoleIO.Write",
  [Urns.GENERATE_SEQUENCE]: "GenerateSequence",
  [Urns.TEST_STREAM]: "TestStream",
  [Urns.COMPOSITE]: "composite",
};

/** The short kind of a URN ("ParDo", "TextIO.Read"), or the URN itself when it has none. */
export function kindName(urn: string): string {
  return KIND_NAMES[urn] ?? (urn || "(no kind)");
}
