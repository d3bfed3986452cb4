package org.labloop.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Replays a {@link Problem} under a {@link Scheduler} in discrete-event virtual time: devices take as long as the
 * step's {@link Estimate} says (a seeded normal draw, cut to its range, the same for every scheduler), plus the
 * changeover when a position switches setup; faults (a device going down, a step running long) are injected at
 * given times. It checks every decision (capacity, capability, order, device up) and throws on a broken one, and
 * counts windows that were not kept.
 */
public final class Simulator {
    private static final int END = 0;
    private static final int DOWN = 1;
    private static final int UP = 2;
    private static final int WAKE = 3;
    private static final int RELEASE = 4;

    /** Something that goes wrong during a run. */
    public sealed interface Fault permits DeviceDown, Overrun {}

    /** Device {@code device} stops at {@code atMs} (steps on it fail and are retried elsewhere), back at untilMs. */
    public record DeviceDown(int device, long atMs, long untilMs) implements Fault {}

    /** Step {@code op} of job {@code job} takes {@code extraMs} longer than its estimate allows. */
    public record Overrun(int job, int op, long extraMs) implements Fault {}

    /**
     * One step as it ran: where, when (from {@code start}, the first {@code changeoverMs} spent switching the
     * position's setup), and whether it failed (cut short by a device going down).
     */
    public record Interval(
            int job, int op, int device, int lane, long start, long end, boolean failed, long changeoverMs) {
        /** When the step's own work began, after the changeover. */
        public long workStart() {
            return start + changeoverMs;
        }
    }

    /**
     * What happened. {@code decisionNanos}: time the scheduler took per scheduling event (reports, decision and
     * wake-up), when a ticker was given.
     */
    public record Result(
            String scheduler,
            long makespanMs,
            long lowerBoundMs,
            List<Interval> trace,
            int windowViolations,
            int unfinished,
            long[] decisionNanos,
            long[] busyMs,
            List<Device> devices,
            long[] jobEnds) {

        public double ratio() {
            return lowerBoundMs == 0 ? 1 : (double) makespanMs / lowerBoundMs;
        }

        /** Busy time over capacity times makespan, per device. */
        public double utilisation(int device) {
            return makespanMs == 0
                    ? 0
                    : (double) busyMs[device] / (devices.get(device).capacity() * makespanMs);
        }

        public double meanUtilisation() {
            double sum = 0;
            for (int d = 0; d < devices.size(); d++) {
                sum += utilisation(d);
            }
            return sum / devices.size();
        }

        public double maxUtilisation() {
            double best = 0;
            for (int d = 0; d < devices.size(); d++) {
                best = Math.max(best, utilisation(d));
            }
            return best;
        }

        /** Decision time quantile in milliseconds (0.5 = median). */
        public double decisionMs(double q) {
            if (decisionNanos.length == 0) {
                return 0;
            }
            long[] sorted = decisionNanos.clone();
            Arrays.sort(sorted);
            int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
            return sorted[i] / 1e6;
        }
    }

    private final Problem problem;
    private final long seed;
    private final List<Fault> faults;
    private final LongSupplier ticker;

    /** {@code ticker}: nanosecond time source to measure decisions with (null: do not measure). */
    public Simulator(Problem problem, long seed, List<Fault> faults, LongSupplier ticker) {
        this.problem = Objects.requireNonNull(problem, "problem");
        this.seed = seed;
        this.faults = List.copyOf(faults);
        this.ticker = ticker;
    }

    public Simulator(Problem problem, long seed) {
        this(problem, seed, List.of(), null);
    }

    /** The duration a step takes in this simulation (the same for every scheduler), before any changeover. */
    public long duration(int job, int op, int attempt) {
        Estimate e = problem.jobs().get(job).ops().get(op).duration();
        long ms = e.mean();
        if (e.hi() > e.lo()) {
            long h = seed * 0x9E3779B97F4A7C15L + job * 0xBF58476D1CE4E5B9L + op * 0x94D049BB133111EBL + attempt;
            SplittableRandom r = new SplittableRandom(h);
            double u1 = 1.0 - r.nextDouble();
            double u2 = r.nextDouble();
            double z = Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
            ms = Math.round(e.mean() + z * (e.hi() - e.lo()) / 6.0);
            ms = Math.max(e.lo(), Math.min(e.hi(), ms));
        }
        for (Fault f : faults) {
            if (f instanceof Overrun o && o.job() == job && o.op() == op && attempt == 0) {
                ms += o.extraMs();
            }
        }
        return ms;
    }

    public Result run(Scheduler scheduler) {
        List<Device> devices = problem.devices();
        List<Job> jobs = problem.jobs();
        int nd = devices.size();
        int[] firstLane = new int[nd];
        int lanesTotal = 0;
        for (int d = 0; d < nd; d++) {
            firstLane[d] = lanesTotal;
            lanesTotal += devices.get(d).capacity();
        }
        int[] laneJob = new int[lanesTotal];
        int[] laneOp = new int[lanesTotal];
        long[] laneStart = new long[lanesTotal];
        long[] laneChangeover = new long[lanesTotal];
        String[] laneSetup = new String[lanesTotal];
        Arrays.fill(laneJob, -1);
        Arrays.fill(laneSetup, "");
        boolean[] down = new boolean[nd];
        long[] busy = new long[nd];
        long[][] ends = new long[jobs.size()][];
        int[][] attempts = new int[jobs.size()][];
        int[] next = new int[jobs.size()];
        long[] jobEnd = new long[jobs.size()];
        Arrays.fill(jobEnd, -1);
        for (int j = 0; j < jobs.size(); j++) {
            ends[j] = new long[jobs.get(j).ops().size()];
            Arrays.fill(ends[j], -1);
            attempts[j] = new int[jobs.get(j).ops().size()];
        }
        long[] endEventSeq = new long[lanesTotal];
        List<Interval> trace = new ArrayList<>();
        List<Long> decisions = new ArrayList<>();

        PriorityQueue<long[]> events =
                new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long[] seq = {0};
        java.util.function.Consumer<long[]> push = e -> {
            e[1] = seq[0]++;
            events.add(e);
        };
        for (int j = 0; j < jobs.size(); j++) {
            push.accept(new long[] {jobs.get(j).releaseMs(), 0, RELEASE, j, 0});
        }
        for (Fault f : faults) {
            if (f instanceof DeviceDown dd) {
                push.accept(new long[] {dd.atMs(), 0, DOWN, dd.device(), 0});
                if (dd.untilMs() > dd.atMs() && dd.untilMs() < Long.MAX_VALUE) {
                    push.accept(new long[] {dd.untilMs(), 0, UP, dd.device(), 0});
                }
            }
        }
        int violations = 0;
        int finished = 0;
        long lastWake = -1;
        long makespan = 0;
        while (!events.isEmpty()) {
            long now = events.peek()[0];
            long t0 = ticker == null ? 0 : ticker.getAsLong();
            boolean any = false;
            while (!events.isEmpty() && events.peek()[0] == now) {
                long[] e = events.poll();
                switch ((int) e[2]) {
                    case RELEASE -> {
                        scheduler.submit((int) e[3], jobs.get((int) e[3]), now);
                        any = true;
                    }
                    case END -> {
                        int lane = (int) e[3];
                        if (e[4] != endEventSeq[lane] || laneJob[lane] < 0) {
                            continue; // cut short by a failure
                        }
                        int j = laneJob[lane];
                        int k = laneOp[lane];
                        int d = deviceOf(firstLane, lane);
                        trace.add(new Interval(
                                j, k, d, lane - firstLane[d], laneStart[lane], now, false, laneChangeover[lane]));
                        busy[d] += now - laneStart[lane];
                        laneJob[lane] = -1;
                        ends[j][k] = now;
                        next[j] = k + 1;
                        scheduler.ended(j, k, now);
                        if (k + 1 == jobs.get(j).ops().size()) {
                            finished++;
                            jobEnd[j] = now;
                            makespan = Math.max(makespan, now);
                        }
                        any = true;
                    }
                    case DOWN -> {
                        int d = (int) e[3];
                        down[d] = true;
                        scheduler.deviceDown(d, now);
                        for (int lane = firstLane[d];
                                lane < firstLane[d] + devices.get(d).capacity();
                                lane++) {
                            if (laneJob[lane] >= 0) {
                                int j = laneJob[lane];
                                int k = laneOp[lane];
                                trace.add(new Interval(
                                        j,
                                        k,
                                        d,
                                        lane - firstLane[d],
                                        laneStart[lane],
                                        now,
                                        true,
                                        laneChangeover[lane]));
                                busy[d] += now - laneStart[lane];
                                laneJob[lane] = -1;
                                attempts[j][k]++;
                                scheduler.failed(j, k, now, true);
                            }
                        }
                        any = true;
                    }
                    case UP -> {
                        down[(int) e[3]] = false;
                        scheduler.deviceUp((int) e[3], now);
                        any = true;
                    }
                    default -> any = true; // WAKE
                }
            }
            if (!any) {
                continue;
            }
            List<Start> starts = scheduler.decide(now);
            long wake = scheduler.nextWakeUp();
            if (ticker != null) {
                decisions.add(ticker.getAsLong() - t0);
            }
            for (Start s : starts) {
                int j = s.job();
                int k = s.op();
                Job job = jobs.get(j);
                Op op = job.ops().get(k);
                Device dev = devices.get(s.device());
                if (s.lane() < 0 || s.lane() >= dev.capacity()) {
                    throw new IllegalStateException(
                            scheduler.name() + ": no position " + s.lane() + " on " + dev.name());
                }
                int lane = firstLane[s.device()] + s.lane();
                if (!dev.can(op.capability())) {
                    throw new IllegalStateException(
                            scheduler.name() + ": " + dev.name() + " cannot " + op.capability());
                }
                if (down[s.device()]) {
                    throw new IllegalStateException(
                            scheduler.name() + ": started a step on " + dev.name() + ", which is down");
                }
                if (laneJob[lane] >= 0) {
                    throw new IllegalStateException(scheduler.name() + ": " + dev.name() + " position " + s.lane()
                            + " is busy at " + now + " (job " + j + " step " + k + ")");
                }
                if (next[j] != k || (k > 0 && ends[j][k - 1] < 0) || now < job.releaseMs()) {
                    throw new IllegalStateException(scheduler.name() + ": job " + j + " step " + k
                            + " started before the step before it ended");
                }
                long co = Chains.changeover(dev, laneSetup[lane], op.setup());
                Window w = op.window();
                if (w != null) {
                    long lag = now - ends[j][w.after()];
                    if (lag < w.minLagMs()) {
                        throw new IllegalStateException(
                                scheduler.name() + ": job " + j + " step " + k + " started before its minimum wait");
                    }
                    // The window holds for the step's own work, which begins once the position has changed over.
                    if (lag + co > w.maxLagMs()) {
                        violations++;
                    }
                }
                if (!op.setup().isEmpty()) {
                    laneSetup[lane] = op.setup();
                }
                long dur = co + duration(j, k, attempts[j][k]);
                laneJob[lane] = j;
                laneOp[lane] = k;
                laneStart[lane] = now;
                laneChangeover[lane] = co;
                endEventSeq[lane] = seq[0];
                long[] end = {now + dur, 0, END, lane, 0};
                end[4] = seq[0];
                push.accept(end);
            }
            if (wake != Long.MAX_VALUE && wake > now && wake != lastWake) {
                push.accept(new long[] {wake, 0, WAKE, 0, 0});
                lastWake = wake;
            }
        }
        long[] nanos = decisions.stream().mapToLong(Long::longValue).toArray();
        return new Result(
                scheduler.name(),
                makespan,
                problem.lowerBound(),
                trace,
                violations,
                jobs.size() - finished,
                nanos,
                busy,
                devices,
                jobEnd);
    }

    private static int deviceOf(int[] firstLane, int lane) {
        int d = Arrays.binarySearch(firstLane, lane);
        if (d >= 0) {
            // Devices have at least one lane, so first positions are distinct.
            return d;
        }
        return -d - 2;
    }
}
