package org.labloop.schedule;

import java.util.Objects;

/**
 * One step of one experiment: the capability it needs, how long it takes, its setup (steps of different setups on
 * one device position need the device's changeover between them; empty means "no particular setup"), and an optional
 * time window relative to an earlier step's end (null when none). Labware moves are ordinary steps on a robot arm.
 */
public record Op(String name, String capability, Estimate duration, String setup, Window window) {
    public Op {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(capability, "capability");
        Objects.requireNonNull(duration, "duration");
        setup = setup == null ? "" : setup;
    }

    public Op(String name, String capability, Estimate duration) {
        this(name, capability, duration, "", null);
    }

    public Op withWindow(Window w) {
        return new Op(name, capability, duration, setup, w);
    }

    public Op withSetup(String s) {
        return new Op(name, capability, duration, s, window);
    }
}
