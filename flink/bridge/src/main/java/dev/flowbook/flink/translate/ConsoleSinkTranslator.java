package dev.flowbook.flink.translate;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.CoderSpec;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.metrics.ConsoleAccumulator;
import dev.flowbook.flink.metrics.MetricNames;
import dev.flowbook.flink.plan.OperatorSpec;
import dev.flowbook.flink.plan.Windowing;
import java.util.HexFormat;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * {@code sink:console}: each value as a line of the job's console output (the accumulator
 * {@code flowbook.console/<operator id>}), which the client prints or hands to its session;
 * not the TaskManager's stdout, which nobody at the client sees.
 */
public final class ConsoleSinkTranslator implements Translator {
    @Override
    public void translate(OperatorSpec op, TranslationContext ctx) {
        Windowing w = op.windowing();
        CoderSpec vc = op.field("valueCoder").isNull() ? CoderSpec.of(CoderSpec.Kind.STRING_UTF8) : op.coder("valueCoder");
        ctx.input(op, 0).transform(op.name(), TranslationContext.RECORD, new ConsoleOperator(w, vc, op.optString("prefix", ""),
                        ctx.accumulatorId(op, ""), op.transforms().isEmpty() ? op.name() : op.transforms().get(0), ctx.consoleBytesPerSubtask()))
                .uid(ctx.uid(op, "")).setParallelism(ctx.parallelism(op));
    }

    static final class ConsoleOperator extends AbstractStreamOperator<byte[]> implements OneInputStreamOperator<byte[], byte[]> {
        private static final long serialVersionUID = 1L;
        private final Windowing windowing;
        private final CoderSpec valueCoder;
        private final String prefix;
        private final String accumulatorId;
        private final String transform;
        private final long maxBytes;
        private transient ConsoleAccumulator out;

        ConsoleOperator(Windowing windowing, CoderSpec valueCoder, String prefix, String accumulatorId, String transform, long maxBytes) {
            this.windowing = windowing;
            this.valueCoder = valueCoder;
            this.prefix = prefix;
            this.accumulatorId = accumulatorId;
            this.transform = transform;
            this.maxBytes = maxBytes;
        }

        @Override
        public void open() throws Exception {
            super.open();
            var info = getRuntimeContext().getTaskInfo();
            out = new ConsoleAccumulator(accumulatorId + "/" + info.getIndexOfThisSubtask() + "/" + info.getAttemptNumber(), maxBytes);
            getRuntimeContext().addAccumulator(MetricNames.console(accumulatorId), out);
        }

        @Override
        public void processElement(StreamRecord<byte[]> element) {
            WindowedValues.View v = new WindowedValues.View().parse(element.getValue(), windowing.windowCoder());
            String text;
            if (valueCoder.kind == CoderSpec.Kind.STRING_UTF8) {
                text = (String) valueCoder.decode(v.valueIn());
            } else {
                ByteIn in = v.valueIn();
                text = HexFormat.of().formatHex(in.buf, in.pos, in.end);
            }
            out.add(new ConsoleAccumulator.Line("stdout", transform, prefix + text + "\n"));
        }
    }
}
