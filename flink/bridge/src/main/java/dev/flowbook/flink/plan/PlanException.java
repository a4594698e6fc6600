package dev.flowbook.flink.plan;

/** The plan is not one the bridge can build; the message names the operator and the field. */
public class PlanException extends RuntimeException {
    public PlanException(String message) {
        super(message);
    }

    public PlanException(String message, Throwable cause) {
        super(message, cause);
    }
}
