package org.labloop.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** Small problems and the checks every schedule must pass. */
final class Fixtures {
    static final long MIN = 60_000;

    private Fixtures() {}

    static Op op(String capability, double minutes) {
        return new Op(capability, capability, Estimate.exactly(Math.round(minutes * MIN)));
    }

    static Device device(String name, String capability, int capacity) {
        return new Device(name, Set.of(capability), capacity);
    }

    static Job job(String id, Op... ops) {
        return new Job(id, "c", 0, 0, List.of(ops));
    }

    /**
     * Checks a finished run from its trace alone: every experiment finished, no position of a device held two steps at
     * once, every step started after the one before it ended, and every window was kept.
     */
    static void assertSound(Problem p, Simulator.Result r, boolean windowsKept) {
        assertThat(r.unfinished()).as("unfinished experiments").isZero();
        List<Simulator.Interval> done =
                r.trace().stream().filter(i -> !i.failed()).toList();
        assertThat(done).hasSize(p.jobs().stream().mapToInt(j -> j.ops().size()).sum());
        // Capacity: sweep each device's intervals.
        for (int d = 0; d < p.devices().size(); d++) {
            int dev = d;
            List<long[]> points = new ArrayList<>();
            r.trace().stream().filter(i -> i.device() == dev).forEach(i -> {
                points.add(new long[] {i.start(), 1});
                points.add(new long[] {i.end(), -1});
            });
            points.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            int load = 0;
            for (long[] pt : points) {
                load += (int) pt[1];
                assertThat(load)
                        .as("load of %s", p.devices().get(d).name())
                        .isLessThanOrEqualTo(p.devices().get(d).capacity());
            }
        }
        long[][] start = new long[p.jobs().size()][];
        long[][] work = new long[p.jobs().size()][];
        long[][] end = new long[p.jobs().size()][];
        for (int j = 0; j < p.jobs().size(); j++) {
            start[j] = new long[p.jobs().get(j).ops().size()];
            work[j] = new long[p.jobs().get(j).ops().size()];
            end[j] = new long[p.jobs().get(j).ops().size()];
        }
        for (Simulator.Interval i : done) {
            start[i.job()][i.op()] = i.start();
            work[i.job()][i.op()] = i.workStart();
            end[i.job()][i.op()] = i.end();
        }
        int broken = 0;
        for (int j = 0; j < p.jobs().size(); j++) {
            List<Op> ops = p.jobs().get(j).ops();
            for (int k = 1; k < ops.size(); k++) {
                assertThat(start[j][k])
                        .as("job %d step %d after step %d", j, k, k - 1)
                        .isGreaterThanOrEqualTo(end[j][k - 1]);
                Window w = ops.get(k).window();
                if (w != null) {
                    long lag = start[j][k] - end[j][w.after()];
                    assertThat(lag).isGreaterThanOrEqualTo(w.minLagMs());
                    // A window holds for the step's own work, which begins after any changeover.
                    if (work[j][k] - end[j][w.after()] > w.maxLagMs()) {
                        broken++;
                    }
                }
            }
        }
        assertThat(broken).isEqualTo(r.windowViolations());
        if (windowsKept) {
            assertThat(broken).as("windows broken").isZero();
        }
    }

    /**
     * As {@link #random}, with analysers that need 2 minutes to switch method and analyses of three methods, so that
     * windowed steps often begin with a changeover (and no other device changes over).
     */
    static Problem randomWithSwitchingAnalysers(long seed) {
        Problem p = random(seed);
        List<Device> devices = p.devices().stream()
                .map(d -> new Device(d.name(), d.capabilities(), d.capacity(), d.can("analyse") ? 2 * MIN : 0))
                .toList();
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Job> jobs = new ArrayList<>();
        for (Job j : p.jobs()) {
            List<Op> ops = new ArrayList<>(j.ops());
            int last = ops.size() - 1;
            ops.set(last, ops.get(last).withSetup("method-" + r.nextInt(3)));
            jobs.add(new Job(j.id(), j.campaign(), j.priority(), j.releaseMs(), ops));
        }
        return new Problem(p.name() + "-switching", devices, jobs);
    }

    /** A random workcell and random experiments whose windows can always be met on an idle workcell. */
    static Problem random(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Device> devices = new ArrayList<>();
        String[] caps = {"dispense", "transfer", "react", "quench", "analyse"};
        for (String c : caps) {
            int n = 1 + r.nextInt(2);
            for (int i = 0; i < n; i++) {
                long co = c.equals("react") && r.nextBoolean() ? 3 * MIN : 0;
                devices.add(new Device(c + "-" + i, Set.of(c), 1 + r.nextInt(c.equals("react") ? 4 : 2), co));
            }
        }
        if (r.nextBoolean()) {
            devices.add(new Device("combo", Set.of("dispense", "quench"), 1));
        }
        int n = 5 + r.nextInt(40);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Op> ops = new ArrayList<>();
            ops.add(new Op("dispense", "dispense", Estimate.minutes(1 + r.nextInt(4), 0.1 * r.nextInt(3))));
            ops.add(new Op("load", "transfer", Estimate.minutes(1, 0.05)));
            ops.add(new Op("react", "react", Estimate.exactly((5 + r.nextInt(60)) * MIN))
                    .withSetup("T" + r.nextInt(3)));
            int react = 2;
            if (r.nextInt(3) == 0) {
                ops.add(new Op("quench", "quench", Estimate.minutes(2, 0.1)).withWindow(Window.exactly(react, 0)));
            }
            if (r.nextBoolean()) {
                ops.add(new Op("unload", "transfer", Estimate.minutes(1, 0.05))
                        .withWindow(Window.within(ops.size() - 1, r.nextInt(3) * MIN)));
            } else {
                ops.add(new Op("unload", "transfer", Estimate.minutes(1, 0.05)));
            }
            Op analyse = new Op("analyse", "analyse", Estimate.minutes(4 + r.nextInt(10), 0.2 * r.nextInt(2)));
            int w = r.nextInt(3);
            if (w == 1) {
                analyse = analyse.withWindow(Window.within(react, (5 + r.nextInt(10)) * MIN));
            } else if (w == 2) {
                analyse = analyse.withWindow(new Window(ops.size() - 1, MIN, 4 * MIN));
            }
            ops.add(analyse);
            jobs.add(new Job("J" + i, "c" + (i % 3), i % 3, r.nextInt(4) == 0 ? r.nextInt(60) * MIN : 0, ops));
        }
        return new Problem("random-" + seed, devices, jobs);
    }
}
