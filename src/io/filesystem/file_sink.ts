/**
 * The part of TextIO.write() and AvroIO.write() that does not depend on the format:
 * one temporary file per writer, written synchronously with fs.writeSync in large
 * chunks (writers run inside worker threads), renamed to the sharded final names in
 * finalize, removed on abort. See temp_files.ts for the protocol.
 */
import * as fs from "node:fs";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import type { SinkImpl, SinkWriter, WriteContext } from "../registry.js";
import { checkOutputDir, ensureDir, outputDirOf } from "./output_location.js";
import { removeDirIfEmpty, removeSinkTemps, renameAll, shardName, tempDir, tempFile, type ShardResult } from "./temp_files.js";

/** The fields every file sink payload has (JSON). */
export interface FileSinkPayload {
  /** Absolute output prefix, resolved against the working directory at apply time. */
  prefix: string;
  /** Appended after the shard part of the name (default ""). */
  suffix: string;
  /** A fixed number of shards, or 0 to use one shard per writer (the runner's choice). */
  numShards: number;
  /** Default `-SSSSS-of-NNNNN`; "" with withoutSharding(). */
  shardTemplate: string;
}

/** A file's byte sink: synchronous, whole writes. */
export class FileOutput {
  bytes = 0;
  constructor(readonly fd: number) {}
  write(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
    this.bytes += data.length;
  }
}

/** Turns records into bytes for one file. */
export interface FormatWriter {
  /** Buffers one record, writing to the output when the buffer is large. */
  write(value: unknown): void;
  /** Writes what is buffered and any trailer. */
  finish(): void;
}

export interface FileFormat<P extends FileSinkPayload> {
  /** For messages: "TextIO.Write", "AvroIO.Write". */
  readonly name: string;
  /** Checks the payload (runs before any file is created). */
  validate?(payload: P): void;
  open(payload: P, out: FileOutput): FormatWriter;
}

function checkPayload(p: FileSinkPayload, what: string): void {
  if (!p || typeof p.prefix !== "string" || !path.isAbsolute(p.prefix)) throw new Error(`${what} payload needs an absolute 'prefix'`);
  if (typeof p.shardTemplate !== "string") throw new Error(`${what} payload needs a 'shardTemplate'`);
}

/**
 * Creates a writer's temporary file, and the directories above it (bounded: see
 * output_location.ts); a failure names the transform, the output prefix and the cause.
 */
async function openTemp(file: string, prefix: string, what: string): Promise<number> {
  try {
    await ensureDir(path.dirname(file));
    return fs.openSync(file, "w");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code && err.path ? `cannot create ${err.path} (${err.code})` : err.message;
    throw new Error(`${what} cannot write to ${prefix}: ${reason}`);
  }
}

/** The SinkImpl of a file format. */
export function fileSink<P extends FileSinkPayload>(format: FileFormat<P>): SinkImpl {
  return {
    numShards(payload: P): number | undefined {
      return payload.numShards > 0 ? payload.numShards : undefined;
    },

    async check(payload: P, ctx: { transform: string }): Promise<void> {
      checkPayload(payload, format.name);
      try {
        checkOutputDir(outputDirOf(payload.prefix));
      } catch (e) {
        throw new Error(`${format.name} '${ctx.transform}' cannot write to ${payload.prefix}: ${(e as Error).message}`);
      }
    },

    async open(payload: P, ctx: WriteContext): Promise<SinkWriter> {
      checkPayload(payload, format.name);
      format.validate?.(payload);
      const file = tempFile(payload.prefix, ctx.runId, ctx.transform, ctx.writerIndex);
      const fd = await openTemp(file, payload.prefix, `${format.name} '${ctx.transform}'`);
      const out = new FileOutput(fd);
      let open = true;
      let records = 0;
      let writer: FormatWriter;
      try {
        writer = format.open(payload, out);
      } catch (e) {
        fs.closeSync(fd);
        fs.rmSync(file, { force: true });
        throw e;
      }
      const closeFd = () => {
        if (open) {
          open = false;
          fs.closeSync(fd);
        }
      };
      return {
        write(value: unknown): void {
          writer.write(value);
          records++;
        },
        async close(): Promise<ShardResult> {
          try {
            writer.finish();
          } finally {
            closeFd();
          }
          return { tempFile: file, writerIndex: ctx.writerIndex, records, bytes: out.bytes };
        },
        async abort(): Promise<void> {
          try {
            closeFd();
          } catch {
            /* already closed */
          }
          await fsp.rm(file, { force: true });
        },
      };
    },

    async finalize(payload: P, results: unknown[], ctx: { runId: string; transform: string }): Promise<{ files: string[] }> {
      checkPayload(payload, format.name);
      const what = `${format.name} '${ctx.transform}'`;
      const shards = (results.filter((r) => r && typeof r === "object" && typeof (r as ShardResult).tempFile === "string") as ShardResult[])
        .map((r, i) => ({ r, i }))
        .sort((a, b) => (a.r.writerIndex ?? a.i) - (b.r.writerIndex ?? b.i) || a.i - b.i)
        .map((x) => x.r);
      const fixed = payload.numShards > 0 ? payload.numShards : undefined;
      if (fixed !== undefined && shards.length > fixed) {
        throw new Error(`${what}: ${shards.length} writers produced files but the sink asked for ${fixed} shards`);
      }
      // Missing shards (a fixed count, or no writer at all) are written empty, as Beam does.
      const want = fixed ?? Math.max(1, shards.length);
      const temps = shards.map((s) => s.tempFile);
      for (let i = shards.length; i < want; i++) {
        const file = tempFile(payload.prefix, ctx.runId, ctx.transform, i);
        const fd = await openTemp(file, payload.prefix, what);
        try {
          format.open(payload, new FileOutput(fd)).finish();
        } finally {
          fs.closeSync(fd);
        }
        temps.push(file);
      }
      const plan = temps.map((from, i) => ({ from, to: shardName(payload.prefix, payload.shardTemplate, payload.suffix ?? "", i, want) }));
      if (new Set(plan.map((p) => p.to)).size !== plan.length) {
        throw new Error(`${what}: the shard template ${JSON.stringify(payload.shardTemplate)} gives ${want} shards the same name; it needs an S (or use withNumShards(1))`);
      }
      const files = await renameAll(plan, what);
      await removeDirIfEmpty(tempDir(payload.prefix, ctx.runId));
      return { files };
    },

    async abort(payload: P, results: unknown[], ctx: { runId: string; transform: string }): Promise<void> {
      if (!payload || typeof payload.prefix !== "string") return;
      const known = results.flatMap((r) => (r && typeof (r as ShardResult).tempFile === "string" ? [(r as ShardResult).tempFile] : []));
      await removeSinkTemps(payload.prefix, ctx.runId, ctx.transform, known);
    },
  };
}
