package org.labloop.core;

/**
 * Root of every exception LabLoop throws on purpose. Subclasses name what went wrong; the message says where and
 * how to fix it.
 */
public class LabLoopException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabLoopException(String message) {
        super(message);
    }

    public LabLoopException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Process exit code the CLI uses for this kind of failure. */
    public int exitCode() {
        return 1;
    }
}
