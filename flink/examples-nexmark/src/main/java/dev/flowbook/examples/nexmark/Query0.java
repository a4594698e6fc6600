/*
 * flowbook — Nexmark Query 0, natively on Flink: every event passed through.
 */
package dev.flowbook.examples.nexmark;

/**
 * Query 0, pass-through (Beam's Query0): each event goes through a map unchanged and is written
 * as its line. It measures the generator, the operator chain and the sink; flowbook's version
 * adds the crossing between Java and the Node workers.
 */
public class Query0 {
    public static void main(String[] args) throws Exception {
        NexmarkJob job = NexmarkJob.fromArgs("Query0", args);
        job.sink(job.events().map(e -> e).name("pass-through").map(NexmarkEvent::toLine).name("format"), "query0");
        job.env.execute("Nexmark Query0");
    }
}
