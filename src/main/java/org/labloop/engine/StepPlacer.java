package org.labloop.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.StepRecord;
import org.labloop.core.LabClock;
import org.labloop.event.InstantText;
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
import org.labloop.workcell.DurationRange;

/**
 * Connects engines to the {@link HeuristicScheduler}. At every scheduling event it rebuilds the plan from the recorded
 * state of every campaign on the workcell (steps running and when they started, steps ended and when, experiments
 * waiting for their next step) and starts what the plan starts now. Because the plan is a function of what was
 * recorded, a campaign resumed after a crash makes the same decisions the uninterrupted run would have made, and
 * nothing the scheduler reserved can be lost with the process. Several campaigns can share one placer (and so one
 * workcell): their experiments are planned together, higher campaign priority first. Runs on the loop thread.
 */
final class StepPlacer {
    /** Where one step goes: which device, and which of its positions (0-based). */
    record Placement(String experimentId, int step, DeviceSpec device, int position) {}

    private final List<DeviceSpec> devices;
    private final List<Device> model;
    private final Map<String, Integer> deviceIndex = new HashMap<>();
    private final List<Participant> participants = new ArrayList<>();
    private final DeviceSetups setups = new DeviceSetups();
    /** One scheduler, reset for every plan. */
    private final HeuristicScheduler scheduler;

    private final boolean[] up;
    private long planSeq = -1;
    private long wakeAt = Long.MAX_VALUE;
    private long wakeScheduled = Long.MIN_VALUE;
    private long deferredSeq = Long.MIN_VALUE;
    /**
     * The instant of the last plan whose starts, once recorded, leave nothing more to plan at that instant (see
     * {@link #dispatch}), the sum of the campaigns' last sequence numbers it expects then, and the steps it started.
     */
    private long settledAt = Long.MIN_VALUE;

    private long settledSeq;
    private List<Placement> settledStarts = List.of();
    private Participant settledCaller;
    /** How many plans have been built. */
    private long rounds;
    /** How many plans were not built again at the instant of their own starts. */
    private long settledPlans;

    StepPlacer(org.labloop.workcell.Workcell workcell) {
        this.devices = workcell.devices();
        this.model = model(workcell);
        for (int d = 0; d < devices.size(); d++) {
            deviceIndex.put(devices.get(d).name(), d);
        }
        this.up = new boolean[devices.size()];
        Arrays.fill(up, true);
        this.scheduler = new HeuristicScheduler(model);
    }

    /** One campaign on the workcell: its definition, its state and the queue its engine fills. */
    final class Participant {
        private final CampaignSpec spec;
        private final CampaignState state;
        private final Deque<String> ready;
        private final Engine.PlacerView engine;

        private boolean couldStart = true;
        /** Experiments whose next step waits for a device. */
        private final Set<String> waiting = new LinkedHashSet<>();
        /** What is known of each experiment in flight that has been planned, by id. */
        private final Map<String, Tracked> tracked = new HashMap<>();

        private Participant(CampaignSpec spec, CampaignState state, Deque<String> ready, Engine.PlacerView engine) {
            this.spec = spec;
            this.state = state;
            this.ready = ready;
            this.engine = engine;
        }

        private int stepCount() {
            return spec.protocol().steps().size();
        }
    }

    /**
     * Adds a campaign to plan for. Its workcell must be this placer's: the same devices with the same capabilities,
     * positions and changeovers (drivers may differ).
     */
    Participant join(CampaignSpec spec, CampaignState state, Deque<String> ready, Engine.PlacerView engine) {
        List<DeviceSpec> theirs = spec.workcell().devices();
        boolean same = theirs.size() == devices.size();
        for (int d = 0; same && d < theirs.size(); d++) {
            DeviceSpec a = devices.get(d);
            DeviceSpec b = theirs.get(d);
            same = a.name().equals(b.name())
                    && a.capabilities().equals(b.capabilities())
                    && a.capacity() == b.capacity()
                    && a.changeover().equals(b.changeover());
        }
        if (!same) {
            throw new EngineException("campaign " + state.id() + " (" + spec.name() + ") does not run on the same"
                    + " workcell as the campaigns it is to share it with; give them one workcell file");
        }
        Participant p = new Participant(spec, state, ready, engine);
        participants.add(p);
        return p;
    }

    /** Which setup each device with a changeover was last used for, across every campaign on the workcell. */
    DeviceSetups setups() {
        return setups;
    }

    /**
     * Takes the experiments that arrived in the campaigns' ready queues (which it empties) and returns the steps of
     * {@code caller}'s campaign to start now. Asks {@code clock} to wake the loop when a planned step falls due. Call
     * again after starting the steps returned, until it returns none: a plan is final only once what it started is
     * recorded.
     *
     * <p>The plan at an instant is made from what was recorded before the steps started at that same instant: those
     * steps are planned again as if waiting, and the plan stands when it starts each of them where it runs (otherwise
     * they are taken as running, as any other). So a plan made again at the instant of its own starts, as when a
     * campaign resumes there or the loop asks once more, is the same plan: once its starts are recorded it starts
     * nothing more, and that second plan need not be built.
     */
    List<Placement> dispatch(Participant caller, LabClock clock) {
        long now = clock.now().toEpochMilli();
        long seq = 0;
        boolean changed = now >= wakeAt;
        for (Participant p : participants) {
            seq += p.state.lastSeq();
            changed |= !p.ready.isEmpty();
            boolean may = p.engine.mayStart();
            changed |= may != p.couldStart;
            p.couldStart = may;
            while (!p.ready.isEmpty()) {
                p.waiting.add(p.ready.poll());
            }
        }
        for (int d = 0; d < devices.size(); d++) {
            boolean u = true;
            for (Participant p : participants) {
                u &= p.engine.online(devices.get(d));
            }
            if (u != up[d]) {
                up[d] = u;
                changed = true;
            }
        }
        if (seq != planSeq) {
            if (!changed && seq == settledSeq && now == settledAt && startsRecorded(now)) {
                // All that changed is the starts of the last plan, recorded at its instant: the same plan.
                planSeq = seq;
                settledPlans++;
                assert sameWhenBuilt(now);
            } else {
                changed = true;
            }
        }
        settledAt = Long.MIN_VALUE;
        if (!changed) {
            return List.of();
        }
        planSeq = seq;
        long round = ++rounds;
        List<Entry> all = build(now, round, true);
        List<Start> starts = scheduler.decide(now);
        boolean fellBack = false;
        if (!rolledBackKept(all, starts)) {
            all = build(now, round, false);
            starts = scheduler.decide(now);
            fellBack = true;
        }
        List<Placement> out = new ArrayList<>();
        boolean settles = !fellBack;
        for (Start s : starts) {
            Entry e = all.get(s.job());
            if (e.rolledBack) {
                continue; // started at this instant already
            }
            if (e.p == caller) {
                // Planned again at this instant, a step on a device with a changeover is taken as running.
                settles &= devices.get(s.device()).changeover().isZero();
                caller.waiting.remove(e.x.id());
                out.add(new Placement(e.x.id(), s.op(), devices.get(s.device()), s.lane()));
            } else {
                // Another campaign's step: its own engine starts it on its turn at this same instant, in this round
                // or, if its turn has passed, in the next one (woken once per recorded state, so plans that agree
                // with themselves cannot keep the loop at one instant).
                planSeq = -1;
                settles = false;
                if (deferredSeq != seq) {
                    deferredSeq = seq;
                    clock.schedule(Duration.ZERO, () -> {});
                }
            }
        }
        if (settles && !out.isEmpty()) {
            settledAt = now;
            settledSeq = seq + out.size();
            settledStarts = out;
            settledCaller = caller;
        }
        wakeAt = scheduler.nextWakeUp();
        if (wakeAt != Long.MAX_VALUE && wakeAt > now && wakeAt != wakeScheduled) {
            wakeScheduled = wakeAt;
            clock.schedule(Duration.ofMillis(wakeAt - now), () -> {});
        }
        return out;
    }

    /**
     * Resets the scheduler and hands it every experiment in flight: running steps, and experiments waiting for their
     * next step. With {@code rollback}, steps started at {@code now} on devices without a changeover are handed over as
     * waiting (see {@link #dispatch}). Returns the experiments in the order of their job numbers.
     */
    private List<Entry> build(long now, long round, boolean rollback) {
        scheduler.reset();
        for (int d = 0; d < devices.size(); d++) {
            if (!up[d]) {
                scheduler.deviceDown(d, now);
            }
            DeviceSpec spec = devices.get(d);
            if (!spec.changeover().isZero()) {
                for (int position = 0; position < spec.capacity(); position++) {
                    String setup = setups.last(spec.name(), position);
                    if (setup != null) {
                        scheduler.lastSetup(d, position, setup);
                    }
                }
            }
        }
        // Jobs under way first, in the order their chains started, so they keep the places they had; then new chain
        // heads by campaign priority and the time they became ready.
        List<Entry> underWay = new ArrayList<>();
        List<Entry> fresh = new ArrayList<>();
        for (Participant p : participants) {
            int seen = 0;
            int stillWaiting = 0;
            for (ExperimentState x : p.state.inFlight()) {
                // A running experiment does not wait (one left in the set is dropped below).
                boolean waits = !x.stepRunning() && p.waiting.contains(x.id());
                if (waits && !stillWaits(p, x)) {
                    p.waiting.remove(x.id());
                    waits = false;
                }
                if (waits) {
                    stillWaiting++;
                }
                Tracked t;
                if (x.stepRunning()) {
                    Entry e = entry(p, x, true, rollback && p.couldStart ? now : Long.MIN_VALUE);
                    (e.inChain ? underWay : fresh).add(e);
                    t = e.tracked;
                } else if (p.couldStart && waits) {
                    // A campaign paused immediately keeps its running steps on the devices and places nothing new.
                    Entry e = entry(p, x, false, Long.MIN_VALUE);
                    (e.inChain ? underWay : fresh).add(e);
                    t = e.tracked;
                } else {
                    t = p.tracked.get(x.id());
                }
                if (t != null) {
                    t.round = round;
                    seen++;
                }
            }
            // Experiments that left the lab while waiting (rare: looking each up in the campaign costs more than the
            // rest of this loop).
            if (stillWaiting < p.waiting.size()) {
                p.waiting.removeIf(id -> {
                    ExperimentState x = p.state.experiments().get(id);
                    return x == null || !stillWaits(p, x);
                });
            }
            // Forget experiments no longer in flight.
            if (seen < p.tracked.size()) {
                p.tracked.values().removeIf(t -> t.round != round);
            }
        }
        checkCapacity(underWay);
        underWay.sort(StepPlacer::underWayOrder);
        fresh.sort(StepPlacer::freshOrder);
        List<Entry> all = new ArrayList<>(underWay.size() + fresh.size());
        all.addAll(underWay);
        all.addAll(fresh);
        for (int j = 0; j < all.size(); j++) {
            Entry e = all.get(j);
            try {
                // Of the ends it is given, the scheduler reads those of the steps before op only.
                if (e.rolledBack) {
                    scheduler.takeOver(j, e.job, e.tracked.ended, e.op, -1, -1, 0, 0, now);
                } else {
                    scheduler.takeOver(
                            j, e.job, e.tracked.ended, e.op, e.device, e.position, e.startedAt, e.changeoverMs, now);
                }
            } catch (IllegalStateException x) {
                throw new EngineException(
                        "experiment " + e.x.id() + " of campaign " + e.p.state.id()
                                + " cannot be taken over as the log says: " + x.getMessage()
                                + "; run 'labloop verify' on the store",
                        x);
            }
        }
        return all;
    }

    /** Whether the plan starts every step it was given back as waiting, each where it runs. */
    private static boolean rolledBackKept(List<Entry> all, List<Start> starts) {
        int rolled = 0;
        for (Entry e : all) {
            if (e.rolledBack) {
                rolled++;
            }
        }
        if (rolled == 0) {
            return true;
        }
        int kept = 0;
        for (Start s : starts) {
            Entry e = all.get(s.job());
            if (e.rolledBack) {
                if (s.op() != e.op || s.device() != e.device || s.lane() != e.position) {
                    return false;
                }
                kept++;
            }
        }
        return kept == rolled;
    }

    /**
     * Whether the plan not built again would, if built, start nothing more and wake the loop at the same time (checked
     * when assertions are on, as in tests).
     */
    private boolean sameWhenBuilt(long now) {
        long wake = wakeAt;
        List<Entry> all = build(now, ++rounds, true);
        List<Start> starts = scheduler.decide(now);
        if (!rolledBackKept(all, starts)) {
            throw new IllegalStateException(
                    "the plan at " + now + " built again did not start the steps it started where they run");
        }
        for (Start s : starts) {
            if (!all.get(s.job()).rolledBack) {
                throw new IllegalStateException("the plan at " + now + " built again starts experiment "
                        + all.get(s.job()).x.id() + " step " + s.op());
            }
        }
        if (scheduler.nextWakeUp() != wake) {
            throw new IllegalStateException(
                    "the plan at " + now + " built again wakes at " + scheduler.nextWakeUp() + " instead of " + wake);
        }
        return true;
    }

    /** How many plans were found unchanged at the instant of their own starts, and not built again. */
    long settledPlans() {
        return settledPlans;
    }

    /** Whether the steps of the last settling plan are recorded as started at {@code now}, where it put them. */
    private boolean startsRecorded(long now) {
        for (Placement pl : settledStarts) {
            ExperimentState x = settledCaller.state.experiments().get(pl.experimentId());
            if (x == null || !x.stepRunning()) {
                return false;
            }
            StepRecord r = x.steps().get(x.steps().size() - 1);
            int position = r.position() == null ? 0 : r.position() - 1;
            if (r.step() != pl.step()
                    || !r.device().equals(pl.device().name())
                    || position != pl.position()
                    || InstantText.epochMilli(r.startedAt()) != now) {
                return false;
            }
        }
        return true;
    }

    /** Whether an experiment in the waiting set still waits for a device for its next step. */
    private static boolean stillWaits(Participant p, ExperimentState x) {
        return !x.status().finished() && !x.stepRunning() && x.stepsDone() < p.stepCount();
    }

    /**
     * Steps found running beyond a device's positions mean the workcell file changed under a running campaign (two
     * in one position, which the scheduler refuses, a damaged log).
     */
    private void checkCapacity(List<Entry> underWay) {
        int[] running = new int[devices.size()];
        for (Entry e : underWay) {
            if (e.device < 0 || e.rolledBack) {
                continue;
            }
            DeviceSpec d = devices.get(e.device);
            if (++running[e.device] > d.capacity() || e.position >= d.capacity()) {
                throw new EngineException("device " + d.name() + " is running " + running[e.device] + " steps"
                        + (e.position >= d.capacity() ? ", one in position " + (e.position + 1) + "," : "")
                        + " but the workcell gives it capacity " + d.capacity()
                        + "; restore its capacity in the workcell file until they have finished, then resume");
            }
        }
    }

    /**
     * Chains under way in the order they started. Ties between campaigns go by campaign id, so the order the campaigns
     * were given in does not matter.
     */
    private static int underWayOrder(Entry a, Entry b) {
        int c = Long.compare(a.since, b.since);
        if (c == 0) {
            c = a.p.state.id().compareTo(b.p.state.id());
        }
        return c != 0 ? c : Integer.compare(a.x.index(), b.x.index());
    }

    /** New chain heads by campaign priority, then by when they became ready. */
    private static int freshOrder(Entry a, Entry b) {
        int c = Integer.compare(-a.p.spec.priority(), -b.p.spec.priority());
        if (c == 0) {
            c = Long.compare(a.readyAt, b.readyAt);
        }
        if (c == 0) {
            c = a.p.state.id().compareTo(b.p.state.id());
        }
        if (c == 0) {
            c = Long.compare(a.since, b.since);
        }
        return c != 0 ? c : Integer.compare(a.x.index(), b.x.index());
    }

    /** One experiment as the scheduler takes it over. */
    private record Entry(
            Participant p,
            ExperimentState x,
            Tracked tracked,
            Job job,
            int op,
            int device,
            int position,
            long startedAt,
            long changeoverMs,
            boolean inChain,
            long since,
            long readyAt,
            boolean rolledBack) {}

    /**
     * One experiment as the scheduler takes it over. A running step that started at {@code rollbackAt} on a device
     * without a changeover is given back as waiting; its entry keeps where it runs.
     */
    private Entry entry(Participant p, ExperimentState x, boolean running, long rollbackAt) {
        int op = x.stepsDone();
        Tracked t = p.tracked.get(x.id());
        if (t == null) {
            t = new Tracked(job(p.spec, x), p.stepCount(), x.proposedAt());
            p.tracked.put(x.id(), t);
        }
        t.update(x);
        long[] started = t.started;
        int device = -1;
        int position = -1;
        long startedAt = 0;
        long changeover = 0;
        if (running) {
            StepRecord r = x.steps().get(x.steps().size() - 1);
            Integer d = deviceIndex.get(r.device());
            if (d == null) {
                throw new EngineException("experiment " + x.id() + " runs step " + r.name() + " on " + r.device()
                        + ", which is no longer in the workcell");
            }
            device = d;
            // A start recorded without its position: on a device of one position there is only one.
            position = r.position() != null
                    ? r.position() - 1
                    : devices.get(d).capacity() == 1 ? 0 : p.engine.positionOf(r.idempotencyKey());
            startedAt = t.runningSince;
            changeover = p.engine.changeoverMs(r.idempotencyKey());
        }
        boolean rolledBack = running
                && startedAt == rollbackAt
                && devices.get(device).changeover().isZero();
        Job job = job(p, x, t.job, op);
        int head = t.chainHead[op];
        boolean inChain = (running && !rolledBack) || head < op;
        // Chains under way are ordered by when their first step started; waiting heads by when they became ready.
        long since = inChain ? started[head] : x.readySince();
        return new Entry(
                p, x, t, job, op, device, position, startedAt, changeover, inChain, since, t.readyAt, rolledBack);
    }

    /**
     * What the placer keeps of one experiment while it is in flight: its steps as a scheduling job, estimated once from
     * its parameters, and when each step last started and ended, parsed from its records once (records are only
     * appended, and only the last one changes, when its step ends).
     */
    private static final class Tracked {
        final Job job;
        /** For each step, the first step of the time-critical chain it belongs to (devices avoided do not change it). */
        final int[] chainHead;

        final long[] started;
        final long[] ended;
        long runningSince;
        /** When the experiment last became ready for a step: proposed, or its last step ended. */
        long readyAt;

        StepRecord running;
        int parsed; // leading records whose step has ended and been read
        /** The last plan that found the experiment in flight. */
        long round;

        Tracked(Job job, int steps, String proposedAt) {
            this.job = job;
            chainHead = new int[job.ops().size()];
            for (int k = 0; k < chainHead.length; k++) {
                chainHead[k] = job.chainHead(k);
            }
            started = new long[steps];
            ended = new long[steps];
            readyAt = proposedAt == null ? 0 : InstantText.epochMilli(proposedAt);
        }

        void update(ExperimentState x) {
            List<StepRecord> records = x.steps();
            while (parsed < records.size() && records.get(parsed).endedAt() != null) {
                StepRecord r = records.get(parsed++);
                readyAt = InstantText.epochMilli(r.endedAt());
                if ("completed".equals(r.status())) {
                    started[r.step()] = InstantText.epochMilli(r.startedAt());
                    ended[r.step()] = readyAt;
                }
            }
            if (parsed < records.size() && records.get(records.size() - 1) != running) {
                running = records.get(records.size() - 1);
                runningSince = InstantText.epochMilli(running.startedAt());
                started[running.step()] = runningSince;
            }
        }
    }

    /** The experiment's steps as a scheduling job; the step it waits for avoids devices its policy moved it off. */
    private static Job job(Participant p, ExperimentState x, Job base, int op) {
        if (op >= base.ops().size()) {
            return base;
        }
        StepSpec step = p.spec.protocol().steps().get(op);
        Set<String> avoid = Engine.avoidedDevices(x, op, step);
        if (avoid.isEmpty()) {
            return base;
        }
        List<Op> ops = new ArrayList<>(base.ops());
        ops.set(op, ops.get(op).withAvoid(avoid));
        return new Job(base.id(), base.campaign(), base.priority(), base.releaseMs(), ops);
    }

    /** All the experiment's steps as a scheduling job (step durations estimated, windows from the protocol). */
    static Job job(CampaignSpec spec, ExperimentState x) {
        return job(spec, x.id(), x.parameters());
    }

    /** The steps of experiment {@code id} with these parameter values as a scheduling job. */
    static Job job(CampaignSpec spec, String id, Map<String, Object> parameters) {
        List<StepSpec> steps = spec.protocol().steps();
        List<Op> ops = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) {
            StepSpec step = steps.get(k);
            Op op = new Op(step.name(), step.capability(), estimate(spec, step, parameters))
                    .withSetup(step.setupFor(parameters));
            if (step.window().isPresent()) {
                TimeWindow w = step.window().get();
                int after = w.after() == null ? k - 1 : indexOf(spec, w.after());
                if (after >= 0) {
                    long max = Double.isInfinite(w.maxMinutes()) ? Long.MAX_VALUE : ms(w.maxMinutes());
                    op = op.withWindow(new Window(after, ms(w.minMinutes()), max));
                }
            }
            ops.add(op);
        }
        return new Job(id, spec.name(), spec.priority(), 0, ops);
    }

    /** The workcell's devices as the scheduler models them. */
    static List<Device> model(org.labloop.workcell.Workcell workcell) {
        return workcell.devices().stream()
                .map(d -> new Device(
                        d.name(), d.capabilities(), d.capacity(), d.changeover().toMillis()))
                .toList();
    }

    private static int indexOf(CampaignSpec spec, String stepName) {
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
    static Estimate estimate(CampaignSpec spec, StepSpec step, Map<String, Object> parameters) {
        Long fixed = step.durationMinutes().map(a -> minutes(a, parameters)).orElse(null);
        if (spec.workcell().devicesFor(step.capability()).isEmpty()) {
            throw new EngineException("no device can " + step.capability());
        }
        DurationRange r = DurationRange.of(
                spec.workcell(),
                step.capability(),
                fixed == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(fixed));
        return new Estimate(r.meanMs(), r.loMs(), r.hiMs());
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
