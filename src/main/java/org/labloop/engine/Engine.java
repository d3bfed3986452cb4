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
import org.labloop.device.StepStatus;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.planner.GrowingList;
import org.labloop.planner.Planner;
import org.labloop.planner.PlanningRequest;
import org.labloop.planner.Proposal;
import org.labloop.planner.SearchSpaceExhaustedException;
import org.labloop.protocol.Arg;
import org.labloop.protocol.FailurePolicy;
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
    /**
     * The fewest events between two snapshots of the projection; the gap also grows with the log (a quarter of it), so
     * writing snapshots costs time linear in the campaign's length while a resume replays at most a fifth of the log.
     */
    private static final int SNAPSHOT_EVERY = 2000;
    /** How long the loop waits for a control request while nothing else can happen. */
    static final Duration CONTROL_POLL = Duration.ofMillis(200);

    private final CampaignSpec spec;
    private final CampaignState state;
    private final EventLog log;
    private final LabClock clock;
    private final Planner planner;
    private final Map<String, Driver> drivers;
    private final EngineListener listener;
    private final Occupancy occupancy = new Occupancy();
    private final Deque<String> ready = new ArrayDeque<>();
    private final Map<String, LabClock.Cancellable> timeouts = new HashMap<>();
    private final java.util.Set<java.time.Instant> wakeUps = new java.util.HashSet<>();
    /**
     * What finished experiments taught, in proposal order, kept as they come in: {@code settled} holds experiments 1..n
     * (all finished), {@code early} those that finished while one before them still runs. A planning request gets a
     * view of both, so a round costs the few early ones rather than a copy of every observation.
     */
    private final GrowingList<Observation> settled = new GrowingList<>();

    private final java.util.TreeMap<Integer, Observation> early = new java.util.TreeMap<>();
    /** The first completed experiment (by index) that met every objective's target and every constraint; or null. */
    private ExperimentState goalMetBy;
    /** The points of experiments in flight, made once rather than at every planning round they wait through. */
    private final Map<String, Point> points = new HashMap<>();
    /** The devices able to do each capability, in workcell order (the workcell answers with a fresh list each time). */
    private final Map<String, List<DeviceSpec>> capable = new HashMap<>();

    private final StepListener stepListener = new DeviceReports();
    /** Scheduler names the engine accepts. */
    public static final List<String> SCHEDULERS = List.of("heuristic", "first-come");

    private final StepPlacer placer; // null: first come, first served
    private final StepPlacer.Participant participant;
    /** The setup of the last step started on each device that has a changeover. */
    private final DeviceSetups setups;

    private List<String> sharedWith = List.of();
    /** The changeover each step started before this engine ran was given, by idempotency key (for a restart). */
    private final Map<String, Duration> startedWith = new HashMap<>();

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

    /**
     * As above, with the placement named: {@code heuristic} (default: the look-ahead scheduler that keeps protocol time
     * windows) or {@code first-come} (each waiting step takes the first free device, in arrival order).
     */
    public Engine(
            CampaignSpec spec,
            CampaignState state,
            EventLog log,
            LabClock clock,
            Planner planner,
            Map<String, Driver> drivers,
            EngineListener listener,
            String scheduler) {
        this(
                spec,
                state,
                log,
                clock,
                planner,
                drivers,
                listener,
                switch (scheduler) {
                    case "heuristic" -> new StepPlacer(spec.workcell());
                    case "first-come" -> null;
                    default ->
                        throw new EngineException(
                                "unknown scheduler '" + scheduler + "'; known: " + String.join(", ", SCHEDULERS));
                });
    }

    /** An engine whose steps {@code placer} places (shared with the other campaigns on the workcell), or first come. */
    Engine(
            CampaignSpec spec,
            CampaignState state,
            EventLog log,
            LabClock clock,
            Planner planner,
            Map<String, Driver> drivers,
            EngineListener listener,
            StepPlacer placer) {
        this.placer = placer;
        this.participant = placer == null ? null : placer.join(spec, state, ready, new PlacerView());
        this.setups = placer == null ? new DeviceSetups() : placer.setups();
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
        }
    }

    /** Runs the campaign until its budget is spent or it is aborted; returns the final state. */
    public CampaignState run() {
        return run(ACTOR);
    }

    /** As {@link #run()}, recording {@code startedBy} (the person or process that started it) as the starter. */
    public CampaignState run(String startedBy) {
        if (!begin(startedBy)) {
            return state;
        }
        while (true) {
            Turn t = turn();
            if (t == Turn.FINISHED) {
                break;
            }
            if (clock.runNext(clock.isVirtual() ? Duration.ZERO : CONTROL_POLL) || !clock.isVirtual()) {
                continue;
            }
            // Virtual time with nothing scheduled: only a person (a resume, an acknowledgement) or the planner can
            // still change anything.
            if (t == Turn.WAITING_FOR_A_PERSON) {
                clock.runNext(CONTROL_POLL);
                continue;
            }
            if (t == Turn.PROPOSED) {
                continue;
            }
            idle();
            break;
        }
        end();
        return state;
    }

    /** What one turn of the loop left behind. */
    enum Turn {
        FINISHED,
        WAITING_FOR_A_PERSON,
        PROPOSED,
        WORKING
    }

    /** The campaigns this one shares its workcell with in this run (recorded with its start). */
    void sharedWith(List<String> ids) {
        sharedWith = List.copyOf(ids);
    }

    /** Records the start and reconciles what an earlier run left in flight; false when the campaign already ended. */
    boolean begin(String startedBy) {
        if (state.status().finished()) {
            return false;
        }
        org.labloop.campaign.Approval.require(spec, state);
        for (ExperimentState x : state.experiments().values()) {
            if (x.status().finished()) {
                observe(x);
            }
        }
        rememberSetups();
        record(startedBy, new EventBody.CampaignStarted(clock.isVirtual() ? "virtual" : "wall", sharedWith));
        reconcile();
        startLooping();
        return true;
    }

    /**
     * What people asked for before the loop began (a pause or abort left in the control inbox by a run that was
     * killed): done once the start is recorded, before the first turn proposes or starts anything.
     */
    private final List<Runnable> prelude = new ArrayList<>();

    private boolean looping; // guarded by prelude

    /** An abort is among what was asked before the loop began. */
    private boolean abortAsked; // guarded by prelude

    /** Runs {@code action} on the loop thread: after the start is recorded if the loop has not begun, else next turn. */
    private void onLoop(Runnable action) {
        synchronized (prelude) {
            if (!looping) {
                prelude.add(action);
                return;
            }
        }
        clock.execute(action);
    }

    private void startLooping() {
        List<Runnable> asked;
        synchronized (prelude) {
            looping = true;
            asked = List.copyOf(prelude);
            prelude.clear();
        }
        asked.forEach(Runnable::run);
    }

    /** One turn: act on an abort, end a spent campaign, top the lab up with proposals, start what can start. */
    Turn turn() {
        if (abortRequest != null) {
            abortNow();
            return Turn.FINISHED;
        }
        boolean paused = state.status() == CampaignStatus.PAUSED;
        // The goal first: a goal met by the experiment that also spent the budget is what the campaign achieved.
        if (!paused && goalMetBy != null && state.inFlightCount() == 0) {
            record(ACTOR, new EventBody.CampaignCompleted(goalReason()));
            return Turn.FINISHED;
        }
        if (!paused && budgetSpent() && state.inFlightCount() == 0) {
            record(ACTOR, new EventBody.CampaignCompleted("budget of " + experiments(spec.budget()) + " spent"));
            return Turn.FINISHED;
        }
        if (!paused && tooManyFailures()) {
            pauseForFailures();
            paused = true;
        }
        boolean proposed = !paused && propose();
        if (!(paused && state.pausedImmediately())) {
            dispatch();
        }
        if (paused || !state.openRequests().isEmpty()) {
            return Turn.WAITING_FOR_A_PERSON;
        }
        return proposed ? Turn.PROPOSED : Turn.WORKING;
    }

    private static String experiments(long n) {
        return n + (n == 1 ? " experiment" : " experiments");
    }

    /**
     * Whether as many experiments failed in a row as the campaign allows before a person looks, and more would be
     * proposed (with the budget spent or the goal met, the campaign just ends).
     */
    private boolean tooManyFailures() {
        int limit = spec.pauseAfterFailures();
        return limit > 0
                && state.failedInARow() >= limit
                && state.status() == CampaignStatus.RUNNING
                && !budgetSpent()
                && goalMetBy == null;
    }

    /**
     * Stops proposing and asks a person to look: experiments failing one after another usually mean a broken device, an
     * empty reservoir or a wrong protocol, and the next ones would fail the same way and spend material. Experiments
     * already in the lab run to the end.
     */
    private void pauseForFailures() {
        ExperimentState last = state.experiments().get(state.lastFailed());
        String requestId = "failures-" + last.id();
        int step = Math.min(last.stepsDone(), spec.protocol().steps().size() - 1);
        record(
                ACTOR,
                new EventBody.OperatorRequested(
                        requestId,
                        last.id(),
                        step,
                        state.failedInARow() + " experiments failed in a row (pause_after_failures: "
                                + spec.pauseAfterFailures() + "); the last, " + last.id() + ": " + last.failure()
                                + ". Check the workcell, then: labloop ack " + state.id() + " " + requestId
                                + " --note '...'"));
        record(ACTOR, new EventBody.CampaignPaused("waiting for operator request " + requestId, false));
    }

    /**
     * Nothing is scheduled and nobody is awaited: the campaign is over when nothing is in flight (the planner has
     * nothing more to propose), and stuck otherwise.
     */
    void idle() {
        if (state.inFlightCount() == 0) {
            String reason = "the planner proposed nothing more after "
                    + experiments(state.experiments().size()) + " (search space exhausted)";
            record(ACTOR, new EventBody.CampaignCompleted(reason));
            return;
        }
        boolean windows =
                spec.protocol().steps().stream().anyMatch(s -> s.window().isPresent());
        throw new EngineException("campaign " + state.id() + " in " + log.location() + " is stuck: "
                + state.inFlightCount()
                + " experiments wait for steps that no device will run (busy devices: " + busyDevices() + ")"
                + (windows
                        ? "; the protocol's time windows may be too tight for the devices: widen them, then start the"
                                + " campaign anew (labloop plan shows the schedule a campaign would follow)"
                        : "; check that the devices the protocol needs are on line"));
    }

    /** After the last turn: a snapshot of the final state. */
    void end() {
        log.saveSnapshot(state.id(), state.lastSeq(), state.toJson());
    }

    LabClock clock() {
        return clock;
    }

    CampaignSpec spec() {
        return spec;
    }

    /**
     * Pauses the campaign; safe to call from any thread. With {@code immediate}, running steps finish but no new step
     * starts; otherwise experiments already in the lab run to the end and only new proposals stop.
     */
    public void pause(String actor, String reason, boolean immediate) {
        pause(actor, reason, immediate, NOTHING);
    }

    /** As {@link #pause(String, String, boolean)}; {@code dealtWith} runs on the loop thread once it is recorded. */
    public void pause(String actor, String reason, boolean immediate, Runnable dealtWith) {
        onLoop(() -> {
            if (state.status() == CampaignStatus.RUNNING
                    || (state.status() == CampaignStatus.PAUSED && immediate && !state.pausedImmediately())) {
                record(actor, new EventBody.CampaignPaused(reason, immediate));
            }
            dealtWith.run(); // only once recorded: a failed write leaves the request for the next engine
        });
    }

    /** Lifts a pause; safe to call from any thread. */
    public void resume(String actor, String reason) {
        resume(actor, reason, NOTHING);
    }

    /** As {@link #resume(String, String)}; {@code dealtWith} runs on the loop thread once it is recorded. */
    public void resume(String actor, String reason, Runnable dealtWith) {
        onLoop(() -> {
            if (state.status() == CampaignStatus.PAUSED && !waitsForAnswer(state)) {
                record(actor, new EventBody.CampaignResumed(reason));
            }
            dealtWith.run();
        });
    }

    /**
     * Whether the campaign is paused by its engine for operator requests still open: only answering them (labloop
     * ack) lifts that pause, so restarting the process or a plain resume cannot skip the check a person was asked for.
     */
    public static boolean waitsForAnswer(CampaignState state) {
        return state.status() == CampaignStatus.PAUSED
                && ACTOR.equals(state.pausedBy())
                && !state.openRequests().isEmpty();
    }

    /**
     * A person answers an operator request; safe to call from any thread. A retryable step is then tried again, a
     * step that cannot be re-run fails its experiment, and a pause the engine made for the request is lifted once no
     * request is open.
     */
    public void acknowledge(String actor, String requestId, String note) {
        acknowledge(actor, requestId, note, NOTHING);
    }

    /** As {@link #acknowledge(String, String, String)}; {@code dealtWith} runs on the loop thread once recorded. */
    public void acknowledge(String actor, String requestId, String note, Runnable dealtWith) {
        onLoop(() -> {
            answer(actor, requestId, note);
            dealtWith.run();
        });
    }

    private void answer(String actor, String requestId, String note) {
        CampaignState.OperatorRequest r = state.openRequests().get(requestId);
        if (r == null) {
            return;
        }
        record(actor, new EventBody.OperatorAcknowledged(requestId, note));
        afterAcknowledged(
                state.experiments().get(r.experimentId()),
                r.step(),
                requestId + " acknowledged by " + actor + ": " + note);
        if (state.openRequests().isEmpty()
                && state.status() == CampaignStatus.PAUSED
                && ACTOR.equals(state.pausedBy())) {
            record(actor, new EventBody.CampaignResumed("operator request " + requestId + " acknowledged"));
        }
    }

    /** An acknowledged failure: a retryable step runs again, one that is not fails its experiment. */
    private void afterAcknowledged(ExperimentState x, int stepIndex, String how) {
        if (x.status().finished()) {
            return;
        }
        StepSpec step = spec.protocol().steps().get(stepIndex);
        if (step.retryable()) {
            ready.add(x.id());
        } else {
            record(
                    ACTOR,
                    new EventBody.ExperimentFailed(
                            x.id(),
                            "step " + step.name()
                                    + " failed and cannot be re-run on the same material (operator request " + how
                                    + ")"));
        }
    }

    private static String requestId(ExperimentState x, StepSpec step, int attempts) {
        return x.id() + "-" + step.name() + "-" + attempts;
    }

    /** Stops the campaign for good at the next turn of the loop; safe to call from any thread. */
    public void abort(String actor, String reason) {
        abort(actor, reason, NOTHING);
    }

    /** As {@link #abort(String, String)}; {@code dealtWith} runs on the loop thread once the abort is recorded. */
    public void abort(String actor, String reason, Runnable dealtWith) {
        synchronized (prelude) {
            abortAsked |= !looping;
        }
        onLoop(() -> {
            if (state.status().finished()) {
                dealtWith.run();
                return;
            }
            abortRequest = reason;
            abortActor = actor;
            abortsDealtWith.add(dealtWith);
        });
    }

    /** Callers waiting for the abort to be recorded. */
    private final List<Runnable> abortsDealtWith = new ArrayList<>();

    private static final Runnable NOTHING = () -> {};

    /** The campaign's state; read it on the loop thread or after {@link #run} returned. */
    public CampaignState state() {
        return state;
    }

    private void abortNow() {
        for (ExperimentState x : state.inFlight()) {
            if (x.stepRunning()) {
                StepRecord s = x.steps().get(x.steps().size() - 1);
                drivers.get(s.device()).cancel(s.idempotencyKey());
                occupancy.release(s.device(), s.idempotencyKey());
                record(
                        abortActor,
                        new EventBody.StepFailed(x.id(), s.step(), s.device(), "cancelled: campaign aborted"));
            }
            record(abortActor, new EventBody.ExperimentFailed(x.id(), "campaign aborted: " + abortRequest));
        }
        ready.clear();
        record(abortActor, new EventBody.CampaignAborted(abortRequest));
        abortsDealtWith.forEach(Runnable::run);
        abortsDealtWith.clear();
    }

    @Override
    public void close() {
        closeClock(clock);
    }

    /** Stops a clock that holds resources (a paced or wall clock's timer thread). */
    static void closeClock(LabClock clock) {
        if (clock instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new EngineException("cannot stop the engine clock: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reconciles experiments an earlier run left in flight (after a crash or a kill). Committed events are facts; for
     * a step that was started but has no recorded end, the device is asked: a finished step is recorded as it
     * ended, a running one is adopted, and one the device never received is started again under the same idempotency
     * key. Measurements or endings that were not yet recorded are recorded now. Nothing is done twice.
     */
    private void reconcile() {
        boolean aborting;
        synchronized (prelude) {
            aborting = abortAsked;
        }
        List<ExperimentState> inFlight = new ArrayList<>(state.inFlight());
        inFlight.sort(java.util.Comparator.comparingLong(ExperimentState::readySince));
        // Recorded positions first; a start recorded without one (an older log) then gets a free one.
        for (ExperimentState x : inFlight) {
            StepRecord s = x.stepRunning() ? x.steps().get(x.steps().size() - 1) : null;
            if (s != null && s.position() != null && drivers.containsKey(s.device())) {
                occupancy.take(s.device(), s.position() - 1, s.idempotencyKey());
            }
        }
        for (ExperimentState x : inFlight) {
            if (x.stepRunning()) {
                StepRecord s = x.steps().get(x.steps().size() - 1);
                int position = s.position() != null ? s.position() - 1 : unrecordedPosition(s);
                StepRequest request = request(
                        x,
                        s.step(),
                        s.idempotencyKey(),
                        startedWith.getOrDefault(s.idempotencyKey(), Duration.ZERO),
                        position);
                Driver driver = drivers.get(s.device());
                if (driver == null) {
                    stepListener.failed(request, "device " + s.device() + " is no longer in the workcell");
                    continue;
                }
                // A step the device finished while the engine was down is recorded at the time it ended.
                switch (driver.query(s.idempotencyKey())) {
                    case StepStatus.Completed c ->
                        clock.schedule(sinceNow(c.endedAt()), () -> stepListener.completed(request, c.outputs()));
                    case StepStatus.Failed f ->
                        clock.schedule(sinceNow(f.endedAt()), () -> stepListener.failed(request, f.reason()));
                    case StepStatus.Running r -> {
                        driver.adopt(request, stepListener);
                        armTimeout(request, java.time.Instant.parse(s.startedAt()));
                    }
                    case StepStatus.Unknown u -> {
                        // An abort a person asked for before this start stops it anyway: not sent to the device.
                        if (!aborting) {
                            startOnDriver(driver, request);
                        }
                    }
                }
            } else if (!x.steps().isEmpty()) {
                StepRecord last = x.steps().get(x.steps().size() - 1);
                if ("completed".equals(last.status())) {
                    afterStep(x, last.step(), last.device(), last.outputs());
                } else if (state.openRequests().values().stream()
                        .noneMatch(r -> r.experimentId().equals(x.id()))) {
                    // The failure was recorded but not yet acted on: its policy decides, as it would have.
                    afterFailure(
                            x, last.step(), last.device(), last.failure(), java.time.Instant.parse(last.endedAt()));
                }
            } else {
                ready.add(x.id());
            }
        }
    }

    /** A free position for a running step whose start did not record one; taken for it. */
    private int unrecordedPosition(StepRecord s) {
        int capacity =
                spec.workcell().device(s.device()).map(DeviceSpec::capacity).orElse(1);
        int position = Math.max(0, occupancy.firstFree(s.device(), capacity, null));
        if (drivers.containsKey(s.device())) {
            occupancy.take(s.device(), position, s.idempotencyKey());
        }
        return position;
    }

    private Duration sinceNow(java.time.Instant at) {
        Duration d = Duration.between(clock.now(), at);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private boolean budgetSpent() {
        return state.experiments().size() >= spec.budget();
    }

    /**
     * Whether {@code x} reached the goal: every objective that has a target met it, and every constrained outcome was
     * measured and satisfies its constraint. Without targets there is no goal and only the budget ends the campaign.
     */
    private boolean reachesGoal(ExperimentState x) {
        if (x.status() != ExperimentStatus.COMPLETED
                || spec.objectives().stream().noneMatch(o -> o.target().isPresent())) {
            return false;
        }
        for (var o : spec.objectives()) {
            var m = x.measurements().get(o.name());
            if (o.target().isPresent() && (m == null || !o.targetMet(m.value()))) {
                return false;
            }
        }
        for (var c : spec.constraints()) {
            var m = x.measurements().get(c.outcome());
            if (m == null || !c.satisfiedBy(m.value())) {
                return false;
            }
        }
        return true;
    }

    private static String plain(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private String goalReason() {
        List<String> met = new ArrayList<>();
        for (var o : spec.objectives()) {
            if (o.target().isPresent()) {
                met.add(o.name() + " " + (o.direction() == org.labloop.space.Direction.MAXIMISE ? ">=" : "<=") + " "
                        + plain(o.target().getAsDouble()));
            }
        }
        return "goal met: " + goalMetBy.id() + " reached " + String.join(" and ", met)
                + (spec.constraints().isEmpty() ? "" : " within the constraints") + " after "
                + experiments(state.experiments().size());
    }

    private int busyDevices() {
        return occupancy.busyDevices();
    }

    /** Tops the lab up to {@code batchSize} experiments in flight. Returns true if it proposed anything. */
    private boolean propose() {
        int want = Math.min(
                spec.batchSize() - state.inFlightCount(),
                spec.budget() - state.experiments().size());
        // Once the goal is met nothing more is proposed; experiments already proposed run to the end.
        if (want <= 0 || goalMetBy != null) {
            return false;
        }
        // In proposal order whatever the order they finished in, so a resumed run asks the planner the same question.
        List<Observation> observations = settled.view(early.values());
        List<Point> pending = new ArrayList<>();
        for (ExperimentState x : state.inFlight()) {
            pending.add(points.computeIfAbsent(x.id(), id -> new Point(x.parameters())));
        }
        // A fresh stream per round, keyed by how many experiments exist, so a resumed campaign draws the same numbers.
        SplittableRandom random = new SplittableRandom(
                spec.seed() * 0x9E3779B97F4A7C15L + state.experiments().size());
        List<Proposal> proposals;
        try {
            proposals = planner.propose(new PlanningRequest(
                    spec.space(),
                    spec.objectives(),
                    spec.constraints(),
                    observations,
                    pending,
                    want,
                    Optional.empty(),
                    random,
                    spec.seed()));
        } catch (SearchSpaceExhaustedException e) {
            return false;
        }
        // One planner round is one commit: a crash never leaves half a batch.
        List<EventBody> bodies = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Proposal p : proposals) {
            int index = state.experiments().size() + 1 + bodies.size();
            String id = String.format("E%04d", index);
            ids.add(id);
            bodies.add(new EventBody.ExperimentProposed(
                    id, index, p.point().values(), planner.name(), planner.version(), p.rationale(), p.details()));
        }
        recordAll("planner:" + planner.name(), bodies);
        ready.addAll(ids);
        return !proposals.isEmpty();
    }

    private void observe(ExperimentState x) {
        if (reachesGoal(x) && (goalMetBy == null || x.index() < goalMetBy.index())) {
            goalMetBy = x;
        }
        Point p = points.remove(x.id());
        if (p == null) {
            p = new Point(x.parameters());
        }
        early.put(
                x.index(),
                x.status() == ExperimentStatus.COMPLETED
                        ? Observation.of(p, outcomes(x))
                        : new Observation(p, Map.of(), true));
        while (!early.isEmpty() && early.firstKey() == settled.size() + 1) {
            settled.add(early.pollFirstEntry().getValue());
        }
    }

    private List<DeviceSpec> devicesFor(String capability) {
        return capable.computeIfAbsent(capability, c -> spec.workcell().devicesFor(c));
    }

    /** The objectives' and the constrained outcomes' measurements: what the planner learns from. */
    private Map<String, Double> outcomes(ExperimentState x) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : spec.outcomes()) {
            var m = x.measurements().get(name);
            if (m != null) {
                out.put(name, m.value());
            }
        }
        return out;
    }

    /** Hands new and progressing experiments to the scheduler and starts the steps it places now. */
    private void dispatch() {
        if (placer == null) {
            startAll(firstCome());
            return;
        }
        // Until the plan starts nothing more: then a restart at this moment would plan exactly the same.
        List<StepPlacer.Placement> placements;
        while (!(placements = placer.dispatch(participant, clock)).isEmpty()) {
            startAll(placements);
        }
    }

    /**
     * First come, first served: waiting experiments in arrival order each take the first free, on-line device that
     * can do their next step and that the step has not failed on when its policy says to move elsewhere.
     */
    private List<StepPlacer.Placement> firstCome() {
        List<StepPlacer.Placement> out = new ArrayList<>();
        Map<String, java.util.BitSet> placed = new HashMap<>();
        int n = ready.size();
        for (int i = 0; i < n; i++) {
            String id = ready.poll();
            ExperimentState x = state.experiments().get(id);
            int stepIndex = x.stepsDone();
            StepSpec step = spec.protocol().steps().get(stepIndex);
            java.util.Set<String> avoid = avoidedDevices(x, stepIndex, step);
            DeviceSpec device = null;
            int position = -1;
            for (DeviceSpec d : devicesFor(step.capability())) {
                if (!avoid.contains(d.name())) {
                    int free = occupancy.firstFree(d.name(), d.capacity(), placed.get(d.name()));
                    if (free >= 0 && online(d)) {
                        device = d;
                        position = free;
                        break;
                    }
                }
            }
            if (device == null) {
                ready.add(id);
                continue;
            }
            placed.computeIfAbsent(device.name(), k -> new java.util.BitSet()).set(position);
            out.add(new StepPlacer.Placement(id, stepIndex, device, position));
        }
        return out;
    }

    /** False while the device is off line; then the loop is woken when it is due back. */
    private boolean online(DeviceSpec d) {
        Optional<java.time.Instant> until = drivers.get(d.name()).offlineUntil();
        if (until.isEmpty()) {
            return true;
        }
        if (wakeUps.add(until.get())) {
            clock.schedule(sinceNow(until.get()), () -> wakeUps.remove(until.get()));
        }
        return false;
    }

    /** Devices a step already failed on, once its retries are spent and its policy says to move to another device. */
    static java.util.Set<String> avoidedDevices(ExperimentState x, int stepIndex, StepSpec step) {
        if (step.onFailure().then() != FailurePolicy.Then.OTHER_DEVICE) {
            return java.util.Set.of();
        }
        List<StepRecord> failed = x.steps().stream()
                .filter(s -> s.step() == stepIndex && "failed".equals(s.status()))
                .toList();
        if (failed.size() <= step.onFailure().retries()) {
            return java.util.Set.of();
        }
        return failed.stream().map(StepRecord::device).collect(java.util.stream.Collectors.toSet());
    }

    /** The setup each device with a changeover was last used for, from the log (once, when the engine starts). */
    private void rememberSetups() {
        if (spec.workcell().devices().stream().allMatch(d -> d.changeover().isZero())) {
            return;
        }
        for (Event e : log.readAll(state.id())) {
            if (e.body() instanceof EventBody.StepStarted s) {
                ExperimentState x = state.experiments().get(s.experimentId());
                DeviceSpec d = spec.workcell().device(s.device()).orElse(null);
                if (x != null && d != null && s.step() < spec.protocol().steps().size()) {
                    StepSpec step = spec.protocol().steps().get(s.step());
                    // The log says what changeover each start had (a log from before changeovers were recorded
                    // does not: then it is worked out from the setups, as it was when the step started).
                    int position = s.position() == null ? 0 : s.position() - 1;
                    startedWith.put(
                            s.idempotencyKey(),
                            s.changeoverMillis() != null
                                    ? Duration.ofMillis(s.changeoverMillis())
                                    : changeover(d, position, step, x));
                    setups.started(s.device(), position, e.at(), step.setupFor(x.parameters()));
                }
            }
        }
    }

    /** How long position {@code position} of {@code device} must switch setup before it can run {@code step}. */
    private Duration changeover(DeviceSpec device, int position, StepSpec step, ExperimentState x) {
        if (device.changeover().isZero()) {
            return Duration.ZERO;
        }
        String previous = setups.last(device.name(), position);
        return previous == null || previous.equals(step.setupFor(x.parameters())) ? Duration.ZERO : device.changeover();
    }

    /** Starts the steps: one commit for all of them, then each goes to its device. */
    private void startAll(List<StepPlacer.Placement> placements) {
        if (placements.isEmpty()) {
            return;
        }
        List<EventBody> bodies = new ArrayList<>(placements.size());
        List<StepRequest> requests = new ArrayList<>(placements.size());
        for (StepPlacer.Placement p : placements) {
            ExperimentState x = state.experiments().get(p.experimentId());
            int stepIndex = p.step();
            StepSpec step = spec.protocol().steps().get(stepIndex);
            int attempt = attempts(x, stepIndex) + 1;
            String key = state.id() + "/" + x.id() + "/" + stepIndex + "/" + attempt;
            Duration changeover = changeover(p.device(), p.position(), step, x);
            if (!changeover.isZero()) {
                startedWith.put(key, changeover);
            }
            StepRequest request = request(x, stepIndex, key, changeover, p.position());
            if (!p.device().changeover().isZero()) {
                setups.started(p.device().name(), p.position(), clock.now(), step.setupFor(x.parameters()));
            }
            requests.add(request);
            bodies.add(new EventBody.StepStarted(
                    x.id(),
                    stepIndex,
                    step.name(),
                    step.capability(),
                    p.device().name(),
                    request.args(),
                    request.duration().map(Duration::toMillis).orElse(-1L),
                    key,
                    p.device().changeover().isZero() ? null : changeover.toMillis(),
                    p.device().capacity() > 1 ? p.position() + 1 : null));
        }
        recordAll(ACTOR, bodies);
        for (int i = 0; i < placements.size(); i++) {
            StepPlacer.Placement p = placements.get(i);
            occupancy.take(p.device().name(), p.position(), requests.get(i).idempotencyKey());
            armTimeout(requests.get(i), clock.now());
        }
        for (int i = 0; i < placements.size(); i++) {
            startOnDriver(drivers.get(placements.get(i).device().name()), requests.get(i));
        }
    }

    /** How many times step {@code stepIndex} of {@code x} was started; a loop, as this runs for every step. */
    private static int attempts(ExperimentState x, int stepIndex) {
        int n = 0;
        for (StepRecord s : x.steps()) {
            if (s.step() == stepIndex) {
                n++;
            }
        }
        return n;
    }

    /** Fails the step if its device has not reported by {@code startedAt + timeout}. */
    private void armTimeout(StepRequest request, java.time.Instant startedAt) {
        StepSpec step = spec.protocol().steps().get(request.step());
        if (step.timeout().isEmpty()) {
            return;
        }
        Duration left =
                Duration.between(clock.now(), startedAt.plus(step.timeout().get()));
        timeouts.put(request.idempotencyKey(), clock.schedule(left.isNegative() ? Duration.ZERO : left, () -> {
            timeouts.remove(request.idempotencyKey());
            String device = deviceOfKey(request);
            drivers.get(device).cancel(request.idempotencyKey());
            stepListener.failed(
                    request,
                    "no answer from " + device + " within the step's timeout of "
                            + step.timeout().get().toMinutes() + " min; step cancelled");
        }));
    }

    private void disarmTimeout(String key) {
        LabClock.Cancellable t = timeouts.remove(key);
        if (t != null) {
            t.cancel();
        }
    }

    private String deviceOfKey(StepRequest request) {
        ExperimentState x = state.experiments().get(request.experimentId());
        for (int i = x.steps().size() - 1; i >= 0; i--) {
            StepRecord s = x.steps().get(i);
            if (s.idempotencyKey().equals(request.idempotencyKey())) {
                return s.device();
            }
        }
        throw new EngineException("device report for unknown step " + request.idempotencyKey());
    }

    /**
     * What happens after step {@code stepIndex} of {@code x} failed at {@code failedAt}: its policy decides. A retry
     * waits out its backoff from the failure, so an engine that takes over after a crash retries when the one before
     * it would have; a backoff already over by then makes the experiment ready at once, in the order of the others.
     */
    private void afterFailure(
            ExperimentState x, int stepIndex, String device, String reason, java.time.Instant failedAt) {
        StepSpec step = spec.protocol().steps().get(stepIndex);
        FailurePolicy policy = step.onFailure();
        int attempts = attempts(x, stepIndex);
        if (step.retryable() && attempts <= policy.retries()) {
            java.time.Instant due = failedAt.plus(policy.backoffBefore(attempts));
            if (due.isBefore(clock.now())) {
                ready.add(x.id());
                return;
            }
            clock.schedule(Duration.between(clock.now(), due), () -> {
                if (!x.status().finished() && abortRequest == null) {
                    ready.add(x.id());
                }
            });
            return;
        }
        String what = "step " + step.name() + " failed on " + device + ": " + reason
                + (attempts > 1 ? " (" + attempts + " attempts)" : "");
        switch (policy.then()) {
            case FAIL -> record(ACTOR, new EventBody.ExperimentFailed(x.id(), what));
            case OTHER_DEVICE -> {
                java.util.Set<String> tried = x.steps().stream()
                        .filter(s -> s.step() == stepIndex)
                        .map(StepRecord::device)
                        .collect(java.util.stream.Collectors.toSet());
                List<DeviceSpec> able = devicesFor(step.capability());
                boolean other = able.stream().anyMatch(d -> !tried.contains(d.name()));
                if (other && attempts <= policy.retries() + able.size()) {
                    ready.add(x.id());
                } else {
                    record(
                            ACTOR,
                            new EventBody.ExperimentFailed(
                                    x.id(), what + "; no other device can " + step.capability()));
                }
            }
            case PAUSE -> {
                String requestId = requestId(x, step, attempts);
                if (state.acknowledged(requestId)) {
                    // Acknowledged while no engine ran (labloop ack on a stopped campaign).
                    afterAcknowledged(x, stepIndex, requestId + " acknowledged");
                    return;
                }
                record(
                        ACTOR,
                        new EventBody.OperatorRequested(
                                requestId,
                                x.id(),
                                stepIndex,
                                what + ". Check the device, then: labloop ack " + state.id() + " " + requestId
                                        + " --note '...'"));
                if (state.status() == CampaignStatus.RUNNING) {
                    record(ACTOR, new EventBody.CampaignPaused("waiting for operator request " + requestId, false));
                }
            }
        }
    }

    private void startOnDriver(Driver driver, StepRequest request) {
        try {
            driver.start(request, stepListener);
        } catch (DeviceException e) {
            stepListener.failed(request, e.getMessage());
        }
    }

    /**
     * The request for step {@code stepIndex} of {@code x} in position {@code position} (0-based here, from 1 in the
     * request) of its device: the same every time it is built, so retries match.
     */
    private StepRequest request(ExperimentState x, int stepIndex, String key, Duration changeover, int position) {
        StepSpec step = spec.protocol().steps().get(stepIndex);
        Map<String, Object> args = new LinkedHashMap<>();
        step.args().forEach((k, a) -> args.put(k, a.resolve(x.parameters())));
        Optional<Duration> duration = step.durationMinutes().map(a -> minutes(a, x));
        return new StepRequest(
                key,
                x.id(),
                stepIndex,
                step.name(),
                step.capability(),
                args,
                x.parameters(),
                duration,
                step.measures(),
                changeover,
                position + 1);
    }

    private static Duration minutes(Arg arg, ExperimentState x) {
        Object v = arg.resolve(x.parameters());
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
            throw new EngineException(
                    "experiment " + x.id() + ": step duration must be a non-negative number of" + " minutes, got " + v);
        }
        return Duration.ofMillis(Math.round(n.doubleValue() * 60_000));
    }

    private void record(String actor, EventBody body) {
        recordAll(actor, List.of(body));
    }

    /** Commits the events together, then applies and announces them. */
    private void recordAll(String actor, List<EventBody> bodies) {
        if (bodies.isEmpty()) {
            return;
        }
        List<Event> events = log.appendAll(state.id(), clock.now(), actor, bodies);
        for (Event e : events) {
            state.apply(e);
            if (e.body() instanceof EventBody.ExperimentCompleted c) {
                observe(state.experiments().get(c.experimentId()));
            } else if (e.body() instanceof EventBody.ExperimentFailed f) {
                observe(state.experiments().get(f.experimentId()));
            }
            listener.committed(e, state);
        }
        if (state.lastSeq() - lastSnapshot >= Math.max(SNAPSHOT_EVERY, lastSnapshot / 4)) {
            log.saveSnapshot(state.id(), state.lastSeq(), state.toJson());
            lastSnapshot = state.lastSeq();
        }
    }

    /**
     * After step {@code stepIndex} of {@code x} completed: records its measurements not yet recorded, then either
     * queues the next step or ends the experiment.
     */
    private void afterStep(ExperimentState x, int stepIndex, String device, Map<String, Double> outputs) {
        if (spec.protocol().steps().get(stepIndex).measures()) {
            String method = "emulator:" + spec.emulator().type();
            for (Map.Entry<String, Double> o : new java.util.TreeMap<>(outputs).entrySet()) {
                if (x.measurements().containsKey(o.getKey())) {
                    continue;
                }
                String unit = spec.objectives().stream()
                        .filter(ob -> ob.name().equals(o.getKey()))
                        .map(Objective::unit)
                        .findFirst()
                        .orElse("");
                record(
                        "device:" + device,
                        new EventBody.MeasurementRecorded(
                                x.id(), o.getKey(), o.getValue(), unit, device, stepIndex, method));
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
            record(ACTOR, new EventBody.ExperimentFailed(x.id(), "no measurement of " + String.join(", ", missing)));
        }
    }

    /** What the placer asks of this engine about its campaign when it rebuilds the plan. */
    final class PlacerView {
        /** False while the device is off line. */
        boolean online(DeviceSpec d) {
            return Engine.this.online(d);
        }

        /** The changeover a running step began with, by its idempotency key. */
        long changeoverMs(String key) {
            return startedWith.getOrDefault(key, Duration.ZERO).toMillis();
        }

        /**
         * The position (0-based) this engine gave a running step whose start recorded none (an older log), so that plan
         * and engine agree on it; -1 when it has none.
         */
        int positionOf(String key) {
            return occupancy.positionOf(key);
        }

        /** False while the campaign may start no step (paused immediately): its steps are then left out of plans. */
        boolean mayStart() {
            return !(state.status() == CampaignStatus.PAUSED && state.pausedImmediately());
        }
    }

    /** Device reports, turned into events; runs on the loop thread. */
    private final class DeviceReports implements StepListener {
        @Override
        public void completed(StepRequest request, Map<String, Double> outputs) {
            disarmTimeout(request.idempotencyKey());
            if (!stillRunning(request)) {
                return; // a late report for a step already ended (timed out, cancelled)
            }
            for (Map.Entry<String, Double> o : new java.util.TreeMap<>(outputs).entrySet()) {
                if (o.getValue() == null || !Double.isFinite(o.getValue())) {
                    failed(request, "implausible reading: " + o.getKey() + " = " + o.getValue());
                    return;
                }
            }
            String device = deviceOf(request);
            occupancy.release(device, request.idempotencyKey());
            record(
                    "device:" + device,
                    new EventBody.StepCompleted(request.experimentId(), request.step(), device, outputs));
            afterStep(state.experiments().get(request.experimentId()), request.step(), device, outputs);
        }

        @Override
        public void failed(StepRequest request, String reason) {
            disarmTimeout(request.idempotencyKey());
            if (!stillRunning(request)) {
                return;
            }
            String device = deviceOf(request);
            occupancy.release(device, request.idempotencyKey());
            record(
                    "device:" + device,
                    new EventBody.StepFailed(request.experimentId(), request.step(), device, reason));
            afterFailure(state.experiments().get(request.experimentId()), request.step(), device, reason, clock.now());
        }

        private boolean stillRunning(StepRequest request) {
            ExperimentState x = state.experiments().get(request.experimentId());
            for (int i = x.steps().size() - 1; i >= 0; i--) { // the step asked about is almost always the last
                StepRecord s = x.steps().get(i);
                if (s.endedAt() == null && s.idempotencyKey().equals(request.idempotencyKey())) {
                    return true;
                }
            }
            return false;
        }

        private String deviceOf(StepRequest request) {
            return deviceOfKey(request);
        }
    }
}
