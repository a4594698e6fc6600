package dev.flowbook.flink.worker;

import java.io.IOException;

/** The Node worker exited, crashed or broke the protocol: a task failure Flink may restart. */
public class WorkerDiedException extends IOException {
    private static final long serialVersionUID = 1L;

    public WorkerDiedException(String message) {
        super(message);
    }

    public WorkerDiedException(String message, Throwable cause) {
        super(message, cause);
    }
}
