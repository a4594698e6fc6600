package dev.flowbook.flink.coders;

/** Bytes that do not match the coder said to have written them. */
public class CoderException extends RuntimeException {
    public CoderException(String message) {
        super(message);
    }
}
