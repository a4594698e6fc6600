/*
 * flowbook — a native Apache Flink DataStream WordCount, in the style of Flink's own
 * flink-examples-streaming WordCount. Baseline of bench/flink-wordcount.
 */
package dev.flowbook.examples.wordcount;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts word occurrences in text files.
 *
 * <p>Usage: {@code WordCount --input <path> [--input <path> ...] [--output <dir>] [--parallelism <n>]
 * [--discovery-interval <seconds>]}
 *
 * <p>Each input is a file or a directory of files, read line by line. Words are the
 * lower-cased runs of word characters ({@code \W+} splits them), as in Flink's example. With
 * {@code --output}, results go to part files in that directory, one {@code word: count} line
 * per word (the format of flowbook's WordCount); without it, they are printed to the
 * TaskManagers' stdout. The job runs in BATCH mode, so each word is emitted once, with its
 * final count.
 *
 * <p>With {@code --discovery-interval}, as in Flink's example, the source keeps watching its
 * inputs for new files and the job runs in STREAMING mode until it is cancelled (counts are
 * then updated as files arrive, and the file sink commits only on checkpoints).
 */
public class WordCount {

    public static void main(String[] args) throws Exception {
        final List<Path> inputs = new ArrayList<>();
        String output = null;
        int parallelism = -1;
        Duration discoveryInterval = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String next = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--input":
                    inputs.add(new Path(require(a, next)));
                    i++;
                    break;
                case "--output":
                    output = require(a, next);
                    i++;
                    break;
                case "--parallelism":
                    parallelism = Integer.parseInt(require(a, next));
                    i++;
                    break;
                case "--discovery-interval":
                    discoveryInterval = Duration.ofMillis(Math.round(Double.parseDouble(require(a, next)) * 1000));
                    i++;
                    break;
                default:
                    throw new IllegalArgumentException(
                            "unknown argument " + a
                                    + "; usage: WordCount --input <path> [--output <dir>] [--parallelism <n>]"
                                    + " [--discovery-interval <seconds>]");
            }
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("--input <path> is required");
        }

        final StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // Bounded input: run as a batch job (blocking shuffles, one final count per word).
        // A continuously monitored input is unbounded: that needs STREAMING.
        env.setRuntimeMode(discoveryInterval == null ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }

        FileSource.FileSourceBuilder<String> builder =
                FileSource.forRecordStreamFormat(new TextLineInputFormat(), inputs.toArray(new Path[0]));
        if (discoveryInterval != null) {
            builder.monitorContinuously(discoveryInterval);
        }
        FileSource<String> source = builder.build();
        DataStream<String> text = env.fromSource(source, WatermarkStrategy.noWatermarks(), "file-input");

        DataStream<Tuple2<String, Integer>> counts =
                // split up the lines in pairs (2-tuples) containing: (word,1)
                text.flatMap(new Tokenizer())
                        .name("tokenizer")
                        // group by the tuple field "0" and sum up tuple field "1"
                        .keyBy(value -> value.f0)
                        .sum(1)
                        .name("counter");

        DataStream<String> lines = counts.map(kv -> kv.f0 + ": " + kv.f1).name("format");

        if (output != null) {
            lines.sinkTo(
                            FileSink.<String>forRowFormat(new Path(output), new SimpleStringEncoder<>())
                                    .withBucketAssigner(new BasePathBucketAssigner<>())
                                    .withOutputFileConfig(
                                            OutputFileConfig.builder()
                                                    .withPartPrefix("wordcount")
                                                    .withPartSuffix(".txt")
                                                    .build())
                                    .build())
                    .name("file-sink");
        } else {
            lines.print().name("print-sink");
        }

        env.execute("WordCount");
    }

    private static String require(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    /**
     * Splits a line into lower-cased words and emits {@code (word, 1)} for each, as Flink's
     * example Tokenizer does.
     */
    public static final class Tokenizer implements FlatMapFunction<String, Tuple2<String, Integer>> {
        @Override
        public void flatMap(String value, Collector<Tuple2<String, Integer>> out) {
            for (String token : value.toLowerCase().split("\\W+")) {
                if (!token.isEmpty()) {
                    out.collect(new Tuple2<>(token, 1));
                }
            }
        }
    }
}
