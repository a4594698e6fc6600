package dev.flowbook.flink.sink;

import dev.flowbook.flink.coders.ByteIn;
import dev.flowbook.flink.coders.WindowedValues;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * {@code sink:avro} files: Avro object container files of the values, which arrive encoded
 * as AvroCoder does (varint length, Avro binary under the sink's schema); each is decoded to
 * a {@code GenericRecord} (so a value that does not fit the schema fails the task, not the
 * file) and appended.
 */
public final class AvroRecordFormat implements RecordFormat {
    private static final long serialVersionUID = 1L;

    private final String schemaJson;
    private final String codec;
    private final int deflateLevel;
    private final int syncInterval;

    public AvroRecordFormat(String schemaJson, String codec, int deflateLevel, int syncInterval) {
        this.schemaJson = schemaJson;
        this.codec = codec;
        this.deflateLevel = deflateLevel;
        this.syncInterval = syncInterval;
    }

    @Override
    public RecordFile open(OutputStream out) throws IOException {
        Schema schema = new Schema.Parser().parse(schemaJson);
        GenericDatumReader<Object> reader = new GenericDatumReader<>(schema);
        DataFileWriter<Object> file = new DataFileWriter<>(new GenericDatumWriter<>(schema));
        file.setCodec(codec.equals("deflate") ? CodecFactory.deflateCodec(deflateLevel) : CodecFactory.nullCodec());
        if (syncInterval > 0) file.setSyncInterval(syncInterval);
        file.create(schema, out);
        return new RecordFile() {
            private BinaryDecoder decoder;
            private Object reuse;

            @Override
            public void write(byte[] rec, WindowedValues.View view) throws IOException {
                ByteIn in = view.valueIn();
                int n = in.readVarInt();
                if (n > in.remaining()) throw new IOException("sink:avro: a value is not an AvroCoder encoding (length " + n + ", " + in.remaining() + " bytes left)");
                decoder = DecoderFactory.get().binaryDecoder(rec, in.pos, n, decoder);
                reuse = reader.read(reuse, decoder);
                if (!decoder.isEnd()) throw new IOException("sink:avro: a value has bytes its schema does not read");
                file.append(reuse);
            }

            @Override
            public void finish() throws IOException {
                file.flush();
            }
        };
    }
}
