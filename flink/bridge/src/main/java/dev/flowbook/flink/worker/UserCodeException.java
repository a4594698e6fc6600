package dev.flowbook.flink.worker;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * An error thrown by user code in a Node worker. The message is the text of
 * docs/worker-protocol.md (ERROR frame), verbatim, so the client can show it as is.
 * Non-recoverable: user code that threw once would throw again, so the job fails without restarts.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public class UserCodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserCodeException(String message) {
        super(message);
    }
}
