package dev.flowbook.flink.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.runtime.TestStreamSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * {@code source:test_stream}: Beam's TestStream, its events replayed in order by
 * {@link TestStreamSource} at parallelism 1, each once the job is quiescent; processing time is
 * the job's synthetic clock ({@link TranslationContext#testStreamClock()}).
 * Payload: {@code {clockStart, events: [{kind: "elements", records: [{record: base64, timestamp}]},
 * {kind: "watermark", to}, {kind: "processing_time", advanceMillis}]}} (records are whole
 * WindowedValue records).
 */
public final class TestStreamTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        JsonNode evs = op.field("events");
        if (!evs.isArray()) throw op.error("payload.events must be an array");
        List<TestStreamSource.Event> events = new ArrayList<>();
        int i = 0;
        for (JsonNode e : evs) {
            String where = "payload.events[" + i + "]";
            switch (e.path("kind").asText("")) {
                case "elements" -> {
                    List<byte[]> recs = new ArrayList<>();
                    JsonNode rs = e.path("records");
                    long[] ts = new long[rs.size()];
                    int k = 0;
                    for (JsonNode r : rs) {
                        try {
                            recs.add(Base64.getDecoder().decode(r.path("record").asText()));
                        } catch (IllegalArgumentException ex) {
                            throw op.error(where + ".records[" + k + "].record is not base64");
                        }
                        ts[k++] = r.path("timestamp").asLong(Windows.TIMESTAMP_MIN);
                    }
                    events.add(new TestStreamSource.Elements(recs, ts));
                }
                case "watermark" -> {
                    JsonNode to = e.path("to");
                    events.add(new TestStreamSource.WatermarkTo(to.isTextual() && to.asText().equals("+inf") ? Long.MAX_VALUE : to.asLong()));
                }
                case "processing_time" -> {
                    long ms = e.path("advanceMillis").asLong(-1);
                    if (ms < 0) throw op.error(where + ".advanceMillis must be a whole number of milliseconds >= 0");
                    events.add(new TestStreamSource.AdvanceProcessingTime(ms));
                }
                default -> throw op.error(where + ".kind must be elements, watermark or processing_time, got " + e.path("kind"));
            }
            i++;
        }
        DataStream<byte[]> s = ctx.env.fromSource(new TestStreamSource(events, ctx.testStreamClock(), ctx.testStreamClockStart()),
                        WatermarkStrategy.forGenerator(c -> new SourceWatermarksOnly()), op.name(), TranslationContext.RECORD)
                .uid(ctx.uid(op, "")).setParallelism(1);
        ctx.setOutput(op, "main", s);
    }

    /** The TestStream's own watermark events are the only watermarks (none derived from elements). */
    public static final class SourceWatermarksOnly implements WatermarkGenerator<byte[]> {
        @Override
        public void onEvent(byte[] event, long ts, WatermarkOutput out) { }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) { }
    }
}
