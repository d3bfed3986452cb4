package org.labloop.emulator;

import org.labloop.core.LabLoopException;

/** An emulator cannot answer: a missing input, a value outside its domain, a table with no matching row. */
public class EmulationException extends LabLoopException {
    private static final long serialVersionUID = 1L;

    public EmulationException(String message) {
        super(message);
    }

    public EmulationException(String message, Throwable cause) {
        super(message, cause);
    }
}
