package dev.flowbook.flink.windowing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.Windowing;
import dev.flowbook.flink.runtime.EncodedKeySelector;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * GroupAlsoByWindowOperator in Flink's keyed operator test harness, with KV&lt;string, varint&gt;
 * input, and its output read back as one line per pane or watermark.
 */
final class Harness implements AutoCloseable {
    static final CoderSpec STR = CoderSpec.of(CoderSpec.Kind.STRING_UTF8);
    static final CoderSpec KV = CoderSpec.of(CoderSpec.Kind.KV, STR, CoderSpec.of(CoderSpec.Kind.VARINT));

    final Windowing windowing;
    final GroupAlsoByWindowOperator op;
    final KeyedOneInputStreamOperatorTestHarness<String, byte[], byte[]> h;

    /** {@code windowingJson}: the plan's windowing object, e.g. {"windowFn":{...},"trigger":{...},...}. */
    Harness(String windowingJson) throws Exception {
        this(Windowing.fromJson(Plan.JSON.readTree(windowingJson), "windowing"), null);
    }

    Harness(Windowing w, org.apache.flink.runtime.checkpoint.OperatorSubtaskState restore) throws Exception {
        this(w, restore, null);
    }

    final boolean combining;

    /** With {@code agg}, each pane's value is the aggregate (a varint, as Sum writes it) instead of an Iterable. */
    Harness(Windowing w, org.apache.flink.runtime.checkpoint.OperatorSubtaskState restore, dev.flowbook.flink.runtime.Aggregation agg) throws Exception {
        windowing = w;
        combining = agg != null;
        op = new GroupAlsoByWindowOperator("GBK", STR, w, agg);
        h = new KeyedOneInputStreamOperatorTestHarness<>(op, new EncodedKeySelector(STR, w.windowCoder()), Types.STRING);
        if (restore != null) h.initializeState(restore);
        h.open();
    }

    static JsonNode json(String s) throws Exception {
        return Plan.JSON.readTree(s);
    }

    /** An element KV(key, value) at {@code ts}, in the windows the window fn assigns. */
    Harness add(String key, long value, long ts) throws Exception {
        ByteOut o = new ByteOut();
        Windows.writeInstant(ts, o);
        List<Windows.Window> ws = windowing.assign(ts);
        o.writeInt32BE(ws.size());
        for (Windows.Window w : ws) windowing.windowCoder().write(w, o);
        o.writeByte(0x0F);
        KV.encode(new CoderSpec.KV(key, value), o);
        h.processElement(new StreamRecord<>(o.toByteArray(), ts));
        return this;
    }

    Harness add(long value, long ts) throws Exception {
        return add("k", value, ts);
    }

    /** Flink's watermark: Beam's watermark t is Flink's t - 1. */
    Harness watermark(long flinkWm) throws Exception {
        h.processWatermark(new Watermark(flinkWm));
        return this;
    }

    Harness beamWatermark(long beamWm) throws Exception {
        return watermark(beamWm - 1);
    }

    Harness processingTime(long t) throws Exception {
        h.setProcessingTime(t);
        return this;
    }

    /** The output so far, in order: "W&lt;t&gt;" per watermark, per pane "key [start,end) ts=T PANE values". */
    List<String> out() {
        List<String> res = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) res.add("W" + (w.getTimestamp() == Long.MAX_VALUE ? "max" : w.getTimestamp()));
            else res.add(pane((byte[]) ((StreamRecord<?>) o).getValue()));
        }
        return res;
    }

    /** Only the panes. */
    List<String> panes() {
        List<String> res = new ArrayList<>();
        for (String s : out()) if (!s.startsWith("W")) res.add(s);
        return res;
    }

    String pane(byte[] rec) {
        ByteIn in = new ByteIn(rec);
        long ts = Windows.readInstant(in);
        int n = in.readInt32BE();
        if (n != 1) throw new AssertionError("a pane has one window, got " + n);
        Windows.Window w = windowing.windowCoder().read(in);
        PaneInfo p = PaneInfo.decode(in);
        String key = (String) STR.decode(in);
        if (combining) {
            long sum = in.readVarLong();
            if (!in.atEnd()) throw new AssertionError(in.remaining() + " bytes left in a pane");
            String win = w instanceof Windows.Interval iw ? "[" + iw.start() + "," + iw.end() + ")" : "global";
            return key + " " + win + " ts=" + ts + " " + p + " " + sum;
        }
        int count = in.readInt32BE();
        List<Long> vs = new ArrayList<>();
        for (int i = 0; i < count; i++) vs.add(in.readVarLong());
        if (!in.atEnd()) throw new AssertionError(in.remaining() + " bytes left in a pane");
        vs.sort(null);
        String win = w instanceof Windows.Interval iw ? "[" + iw.start() + "," + iw.end() + ")" : "global";
        String tsText = ts == Windows.END_OF_GLOBAL_WINDOW ? "eogw" : String.valueOf(ts);
        return key + " " + win + " ts=" + tsText + " " + p + " " + vs;
    }

    @Override
    public void close() throws Exception {
        h.close();
    }
}
