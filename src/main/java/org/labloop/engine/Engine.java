package org.labloop.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.campaign.StepRecord;
import org.labloop.core.LabClock;
import org.labloop.device.DeviceException;
import org.labloop.device.Driver;
import org.labloop.device.StepListener;
import org.labloop.device.StepRequest;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.planner.Planner;
import org.labloop.planner.PlanningRequest;
import org.labloop.planner.Proposal;
import org.labloop.planner.SearchSpaceExhaustedException;
import org.labloop.protocol.Arg;
import org.labloop.protocol.StepSpec;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.Point;
import org.labloop.workcell.DeviceSpec;

/**
 * Drives one campaign: asks the planner for experiments, places their steps on free devices, records what devices
 * report. Every change is appended to the event log and committed before it is acted on, and all of it happens on the
 * clock's loop thread, so the engine needs no locks and a seeded run in virtual time is the same event for event.
 *
 * <p>Placement goes through a scheduler (org.labloop.schedule): by default the heuristic that reserves what a
 * time-critical chain needs before starting it, so protocol time windows are kept; {@code first-come} (each waiting
 * step takes the first free device, in arrival order) can be chosen for comparison.
 */
public final class Engine implements AutoCloseable {
    private static final String ACTOR = "engine";
    /** How often (in events) the engine stores a snapshot of its projection. */
    private static final int SNAPSHOT_EVERY = 2000;
    /** How long the loop waits for a control request while nothing else can happen. */
    private static final Duration CONTROL_POLL = Duration.ofMillis(200);

    private final CampaignSpec spec;
    private final CampaignState state;
    private final EventLog log;
    private final LabClock clock;
    private final Planner planner;
    private final Map<String, Driver> drivers;
    private final EngineListener listener;
    private final Map<String, Integer> load = new HashMap<>();
    private final Deque<String> ready = new ArrayDeque<>();
    private final StepListener stepListener = new DeviceReports();
    private final StepPlacer placer;
    private long lastSnapshot;
    private String abortRequest;
    private String abortActor;

    public Engine(
            CampaignSpec spec,
            CampaignState state,
            EventLog log,
            LabClock clock,
            Planner planner,
            Map<String, Driver> drivers,
            EngineListener listener) {
        this(spec, state, log, clock, planner, drivers, listener, "heuristic");
    }

    /** As above, with the scheduler named: {@code heuristic} (default) or {@code first-come}. */
    public Engine(
            CampaignSpec spec,
            CampaignState state,
            EventLog log,
            LabClock clock,
            Planner planner,
            Map<String, Driver> drivers,
            EngineListener listener,
            String scheduler) {
        this.placer = new StepPlacer(spec, scheduler);
        this.spec = Objects.requireNonNull(spec, "spec");
        this.state = Objects.requireNonNull(state, "state");
        this.log = Objects.requireNonNull(log, "log");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.planner = Objects.requireNonNull(planner, "planner");
        this.drivers = Map.copyOf(drivers);
        this.listener = Objects.requireNonNull(listener, "listener");
        for (DeviceSpec d : spec.workcell().devices()) {
            if (!this.drivers.containsKey(d.name())) {
                throw new EngineException("no driver for device " + d.name());
            }
            load.put(d.name(), 0);
        }
    }

    /** Runs the campaign until its budget is spent or it is aborted; returns the final state. */
    public CampaignState run() {
        if (state.status().finished()) {
            return state;
        }
        record(ACTOR, new EventBody.CampaignStarted(clock.isVirtual() ? "virtual" : "wall"));
        adoptInFlight();
        while (true) {
            if (abortRequest != null) {
                abortNow();
                break;
            }
            boolean paused = state.status() == CampaignStatus.PAUSED;
            if (!paused && budgetSpent() && state.inFlight().isEmpty()) {
                record(ACTOR, new EventBody.CampaignCompleted("budget of " + spec.budget() + " experiments spent"));
                break;
            }
            boolean proposed = !paused && propose();
            if (!(paused && state.pausedImmediately())) {
                dispatch();
            }
            boolean idle = busyDevices() == 0;
            // While paused with nothing running, wait for a control request instead of spinning.
            Duration wait = clock.isVirtual() && !(paused && idle) ? Duration.ZERO : CONTROL_POLL;
            if (!clock.runNext(wait) && clock.isVirtual() && !paused && idle && !proposed) {
                if (state.inFlight().isEmpty()) {
                    String reason = "the planner proposed nothing more after "
                            + state.experiments().size() + " experiments (search space exhausted)";
                    record(ACTOR, new EventBody.CampaignCompleted(reason));
                    break;
                }
                throw new EngineException("campaign " + state.id() + " is stuck: "
                        + state.inFlight().size() + " experiments wait for devices that never free up");
            }
        }
        log.saveSnapshot(state.id(), state.lastSeq(), state.toJson());
        return state;
    }

    /**
     * Pauses the campaign; safe to call from any thread. With {@code immediate}, running steps finish but no new step
     * starts; otherwise experiments already in the lab run to the end and only new proposals stop.
     */
    public void pause(String actor, String reason, boolean immediate) {
        clock.execute(() -> {
            if (state.status() == CampaignStatus.RUNNING
                    || (state.status() == CampaignStatus.PAUSED && immediate && !state.pausedImmediately())) {
                record(actor, new EventBody.CampaignPaused(reason, immediate));
            }
        });
    }

    /** Lifts a pause; safe to call from any thread. */
    public void resume(String actor, String reason) {
        clock.execute(() -> {
            if (state.status() == CampaignStatus.PAUSED) {
                record(actor, new EventBody.CampaignResumed(reason));
            }
        });
    }

    /** Stops the campaign for good at the next turn of the loop; safe to call from any thread. */
    public void abort(String actor, String reason) {
        clock.execute(() -> {
            abortRequest = reason;
            abortActor = actor;
        });
    }

    /** The campaign's state; read it on the loop thread or after {@link #run} returned. */
    public CampaignState state() {
        return state;
    }

    private void abortNow() {
        for (ExperimentState x : state.inFlight()) {
            if (x.stepRunning()) {
                StepRecord s = x.steps().get(x.steps().size() - 1);
                drivers.get(s.device()).cancel(s.idempotencyKey());
                load.merge(s.device(), -1, Integer::sum);
                record(
                        abortActor,
                        new EventBody.StepFailed(x.id(), s.step(), s.device(), "cancelled: campaign aborted"));
            }
            record(abortActor, new EventBody.ExperimentFailed(x.id(), "campaign aborted: " + abortRequest));
        }
        ready.clear();
        record(abortActor, new EventBody.CampaignAborted(abortRequest));
    }

    @Override
    public void close() {
        if (clock instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new EngineException("cannot stop the engine clock: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Experiments left in flight by an earlier run: those that never started a step go back in the queue; a step that
     * started but has no recorded end is treated as failed (the crash-recovery work decides more finely).
     */
    private void adoptInFlight() {
        for (ExperimentState x : state.inFlight()) {
            if (x.stepRunning()) {
                StepRecord s = x.steps().get(x.steps().size() - 1);
                record(ACTOR, new EventBody.StepFailed(x.id(), s.step(), s.device(), "interrupted by a restart"));
                record(ACTOR, new EventBody.ExperimentFailed(x.id(), "interrupted by a restart during " + s.name()));
            } else {
                ready.add(x.id());
            }
        }
    }

    private boolean budgetSpent() {
        return state.experiments().size() >= spec.budget();
    }

    private int busyDevices() {
        return (int) load.values().stream().filter(n -> n > 0).count();
    }

    /** Tops the lab up to {@code batchSize} experiments in flight. Returns true if it proposed anything. */
    private boolean propose() {
        int want = Math.min(
                spec.batchSize() - state.inFlight().size(),
                spec.budget() - state.experiments().size());
        if (want <= 0) {
            return false;
        }
        List<Observation> observations = new ArrayList<>();
        List<Point> pending = new ArrayList<>();
        for (ExperimentState x : state.experiments().values()) {
            Point p = new Point(x.parameters());
            if (x.status() == ExperimentStatus.COMPLETED) {
                observations.add(Observation.of(p, outcomes(x)));
            } else if (x.status() == ExperimentStatus.FAILED) {
                observations.add(new Observation(p, Map.of(), true));
            } else {
                pending.add(p);
            }
        }
        // A fresh stream per round, keyed by how many experiments exist, so a resumed campaign draws the same numbers.
        SplittableRandom random = new SplittableRandom(
                spec.seed() * 0x9E3779B97F4A7C15L + state.experiments().size());
        List<Proposal> proposals;
        try {
            proposals = planner.propose(new PlanningRequest(
                    spec.space(), spec.objectives(), observations, pending, want, Optional.empty(), random));
        } catch (SearchSpaceExhaustedException e) {
            return false;
        }
        for (Proposal p : proposals) {
            int index = state.experiments().size() + 1;
            String id = String.format("E%04d", index);
            record(
                    "planner:" + planner.name(),
                    new EventBody.ExperimentProposed(
                            id,
                            index,
                            p.point().values(),
                            planner.name(),
                            planner.version(),
                            p.rationale(),
                            p.details()));
            ready.add(id);
        }
        return !proposals.isEmpty();
    }

    private Map<String, Double> outcomes(ExperimentState x) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Objective o : spec.objectives()) {
            var m = x.measurements().get(o.name());
            if (m != null) {
                out.put(o.name(), m.value());
            }
        }
        return out;
    }

    /** Hands new and progressing experiments to the scheduler and starts the steps it places now. */
    private void dispatch() {
        for (StepPlacer.Placement p : placer.dispatch(state, ready, clock)) {
            ExperimentState x = state.experiments().get(p.experimentId());
            start(x, p.step(), spec.protocol().steps().get(p.step()), p.device());
        }
    }

    private void start(ExperimentState x, int stepIndex, StepSpec step, DeviceSpec device) {
        Map<String, Object> args = new LinkedHashMap<>();
        step.args().forEach((k, a) -> args.put(k, a.resolve(x.parameters())));
        Optional<Duration> duration = step.durationMinutes().map(a -> minutes(a, x));
        long attempt = x.steps().stream().filter(s -> s.step() == stepIndex).count() + 1;
        String key = state.id() + "/" + x.id() + "/" + stepIndex + "/" + attempt;
        record(
                ACTOR,
                new EventBody.StepStarted(
                        x.id(),
                        stepIndex,
                        step.name(),
                        step.capability(),
                        device.name(),
                        args,
                        duration.map(Duration::toMillis).orElse(-1L),
                        key));
        load.merge(device.name(), 1, Integer::sum);
        StepRequest request = new StepRequest(
                key,
                x.id(),
                stepIndex,
                step.name(),
                step.capability(),
                args,
                x.parameters(),
                duration,
                step.measures());
        try {
            drivers.get(device.name()).start(request, stepListener);
        } catch (DeviceException e) {
            stepListener.failed(request, e.getMessage());
        }
    }

    private static Duration minutes(Arg arg, ExperimentState x) {
        Object v = arg.resolve(x.parameters());
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
            throw new EngineException(
                    "experiment " + x.id() + ": step duration must be a non-negative number of" + " minutes, got " + v);
        }
        return Duration.ofMillis(Math.round(n.doubleValue() * 60_000));
    }

    private Event record(String actor, EventBody body) {
        Event e = log.append(state.id(), clock.now(), actor, body);
        state.apply(e);
        listener.committed(e, state);
        if (e.seq() - lastSnapshot >= SNAPSHOT_EVERY) {
            log.saveSnapshot(state.id(), state.lastSeq(), state.toJson());
            lastSnapshot = e.seq();
        }
        return e;
    }

    /** Device reports, turned into events; runs on the loop thread. */
    private final class DeviceReports implements StepListener {
        @Override
        public void completed(StepRequest request, Map<String, Double> outputs) {
            String device = deviceOf(request);
            load.merge(device, -1, Integer::sum);
            record(
                    "device:" + device,
                    new EventBody.StepCompleted(request.experimentId(), request.step(), device, outputs));
            ExperimentState x = state.experiments().get(request.experimentId());
            if (request.measures()) {
                String method = "emulator:" + spec.emulator().type();
                for (Map.Entry<String, Double> o : outputs.entrySet()) {
                    String unit = spec.objectives().stream()
                            .filter(ob -> ob.name().equals(o.getKey()))
                            .map(Objective::unit)
                            .findFirst()
                            .orElse("");
                    record(
                            "device:" + device,
                            new EventBody.MeasurementRecorded(
                                    x.id(), o.getKey(), o.getValue(), unit, device, request.step(), method));
                }
            }
            if (x.stepsDone() < spec.protocol().steps().size()) {
                ready.add(x.id());
                return;
            }
            List<String> missing = spec.objectives().stream()
                    .map(Objective::name)
                    .filter(name -> !x.measurements().containsKey(name))
                    .toList();
            if (missing.isEmpty()) {
                record(ACTOR, new EventBody.ExperimentCompleted(x.id()));
            } else {
                record(
                        ACTOR,
                        new EventBody.ExperimentFailed(x.id(), "no measurement of " + String.join(", ", missing)));
            }
        }

        @Override
        public void failed(StepRequest request, String reason) {
            String device = deviceOf(request);
            load.merge(device, -1, Integer::sum);
            record(
                    "device:" + device,
                    new EventBody.StepFailed(request.experimentId(), request.step(), device, reason));
            record(
                    ACTOR,
                    new EventBody.ExperimentFailed(
                            request.experimentId(),
                            "step " + request.stepName() + " failed on " + device + ": " + reason));
        }

        private String deviceOf(StepRequest request) {
            ExperimentState x = state.experiments().get(request.experimentId());
            for (int i = x.steps().size() - 1; i >= 0; i--) {
                StepRecord s = x.steps().get(i);
                if (s.idempotencyKey().equals(request.idempotencyKey())) {
                    return s.device();
                }
            }
            throw new EngineException("device report for unknown step " + request.idempotencyKey());
        }
    }
}
