/**
 * The one currency of display: a mime bundle, `{ mime type → data }`, as Jupyter's
 * display_data carries it. Text types are strings; JSON types (`application/json`,
 * `application/vnd.vegalite.v5+json`, `application/vnd.dataresource+json`,
 * `application/vnd.flowbook.*+json`) are plain JSON values; `image/png` is base64.
 */
export type MimeBundle = Record<string, unknown>;

/**
 * A value with a method under this key shows as the bundle it returns (users' own
 * displayable types): `[DISPLAY]() { return { "text/html": "<b>hi</b>" } }`. A
 * `toMimeBundle()` method is honoured the same way.
 */
export const DISPLAY = Symbol.for("flowbook.display");

/** What a front end tells the renderers about where a bundle will be shown. */
export interface DisplayContext {
  /** Columns for text/plain (a terminal's width; 100 in a notebook). */
  width?: number;
}

/** The mime types front ends agree on. */
export const Mime = {
  text: "text/plain",
  html: "text/html",
  markdown: "text/markdown",
  svg: "image/svg+xml",
  png: "image/png",
  json: "application/json",
  vegaLite: "application/vnd.vegalite.v5+json",
  dataResource: "application/vnd.dataresource+json",
  /** A run's progress (ProgressState, progress.ts): the REPL draws it as a bar. */
  progress: "application/vnd.flowbook.progress+json",
  /**
   * A graph's summary and a Flink plan as JSON, under types of our own: JupyterLab ranks
   * `application/json` above SVG and PNG, and would show the picture as a JSON tree.
   */
  graphJson: "application/vnd.flowbook.graph+json",
  planJson: "application/vnd.flowbook.plan+json",
} as const;

/**
 * Display metadata for a bundle whose PNG was drawn at a higher density than its SVG (the
 * renderers draw PNGs at 2×): the SVG's size, so a notebook shows the PNG at its natural
 * size, sharp on high-density screens, not twice as large.
 */
export function imageMetadata(bundle: MimeBundle): Record<string, unknown> {
  const svg = bundle[Mime.svg];
  if (typeof svg !== "string" || typeof bundle[Mime.png] !== "string") return {};
  const open = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const size = (attr: string) => {
    const m = new RegExp(`\\b${attr}="([0-9.]+)(?:px|pt)?"`).exec(open);
    return m ? Math.round(Number(m[1]) * (/pt"/.test(m[0]) ? 4 / 3 : 1)) : undefined;
  };
  const width = size("width");
  const height = size("height");
  return width && height ? { [Mime.png]: { width, height } } : {};
}
