package dev.flowbook.flink.sink;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Beam's shard naming: prefix + template (S… = shard index, N… = shard count, zero-padded to the run length) + suffix. */
public final class ShardNames {
    private ShardNames() { }

    private static final Pattern RUN = Pattern.compile("S+|N+");

    public static String name(String prefix, String template, String suffix, int shard, int numShards) {
        Matcher m = RUN.matcher(template);
        StringBuilder sb = new StringBuilder(prefix);
        int last = 0;
        while (m.find()) {
            sb.append(template, last, m.start());
            int value = m.group().charAt(0) == 'S' ? shard : numShards;
            sb.append(String.format("%0" + m.group().length() + "d", value));
            last = m.end();
        }
        sb.append(template.substring(last));
        return sb.append(suffix).toString();
    }
}
