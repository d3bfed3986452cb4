package org.labloop.event;

import org.labloop.core.LabLoopException;

/** The event log cannot be read or written, or it is not intact. */
public class EventLogException extends LabLoopException {
    private static final long serialVersionUID = 1L;

    /** The command-line exit code of a store problem. */
    public static final int EXIT_CODE = 3;

    public EventLogException(String message) {
        super(message);
    }

    public EventLogException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return EXIT_CODE;
    }
}
