package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.Windows;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;

/**
 * Final names of a checkpointed (STREAMING) file sink's files. A file holds what one shard
 * (sink subtask) wrote for one window between two checkpoints:
 *
 * <pre>{@code <prefix>[-<window start>-<window end>]-<checkpoint><shard template><suffix>}</pre>
 *
 * e.g. {@code /out/counts-2026-12-06T00:00:10.000Z-2026-12-06T00:00:20.000Z-cp000004-00001-of-00002.txt}.
 * The window part is left out for the global window; times are UTC as Beam prints instants;
 * {@code <checkpoint>} is {@code cp} and the checkpoint's id (six digits at least), or
 * {@code final} for what was written after the last checkpoint of input that ended. A template
 * without a shard run ({@code S}) gets {@code -SSSSS-of-NNNNN}, since shards write at once.
 * Checkpoint ids only grow within a job and past a restore, so a restored job never writes a
 * name its predecessor committed.
 */
public final class StreamingFileNames {
    private StreamingFileNames() { }

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The window part of a name: "" for the global window, else "-start-end". */
    public static String windowLabel(Windows.Window w) {
        if (w instanceof Windows.Interval i) return "-" + instant(i.start()) + "-" + instant(i.end());
        return "";
    }

    private static String instant(long millis) {
        try {
            return ISO.format(Instant.ofEpochMilli(millis));
        } catch (java.time.DateTimeException e) {
            return Long.toString(millis); // beyond what the formatter prints
        }
    }

    public static String checkpointLabel(long checkpointId) {
        return checkpointId == CommittableMessage.EOI ? "final" : String.format("cp%06d", checkpointId);
    }

    public static String finalName(ShardFiles files, PendingFile f, long checkpointId) {
        String template = files.template.contains("S") ? files.template : files.template + "-SSSSS-of-NNNNN";
        String parts = f.windowLabel() + "-" + checkpointLabel(checkpointId);
        // A prefix naming a directory ("/out/") starts the name without a dash.
        String base = files.prefix.endsWith("/") ? files.prefix + parts.substring(1) : files.prefix + parts;
        return ShardNames.name(base, template, files.suffix, f.shard(), f.numShards());
    }
}
