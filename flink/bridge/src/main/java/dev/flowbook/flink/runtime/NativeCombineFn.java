package dev.flowbook.flink.runtime;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.CoderSpec;
import java.io.Serializable;

/**
 * The known combiners (sum, count, min, max, mean over varint or double values), run in
 * Java. Accumulators travel between PreCombine and Merge in this class's own encoding:
 * count: varint; sum/min/max: the input coder; mean: varint count + double sum.
 */
public final class NativeCombineFn implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Fn { SUM, COUNT, MIN, MAX, MEAN }

    public enum Num { LONG, DOUBLE, ANY }

    public final Fn fn;
    public final Num num;

    public NativeCombineFn(Fn fn, Num num) {
        this.fn = fn;
        this.num = num;
    }

    /** Which value coder the fn reads, or an error text. */
    public static Num numOf(CoderSpec coder) {
        if (coder == null) return Num.ANY;
        return switch (coder.kind) {
            case VARINT -> Num.LONG;
            case DOUBLE -> Num.DOUBLE;
            default -> Num.ANY;
        };
    }

    public static final class Acc {
        long count;
        long l;
        double d;
    }

    public Acc create() {
        Acc a = new Acc();
        if (fn == Fn.MIN) {
            a.l = Long.MAX_VALUE;
            a.d = Double.POSITIVE_INFINITY;
        } else if (fn == Fn.MAX) {
            a.l = Long.MIN_VALUE;
            a.d = Double.NEGATIVE_INFINITY;
        }
        return a;
    }

    /** Adds one input value (its nested encoding at {@code in}). */
    public void addInput(Acc a, ByteIn in) {
        a.count++;
        if (fn == Fn.COUNT) return;
        if (num == Num.LONG) {
            long v = in.readVarLong();
            switch (fn) {
                case SUM -> a.l += v;
                case MIN -> a.l = Math.min(a.l, v);
                case MAX -> a.l = Math.max(a.l, v);
                case MEAN -> a.d += v;
                default -> { }
            }
        } else {
            double v = in.readDoubleBE();
            switch (fn) {
                case SUM, MEAN -> a.d += v;
                case MIN -> a.d = Math.min(a.d, v);
                case MAX -> a.d = Math.max(a.d, v);
                default -> { }
            }
        }
    }

    public void encodeAccumulator(Acc a, ByteOut out) {
        switch (fn) {
            case COUNT -> out.writeVarLong(a.count);
            case MEAN -> out.writeVarLong(a.count).writeDoubleBE(a.d);
            default -> {
                if (num == Num.LONG) out.writeVarLong(a.l);
                else out.writeDoubleBE(a.d);
            }
        }
    }

    /** Merges an encoded accumulator into {@code a}. */
    public void mergeEncoded(Acc a, ByteIn in) {
        switch (fn) {
            case COUNT -> a.count += in.readVarLong();
            case MEAN -> {
                a.count += in.readVarLong();
                a.d += in.readDoubleBE();
            }
            default -> {
                a.count++;
                if (num == Num.LONG) {
                    long v = in.readVarLong();
                    a.l = fn == Fn.SUM ? a.l + v : fn == Fn.MIN ? Math.min(a.l, v) : Math.max(a.l, v);
                } else {
                    double v = in.readDoubleBE();
                    a.d = fn == Fn.SUM ? a.d + v : fn == Fn.MIN ? Math.min(a.d, v) : Math.max(a.d, v);
                }
            }
        }
    }

    /** Writes the extracted output in the output coder (varint for count, double for mean, else the input's). */
    public void encodeOutput(Acc a, ByteOut out) {
        switch (fn) {
            case COUNT -> out.writeVarLong(a.count);
            case MEAN -> out.writeDoubleBE(a.count == 0 ? Double.NaN : a.d / a.count);
            default -> {
                if (num == Num.LONG) out.writeVarLong(a.l);
                else out.writeDoubleBE(a.d);
            }
        }
    }

    /** The Merge side: accumulators in, extracted output out. */
    public Aggregation mergeAggregation() {
        NativeCombineFn self = this;
        return new Aggregation() {
            private static final long serialVersionUID = 1L;

            @Override
            public Object newAccumulator() {
                return self.create();
            }

            @Override
            public Object add(Object acc, byte[] rec, int from, int to) {
                self.mergeEncoded((Acc) acc, new ByteIn(rec, from, to));
                return acc;
            }

            @Override
            public void writeOutput(Object acc, ByteOut out) {
                self.encodeOutput((Acc) acc, out);
            }
        };
    }
}
