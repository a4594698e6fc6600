package dev.flowbook.flink.runtime;

import dev.flowbook.flink.coders.ByteOut;
import java.io.Serializable;

/** What a grouping does with the values of one key and window: collect them, or combine them. */
public interface Aggregation extends Serializable {
    Object newAccumulator();

    /** Adds the value bytes {@code rec[from, to)} (the part of the record after the key). */
    Object add(Object acc, byte[] rec, int from, int to);

    /** Writes the output value (after the key) of a finished group. */
    void writeOutput(Object acc, ByteOut out);

    /** Collects values into Beam's Iterable encoding: int32 count, then the values as they came. */
    final class CollectValues implements Aggregation {
        private static final long serialVersionUID = 1L;

        static final class Buf {
            final ByteOut bytes = new ByteOut(64);
            int n;
        }

        @Override
        public Object newAccumulator() {
            return new Buf();
        }

        @Override
        public Object add(Object acc, byte[] rec, int from, int to) {
            Buf b = (Buf) acc;
            b.bytes.write(rec, from, to - from);
            b.n++;
            return b;
        }

        @Override
        public void writeOutput(Object acc, ByteOut out) {
            Buf b = (Buf) acc;
            out.writeInt32BE(b.n);
            out.write(b.bytes.array(), 0, b.bytes.size());
        }
    }
}
