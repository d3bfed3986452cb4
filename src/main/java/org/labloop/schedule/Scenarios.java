package org.labloop.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic generated benchmark problems. Every experiment goes dispense (liquid handler) - load (robot arm) -
 * react (reactor position, for its own residence time, at one of four temperatures: changing temperature costs the
 * position a changeover) - unload (arm) - analyse (HPLC, 12 minutes); some protocols add a quench.
 */
public final class Scenarios {
    public static final List<String> NAMES = List.of("a", "b", "c", "d");

    private static final long MIN = 60_000;
    private static final Estimate DISPENSE = Estimate.minutes(3, 0.2);
    private static final Estimate MOVE = Estimate.minutes(1, 0.05);
    private static final Estimate ANALYSE = Estimate.minutes(12, 0);
    private static final Estimate QUENCH = Estimate.minutes(2, 0.1);
    private static final int[] TEMPERATURES = {40, 60, 80, 100};

    private Scenarios() {}

    public static String describe(String name) {
        return switch (name) {
            case "a" -> "96 experiments, 5-step protocol, 6 devices (one arm, one 12-min HPLC)";
            case "b" -> "as (a), analysis within 10 min of the reaction's end";
            case "c" -> "1,000 experiments from 3 campaigns (priorities 3/2/1) on 20 devices";
            case "d" -> "10,000 experiments from 3 campaigns on 50 devices";
            default -> throw new IllegalArgumentException("no scenario '" + name + "'; known: " + NAMES);
        };
    }

    public static Problem get(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "a" -> small("a", false);
            case "b" -> small("b", true);
            case "c" -> large("c", 1_000, 3, 3, 6, 6, 2, 11);
            case "d" -> large("d", 10_000, 7, 7, 15, 15, 6, 13);
            default -> throw new IllegalArgumentException("no scenario '" + name + "'; known: " + NAMES);
        };
    }

    private static Problem small(String name, boolean windows) {
        List<Device> devices = List.of(
                new Device("handler-1", Set.of("dispense"), 1),
                new Device("handler-2", Set.of("dispense"), 1),
                new Device("arm", Set.of("transfer"), 1),
                new Device("reactor-1", Set.of("react"), 4, 5 * MIN),
                new Device("reactor-2", Set.of("react"), 4, 5 * MIN),
                new Device("hplc", Set.of("analyse"), 1));
        SplittableRandom r = new SplittableRandom(7);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 96; i++) {
            jobs.add(new Job(String.format("E%04d", i + 1), "demo", 0, 0, protocol(r, windows ? 10 * MIN : -1, false)));
        }
        return new Problem(name, devices, jobs);
    }

    private static Problem large(
            String name, int n, int handlers, int arms, int reactors, int hplcs, int quenchers, long seed) {
        List<Device> devices = new ArrayList<>();
        for (int i = 1; i <= handlers; i++) {
            devices.add(new Device("handler-" + i, Set.of("dispense"), 1));
        }
        for (int i = 1; i <= arms; i++) {
            devices.add(new Device("arm-" + i, Set.of("transfer"), 1));
        }
        for (int i = 1; i <= reactors; i++) {
            devices.add(new Device("reactor-" + i, Set.of("react"), 4, 5 * MIN));
        }
        for (int i = 1; i <= hplcs; i++) {
            devices.add(new Device("hplc-" + i, Set.of("analyse"), 1));
        }
        for (int i = 1; i <= quenchers; i++) {
            devices.add(new Device("quench-" + i, Set.of("quench"), 2));
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // 40% campaign "alpha" (priority 3, analysis within 10 min), 30% "beta" (2, quench exactly at the end of
            // the reaction, analysis within 15 min), 30% "gamma" (1, no windows). Interleaved as the planners propose.
            int c = i % 10 < 4 ? 0 : i % 10 < 7 ? 1 : 2;
            List<Op> ops = switch (c) {
                case 0 -> protocol(r, 10 * MIN, false);
                case 1 -> protocol(r, 15 * MIN, true);
                default -> protocol(r, -1, false);
            };
            String campaign = c == 0 ? "alpha" : c == 1 ? "beta" : "gamma";
            jobs.add(new Job(String.format("E%05d", i + 1), campaign, 3 - c, 0, ops));
        }
        return new Problem(name, devices, jobs);
    }

    /** dispense, load, react, [quench], unload, analyse; {@code window} < 0: no analysis window. */
    private static List<Op> protocol(SplittableRandom r, long window, boolean quench) {
        long tau = (20 + r.nextInt(41)) * MIN;
        int temperature = TEMPERATURES[r.nextInt(TEMPERATURES.length)];
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("dispense", "dispense", DISPENSE));
        ops.add(new Op("load", "transfer", MOVE));
        ops.add(new Op("react", "react", Estimate.exactly(tau)).withSetup(temperature + "C"));
        int react = 2;
        if (quench) {
            ops.add(new Op("quench", "quench", QUENCH).withWindow(Window.exactly(react, 0)));
        }
        ops.add(new Op("unload", "transfer", MOVE));
        Op analyse = new Op("analyse", "analyse", ANALYSE);
        ops.add(window >= 0 ? analyse.withWindow(Window.within(react, window)) : analyse);
        return ops;
    }
}
