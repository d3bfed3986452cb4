package org.labloop.planner;

/** Every point of a finite space or pool has been tried or is pending; the campaign can only stop. */
public class SearchSpaceExhaustedException extends PlanningException {
    private static final long serialVersionUID = 1L;

    public SearchSpaceExhaustedException(String message) {
        super(message);
    }
}
