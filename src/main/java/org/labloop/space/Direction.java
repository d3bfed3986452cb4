package org.labloop.space;

/** Whether an objective is to be made as large or as small as possible. */
public enum Direction {
    MAXIMISE,
    MINIMISE;

    /** Multiplier that turns the objective into one to maximise. */
    public double sign() {
        return this == MAXIMISE ? 1.0 : -1.0;
    }

    public boolean better(double a, double b) {
        return this == MAXIMISE ? a > b : a < b;
    }
}
