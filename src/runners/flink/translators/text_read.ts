/**
 * TextIO.Read → `source:text`: Flink's FileSource with TextLineInputFormat, lines as
 * WindowedValue<string> in the global window, as the local runner reads them.
 *
 * The bridge decompresses by file extension (.gz/.gzip gzip, .deflate zlib); the local
 * runner by its own rules (.gz/.gzip gzip, .deflate/.zz zlib) or the compression the user set.
 * Where the two could read a file differently the read is refused, not guessed.
 *
 * watchForNewFiles (payload.watch): the same kind with a `watch` payload, which the bridge's
 * TextSourceTranslator hands to WatchedTextSourceTranslator: an unbounded FLIP-27 source with the
 * local runner's rules (src/io/text/watch_source.ts): a file read once when two listings found
 * it unchanged, lines stamped with its modification time, the same watermark. The job then runs
 * in STREAMING mode.
 */
import type { TransformNode } from "../../../graph/types.js";
import type { TextReadPayload } from "../../../io/text/text_source.js";
import type { TranslationContext } from "./context.js";
import { JAVA_CLASS_OF_KIND, JAVA_TRANSLATE_PACKAGE, type TransformTranslator } from "./translator.js";

const GLOB = /[*?[\]{}]/;
/** Extensions the two runners treat differently (one decompresses, the other does not, or differently). */
const AMBIGUOUS = [".zz"];
const BRIDGE_COMPRESSED = [".gz", ".gzip", ".deflate"];

function lastSegment(pattern: string): string {
  return pattern.slice(pattern.lastIndexOf("/") + 1).toLowerCase();
}

/** The extension a pattern's file names certainly end with, if its end is literal. */
function literalEnding(pattern: string): string | undefined {
  const seg = lastSegment(pattern);
  const m = /(\.[a-z0-9]+)$/.exec(seg);
  if (!m) return undefined;
  const before = seg.slice(0, seg.length - m[1]!.length);
  // "*.txt" ends in .txt for sure; "*.{txt,gz}" does not.
  return GLOB.test(m[1]!) || /[{[]$/.test(before) ? undefined : m[1];
}

export const textReadTranslator: TransformTranslator = {
  name: "text_read",
  javaClass: JAVA_CLASS_OF_KIND["source:text"]!,
  becomes: "source:text — Flink's FileSource, one record per line (watchForNewFiles: the bridge's watching text source)",
  translate(t: TransformNode, ctx: TranslationContext): void {
    const p = t.payload as TextReadPayload | undefined;
    if (!p || typeof p.filePattern !== "string") ctx.refuse(t, "its payload has no filePattern");
    const pattern = p.filePattern;
    if (!pattern.startsWith("/")) ctx.refuse(t, `the file pattern ${JSON.stringify(pattern)} is not absolute (the TaskManagers resolve it)`);
    const ending = literalEnding(pattern);
    const compression = p.compression ?? "auto";
    if (ending && AMBIGUOUS.includes(ending)) {
      ctx.refuse(t, `files ending in ${ending} are decompressed differently by the bridge's FileSource; rename them (.deflate) or decompress them first`);
    }
    if (compression === "gzip" && ending !== ".gz" && ending !== ".gzip") {
      ctx.refuse(t, `withCompression("gzip") on files not named *.gz or *.gzip: the bridge's FileSource decompresses by file extension only`);
    }
    if (compression === "deflate" && ending !== ".deflate") {
      ctx.refuse(t, `withCompression("deflate") on files not named *.deflate: the bridge's FileSource decompresses by file extension only`);
    }
    if (compression === "uncompressed" && (!ending || BRIDGE_COMPRESSED.includes(ending))) {
      ctx.refuse(t, `withCompression("uncompressed") on files that may end in .gz/.gzip/.deflate: the bridge's FileSource would decompress them; name the files' extension in the pattern`);
    }
    const maxLineOpt = (ctx.options as { flinkMaxElementBytes?: unknown }).flinkMaxElementBytes;
    if (maxLineOpt !== undefined && !(Number.isInteger(maxLineOpt) && (maxLineOpt as number) > 0)) ctx.refuse(t, `flinkMaxElementBytes must be a positive integer (bytes), got ${String(maxLineOpt)}`);
    const maxLine = maxLineOpt as number | undefined;
    const emptyMatch = p.emptyMatch === "allow" || (p.emptyMatch === "allow_if_wildcard" && GLOB.test(pattern)) ? "allow" : "disallow";
    if (p.watch) {
      ctx.decide({
        kind: "runtime-mode",
        choice: "STREAMING, WatchedTextSource",
        reason: `watchForNewFiles: TextSourceTranslator hands it to ${JAVA_TRANSLATE_PACKAGE}.WatchedTextSourceTranslator, an unbounded FLIP-27 source listing the pattern every ${p.watch.pollIntervalMillis} ms, lines stamped with their file's modification time`,
      });
    }
    const op = ctx.addOperator({
      name: t.fullName,
      kind: "source:text",
      transforms: [t.fullName],
      inputs: [],
      outputs: ["main"],
      // The longest line the bridge reads (default 32 MiB there): past it the job fails naming the file, the limit and this option, not with a bare OutOfMemoryError.
      payload: {
        filePatterns: [pattern],
        emptyMatch,
        ...(maxLine !== undefined ? { maxLineBytes: maxLine } : {}),
        ...(p.watch ? { watch: { ...p.watch } } : {}),
      },
    });
    ctx.setOutput(ctx.output(t), { op: op.id, output: "main" });
  },
};
