/**
 * Graphviz draws a cluster's title before the edges, and an edge entering the cluster from
 * above may run through it. This moves every cluster title to the end of the SVG (above
 * the edges) with a halo of the cluster's fill, so a crossing edge passes under the text.
 * It relies on Graphviz's SVG shape: each `<g class="cluster">` holds the box's path (its
 * fill) and the title's `<text>` elements, and ends where the next comment or group starts.
 */
const CLUSTER = /<g id="[^"]*" class="cluster">[\s\S]*?(?=\n<!--|\n<g id="[^"]*" class="(?:cluster|node|edge)"|\n<\/g>\n<\/svg>)/g;
const TEXT = /<text\b[^>]*>[\s\S]*?<\/text>\n?/g;

export function liftClusterTitles(svg: string): string {
  const lifted: string[] = [];
  const body = svg.replace(CLUSTER, (cluster) => {
    const fill = /<path fill="([^"]+)"/.exec(cluster)?.[1] ?? "white";
    return cluster.replace(TEXT, (text) => {
      lifted.push(text.trim().replace(/^<text\b/, `<text stroke="${fill}" stroke-width="5" stroke-linejoin="round" paint-order="stroke"`));
      return "";
    });
  });
  if (!lifted.length) return svg;
  // Inside the outermost group (it carries Graphviz's translate), after everything else.
  const end = body.lastIndexOf("</g>");
  return `${body.slice(0, end)}<g class="cluster-titles">\n${lifted.join("\n")}\n</g>\n${body.slice(end)}`;
}
