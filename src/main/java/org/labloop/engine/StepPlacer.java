package org.labloop.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.StepRecord;
import org.labloop.core.LabClock;
import org.labloop.protocol.Arg;
import org.labloop.protocol.StepSpec;
import org.labloop.protocol.TimeWindow;
import org.labloop.schedule.Device;
import org.labloop.schedule.Estimate;
import org.labloop.schedule.HeuristicScheduler;
import org.labloop.schedule.Job;
import org.labloop.schedule.Op;
import org.labloop.schedule.Start;
import org.labloop.schedule.Window;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.StepTiming;

/**
 * Connects the engine to the {@link HeuristicScheduler}. At every scheduling event it rebuilds the plan from the
 * campaign's recorded state (steps running and when they started, steps ended and when, experiments waiting for their
 * next step) and starts what the plan starts now. Because the plan is a function of what was recorded, a campaign
 * resumed after a crash makes the same decisions the uninterrupted run would have made, and nothing the scheduler
 * reserved can be lost with the process. Runs on the engine's loop thread.
 */
final class StepPlacer {
    /** Where one step goes. */
    record Placement(String experimentId, int step, DeviceSpec device) {}

    private final CampaignSpec spec;
    private final List<DeviceSpec> devices;
    private final List<Device> model;
    private final Map<String, Integer> deviceIndex = new HashMap<>();
    /** Experiments whose next step waits for a device, in the order they became ready. */
    private final Set<String> waiting = new LinkedHashSet<>();
    /** Each experiment's steps as a scheduling job, estimated once from its parameters. */
    private final Map<String, Job> jobs = new HashMap<>();

    private final Map<String, Times> times = new HashMap<>();

    private final boolean[] up;
    private long planSeq = -1;
    private long wakeAt = Long.MAX_VALUE;
    private long wakeScheduled = Long.MIN_VALUE;

    StepPlacer(CampaignSpec spec) {
        this.spec = spec;
        this.devices = spec.workcell().devices();
        this.model = devices.stream()
                .map(d -> new Device(
                        d.name(), d.capabilities(), d.capacity(), d.changeover().toMillis()))
                .toList();
        for (int d = 0; d < devices.size(); d++) {
            deviceIndex.put(devices.get(d).name(), d);
        }
        this.up = new boolean[devices.size()];
        Arrays.fill(up, true);
    }

    /**
     * Takes the experiments that arrived in {@code ready} (which it empties) and returns the steps to start now. Asks
     * {@code clock} to wake the loop when a planned step falls due. Call again after starting the steps returned, until
     * it returns none: a plan is final only once what it started is recorded.
     */
    List<Placement> dispatch(
            CampaignState state,
            Deque<String> ready,
            LabClock clock,
            Predicate<DeviceSpec> online,
            Map<String, String> lastSetup) {
        long now = clock.now().toEpochMilli();
        boolean changed = !ready.isEmpty() || state.lastSeq() != planSeq || now >= wakeAt;
        for (int d = 0; d < devices.size(); d++) {
            boolean u = online.test(devices.get(d));
            if (u != up[d]) {
                up[d] = u;
                changed = true;
            }
        }
        while (!ready.isEmpty()) {
            waiting.add(ready.poll());
        }
        if (!changed) {
            return List.of();
        }
        planSeq = state.lastSeq();
        waiting.removeIf(id -> {
            ExperimentState x = state.experiments().get(id);
            return x == null || x.status().finished() || x.stepRunning() || x.stepsDone() >= stepCount();
        });

        HeuristicScheduler scheduler = new HeuristicScheduler(model);
        for (int d = 0; d < devices.size(); d++) {
            if (!up[d]) {
                scheduler.deviceDown(d, now);
            }
            String setup = lastSetup.get(devices.get(d).name());
            if (setup != null) {
                scheduler.lastSetup(d, setup);
            }
        }
        // Jobs under way first, in the order their chains started, so they keep the places they had; then new chain
        // heads in the order they became ready.
        List<Entry> underWay = new ArrayList<>();
        List<Entry> fresh = new ArrayList<>();
        Set<String> live = new java.util.HashSet<>();
        for (ExperimentState x : state.inFlight()) {
            live.add(x.id());
            if (x.stepRunning()) {
                underWay.add(entry(x, true));
            } else if (waiting.contains(x.id())) {
                Entry e = entry(x, false);
                (e.inChain ? underWay : fresh).add(e);
            }
        }
        checkCapacity(underWay);
        jobs.keySet().retainAll(live);
        times.keySet().retainAll(live);
        underWay.sort(Comparator.comparingLong(Entry::since).thenComparingInt(e -> e.x.index()));
        fresh.sort(Comparator.comparingLong(Entry::since).thenComparingInt(e -> e.x.index()));
        List<Entry> all = new ArrayList<>(underWay);
        all.addAll(fresh);
        for (int j = 0; j < all.size(); j++) {
            Entry e = all.get(j);
            scheduler.takeOver(j, e.job, e.ended, e.op, e.device, e.startedAt, now);
        }
        List<Placement> out = new ArrayList<>();
        for (Start s : scheduler.decide(now)) {
            Entry e = all.get(s.job());
            waiting.remove(e.x.id());
            out.add(new Placement(e.x.id(), s.op(), devices.get(s.device())));
        }
        wakeAt = scheduler.nextWakeUp();
        if (wakeAt != Long.MAX_VALUE && wakeAt > now && wakeAt != wakeScheduled) {
            wakeScheduled = wakeAt;
            clock.schedule(Duration.ofMillis(wakeAt - now), () -> {});
        }
        return out;
    }

    /** Steps found running beyond a device's positions mean the workcell file changed under a running campaign. */
    private void checkCapacity(List<Entry> underWay) {
        int[] running = new int[devices.size()];
        for (Entry e : underWay) {
            if (e.device >= 0 && ++running[e.device] > devices.get(e.device).capacity()) {
                DeviceSpec d = devices.get(e.device);
                throw new EngineException("device " + d.name() + " is running " + running[e.device]
                        + " steps but the workcell gives it capacity " + d.capacity()
                        + "; restore its capacity in the workcell file until they have finished, then resume");
            }
        }
    }

    /** One experiment as the scheduler takes it over. */
    private record Entry(
            ExperimentState x,
            Job job,
            long[] ended,
            int op,
            int device,
            long startedAt,
            boolean inChain,
            long since) {}

    private Entry entry(ExperimentState x, boolean running) {
        int op = x.stepsDone();
        Times t = times.computeIfAbsent(x.id(), id -> new Times(stepCount()));
        t.update(x);
        long[] ended = Arrays.copyOf(t.ended, op);
        long[] started = t.started;
        int device = -1;
        long startedAt = 0;
        if (running) {
            StepRecord r = x.steps().get(x.steps().size() - 1);
            Integer d = deviceIndex.get(r.device());
            if (d == null) {
                throw new EngineException("experiment " + x.id() + " runs step " + r.name() + " on " + r.device()
                        + ", which is no longer in the workcell");
            }
            device = d;
            startedAt = t.runningSince;
        }
        Job job = job(x, op);
        int head = job.chainHead(op);
        boolean inChain = running || head < op;
        // Chains under way are ordered by when their first step started; waiting heads by when they became ready.
        long since = inChain ? started[head] : x.readySince();
        return new Entry(x, job, ended, op, device, startedAt, inChain, since);
    }

    /**
     * When each step of one experiment last started and ended, parsed from its records once: records are only
     * appended, and only the last one changes (when its step ends).
     */
    private static final class Times {
        final long[] started;
        final long[] ended;
        long runningSince;
        StepRecord running;
        int parsed; // leading records whose step has ended and been read

        Times(int steps) {
            started = new long[steps];
            ended = new long[steps];
        }

        void update(ExperimentState x) {
            List<StepRecord> records = x.steps();
            while (parsed < records.size() && records.get(parsed).endedAt() != null) {
                StepRecord r = records.get(parsed++);
                if ("completed".equals(r.status())) {
                    started[r.step()] = Instant.parse(r.startedAt()).toEpochMilli();
                    ended[r.step()] = Instant.parse(r.endedAt()).toEpochMilli();
                }
            }
            if (parsed < records.size() && records.get(records.size() - 1) != running) {
                running = records.get(records.size() - 1);
                runningSince = Instant.parse(running.startedAt()).toEpochMilli();
                started[running.step()] = runningSince;
            }
        }
    }

    private int stepCount() {
        return spec.protocol().steps().size();
    }

    /** The experiment's steps as a scheduling job; the step it waits for avoids devices its policy moved it off. */
    private Job job(ExperimentState x, int op) {
        Job base = jobs.computeIfAbsent(x.id(), id -> job(x));
        if (op >= base.ops().size()) {
            return base;
        }
        StepSpec step = spec.protocol().steps().get(op);
        Set<String> avoid = Engine.avoidedDevices(x, op, step);
        if (avoid.isEmpty()) {
            return base;
        }
        List<Op> ops = new ArrayList<>(base.ops());
        ops.set(op, ops.get(op).withAvoid(avoid));
        return new Job(base.id(), base.campaign(), base.priority(), base.releaseMs(), ops);
    }

    /** All the experiment's steps as a scheduling job (step durations estimated, windows from the protocol). */
    Job job(ExperimentState x) {
        List<StepSpec> steps = spec.protocol().steps();
        List<Op> ops = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) {
            StepSpec step = steps.get(k);
            Op op = new Op(step.name(), step.capability(), estimate(step, x.parameters()))
                    .withSetup(step.setupFor(x.parameters()));
            if (step.window().isPresent()) {
                TimeWindow w = step.window().get();
                int after = w.after() == null ? k - 1 : indexOf(w.after());
                if (after >= 0) {
                    long max = Double.isInfinite(w.maxMinutes()) ? Long.MAX_VALUE : ms(w.maxMinutes());
                    op = op.withWindow(new Window(after, ms(w.minMinutes()), max));
                }
            }
            ops.add(op);
        }
        return new Job(x.id(), spec.name(), 0, 0, ops);
    }

    private int indexOf(String stepName) {
        List<StepSpec> steps = spec.protocol().steps();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(stepName)) {
                return i;
            }
        }
        throw new EngineException("protocol has no step " + stepName);
    }

    /**
     * How long the step takes on the devices that can run it: the protocol's duration when it gives one, otherwise the
     * devices' timings (mean, and three standard deviations either side), plus any sim {@code setup_min}.
     */
    Estimate estimate(StepSpec step, Map<String, Object> parameters) {
        long lo = Long.MAX_VALUE;
        long hi = 0;
        long sum = 0;
        int n = 0;
        Long fixed = step.durationMinutes().map(a -> minutes(a, parameters)).orElse(null);
        for (DeviceSpec d : spec.workcell().devicesFor(step.capability())) {
            long setup = 0;
            if (d.driver().options().get("setup_min") instanceof Number m) {
                setup = ms(m.doubleValue());
            }
            long mean;
            long sd;
            if (fixed != null) {
                mean = fixed;
                sd = 0;
            } else {
                StepTiming t = d.driver().durations().get(step.capability());
                mean = t == null ? 60_000 : t.mean().toMillis();
                sd = t == null ? 0 : t.sd().toMillis();
            }
            lo = Math.min(lo, setup + Math.max(0, mean - 3 * sd));
            hi = Math.max(hi, setup + mean + 3 * sd);
            sum += setup + mean;
            n++;
        }
        if (n == 0) {
            throw new EngineException("no device can " + step.capability());
        }
        long mean = Math.max(lo, Math.min(hi, sum / n));
        return new Estimate(mean, lo, hi);
    }

    private static long minutes(Arg a, Map<String, Object> parameters) {
        Object v = a.resolve(parameters);
        return v instanceof Number num && Double.isFinite(num.doubleValue()) && num.doubleValue() >= 0
                ? ms(num.doubleValue())
                : 0;
    }

    private static long ms(double minutes) {
        return Math.round(minutes * 60_000);
    }
}
