package dev.flowbook.flink.windowing;

import dev.flowbook.flink.coders.Windows;

/**
 * Beam's watermark ↔ Flink's, in one place. Flink's {@code Watermark(t)} says no element at or
 * before t follows; Beam's watermark t says none before t. So Beam's t is Flink's t - 1, and
 * Flink's t is Beam's t + 1. The extremes map to each other unchanged (Flink's MIN/MAX are
 * "nothing yet" and "all done"; Beam's +∞ is at or past {@link Windows#TIMESTAMP_MAX}).
 */
public final class BeamTime {
    private BeamTime() { }

    /** The Flink watermark that carries Beam's watermark {@code beam}. */
    public static long toFlink(long beam) {
        if (beam == Long.MIN_VALUE || beam <= Windows.TIMESTAMP_MIN) return Long.MIN_VALUE;
        if (beam == Long.MAX_VALUE || beam >= Windows.TIMESTAMP_MAX) return Long.MAX_VALUE;
        return beam - 1;
    }

    /** Beam's watermark carried by the Flink watermark {@code flink}. */
    public static long fromFlink(long flink) {
        return flink == Long.MIN_VALUE || flink == Long.MAX_VALUE ? flink : flink + 1;
    }
}
