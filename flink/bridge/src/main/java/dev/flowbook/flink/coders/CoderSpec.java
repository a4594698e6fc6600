package dev.flowbook.flink.coders;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A standard coder named by the plan ({@code {"urn", "components"}}). Java mostly needs to
 * *skip* over an encoding (to find where a key ends); decode/encode exist for the native
 * operators and for tests. All encodings are Beam's nested ones.
 */
public final class CoderSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Kind { BYTES, STRING_UTF8, VARINT, DOUBLE, BOOL, KV, ITERABLE, NULLABLE, LENGTH_PREFIX, GLOBAL_WINDOW, INTERVAL_WINDOW,
        /** flowbook's JSON and Avro coders: varint length + bytes, like length_prefix. */ JSON, AVRO,
        /** flowbook's GeneralObjectCoder: a type-tag byte, then the value (skipped natively). */ GENERAL }

    public final Kind kind;
    public final String urn;
    public final List<CoderSpec> components;

    public CoderSpec(Kind kind, String urn, List<CoderSpec> components) {
        this.kind = kind;
        this.urn = urn;
        this.components = List.copyOf(components);
        int want = switch (kind) {
            case KV -> 2;
            case ITERABLE, NULLABLE, LENGTH_PREFIX -> 1;
            default -> 0;
        };
        if (kind == Kind.LENGTH_PREFIX && components.isEmpty()) return; // any inner coder, opaque to Java
        if (components.size() != want) {
            throw new IllegalArgumentException("coder " + urn + " needs " + want + " component(s), got " + components.size());
        }
    }

    public static CoderSpec of(Kind kind, CoderSpec... components) {
        return new CoderSpec(kind, "beam:coder:" + kind.name().toLowerCase() + ":v1", List.of(components));
    }

    /** Maps a URN (with or without the {@code beam:coder:} prefix and {@code :v1} suffix) to a kind. */
    public static Kind kindOf(String urn) {
        String s = urn;
        if (s.startsWith("beam:coder:")) s = s.substring("beam:coder:".length());
        int colon = s.lastIndexOf(':');
        if (colon >= 0 && s.substring(colon + 1).matches("v\\d+")) s = s.substring(0, colon);
        return switch (s) {
            case "bytes" -> Kind.BYTES;
            case "string_utf8" -> Kind.STRING_UTF8;
            case "varint" -> Kind.VARINT;
            case "double" -> Kind.DOUBLE;
            case "bool" -> Kind.BOOL;
            case "kv" -> Kind.KV;
            case "iterable" -> Kind.ITERABLE;
            case "nullable" -> Kind.NULLABLE;
            case "length_prefix" -> Kind.LENGTH_PREFIX;
            case "global_window" -> Kind.GLOBAL_WINDOW;
            case "interval_window" -> Kind.INTERVAL_WINDOW;
            default -> switch (urn) {
                case "flowbook:coder:json:v1" -> Kind.JSON;
                case "flowbook:coder:avro:v1" -> Kind.AVRO;
                case "flowbook:coder:general:v1" -> Kind.GENERAL;
                default -> null;
            };
        };
    }

    /** Parses the graph's JSON form. Unknown URNs are refused: wrap such a coder in length_prefix. */
    public static CoderSpec fromJson(JsonNode node, String where) {
        if (node == null || node.isNull()) throw new IllegalArgumentException(where + ": missing coder");
        if (node.isTextual()) return fromJsonUrn(node.asText(), List.of(), where);
        JsonNode urnNode = node.get("urn");
        if (urnNode == null || !urnNode.isTextual()) throw new IllegalArgumentException(where + ": a coder needs a string 'urn'");
        String urn = urnNode.asText();
        List<CoderSpec> comps = new ArrayList<>();
        JsonNode cs = node.get("components");
        Kind kind = kindOf(urn);
        if (cs != null && cs.isArray()) {
            for (JsonNode c : cs) {
                if (kind == Kind.LENGTH_PREFIX) break; // the inner coder is opaque: Java only reads the length
                comps.add(fromJson(c, where));
            }
        }
        return fromJsonUrn(urn, comps, where);
    }

    private static CoderSpec fromJsonUrn(String urn, List<CoderSpec> comps, String where) {
        Kind kind = kindOf(urn);
        if (kind == null) {
            throw new IllegalArgumentException(where + ": coder '" + urn + "' is not one the Flink bridge can parse; "
                    + "wrap it in beam:coder:length_prefix:v1 (known: bytes, string_utf8, varint, double, bool, kv, iterable, nullable, length_prefix, global_window, interval_window, flowbook:coder:json:v1, flowbook:coder:avro:v1, flowbook:coder:general:v1)");
        }
        try {
            return new CoderSpec(kind, urn, comps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    /** Advances {@code in} past one nested encoding of this coder. */
    public void skip(ByteIn in) {
        switch (kind) {
            case BYTES, STRING_UTF8, LENGTH_PREFIX, JSON, AVRO -> in.skip(in.readVarInt(), urn);
            case GENERAL -> skipGeneral(in, 0);
            case VARINT -> in.readVarLong();
            case DOUBLE -> in.skip(8, "a double");
            case BOOL -> in.skip(1, "a bool");
            case KV -> {
                components.get(0).skip(in);
                components.get(1).skip(in);
            }
            case ITERABLE -> {
                int n = in.readInt32BE();
                if (n >= 0) {
                    for (int i = 0; i < n; i++) components.get(0).skip(in);
                } else {
                    // Beam's chunked form: varint chunk count, elements, ..., 0.
                    long chunk;
                    while ((chunk = in.readVarLong()) > 0) {
                        for (long i = 0; i < chunk; i++) components.get(0).skip(in);
                    }
                }
            }
            case NULLABLE -> {
                if (in.readByte() != 0) components.get(0).skip(in);
            }
            case GLOBAL_WINDOW -> { }
            case INTERVAL_WINDOW -> {
                in.skip(8, "an interval window end");
                in.readVarLong();
            }
        }
    }

    /** Decodes one nested encoding into plain Java values (String, Long, Double, byte[], Boolean, KV, List, null, windows). */
    public Object decode(ByteIn in) {
        switch (kind) {
            case BYTES:
                return in.readBytes(in.readVarInt());
            case LENGTH_PREFIX:
            case JSON:
            case AVRO:
                return in.readBytes(in.readVarInt());
            case GENERAL: {
                int start = in.pos;
                skipGeneral(in, 0);
                return java.util.Arrays.copyOfRange(in.buf, start, in.pos);
            }
            case STRING_UTF8: {
                int n = in.readVarInt();
                in.skip(n, "a string");
                return new String(in.buf, in.pos - n, n, StandardCharsets.UTF_8);
            }
            case VARINT:
                return in.readVarLong();
            case DOUBLE:
                return in.readDoubleBE();
            case BOOL: {
                int b = in.readByte();
                if (b > 1) throw new CoderException("bool byte must be 0 or 1, got " + b);
                return b == 1;
            }
            case KV:
                return new KV(components.get(0).decode(in), components.get(1).decode(in));
            case ITERABLE: {
                int n = in.readInt32BE();
                List<Object> out = new ArrayList<>();
                if (n >= 0) {
                    for (int i = 0; i < n; i++) out.add(components.get(0).decode(in));
                } else {
                    long chunk;
                    while ((chunk = in.readVarLong()) > 0) {
                        for (long i = 0; i < chunk; i++) out.add(components.get(0).decode(in));
                    }
                }
                return out;
            }
            case NULLABLE:
                return in.readByte() == 0 ? null : components.get(0).decode(in);
            case GLOBAL_WINDOW:
                return Windows.GLOBAL;
            case INTERVAL_WINDOW:
                return Windows.readInterval(in);
            default:
                throw new AssertionError(kind);
        }
    }

    public void encode(Object value, ByteOut out) {
        switch (kind) {
            case BYTES, LENGTH_PREFIX, JSON, AVRO -> {
                byte[] b = (byte[]) value;
                out.writeVarLong(b.length).write(b);
            }
            case GENERAL -> out.write((byte[]) value); // the encoding itself, as decode returns it
            case STRING_UTF8 -> {
                byte[] b = ((String) value).getBytes(StandardCharsets.UTF_8);
                out.writeVarLong(b.length).write(b);
            }
            case VARINT -> out.writeVarLong(((Number) value).longValue());
            case DOUBLE -> out.writeDoubleBE(((Number) value).doubleValue());
            case BOOL -> out.writeByte(((Boolean) value) ? 1 : 0);
            case KV -> {
                KV kv = (KV) value;
                components.get(0).encode(kv.key(), out);
                components.get(1).encode(kv.value(), out);
            }
            case ITERABLE -> {
                List<?> list = (List<?>) value;
                out.writeInt32BE(list.size());
                for (Object o : list) components.get(0).encode(o, out);
            }
            case NULLABLE -> {
                if (value == null) out.writeByte(0);
                else {
                    out.writeByte(1);
                    components.get(0).encode(value, out);
                }
            }
            case GLOBAL_WINDOW -> { }
            case INTERVAL_WINDOW -> Windows.writeInterval((Windows.Interval) value, out);
        }
    }

    public byte[] encodeToBytes(Object value) {
        ByteOut out = new ByteOut();
        encode(value, out);
        return out.toByteArray();
    }

    public Object decodeFromBytes(byte[] bytes) {
        ByteIn in = new ByteIn(bytes);
        Object v = decode(in);
        if (!in.atEnd()) throw new CoderException(urn + ": " + in.remaining() + " byte(s) left after decoding");
        return v;
    }

    /** Skips one GeneralObjectCoder value: a type tag, then the value (src/sdk/coders/general_object_coder.ts). */
    static void skipGeneral(ByteIn in, int depth) {
        if (depth > 1000) throw new CoderException("general object nested deeper than 1000");
        int tag = in.readByte();
        switch (tag) {
            case 0x00, 0x01, 0x02, 0x03 -> { }
            case 0x04, 0x05 -> in.readVarLong();
            case 0x06, 0x0b -> in.skip(8, "a double");
            case 0x07, 0x08, 0x09, 0x0a -> in.skip(in.readVarInt(), "general bytes");
            case 0x0c, 0x10 -> {
                int n = in.readVarInt();
                for (int i = 0; i < n; i++) skipGeneral(in, depth + 1);
            }
            case 0x0d -> {
                skipGeneral(in, depth + 1);
                skipGeneral(in, depth + 1);
            }
            case 0x0e -> {
                int n = in.readVarInt();
                for (int i = 0; i < n; i++) {
                    in.skip(in.readVarInt(), "a field name");
                    skipGeneral(in, depth + 1);
                }
            }
            case 0x0f -> {
                int n = in.readVarInt();
                for (int i = 0; i < 2 * n; i++) skipGeneral(in, depth + 1);
            }
            default -> throw new CoderException("bad general object tag 0x" + Integer.toHexString(tag) + " at offset " + (in.pos - 1));
        }
    }

    /** A key/value pair as decoded by a kv coder. */
    public record KV(Object key, Object value) implements Serializable { }

    @Override
    public boolean equals(Object o) {
        return o instanceof CoderSpec c && c.kind == kind && c.components.equals(components);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, components);
    }

    @Override
    public String toString() {
        return components.isEmpty() ? kind.name().toLowerCase() : kind.name().toLowerCase() + components;
    }
}
