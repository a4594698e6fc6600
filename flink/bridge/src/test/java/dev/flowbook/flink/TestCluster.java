package dev.flowbook.flink;

import dev.flowbook.flink.plan.Plan;
import dev.flowbook.flink.translate.JobBuilder;
import java.net.URI;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** One in-process MiniCluster for all tests of this JVM; jobs are submitted over its REST API. */
public final class TestCluster {
    private static MiniCluster cluster;
    private static URI rest;

    private TestCluster() { }

    public static synchronized URI rest() throws Exception {
        if (cluster == null) {
            Configuration conf = new Configuration();
            conf.set(RestOptions.BIND_PORT, "0");
            conf.set(RestOptions.ADDRESS, "localhost");
            conf.set(TaskManagerOptions.NUM_TASK_SLOTS, 8);
            cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(8).build());
            cluster.start();
            rest = cluster.getRestAddress().get();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cluster.close();
                } catch (Exception ignored) {
                    // shutting down
                }
            }));
        }
        return rest;
    }

    public static StreamExecutionEnvironment env() throws Exception {
        URI uri = rest();
        return StreamExecutionEnvironment.createRemoteEnvironment(uri.getHost(), uri.getPort());
    }

    /** Builds and runs a plan on the shared cluster, waiting for the result. */
    public static JobExecutionResult run(String planJson) throws Exception {
        Plan plan = Plan.parse(planJson);
        StreamExecutionEnvironment env = env();
        JobBuilder.configure(env, plan);
        var built = JobBuilder.build(env, plan);
        return env.execute(JobBuilder.streamGraph(env, plan, built));
    }
}
