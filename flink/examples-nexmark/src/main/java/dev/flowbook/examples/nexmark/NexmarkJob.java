/*
 * flowbook — what the three native Nexmark jobs share: arguments, the event source, the file sink.
 */
package dev.flowbook.examples.nexmark;

import java.time.Duration;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

/**
 * Arguments of every query job:
 * {@code --events N --output DIR [--seed S] [--parallelism P] [--streaming] [--checkpoint-ms MS] [--base-time MS]}
 * (the event time of event 0, ms since the epoch; default {@link NexmarkGenerator#BASE_TIME}).
 *
 * <p>The events are numbers 0 … N-1 from Flink's number sequence source (the source flowbook's
 * {@code GenerateSequence.from(0).to(N)} becomes on Flink), each stamped with its event time
 * and turned into its event by {@link NexmarkGenerator}. BATCH mode by default; {@code
 * --streaming} runs the same bounded source in STREAMING mode with watermarks (each source
 * split is in event-time order) and checkpoints, so the file sink commits.
 */
final class NexmarkJob {
    long events = -1;
    int seed = 0;
    String output;
    int parallelism = -1;
    boolean streaming = false;
    long checkpointMs = 1000;
    long baseTime = NexmarkGenerator.BASE_TIME;
    StreamExecutionEnvironment env;

    static NexmarkJob fromArgs(String query, String[] args) {
        NexmarkJob job = new NexmarkJob();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String next = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--events": job.events = Long.parseLong(require(a, next)); i++; break;
                case "--seed": job.seed = Integer.parseInt(require(a, next)); i++; break;
                case "--output": job.output = require(a, next); i++; break;
                case "--parallelism": job.parallelism = Integer.parseInt(require(a, next)); i++; break;
                case "--checkpoint-ms": job.checkpointMs = Long.parseLong(require(a, next)); i++; break;
                case "--base-time": job.baseTime = Long.parseLong(require(a, next)); i++; break;
                case "--streaming": job.streaming = true; break;
                default:
                    throw new IllegalArgumentException("unknown argument " + a + "; usage: " + query
                            + " --events N --output DIR [--seed S] [--parallelism P] [--streaming] [--checkpoint-ms MS] [--base-time MS]");
            }
        }
        if (job.events <= 0 || job.output == null) {
            throw new IllegalArgumentException(query + ": --events N (> 0) and --output DIR are required");
        }
        job.env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.env.setRuntimeMode(job.streaming ? RuntimeExecutionMode.STREAMING : RuntimeExecutionMode.BATCH);
        if (job.streaming) {
            job.env.enableCheckpointing(job.checkpointMs);
        }
        if (job.parallelism > 0) {
            job.env.setParallelism(job.parallelism);
        }
        return job;
    }

    private static String require(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    /** Events 0 … N-1, each with its event time as timestamp. */
    DataStream<NexmarkEvent> events() {
        final int s = seed;
        final long base = baseTime;
        WatermarkStrategy<Long> time = WatermarkStrategy.<Long>forMonotonousTimestamps()
                .withTimestampAssigner((i, previous) -> NexmarkGenerator.eventTimestamp(i, base));
        return env.fromSource(new NumberSequenceSource(0, events - 1), time, "event-numbers")
                .map(i -> NexmarkGenerator.event(i, s, base))
                .name("generate-events");
    }

    /** Lines into part files under --output. */
    void sink(DataStream<String> lines, String prefix) {
        lines.sinkTo(FileSink.<String>forRowFormat(new Path(output), new SimpleStringEncoder<>())
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(prefix).withPartSuffix(".txt").build())
                        .build())
                .name("file-sink");
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
