package org.labloop.schedule;

import java.util.Objects;
import java.util.Set;

/**
 * One step of one experiment: the capability it needs, how long it takes, its setup (steps of different setups on
 * one device position need the device's changeover between them; empty means "no particular setup"), an optional
 * time window relative to an earlier step's end (null when none), and devices it must not go to (it already failed
 * there and its policy says to move on). Labware moves are ordinary steps on a robot arm.
 */
public record Op(String name, String capability, Estimate duration, String setup, Window window, Set<String> avoid) {
    public Op {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(capability, "capability");
        Objects.requireNonNull(duration, "duration");
        setup = setup == null ? "" : setup;
        avoid = avoid == null ? Set.of() : Set.copyOf(avoid);
    }

    public Op(String name, String capability, Estimate duration) {
        this(name, capability, duration, "", null, Set.of());
    }

    public Op withWindow(Window w) {
        return new Op(name, capability, duration, setup, w, avoid);
    }

    public Op withSetup(String s) {
        return new Op(name, capability, duration, s, window, avoid);
    }

    public Op withAvoid(Set<String> devices) {
        return new Op(name, capability, duration, setup, window, devices);
    }
}
