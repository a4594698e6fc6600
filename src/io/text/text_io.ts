/**
 * TextIO: lines of text files in, lines of text files out.
 *
 *   p.apply("ReadLines", TextIO.read().from("data/*.txt"))          // PCollection<string>
 *   lines.apply(TextIO.write().to("out/wordcounts").withSuffix(".txt").withNumShards(3))
 *     // → out/wordcounts-00000-of-00003.txt, ...-00001-of-00003.txt, ...-00002-of-00003.txt
 *
 *   // Unbounded: new files as they arrive (each read once, when complete), until none came for 5 minutes
 *   p.apply(TextIO.read().from("inbox/*.txt").watchForNewFiles(Duration.seconds(10), { stopAfterNoNewFilesFor: Duration.minutes(5) }))
 *
 * Builders are immutable: each with-method returns a new transform.
 */
import { Urns } from "../../graph/types.js";
import { StringUtf8Coder } from "../../sdk/coders/string_utf8_coder.js";
import { PBegin, PCollection, PDone } from "../../sdk/pcollection.js";
import { PTransform, TransformApplicationError } from "../../sdk/transforms/ptransform.js";
import { durationMillis, type DurationLike } from "../../sdk/values/time.js";
import { WindowingStrategy } from "../../sdk/windowing/windowing_strategy.js";
import { parseCompression, type CompressionName } from "../filesystem/compression.js";
import { resolvePattern, type EmptyMatchTreatment } from "../filesystem/match.js";
import { checkOutputLocation } from "../filesystem/output_location.js";
import { DEFAULT_SHARD_TEMPLATE } from "../filesystem/temp_files.js";
import type { TextReadPayload } from "./text_source.js";
import type { TextWritePayload } from "./text_sink.js";
import "./text_source.js";
import "./watch_source.js";
import "./text_sink.js";

interface ReadSpec {
  filePattern?: string;
  compression: CompressionName;
  emptyMatch: EmptyMatchTreatment;
  watch?: { pollIntervalMillis: number; stopAfterNoNewFilesMillis?: number };
}

/** watchForNewFiles' options. */
export interface WatchForNewFilesOptions {
  /** End the read once no new file appeared for this long (Beam's Watch.Growth.afterTimeSinceNewOutput); default: never end. */
  stopAfterNoNewFilesFor?: DurationLike;
}

const EMPTY_MATCH: Record<string, EmptyMatchTreatment> = { disallow: "disallow", allow: "allow", allow_if_wildcard: "allow_if_wildcard" };

function fail(message: string): never {
  throw new TransformApplicationError(message);
}

/** `TextIO.read().from(pattern)`: each line of the matched files, without its terminator. */
export class TextIORead extends PTransform<PBegin, PCollection<string>> {
  constructor(private readonly spec: ReadSpec = { compression: "auto", emptyMatch: "disallow" }) {
    super();
  }

  /** The files to read: a path or glob (`*`, `?`, `[..]`, `{a,b}`, `**`), relative to the working directory. */
  from(filePattern: string): TextIORead {
    if (typeof filePattern !== "string" || filePattern === "") fail(`TextIO.read().from() needs a file pattern, got ${JSON.stringify(filePattern)}`);
    return new TextIORead({ ...this.spec, filePattern });
  }

  /** "auto" (default: `.gz` → gzip, `.deflate` → deflate, else uncompressed), "gzip", "deflate" or "uncompressed". */
  withCompression(compression: CompressionName | string): TextIORead {
    let c: CompressionName;
    try {
      c = parseCompression(compression, "TextIO.read().withCompression()");
    } catch (e) {
      fail((e as Error).message);
    }
    return new TextIORead({ ...this.spec, compression: c });
  }

  /** What a pattern matching no file does: "disallow" (default: the run fails), "allow", "allow_if_wildcard". */
  withEmptyMatchTreatment(treatment: EmptyMatchTreatment | string): TextIORead {
    const t = typeof treatment === "string" ? EMPTY_MATCH[treatment.toLowerCase()] : undefined;
    if (!t) fail(`TextIO.read().withEmptyMatchTreatment(): unknown treatment ${JSON.stringify(treatment)} (use "disallow", "allow" or "allow_if_wildcard")`);
    return new TextIORead({ ...this.spec, emptyMatch: t });
  }

  /**
   * Makes the read unbounded (Beam's watchForNewFiles): the pattern is listed every
   * `pollInterval`, and each file is read once, when two listings in a row found it with the same
   * size and modification time (write files elsewhere and move them in, or just write them).
   * Every line is stamped with its file's modification time; the watermark is the least of the
   * latest listing's start and the modification times of files found but not yet read, so a
   * file moved in with an older modification time is late data. Files present at the start are
   * read too. A pattern matching nothing is not an error here: files may come later. See
   * src/io/text/watch_source.ts for the exact rules (the Flink runner follows the same).
   */
  watchForNewFiles(pollInterval: DurationLike, options: WatchForNewFilesOptions = {}): TextIORead {
    const pollIntervalMillis = durationMillis(pollInterval);
    if (!Number.isFinite(pollIntervalMillis) || pollIntervalMillis <= 0) fail(`TextIO.read().watchForNewFiles() needs a positive poll interval, got ${String(pollIntervalMillis)} ms`);
    const watch: NonNullable<ReadSpec["watch"]> = { pollIntervalMillis };
    if (options.stopAfterNoNewFilesFor !== undefined) {
      const ms = durationMillis(options.stopAfterNoNewFilesFor);
      if (!Number.isFinite(ms) || ms < 0) fail(`TextIO.read().watchForNewFiles(): stopAfterNoNewFilesFor needs a non-negative duration, got ${String(ms)} ms`);
      watch.stopAfterNoNewFilesMillis = ms;
    }
    return new TextIORead({ ...this.spec, watch });
  }

  /** The pattern as given (before it is made absolute at apply time). */
  get filePattern(): string | undefined {
    return this.spec.filePattern;
  }

  override defaultName(): string {
    return "TextIO.Read";
  }

  expand(input: PBegin): PCollection<string> {
    if (!(input instanceof PBegin)) fail("TextIO.read() must be applied to the pipeline: p.apply(TextIO.read().from(pattern))");
    if (this.spec.filePattern === undefined) fail("TextIO.read() needs .from(pattern)");
    let filePattern: string;
    try {
      filePattern = resolvePattern(this.spec.filePattern, "TextIO.read().from()");
    } catch (e) {
      fail((e as Error).message);
    }
    const payload: TextReadPayload = { filePattern, compression: this.spec.compression, emptyMatch: this.spec.emptyMatch };
    if (this.spec.watch) payload.watch = { ...this.spec.watch };
    return input.pipeline
      .primitive({
        urn: Urns.TEXT_READ,
        payload: () => ({ ...payload, ...(payload.watch ? { watch: { ...payload.watch } } : {}) }),
        outputs: [{ tag: "main", coder: () => StringUtf8Coder.of(), windowing: WindowingStrategy.globalDefault(), isBounded: !payload.watch }],
      })
      .get("main") as PCollection<string>;
  }
}

interface WriteSpec {
  prefix?: string;
  suffix: string;
  numShards: number;
  shardTemplate: string;
  compression: Exclude<CompressionName, "auto">;
  header: string | null;
  footer: string | null;
}

/** Checks a shard count; shared by TextIO and AvroIO. */
export function checkNumShards(n: unknown, what: string): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) fail(`${what}.withNumShards() needs a non-negative integer, got ${String(n)}`);
  return n;
}

/** Checks a shard template against a shard count (a template without S can only name one shard). */
export function checkShardTemplate(template: string, numShards: number, what: string): void {
  if (!/S/.test(template) && numShards !== 1) {
    fail(`${what}: the shard name template ${JSON.stringify(template)} has no S (shard index), so it needs withNumShards(1) (or use withoutSharding())`);
  }
}

/** `TextIO.write().to(prefix)`: each element (a string) as a line of sharded text files. */
export class TextIOWrite extends PTransform<PCollection<string>, PDone> {
  constructor(
    private readonly spec: WriteSpec = {
      suffix: "",
      numShards: 0,
      shardTemplate: DEFAULT_SHARD_TEMPLATE,
      compression: "uncompressed",
      header: null,
      footer: null,
    },
  ) {
    super();
  }

  private with(changes: Partial<WriteSpec>): TextIOWrite {
    return new TextIOWrite({ ...this.spec, ...changes });
  }

  /** The output prefix (relative to the working directory): files are prefix + shard part + suffix. */
  to(prefix: string): TextIOWrite {
    if (typeof prefix !== "string" || prefix === "") fail(`TextIO.write().to() needs an output prefix, got ${JSON.stringify(prefix)}`);
    return this.with({ prefix });
  }
  withSuffix(suffix: string): TextIOWrite {
    if (typeof suffix !== "string") fail("TextIO.write().withSuffix() needs a string");
    return this.with({ suffix });
  }
  /** A fixed number of output files; 0 (the default) lets the runner choose (one per writer). */
  withNumShards(numShards: number): TextIOWrite {
    return this.with({ numShards: checkNumShards(numShards, "TextIO.write()") });
  }
  /** Beam's template syntax: runs of S → shard index, runs of N → shard count, zero-padded. Default `-SSSSS-of-NNNNN`. */
  withShardNameTemplate(template: string): TextIOWrite {
    if (typeof template !== "string") fail("TextIO.write().withShardNameTemplate() needs a string");
    return this.with({ shardTemplate: template });
  }
  /** One file named exactly prefix + suffix. */
  withoutSharding(): TextIOWrite {
    return this.with({ numShards: 1, shardTemplate: "" });
  }
  /** "uncompressed" (default), "gzip" or "deflate"; adds ".gz" / ".deflate" to the suffix unless it ends so already. */
  withCompression(compression: CompressionName | string): TextIOWrite {
    let c: CompressionName;
    try {
      c = parseCompression(compression, "TextIO.write().withCompression()");
    } catch (e) {
      fail((e as Error).message);
    }
    if (c === "auto") fail(`TextIO.write().withCompression(): "auto" is for reading; use "gzip", "deflate" or "uncompressed"`);
    return this.with({ compression: c });
  }
  /** A line written at the start of every file. */
  withHeader(header: string | null): TextIOWrite {
    return this.with({ header: header ?? null });
  }
  /** A line written at the end of every file. */
  withFooter(footer: string | null): TextIOWrite {
    return this.with({ footer: footer ?? null });
  }

  override defaultName(): string {
    return "TextIO.Write";
  }

  expand(input: PCollection<string>): PDone {
    if (!(input instanceof PCollection)) fail("TextIO.write() must be applied to a PCollection<string>");
    const s = this.spec;
    if (s.prefix === undefined) fail("TextIO.write() needs .to(prefix)");
    checkShardTemplate(s.shardTemplate, s.numShards, "TextIO.write()");
    let prefix: string;
    try {
      prefix = resolvePattern(s.prefix, "TextIO.write().to()");
    } catch (e) {
      fail((e as Error).message);
    }
    if (s.prefix.endsWith("/") && !prefix.endsWith("/")) prefix += "/";
    checkOutputLocation(prefix, `TextIO.write() '${input.pipeline.currentTransformName()}'`);
    const ext = s.compression === "gzip" ? ".gz" : s.compression === "deflate" ? ".deflate" : "";
    const suffix = ext && !s.suffix.toLowerCase().endsWith(ext) ? s.suffix + ext : s.suffix;
    const payload: TextWritePayload = {
      prefix,
      suffix,
      numShards: s.numShards,
      shardTemplate: s.shardTemplate,
      compression: s.compression,
      header: s.header,
      footer: s.footer,
    };
    input.pipeline.primitive({ urn: Urns.TEXT_WRITE, payload: () => ({ ...payload }), outputs: [] });
    return new PDone(input.pipeline);
  }
}

/** TextIO.read() and TextIO.write(), as in Beam. */
export const TextIO = {
  read(): TextIORead {
    return new TextIORead();
  },
  write(): TextIOWrite {
    return new TextIOWrite();
  },
};
