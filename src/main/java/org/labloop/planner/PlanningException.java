package org.labloop.planner;

import org.labloop.core.LabLoopException;

/** A planner cannot produce proposals (the space is exhausted, an option is wrong, the model failed). */
public class PlanningException extends LabLoopException {
    private static final long serialVersionUID = 1L;

    public PlanningException(String message) {
        super(message);
    }

    public PlanningException(String message, Throwable cause) {
        super(message, cause);
    }
}
