package org.labloop.engine;

import org.labloop.core.LabLoopException;

/** The engine cannot go on with a campaign: it is stuck, misconfigured, or its state contradicts the log. */
public class EngineException extends LabLoopException {
    private static final long serialVersionUID = 1L;

    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
