package dev.flowbook.flink.runtime;

import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import dev.flowbook.flink.plan.Windowing;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;

/** Window.into for the known window fns: new windows from each record's timestamp. */
public final class WindowAssignFn implements MapFunction<byte[], byte[]> {
    private static final long serialVersionUID = 1L;
    private final Windowing input;
    private final Windowing output;

    public WindowAssignFn(Windowing input, Windowing output) {
        this.input = input;
        this.output = output;
    }

    @Override
    public byte[] map(byte[] rec) {
        WindowedValues.View v = new WindowedValues.View().parse(rec, input.windowCoder());
        List<Windows.Window> ws = output.assign(v.timestamp);
        ByteOut o = new ByteOut(rec.length + 16 * ws.size());
        Windows.writeInstant(v.timestamp, o);
        o.writeInt32BE(ws.size());
        for (Windows.Window w : ws) output.windowCoder().write(w, o);
        o.write(rec, v.paneStart, rec.length - v.paneStart);
        return o.toByteArray();
    }
}
