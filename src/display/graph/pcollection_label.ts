/**
 * A PCollection's name on an edge or a tree line: relative to the composite it is drawn
 * in (`CountWords/ExtractWords.out` inside CountWords reads `ExtractWords.out`), with the
 * middle of a deep path elided (`CountWords/…/Combine.GroupedValues.out`).
 */
export function pcollectionLabel(name: string, within?: string): string {
  const relative = within && name.startsWith(within + "/") ? name.slice(within.length + 1) : name;
  const parts = relative.split("/");
  return parts.length > 2 ? `${parts[0]}/…/${parts[parts.length - 1]}` : relative;
}
