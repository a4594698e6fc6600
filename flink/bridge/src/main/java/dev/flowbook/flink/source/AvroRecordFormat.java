package dev.flowbook.flink.source;

import dev.flowbook.flink.coders.ByteOut;
import dev.flowbook.flink.coders.WindowedValues;
import dev.flowbook.flink.coders.Windows;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Records of Avro object container files, splittable at sync markers (a block belongs to the
 * split in which its preceding sync marker ends, as Avro's own input formats read). Each
 * record is read as a {@code GenericRecord} resolved from the file's writer schema to the
 * reader schema, and becomes a whole WindowedValue in the global window at TIMESTAMP_MIN with
 * NO_FIRING whose value is encoded as AvroCoder does ({@code flowbook:coder:avro:v1}): varint
 * length, then the Avro binary encoding of the record under the reader schema.
 */
public final class AvroRecordFormat implements StreamFormat<byte[]> {
    private static final long serialVersionUID = 1L;

    private final String readerSchema;

    public AvroRecordFormat(String readerSchemaJson) {
        this.readerSchema = readerSchemaJson;
    }

    @Override
    public Reader<byte[]> createReader(Configuration config, FSDataInputStream stream, long fileLen, long splitEnd) throws IOException {
        return new RecordReader(stream, stream.getPos(), fileLen, splitEnd, new Schema.Parser().parse(readerSchema));
    }

    @Override
    public Reader<byte[]> restoreReader(Configuration config, FSDataInputStream stream, long restoredOffset, long fileLen, long splitEnd)
            throws IOException {
        // Plans configure no checkpoints; a restored reader starts at the block after the offset.
        return new RecordReader(stream, restoredOffset, fileLen, splitEnd, new Schema.Parser().parse(readerSchema));
    }

    @Override
    public boolean isSplittable() {
        return true;
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /** Avro's random-access input over Flink's stream. */
    static final class FsInput implements SeekableInput {
        private final FSDataInputStream in;
        private final long length;

        FsInput(FSDataInputStream in, long length) {
            this.in = in;
            this.length = length;
        }

        @Override
        public void seek(long p) throws IOException {
            in.seek(p);
        }

        @Override
        public long tell() throws IOException {
            return in.getPos();
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    static final class RecordReader implements Reader<byte[]> {
        private final DataFileReader<Object> reader;
        private final long end;
        private final GenericDatumWriter<Object> writer;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        private BinaryEncoder encoder;
        private Object reuse;

        RecordReader(FSDataInputStream stream, long start, long fileLen, long splitEnd, Schema schema) throws IOException {
            stream.seek(0);
            // The writer schema comes from the file's header; records are resolved to the reader schema.
            reader = new DataFileReader<>(new FsInput(stream, fileLen), new GenericDatumReader<>(null, schema));
            if (start > 0) reader.sync(start);
            end = splitEnd >= fileLen ? Long.MAX_VALUE : splitEnd;
            writer = new GenericDatumWriter<>(schema);
        }

        @Override
        public byte[] read() throws IOException {
            if (!reader.hasNext() || (end != Long.MAX_VALUE && reader.pastSync(end))) return null;
            reuse = reader.next(reuse);
            bytes.reset();
            encoder = EncoderFactory.get().directBinaryEncoder(bytes, encoder);
            writer.write(reuse, encoder);
            encoder.flush();
            byte[] value = bytes.toByteArray();
            ByteOut o = new ByteOut(value.length + 24);
            WindowedValues.writeHeader(o, Windows.TIMESTAMP_MIN, Windows.GLOBAL, WindowedValues.WindowCoder.GLOBAL, WindowedValues.PANE_NO_FIRING);
            o.writeVarLong(value.length).write(value);
            return o.toByteArray();
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
