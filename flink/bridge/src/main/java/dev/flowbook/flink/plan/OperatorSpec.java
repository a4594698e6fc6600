package dev.flowbook.flink.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.flowbook.flink.coders.CoderSpec;
import java.util.List;

/** One entry of {@code plan.operators}. */
public record OperatorSpec(String id, String name, String kind, List<String> transforms, Integer parallelism,
                           List<InputSpec> inputs, List<String> outputs, JsonNode payload) {

    public String where() {
        return "operator '" + id + "' (" + kind + " '" + name + "')";
    }

    public PlanException error(String message) {
        return new PlanException(where() + ": " + message);
    }

    public JsonNode field(String name) {
        JsonNode n = payload == null ? null : payload.get(name);
        return n == null ? NullNode.getInstance() : n;
    }

    public String requireString(String name) {
        JsonNode n = field(name);
        if (!n.isTextual() || n.asText().isEmpty()) throw error("payload." + name + " must be a non-empty string");
        return n.asText();
    }

    public String optString(String name, String dflt) {
        JsonNode n = field(name);
        if (n.isNull()) return dflt;
        if (!n.isTextual()) throw error("payload." + name + " must be a string");
        return n.asText();
    }

    public long optLong(String name, long dflt) {
        JsonNode n = field(name);
        if (n.isNull()) return dflt;
        if (!n.canConvertToLong() || !n.isIntegralNumber()) throw error("payload." + name + " must be an integer");
        return n.asLong();
    }

    public boolean optBool(String name, boolean dflt) {
        JsonNode n = field(name);
        if (n.isNull()) return dflt;
        if (!n.isBoolean()) throw error("payload." + name + " must be true or false");
        return n.asBoolean();
    }

    public CoderSpec coder(String name) {
        try {
            return CoderSpec.fromJson(field(name).isNull() ? null : field(name), "payload." + name);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    public Windowing windowing() {
        return windowing("windowing");
    }

    public Windowing windowing(String name) {
        try {
            return Windowing.fromJson(field(name), "payload." + name);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }
}
