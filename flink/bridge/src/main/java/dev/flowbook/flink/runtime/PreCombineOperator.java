package dev.flowbook.flink.runtime;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Windowing;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Combiner lifting, before the shuffle: partial native accumulators per (key, window),
 * flushed at end of input, before watermarks and checkpoints, or when too many groups are held.
 */
public final class PreCombineOperator extends AbstractStreamOperator<byte[]>
        implements OneInputStreamOperator<byte[], byte[]>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    public static final int MAX_GROUPS = 100_000;

    private final CoderSpec keyCoder; // null: un-keyed
    private final Windowing windowing;
    private final NativeCombineFn fn;
    private transient Map<GroupKey, Partial> groups;
    private transient WindowedValues.View view;
    private transient StreamRecord<byte[]> reuse;

    private record GroupKey(String key, Windows.Window window) { }

    private static final class Partial {
        final NativeCombineFn.Acc acc;
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;

        Partial(NativeCombineFn.Acc acc) {
            this.acc = acc;
        }
    }

    public PreCombineOperator(CoderSpec keyCoder, Windowing windowing, NativeCombineFn fn) {
        this.keyCoder = keyCoder;
        this.windowing = windowing;
        this.fn = fn;
    }

    @Override
    public void open() throws Exception {
        super.open();
        groups = new HashMap<>();
        view = new WindowedValues.View();
        reuse = new StreamRecord<>(null);
    }

    @Override
    public void processElement(StreamRecord<byte[]> element) {
        byte[] rec = element.getValue();
        view.parse(rec, windowing.windowCoder());
        ByteIn in = view.valueIn();
        String key = "";
        if (keyCoder != null) {
            int s = in.pos;
            keyCoder.skip(in);
            key = new String(rec, s, in.pos - s, StandardCharsets.ISO_8859_1);
        }
        int valueStart = in.pos;
        for (Windows.Window w : view.windows(windowing.windowCoder())) {
            Partial p = groups.computeIfAbsent(new GroupKey(key, w), k -> new Partial(fn.create()));
            fn.addInput(p.acc, new ByteIn(rec, valueStart, rec.length));
            p.minTs = Math.min(p.minTs, view.timestamp);
            p.maxTs = Math.max(p.maxTs, view.timestamp);
        }
        if (groups.size() >= MAX_GROUPS) flush();
    }

    private void flush() {
        ByteOut o = new ByteOut(64);
        for (Map.Entry<GroupKey, Partial> e : groups.entrySet()) {
            Partial p = e.getValue();
            Windows.Window w = e.getKey().window();
            long ts = switch (windowing.timestampCombiner()) {
                case END_OF_WINDOW -> w.maxTimestamp();
                case EARLIEST -> p.minTs;
                case LATEST -> p.maxTs;
            };
            o.reset();
            WindowedValues.writeHeader(o, ts, w, windowing.windowCoder(), WindowedValues.PANE_NO_FIRING);
            String k = e.getKey().key();
            for (int i = 0; i < k.length(); i++) o.writeByte(k.charAt(i));
            fn.encodeAccumulator(p.acc, o);
            output.collect(reuse.replace(o.toByteArray()));
        }
        groups.clear();
    }

    @Override
    public void endInput() {
        flush();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }
}
