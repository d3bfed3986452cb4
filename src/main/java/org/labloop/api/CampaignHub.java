package org.labloop.api;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.labloop.campaign.Approval;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.campaign.SourceFile;
import org.labloop.core.LabClock;
import org.labloop.core.LabLoopException;
import org.labloop.core.PacedClock;
import org.labloop.core.WallClock;
import org.labloop.engine.Engine;
import org.labloop.engine.SharedWorkcell;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.lab.CampaignLockedException;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import org.labloop.lab.Signing;
import org.labloop.store.ControlInbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's campaigns: creates them, runs each on its own engine thread, and keeps a read model per campaign.
 * Engines hand every committed event to a queue; one projector thread folds the events into the read models (and so
 * into SSE streams and metrics), so HTTP threads never touch an engine's state.
 */
final class CampaignHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CampaignHub.class);
    private static final long ID_REFRESH_NANOS = 2_000_000_000L;

    private final Lab lab;
    private final CampaignRunner runner;
    /** Where the engines this server runs write, and where it records what a person asks of a campaign. */
    private final EventLog log;
    /**
     * Where the server reads: on a PostgreSQL store a session that does not wait behind an engine waiting for the
     * database (see {@link LabStore#reader}).
     */
    private final EventLog reads;

    private final Path baseDir;
    private final double pace;
    private final Metrics metrics;
    private final java.util.function.Function<Event, String> encoder;
    private final Map<String, CampaignView> views = new ConcurrentHashMap<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final BlockingQueue<Event> inbox = new LinkedBlockingQueue<>();
    private final Thread projector;
    private final Thread integrity;
    private volatile List<String> ids;
    private volatile long idsAt;
    private volatile boolean closed;
    /** When the projector last read what other processes appended. */
    private long followedAt;

    private static final long FOLLOW_NANOS = 500_000_000L;
    /** How often one more campaign's stored log is proven intact again. */
    private static final long RECHECK_NANOS = 10_000_000_000L;

    private int recheckTurn;

    private record Running(Engine engine, Thread thread, LabClock clock) {}

    private final LabStore store;

    /**
     * @param baseDir folder that relative paths in campaigns (lookup-table emulators) resolve against
     * @param pace virtual seconds per real second for simulated workcells; 0 for as fast as possible
     */
    CampaignHub(
            Lab lab,
            LabStore store,
            Path baseDir,
            double pace,
            Metrics metrics,
            java.util.function.Function<Event, String> encoder) {
        this.encoder = encoder;
        this.lab = lab;
        this.runner = new CampaignRunner(lab, true);
        this.store = store;
        this.log = store.log();
        this.reads = store.reader();
        this.baseDir = baseDir;
        this.pace = pace;
        this.metrics = metrics;
        this.ids = List.copyOf(reads.campaignIds());
        this.idsAt = System.nanoTime();
        this.projector = Thread.ofPlatform().name("labloop-projector").daemon().start(this::project);
        // Apart from the projector: re-reading a long log must not hold up the live events of running campaigns.
        this.integrity = Thread.ofPlatform().name("labloop-integrity").daemon().start(this::recheckLoop);
    }

    // ------------------------------------------------------------------ reading

    /** Every campaign in the store, in creation order. */
    List<CampaignView> all() {
        if (System.nanoTime() - idsAt > ID_REFRESH_NANOS) {
            refreshIds();
        }
        List<CampaignView> out = new ArrayList<>();
        for (String id : ids) {
            out.add(anyView(id));
        }
        return out;
    }

    private synchronized void refreshIds() {
        ids = List.copyOf(reads.campaignIds());
        idsAt = System.nanoTime();
    }

    /** The read model of campaign {@code id}. */
    CampaignView view(String id) {
        CampaignView known = views.get(id);
        if (known != null && known.altered() == null) {
            return known;
        }
        if (known == null && !ids.contains(id)) {
            refreshIds();
            if (!ids.contains(id)) {
                throw ApiError.notFound("id", "no campaign '" + id + "'");
            }
        }
        CampaignView v = anyView(id);
        if (v.altered() != null) {
            throw new ApiError(409, "altered_log", v.altered(), "id");
        }
        return v;
    }

    /** The read model of campaign {@code id}, even of an altered log (which then holds nothing but the problem). */
    private CampaignView anyView(String id) {
        return views.computeIfAbsent(id, k -> {
            CampaignView v = new CampaignView(k, reads.readAll(k), this::specOf, encoder, reads);
            if (v.spec() != null) {
                v.timeMode(runner.simulated(v.spec()) ? "virtual" : "wall");
            }
            if (v.altered() == null
                    && !running.containsKey(k)
                    && !v.read(s -> s.status().finished())) {
                v.elsewhere(store.driven(k));
            }
            return v;
        });
    }

    /**
     * Reads campaign {@code id}'s log from the store again, as {@code labloop verify} does, and serves it nowhere from
     * now on (409 {@code altered_log}) unless it is intact and still holds every event this server showed of it. A
     * read model is built once: a log changed behind the server's back would otherwise go unnoticed until a restart.
     * Campaigns this server is running are left out: their engine writes and reads that log as it goes.
     *
     * @return the view, checked
     */
    CampaignView recheck(String id) {
        CampaignView v = view(id);
        if (running.containsKey(id)) {
            return v;
        }
        // What was shown is taken before the store is read: events another process adds meanwhile only lengthen it.
        String[] seen = v.read(st -> new String[] {Long.toString(st.lastSeq()), st.lastHash()});
        long shown = Long.parseLong(seen[0]);
        List<Event> stored = reads.readAll(id);
        org.labloop.event.ChainCheck check = org.labloop.event.ChainCheck.of(stored);
        String problem = null;
        if (!check.intact()) {
            problem = check.problem();
        } else if (stored.size() < shown) {
            problem = "it holds " + stored.size() + " events where it held " + shown;
        } else if (shown > 0 && !stored.get((int) shown - 1).hash().equals(seen[1])) {
            problem = "event " + shown + " is no longer the one it was";
        }
        if (problem == null) {
            return v;
        }
        LOG.error("campaign {} changed in the store behind this server: {}", id, problem);
        CampaignView altered = CampaignView.altered(id, problem, reads);
        synchronized (lock(id)) {
            // Only the view that was checked: one started meanwhile by this server keeps its own.
            views.replace(id, v, altered);
        }
        throw new ApiError(409, "altered_log", altered.altered(), "id");
    }

    /**
     * Re-checks one campaign not running here, the next in turn (see {@link #recheck}), so that every log the server
     * shows is proven intact again from time to time.
     */
    private void recheckLoop() {
        while (!closed) {
            try {
                TimeUnit.NANOSECONDS.sleep(RECHECK_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            recheckNext();
        }
    }

    private void recheckNext() {
        List<String> candidates = views.values().stream()
                .filter(v -> v.altered() == null && !running.containsKey(v.id()))
                .map(CampaignView::id)
                .sorted()
                .toList();
        if (candidates.isEmpty()) {
            return;
        }
        String id = candidates.get(Math.floorMod(recheckTurn++, candidates.size()));
        try {
            recheck(id);
        } catch (ApiError e) {
            // Already marked and logged by recheck.
        } catch (RuntimeException e) {
            LOG.warn("cannot re-check campaign {}: {}", id, e.getMessage());
        }
    }

    private CampaignSpec specOf(CampaignState state) {
        try {
            return lab.loader().parseStored(sources(state)).spec().withSeed(state.seed());
        } catch (LabLoopException e) {
            LOG.warn("campaign {} no longer parses: {}", state.id(), e.getMessage());
            return null;
        }
    }

    private static List<SourceFile> sources(CampaignState state) {
        return state.sources().stream()
                .map(s -> new SourceFile(s.role(), s.path(), s.text(), s.sha256()))
                .toList();
    }

    /** When the campaign's events were written on the wall clock (see {@link Lab#recording}). */
    org.labloop.data.Dataset.Recording recording(String id) {
        return Lab.recording(reads, id, true);
    }

    /**
     * Campaigns an engine of this server drives and that have not finished. A campaign that finished while the partners
     * it shares a workcell with still run is no longer counted, though its engine thread lives on with theirs.
     */
    int running() {
        return (int) running.keySet().stream().filter(this::unfinished).count();
    }

    /** Whether the campaign has not finished; one whose log cannot be read is counted (its engine still runs). */
    private boolean unfinished(String id) {
        try {
            return !view(id).read(s -> s.status().finished());
        } catch (ApiError e) {
            return true;
        }
    }

    // ------------------------------------------------------------------ writing

    /** Validates the campaign completely, then appends its first event; nothing is written when it is invalid. */
    String create(List<SourceFile> sources, Long seed, Principal who) {
        return create(sources, seed, who, false);
    }

    /** As above; {@code toStart}: refused (409) before it is written when its real devices are in use. */
    String create(List<SourceFile> sources, Long seed, Principal who, boolean toStart) {
        org.labloop.config.LoadedCampaign loaded = lab.loader().parse(sources);
        CampaignSpec spec = loaded.spec();
        if (seed != null) {
            spec = spec.withSeed(seed);
        }
        CampaignRunner.Prepared p =
                runner.check(spec, sources, baseDir, sources.get(0).path(), loaded.places());
        store.requireReachable("create campaign '" + spec.name() + "'");
        if (toStart && spec.signaturesNeeded() == 0) { // one that waits for signatures is not started now
            try {
                runner.requireDevicesFree(store, List.of(p), List.of());
            } catch (CampaignLockedException e) {
                throw ApiError.conflict(e.getMessage());
            }
        }
        String id = runner.create(p.requireNew(), log, who.actor());
        refreshIds();
        view(id);
        return id;
    }

    /** Starts (or resumes after a restart) the engine of campaign {@code id}. */
    void start(String id, Principal who) {
        start(id, who, List.of());
    }

    /**
     * Starts campaign {@code id}, together on one workcell with {@code togetherWith} (higher priority first where they
     * compete for a device) and with the unfinished campaigns it already shared its workcell with, so that a resumed
     * shared run plans as it did.
     */
    void start(String id, Principal who, List<String> togetherWith) {
        view(id);
        List<String> group = new ArrayList<>();
        group.add(id);
        for (String other : togetherWith) {
            if (other.equals(id)) {
                throw ApiError.badRequest(
                        "together_with", "together_with names " + id + " itself; list the other campaigns only");
            }
            if (!ids.contains(other)) {
                refreshIds();
            }
            if (!ids.contains(other)) {
                throw ApiError.badRequest("together_with", "no campaign '" + other + "' to start together with " + id);
            }
            if (!group.contains(other)) {
                group.add(other);
            }
        }
        // Every member brings the unfinished campaigns it shared its workcell with, so the run plans as it did.
        for (int i = 0; i < group.size(); i++) {
            for (String partner : view(group.get(i)).read(CampaignState::sharedWith)) {
                if (group.contains(partner)
                        || !ids.contains(partner)
                        || view(partner).read(s -> s.status().finished())) {
                    continue;
                }
                if (running.containsKey(partner)) {
                    throw ApiError.conflict("campaign " + group.get(i) + " shared its workcell with " + partner
                            + ", which is running; pause or abort " + partner + " first, or wait for it to end");
                }
                if (view(partner).spec() == null) {
                    // Its files no longer read: it cannot run, so it cannot hold the others back either.
                    LOG.warn("campaign {} starts without its partner {}, whose files no longer read", id, partner);
                    continue;
                }
                group.add(partner);
            }
        }
        if (group.size() > 1) {
            startTogether(group.stream().sorted().toList(), who);
            return;
        }
        synchronized (lock(id)) {
            CampaignView v = view(id);
            if (running.containsKey(id)) {
                throw ApiError.conflict("campaign " + id + " is already running");
            }
            CampaignStatus status = v.read(CampaignState::status);
            if (status.finished()) {
                throw ApiError.conflict(
                        "campaign " + id + " is " + status.name().toLowerCase(java.util.Locale.ROOT)
                                + "; a finished campaign cannot be started again");
            }
            // Only one process drives a campaign; the lock goes with the engine thread. It is taken before the log is
            // read, so that what another process recorded just before (an abort, a signature) is in the state.
            LabStore.EngineLock engineLock = lockToWrite(id, "start campaign " + id);
            CampaignRunner.Prepared p;
            LabClock clock;
            Engine engine;
            try {
                CampaignState state = CampaignState.load(log, id);
                CampaignSpec spec = startable(state);
                p = runner.check(spec, sources(state), baseDir, id);
                clock = runner.simulated(spec)
                        ? new PacedClock(CampaignRunner.resumeAt(log, List.of(state)), pace)
                        : new WallClock(Clock.systemUTC());
                engine = new Engine(
                        spec,
                        state,
                        log,
                        clock,
                        new TimedPlanner(p.planner(), metrics),
                        runner.createDrivers(spec, id, clock, Optional.of(p.emulator()), store.devices()),
                        (event, st) -> inbox.add(event));
            } catch (RuntimeException e) {
                engineLock.close();
                throw e;
            }
            try {
                runner.requireDevicesFree(store, List.of(p), List.of(id));
            } catch (RuntimeException e) {
                // Refused (or the store failed): nothing runs, so the lock and the engine's clock go at once.
                engineLock.close();
                engine.close();
                throw e instanceof CampaignLockedException ? ApiError.conflict(e.getMessage()) : e;
            }
            Thread thread = Thread.ofPlatform()
                    .name("labloop-engine-" + id)
                    .daemon()
                    .unstarted(() -> drive(id, v, engine, engineLock, who.actor()));
            running.put(id, new Running(engine, thread, clock));
            v.live(true);
            LOG.info("{} started campaign {}", who.actor(), id);
            thread.start();
        }
    }

    /** Takes the monitors of {@code group} in order (so two group starts cannot deadlock), then runs {@code body}. */
    private void withLocks(List<String> group, int from, Runnable body) {
        if (from == group.size()) {
            body.run();
            return;
        }
        synchronized (lock(group.get(from))) {
            withLocks(group, from + 1, body);
        }
    }

    private void startTogether(List<String> group, Principal who) {
        withLocks(group, 0, () -> {
            for (String id : group) {
                if (running.containsKey(id)) {
                    throw ApiError.conflict("campaign " + id + " is already running; campaigns that share a workcell"
                            + " start together");
                }
            }
            // The campaigns' locks before their logs are read, so that what another process recorded just before (an
            // abort, a signature) is in their states.
            List<LabStore.EngineLock> locks = new ArrayList<>();
            SharedWorkcell cell = null;
            List<Engine> engines = new ArrayList<>();
            LabClock clock;
            store.requireReachable("start campaigns " + String.join(", ", group));
            try {
                for (String id : group) {
                    locks.add(store.lock(id));
                }
                List<CampaignRunner.Prepared> prepared = new ArrayList<>();
                List<CampaignState> states = new ArrayList<>();
                for (String id : group) {
                    CampaignState state = CampaignState.load(log, id);
                    CampaignSpec spec = startable(state);
                    states.add(state);
                    prepared.add(runner.check(spec, sources(state), baseDir, id));
                }
                try {
                    CampaignRunner.requireOneWorkcell(
                            prepared, group.stream().map(g -> "campaign " + g).toList());
                } catch (LabLoopException e) {
                    throw ApiError.badRequest("together_with", e.getMessage());
                }
                runner.requireDevicesFree(store, prepared, group);
                boolean simulated = prepared.stream().allMatch(x -> runner.simulated(x.spec()));
                clock = simulated
                        ? new PacedClock(CampaignRunner.resumeAt(log, states), pace)
                        : new WallClock(Clock.systemUTC());
                cell = new SharedWorkcell(prepared.get(0).spec().workcell(), clock);
                for (int i = 0; i < group.size(); i++) {
                    CampaignRunner.Prepared p = prepared.get(i);
                    engines.add(cell.add(
                            p.spec(),
                            states.get(i),
                            log,
                            new TimedPlanner(p.planner(), metrics),
                            runner.createDrivers(
                                    p.spec(), group.get(i), clock, Optional.of(p.emulator()), store.devices()),
                            (event, st) -> inbox.add(event)));
                }
            } catch (RuntimeException e) {
                locks.forEach(LabStore.EngineLock::close);
                if (cell != null) {
                    cell.close();
                }
                throw e instanceof CampaignLockedException ? ApiError.conflict(e.getMessage()) : e;
            }
            SharedWorkcell shared = cell;
            Thread thread = Thread.ofPlatform()
                    .name("labloop-engine-" + String.join("+", group))
                    .daemon()
                    .unstarted(() -> driveTogether(group, engines, shared, locks, who.actor()));
            for (int i = 0; i < group.size(); i++) {
                running.put(group.get(i), new Running(engines.get(i), thread, clock));
                view(group.get(i)).live(true);
            }
            LOG.info("{} started campaigns {} together", who.actor(), group);
            thread.start();
        });
    }

    private void driveTogether(
            List<String> group,
            List<Engine> engines,
            SharedWorkcell cell,
            List<LabStore.EngineLock> locks,
            String startedBy) {
        List<Thread> pollers = new ArrayList<>();
        try (cell;
                ControlInbox control = ControlInbox.open(store.location())) {
            try {
                for (int i = 0; i < group.size(); i++) {
                    java.util.Set<Long> handed = CampaignRunner.handPending(control, group.get(i), engines.get(i));
                    pollers.add(CampaignRunner.startControlPoller(control, group.get(i), engines.get(i), handed));
                }
                cell.run(startedBy);
            } finally {
                CampaignRunner.stopPollers(pollers); // before the inbox they read closes
            }
        } catch (PacedClock.Stopped e) {
            LOG.info("campaigns {} left running: the server is stopping", group);
        } catch (RuntimeException e) {
            LOG.error("campaigns {} stopped with an error", group, e);
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            group.forEach(id -> view(id).error(message));
        } finally {
            CampaignRunner.stopPollers(pollers);
            for (LabStore.EngineLock l : locks) {
                try {
                    l.close();
                } catch (LabLoopException e) {
                    LOG.warn("cannot release a campaign lock: {}", e.getMessage());
                }
            }
            for (String id : group) {
                CampaignView v = view(id);
                awaitProjected(v, id);
                running.remove(id);
                v.live(false);
            }
        }
    }

    private void drive(String id, CampaignView v, Engine engine, LabStore.EngineLock engineLock, String startedBy) {
        Thread poller = null;
        try (engineLock;
                engine;
                ControlInbox control = ControlInbox.open(store.location())) {
            java.util.Set<Long> handed = CampaignRunner.handPending(control, id, engine);
            // labloop pause/resume/abort/ack from a terminal reach this engine too
            poller = CampaignRunner.startControlPoller(control, id, engine, handed);
            engine.run(startedBy);
            poller.interrupt();
            poller.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (PacedClock.Stopped e) {
            LOG.info("campaign {} left running: the server is stopping", id);
        } catch (RuntimeException e) {
            LOG.error("campaign {} stopped with an error", id, e);
            v.error(e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            if (poller != null) {
                poller.interrupt();
            }
            // Let the projector catch up before the campaign shows as not live.
            awaitProjected(v, id);
            running.remove(id);
            v.live(false);
        }
    }

    private void awaitProjected(CampaignView v, String id) {
        await(() -> {
            Optional<Event> last = safeLast(id);
            return last.isEmpty() || v.lastSeq() >= last.get().seq();
        });
    }

    /** Polls {@code done} until it holds, for five seconds at most (less once the hub closes or on an interrupt). */
    private void await(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!closed && System.nanoTime() < deadline && !done.getAsBoolean()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Optional<Event> safeLast(String id) {
        try {
            return reads.last(id);
        } catch (LabLoopException e) {
            return Optional.empty();
        }
    }

    void pause(String id, Principal who, String reason, boolean immediate) {
        synchronized (lock(id)) {
            CampaignView v = view(id);
            boolean ok = v.read(s -> s.status() == CampaignStatus.RUNNING
                    || (s.status() == CampaignStatus.PAUSED && immediate && !s.pausedImmediately()));
            if (!ok) {
                throw ApiError.conflict("campaign " + id + " is " + v.read(s -> Views.status(v, s)) + "; only a "
                        + "running campaign can be paused");
            }
            if (elsewhere(v, "pause")) {
                submit(id, "pause", who, reason, immediate);
                return;
            }
            long seq = v.lastSeq();
            liveEngine(id, "pause").pause(who.actor(), reason, immediate);
            awaitRecorded(v, seq, s -> s.status() == CampaignStatus.PAUSED && (!immediate || s.pausedImmediately()));
        }
    }

    void resume(String id, Principal who, String reason) {
        synchronized (lock(id)) {
            CampaignView v = view(id);
            if (v.read(s -> s.status() != CampaignStatus.PAUSED)) {
                String status = v.read(s -> Views.status(v, s));
                throw ApiError.conflict("campaign " + id + " is " + status + ", not paused"
                        + switch (status) {
                            case "interrupted", "created" ->
                                "; start it to run it again: POST " + ApiServer.API + "/campaigns/" + id + "/start";
                            case "running" -> "; nothing to resume";
                            default -> "";
                        });
            }
            List<String> waitsFor = v.read(
                    s -> Engine.waitsForAnswer(s) ? List.copyOf(s.openRequests().keySet()) : null);
            if (waitsFor != null) {
                throw ApiError.conflict("campaign " + id + " is paused for operator request "
                        + String.join(", ", waitsFor)
                        + ", which resume does not answer; answer it: POST " + ApiServer.API + "/campaigns/" + id
                        + "/requests/" + waitsFor.get(0) + "/ack");
            }
            if (elsewhere(v, "resume")) {
                submit(id, "resume", who, reason, false);
                return;
            }
            long seq = v.lastSeq();
            liveEngine(id, "resume").resume(who.actor(), reason);
            awaitRecorded(v, seq, s -> s.status() != CampaignStatus.PAUSED);
        }
    }

    /**
     * Answers operator request {@code requestId}: the engine retries the step (or fails its experiment when the step
     * cannot be re-run) and lifts a pause it made for the request.
     */
    void acknowledge(String id, Principal who, String requestId, String note) {
        synchronized (lock(id)) {
            CampaignView v = view(id);
            List<String> open = v.read(s -> List.copyOf(s.openRequests().keySet()));
            if (!open.contains(requestId)) {
                throw ApiError.notFound(
                        "request",
                        "campaign " + id + " has no open operator request '" + requestId + "'"
                                + (open.isEmpty() ? "" : "; open: " + String.join(", ", open)));
            }
            if (elsewhere(v, "ack")) {
                submit(id, "ack:" + requestId, who, note, false);
                return;
            }
            Running r = running.get(id);
            if (r == null) {
                // No engine anywhere: recorded now; the engine that resumes the campaign acts on it.
                appendHere(id, v, who, new EventBody.OperatorAcknowledged(requestId, note));
                return;
            }
            long seq = v.lastSeq();
            r.engine().acknowledge(who.actor(), requestId, note);
            awaitRecorded(v, seq, s -> !s.openRequests().containsKey(requestId));
        }
    }

    void abort(String id, Principal who, String reason) {
        synchronized (lock(id)) {
            CampaignView v = view(id);
            CampaignStatus status = v.read(CampaignState::status);
            if (status.finished()) {
                throw ApiError.conflict(
                        "campaign " + id + " is already " + status.name().toLowerCase(java.util.Locale.ROOT));
            }
            Running r = running.get(id);
            if (r != null) {
                long seq = v.lastSeq();
                r.engine().abort(who.actor(), reason);
                awaitRecorded(v, seq, s -> s.status().finished());
                return;
            }
            if (elsewhere(v, "abort")) {
                submit(id, "abort", who, reason, false);
                return;
            }
            if (status == CampaignStatus.CREATED) {
                // Under the campaign's lock, as every append: a signature from a terminal may have come first.
                appendHere(id, v, who, new EventBody.CampaignAborted(reason));
                return;
            }
            throw ApiError.conflict("campaign " + id + " was interrupted with experiments in the lab; start it, then "
                    + "abort it, so the engine can cancel what was running");
        }
    }

    private Engine liveEngine(String id, String what) {
        view(id);
        Running r = running.get(id);
        if (r == null) {
            throw ApiError.conflict("campaign " + id + " is not running; start it first (POST " + ApiServer.API
                    + "/campaigns/" + id + "/start), then " + what + " it");
        }
        return r.engine();
    }

    /** Whether another process (a labloop run in a terminal) drives the campaign right now. */
    private boolean elsewhere(CampaignView v, String what) {
        if (running.containsKey(v.id())) {
            return false;
        }
        boolean driven = store.driven(v.id());
        v.elsewhere(driven);
        return driven;
    }

    /** Hands a request to the engine of another process through the store's control inbox, as labloop pause does. */
    private void submit(String id, String action, Principal who, String reason, boolean immediate) {
        try (ControlInbox control = ControlInbox.open(store.location().prompt())) {
            control.submit(id, action, who.actor(), reason, immediate);
        }
    }

    /**
     * The definition of a campaign about to start, read under its lock: 409 when it has finished, when its files no
     * longer read, or when it still needs signatures.
     */
    private CampaignSpec startable(CampaignState state) {
        if (state.status().finished()) {
            throw ApiError.conflict("campaign " + state.id() + " is "
                    + state.status().name().toLowerCase(java.util.Locale.ROOT)
                    + "; a finished campaign cannot be started again");
        }
        CampaignSpec spec = specOf(state);
        if (spec == null) {
            throw ApiError.conflict("campaign " + state.id() + " was defined by files this version cannot read");
        }
        requireApproved(spec, state);
        return spec;
    }

    /** 409 {@code approval_required} while the campaign still needs signatures. */
    private static void requireApproved(CampaignSpec spec, CampaignState state) {
        try {
            Approval.require(spec, state);
        } catch (Approval.NotApprovedException e) {
            throw new ApiError(409, "approval_required", e.getMessage(), null);
        }
    }

    /** Signatures campaign {@code id} still needs before it may start (0 when its files no longer read). */
    int signaturesMissing(String id) {
        CampaignView v = view(id);
        CampaignSpec spec = v.spec();
        return spec == null ? 0 : v.read(s -> Approval.missing(spec, s));
    }

    /**
     * Records {@code who}'s signature on campaign {@code id} (who has proven who they are), meaning {@code meaning}
     * (blank: the default).
     */
    void sign(String id, Principal who, String meaning) {
        CampaignView v = view(id);
        synchronized (lock(id)) {
            if (running.containsKey(id)) {
                throw ApiError.conflict(
                        "campaign " + id + " is running; a signature approves a campaign before it runs");
            }
            CampaignSpec spec = v.spec();
            if (spec == null) {
                throw ApiError.conflict("campaign " + id + " was defined by files this version cannot read");
            }
            store.requireReachable("sign campaign " + id);
            Event e;
            try {
                e = Signing.sign(
                        store,
                        id,
                        spec.signaturesNeeded(),
                        who.name(),
                        who.role(),
                        meaning == null ? Signing.DEFAULT_MEANING : meaning,
                        Clock.systemUTC());
            } catch (Signing.Refused r) {
                // Not an event of the campaign: the server records the refusal among the store's refused attempts.
                LOG.warn("{} was refused signing campaign {}: {}", who.actor(), id, r.getMessage());
                throw switch (r.why()) {
                    case ROLE -> ApiError.forbidden(r.getMessage());
                    case MEANING -> ApiError.badRequest("meaning", r.getMessage());
                    case TOO_LATE, ALREADY_SIGNED, NOT_NEEDED -> ApiError.conflict(r.getMessage());
                };
            } catch (CampaignLockedException r) {
                throw ApiError.conflict(r.getMessage());
            }
            inbox.add(e);
            awaitProjected(v, id);
        }
    }

    /** Records {@code body} for a campaign no engine drives, under its lock, as of its last event. */
    private void appendHere(String id, CampaignView v, Principal who, EventBody body) {
        LabStore.EngineLock engineLock = lockToWrite(id, "record " + body.typeName() + " for campaign " + id);
        try {
            Instant at = Instant.parse(v.read(CampaignState::lastEventAt));
            inbox.add(log.append(id, at, who.actor(), body));
        } finally {
            engineLock.close();
        }
        awaitProjected(v, id);
    }

    /**
     * Campaign {@code id}'s lock, to write through the log as {@code what}: 503 at once while that log waits for its
     * database, 409 while another process drives the campaign.
     */
    private LabStore.EngineLock lockToWrite(String id, String what) {
        store.requireReachable(what);
        try {
            return store.lock(id);
        } catch (CampaignLockedException e) {
            throw ApiError.conflict(e.getMessage());
        }
    }

    /**
     * Waits (a few seconds at most) until the engine has recorded what it was asked and the read model shows it, so
     * that the next request is judged on the new state: two identical requests cannot both be accepted.
     */
    private void awaitRecorded(CampaignView v, long seqBefore, java.util.function.Predicate<CampaignState> done) {
        await(() -> !running.containsKey(v.id()) || (v.lastSeq() > seqBefore && v.read(done::test)));
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    // ------------------------------------------------------------------ projector

    private void project() {
        while (!closed) {
            Event e;
            try {
                e = inbox.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            if (System.nanoTime() - followedAt > FOLLOW_NANOS) {
                followOthers();
            }
            if (e == null) {
                continue;
            }
            try {
                CampaignView v = view(e.campaignId());
                long last = v.lastSeq();
                if (e.seq() > last + 1) {
                    // Missed events (should not happen): fetch them from the log.
                    for (Event missing : reads.read(e.campaignId(), last)) {
                        if (missing.seq() < e.seq()) {
                            v.apply(missing);
                        }
                    }
                }
                if (v.apply(e)) {
                    observe(v, e);
                }
            } catch (RuntimeException ex) {
                LOG.error("cannot apply event {} of {}", e.seq(), e.campaignId(), ex);
            }
        }
    }

    /**
     * Brings the read models of unfinished campaigns this server does not drive up to date with the log: another
     * process (a labloop run in a terminal, another server) may be running them on the same store.
     */
    private void followOthers() {
        followedAt = System.nanoTime();
        for (CampaignView v : views.values()) {
            if (running.containsKey(v.id())
                    || v.altered() != null
                    || v.read(s -> s.status().finished())) {
                continue;
            }
            try {
                v.elsewhere(store.driven(v.id()));
                for (Event e : reads.read(v.id(), v.lastSeq())) {
                    if (!running.containsKey(v.id()) && v.apply(e)) {
                        observe(v, e);
                    }
                }
            } catch (RuntimeException ex) {
                LOG.warn("cannot follow campaign {}: {}", v.id(), ex.getMessage());
            }
        }
    }

    private void observe(CampaignView v, Event e) {
        metrics.event(e.body().typeName());
        String device;
        int step;
        String experiment;
        switch (e.body()) {
            case EventBody.StepCompleted c -> {
                device = c.device();
                step = c.step();
                experiment = c.experimentId();
            }
            case EventBody.StepFailed f -> {
                device = f.device();
                step = f.step();
                experiment = f.experimentId();
            }
            default -> {
                return;
            }
        }
        v.read(s -> {
            var x = s.experiments().get(experiment);
            if (x == null) {
                return null;
            }
            for (int i = x.steps().size() - 1; i >= 0; i--) {
                var st = x.steps().get(i);
                if (st.step() == step && st.endedAt() != null) {
                    metrics.step(device, st.status(), Views.minutesBetween(st.startedAt(), st.endedAt()) * 60);
                    break;
                }
            }
            return null;
        });
    }

    /** Experiments waiting for a device (in flight, no step running) per live campaign. */
    Map<String, Integer> queueLengths() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (String id : running.keySet()) {
            CampaignView v = views.get(id);
            if (v != null) {
                out.put(id, v.read(s -> (int)
                        s.inFlight().stream().filter(x -> !x.stepRunning()).count()));
            }
        }
        return out;
    }

    /** Stops every engine where it is (writing nothing more; a restart resumes them) and the projector. */
    @Override
    public void close() {
        for (Running r : running.values()) {
            if (r.clock() instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("cannot stop clock", e);
                }
            }
        }
        for (Running r : running.values()) {
            try {
                r.thread().join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closed = true;
        projector.interrupt();
        integrity.interrupt();
        try {
            projector.join(2000);
            integrity.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
