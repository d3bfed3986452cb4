package org.labloop.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.labloop.schedule.FirstComeScheduler;
import org.labloop.schedule.HeuristicScheduler;
import org.labloop.schedule.Job;
import org.labloop.schedule.Op;
import org.labloop.schedule.Scheduler;
import org.labloop.schedule.Start;
import org.labloop.schedule.Window;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.StepTiming;

/**
 * Connects the engine to a {@link Scheduler}: turns experiments into scheduling jobs (step durations estimated from the
 * workcell's timings, windows from the protocol), tells the scheduler what the campaign state says has ended, and
 * returns the steps to start now. Runs on the engine's loop thread.
 */
final class StepPlacer {
    /** Scheduler names accepted by the engine. */
    static final Set<String> SCHEDULERS = Set.of("heuristic", "first-come");

    /** Where one step goes. */
    record Placement(String experimentId, int step, DeviceSpec device) {}

    private final CampaignSpec spec;
    private final Scheduler scheduler;
    private final List<DeviceSpec> devices;
    private final Map<String, Integer> jobIds = new HashMap<>();
    private final List<String> experimentIds = new ArrayList<>();
    private final List<Integer> offsets = new ArrayList<>();
    /** Running steps by job: the step index (in the protocol) and its idempotency key. */
    private final Map<Integer, String> runningKeys = new LinkedHashMap<>();

    private final Map<Integer, Integer> runningSteps = new HashMap<>();
    private long wakeScheduled = Long.MIN_VALUE;
    private final java.util.Set<Integer> down = new java.util.HashSet<>();

    StepPlacer(CampaignSpec spec, String schedulerName) {
        this.spec = spec;
        this.devices = spec.workcell().devices();
        List<Device> model = devices.stream()
                .map(d -> new Device(d.name(), d.capabilities(), d.capacity()))
                .toList();
        this.scheduler = switch (schedulerName) {
            case "heuristic" -> new HeuristicScheduler(model);
            case "first-come" -> new FirstComeScheduler(model, false);
            default ->
                throw new EngineException(
                        "unknown scheduler '" + schedulerName + "'; known: " + String.join(", ", SCHEDULERS));
        };
    }

    /**
     * Reports to the scheduler what ended since the last call, submits experiments that arrived in {@code ready}
     * (which it empties), and returns the steps to start now. Asks {@code clock} to wake the loop when a reserved step
     * falls due.
     */
    List<Placement> dispatch(
            CampaignState state, Deque<String> ready, LabClock clock, java.util.function.Predicate<DeviceSpec> online) {
        Instant nowInstant = clock.now();
        long now = nowInstant.toEpochMilli();
        // Devices that went off line or came back since the last call (the predicate wakes the loop when one is due).
        for (int d = 0; d < devices.size(); d++) {
            boolean up = online.test(devices.get(d));
            if (up == down.contains(d)) {
                if (up) {
                    down.remove(d);
                    scheduler.deviceUp(d, now);
                } else {
                    down.add(d);
                    scheduler.deviceDown(d, now);
                }
            }
        }
        for (var it = runningKeys.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            int job = e.getKey();
            ExperimentState x = state.experiments().get(experimentIds.get(job));
            StepRecord s = find(x, e.getValue());
            if (s == null || s.endedAt() == null) {
                continue;
            }
            it.remove();
            int op = runningSteps.remove(job) - offsets.get(job);
            if ("completed".equals(s.status())) {
                scheduler.ended(job, op, now);
            } else {
                // A failed step is tried again when the engine keeps the experiment going (a retry policy),
                // otherwise the experiment is over and its reservations go.
                scheduler.failed(job, op, now, !x.status().finished());
            }
        }
        while (!ready.isEmpty()) {
            String id = ready.poll();
            ExperimentState x = state.experiments().get(id);
            if (jobIds.containsKey(id) || x == null || x.status().finished()) {
                continue;
            }
            int job = experimentIds.size();
            int offset = x.stepsDone();
            jobIds.put(id, job);
            experimentIds.add(id);
            offsets.add(offset);
            scheduler.submit(job, job(x, offset), now);
        }
        List<Placement> out = new ArrayList<>();
        for (Start s : scheduler.decide(now)) {
            String id = experimentIds.get(s.job());
            int step = offsets.get(s.job()) + s.op();
            ExperimentState x = state.experiments().get(id);
            long attempt = x.steps().stream().filter(r -> r.step() == step).count() + 1;
            runningKeys.put(s.job(), state.id() + "/" + id + "/" + step + "/" + attempt);
            runningSteps.put(s.job(), step);
            out.add(new Placement(id, step, devices.get(s.device())));
        }
        long wake = scheduler.nextWakeUp();
        if (wake != Long.MAX_VALUE && wake > now && wake != wakeScheduled) {
            wakeScheduled = wake;
            clock.schedule(Duration.ofMillis(wake - now), () -> {});
        }
        return out;
    }

    private static StepRecord find(ExperimentState x, String key) {
        for (int i = x.steps().size() - 1; i >= 0; i--) {
            if (x.steps().get(i).idempotencyKey().equals(key)) {
                return x.steps().get(i);
            }
        }
        return null;
    }

    /** The experiment's remaining steps, from {@code offset}, as a scheduling job. */
    Job job(ExperimentState x, int offset) {
        List<StepSpec> steps = spec.protocol().steps();
        List<Op> ops = new ArrayList<>();
        for (int k = offset; k < steps.size(); k++) {
            StepSpec step = steps.get(k);
            Op op = new Op(step.name(), step.capability(), estimate(step, x.parameters()));
            if (step.window().isPresent()) {
                TimeWindow w = step.window().get();
                int after = w.after() == null ? k - 1 : indexOf(w.after());
                if (after >= offset) {
                    long max = Double.isInfinite(w.maxMinutes()) ? Long.MAX_VALUE : ms(w.maxMinutes());
                    op = op.withWindow(new Window(after - offset, ms(w.minMinutes()), max));
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
