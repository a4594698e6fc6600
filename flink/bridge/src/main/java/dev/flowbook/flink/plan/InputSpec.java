package dev.flowbook.flink.plan;

import dev.flowbook.flink.coders.CoderSpec;

/** One entry of an operator's {@code inputs}. keyCoder/windowing only for {@code ship: "hash"} where the kind does not key by itself. */
public record InputSpec(String from, String output, String ship, CoderSpec keyCoder, Windowing windowing) {
    public static final String FORWARD = "forward";
    public static final String REBALANCE = "rebalance";
    public static final String BROADCAST = "broadcast";
    public static final String HASH = "hash";
}
