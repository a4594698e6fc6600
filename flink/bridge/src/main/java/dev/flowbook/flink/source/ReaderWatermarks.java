package dev.flowbook.flink.source;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The watermark strategy of the bridge's unbounded sources: their readers emit the watermarks
 * themselves (ReaderOutput.emitWatermark), by the sources' rules; records keep the timestamps
 * the readers gave them. With {@code WatermarkStrategy.noWatermarks()} Flink would drop the
 * readers' watermarks, so this strategy has a generator that adds none of its own.
 */
public final class ReaderWatermarks {
    private ReaderWatermarks() { }

    public static <T> WatermarkStrategy<T> fromReaders() {
        return WatermarkStrategy.forGenerator(ctx -> new None<>());
    }

    private static final class None<T> implements WatermarkGenerator<T> {
        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) { }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) { }
    }
}
