package dev.flowbook.flink;

import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.plan.PlanException;
import dev.flowbook.flink.translate.JobBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry class of the bridge jar: {@code --plan-base64 <gzip+base64 JSON>} | {@code --plan-file <path>} |
 * {@code --plan-json <json>} [{@code --print-plan}]. Builds the job and executes it under the plan's job name.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() { }

    public static void main(String[] args) throws Exception {
        String json = null;
        boolean print = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--plan-base64" -> json = Plan.decodeBase64(value(args, ++i, a));
                case "--plan-file" -> json = readFile(value(args, ++i, a));
                case "--plan-json" -> json = value(args, ++i, a);
                case "--print-plan" -> print = true;
                default -> throw new PlanException("unknown argument '" + a + "' (expected --plan-base64, --plan-file, --plan-json, --print-plan)");
            }
        }
        if (json == null) throw new PlanException("no plan: pass --plan-base64 <gzip+base64 JSON>, --plan-file <path> or --plan-json <json>");
        Plan plan = Plan.parse(json);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobBuilder.configure(env, plan);
        var built = JobBuilder.build(env, plan);
        if (print) LOG.info("flowbook plan {}:\n{}\nexecution plan:\n{}", plan.jobName(), json, env.getExecutionPlan());
        env.execute(JobBuilder.streamGraph(env, plan, built));
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new PlanException(flag + " needs a value");
        return args[i];
    }

    private static String readFile(String path) throws IOException {
        return Plan.bytesToJson(Files.readAllBytes(Path.of(path)));
    }
}
