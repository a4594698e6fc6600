package dev.flowbook.flink.metrics;

/** Accumulator names the TS side reads back (docs/flink-plan.md). */
public final class MetricNames {
    private MetricNames() { }

    public static String collect(String operatorId) {
        return "flowbook.collect/" + operatorId;
    }

    /** {@code flowbook.console/<plan operator id>[/part]}: users' console output of one Flink operator (all its subtasks); the plan's id, not the savepoint uid, so the client maps it back. */
    public static String console(String accumulatorId) {
        return "flowbook.console/" + accumulatorId;
    }

    /**
     * {@code flowbook.records/<plan operator id>[/part]/in|out}: records into and out of a user-code
     * operator, exact once the job ended (Flink's operator metrics may lag by a fetch interval).
     */
    public static String records(String accumulatorId, String direction) {
        return "flowbook.records/" + accumulatorId + "/" + direction;
    }

    /** {@code flowbook.elements/<transform>/in|out}: elements a user transform received and emitted (its workers count them). */
    public static String elements(String transform, String direction) {
        return "flowbook.elements/" + transform + "/" + direction;
    }

    /** {@code flowbook.metric["counter","step","namespace","name"]}. */
    public static String metric(String kind, String step, String namespace, String name) {
        return "flowbook.metric[" + quote(kind) + "," + quote(step) + "," + quote(namespace) + "," + quote(name) + "]";
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
