package org.labloop.campaign;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventBody.CampaignAborted;
import org.labloop.event.EventBody.CampaignCompleted;
import org.labloop.event.EventBody.CampaignCreated;
import org.labloop.event.EventBody.CampaignPaused;
import org.labloop.event.EventBody.CampaignResumed;
import org.labloop.event.EventBody.CampaignSigned;
import org.labloop.event.EventBody.CampaignStarted;
import org.labloop.event.EventBody.ExperimentCompleted;
import org.labloop.event.EventBody.ExperimentFailed;
import org.labloop.event.EventBody.ExperimentProposed;
import org.labloop.event.EventBody.MeasurementRecorded;
import org.labloop.event.EventBody.OperatorAcknowledged;
import org.labloop.event.EventBody.OperatorRequested;
import org.labloop.event.EventBody.StepCompleted;
import org.labloop.event.EventBody.StepFailed;
import org.labloop.event.EventBody.StepStarted;
import org.labloop.event.EventCodec;
import org.labloop.event.EventLog;
import org.labloop.event.EventLogException;

/**
 * A campaign's state, folded from its events and nothing else. The engine keeps one up to date as it appends; the
 * CLI and API rebuild one from the log (starting from a stored snapshot when there is one).
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class CampaignState {
    private String id;
    private String name;
    private long seed;
    private String softwareVersion;
    private List<EventBody.Source> sources = new ArrayList<>();
    private CampaignStatus status = CampaignStatus.CREATED;
    private String createdAt;
    private String startedAt;
    private String lastEventAt;
    private String endedAt;
    private String endReason;
    private String timeMode;
    private List<String> sharedWith = new ArrayList<>();
    private boolean pausedImmediately;
    private String pausedBy;
    private long lastSeq;
    private String lastHash = EventCodec.GENESIS;
    /** The hash of the campaign's first event: with the id, what tells two campaigns of one name in two stores apart. */
    private String firstHash;

    @com.fasterxml.jackson.databind.annotation.JsonSerialize(contentUsing = FinishedOnce.class)
    private Map<String, ExperimentState> experiments = new LinkedHashMap<>();
    // Derived from experiments, kept up to date as events are folded so that the engine's loop stays O(1) per event.
    @com.fasterxml.jackson.annotation.JsonIgnore
    private Map<String, ExperimentState> inFlight = new LinkedHashMap<>();

    @com.fasterxml.jackson.annotation.JsonIgnore
    private Map<String, ExperimentStatus> known = new java.util.HashMap<>();

    @com.fasterxml.jackson.annotation.JsonIgnore
    private java.util.EnumMap<ExperimentStatus, Long> counts = new java.util.EnumMap<>(ExperimentStatus.class);

    /**
     * Experiments that failed one after another since the last completed one, or since a person last resumed the
     * campaign or answered a request; null in a snapshot written before it was kept, which is then not used.
     */
    private Integer failedInARow = 0;

    private String lastFailed;

    /** Electronic signatures of the campaign's definition, in the order they were given. */
    private List<Signature> signatures = new ArrayList<>();

    private Map<String, OperatorRequest> openRequests = new LinkedHashMap<>();
    private java.util.Set<String> acknowledged = new java.util.TreeSet<>();

    public CampaignState() {}

    /** Folds every event of {@code campaignId}, starting from its snapshot when one is stored. */
    public static CampaignState load(EventLog log, String campaignId) {
        CampaignState state = fromSnapshot(log, campaignId);
        if (state == null) {
            try {
                state = replay(log, campaignId);
            } catch (EventLogException e) {
                throw new EventLogException(
                        log.location() + ": " + e.getMessage()
                                + "; run `labloop verify` and restore the data directory from a backup",
                        e);
            }
        }
        if (state.lastSeq == 0) {
            throw new EventLogException("campaign " + campaignId + " has no events in " + log.location());
        }
        return state;
    }

    /**
     * The stored snapshot brought up to date with the events after it, or null when there is none or it cannot be
     * trusted: unreadable, or not matching the log at its seq (a snapshot is a cache, the log is the truth).
     */
    private static CampaignState fromSnapshot(EventLog log, String campaignId) {
        CampaignState state;
        try {
            state = log.snapshot(campaignId).map(s -> fromJson(s.json())).orElse(null);
        } catch (EventLogException e) {
            return null;
        }
        if (state == null
                || state.lastSeq < 1
                || state.lastHash == null
                || state.failedInARow == null
                || state.firstHash == null
                || !campaignId.equals(state.id)) {
            return null;
        }
        List<Event> tail = log.read(campaignId, state.lastSeq - 1);
        if (tail.isEmpty()
                || tail.get(0).seq() != state.lastSeq
                || !tail.get(0).hash().equals(state.lastHash)) {
            return null;
        }
        try {
            state.applyAll(tail.subList(1, tail.size()));
        } catch (EventLogException e) {
            return null;
        }
        return state;
    }

    /** Folds the whole log from scratch, ignoring any snapshot. */
    public static CampaignState replay(EventLog log, String campaignId) {
        CampaignState state = new CampaignState();
        state.applyAll(log.readAll(campaignId));
        return state;
    }

    public void applyAll(Collection<Event> events) {
        events.forEach(this::apply);
    }

    public void apply(Event e) {
        if (e.seq() != lastSeq + 1) {
            throw new EventLogException(
                    "campaign " + e.campaignId() + ": expected event " + (lastSeq + 1) + " but got " + e.seq());
        }
        if (!e.prevHash().equals(lastHash)) {
            throw new EventLogException("campaign " + e.campaignId() + ": event " + e.seq()
                    + " does not chain to the event before it; the log was altered");
        }
        String at = EventCodec.text(e.at()); // once per event: formatting an Instant is not free
        try {
            fold(e, at);
            String touched = experimentOf(e.body());
            if (touched != null && experiments.containsKey(touched)) {
                track(experiments.get(touched));
            }
        } catch (EventLogException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            throw new EventLogException(
                    "campaign " + e.campaignId() + ": event " + e.seq() + " ("
                            + e.body().typeName() + ") does not fit the events before it: " + ex.getMessage(),
                    ex);
        }
        lastSeq = e.seq();
        lastHash = e.hash();
        if (lastSeq == 1) {
            firstHash = lastHash;
        }
        lastEventAt = at;
    }

    private void fold(Event e, String at) {
        // A log starts with the campaign's creation and has it once: everything after refers to it.
        boolean created = e.body() instanceof CampaignCreated;
        if (e.seq() == 1 && !created) {
            throw new EventLogException("campaign " + e.campaignId() + ": its first event is "
                    + e.body().typeName() + ", not CampaignCreated");
        }
        if (e.seq() > 1 && created) {
            throw new EventLogException(
                    "campaign " + e.campaignId() + ": event " + e.seq() + " creates the campaign a second time");
        }
        switch (e.body()) {
            case CampaignCreated c -> {
                id = e.campaignId();
                name = c.name();
                seed = c.seed();
                softwareVersion = c.softwareVersion();
                sources = new ArrayList<>(c.sources());
                createdAt = at;
            }
            case CampaignStarted s -> {
                // A pause outlives a restart: only a resume lifts it.
                if (status != CampaignStatus.PAUSED) {
                    status = CampaignStatus.RUNNING;
                }
                timeMode = s.timeMode();
                // Every campaign it ever ran beside: a restart without a partner that had finished keeps the link.
                if (sharedWith == null) {
                    sharedWith = new ArrayList<>();
                }
                for (String partner : s.sharedWith()) {
                    if (!sharedWith.contains(partner)) {
                        sharedWith.add(partner);
                    }
                }
                if (startedAt == null) {
                    startedAt = at;
                }
            }
            case ExperimentProposed p ->
                experiments.put(
                        p.experimentId(),
                        new ExperimentState(
                                p.experimentId(),
                                p.index(),
                                p.parameters(),
                                p.planner(),
                                p.plannerVersion(),
                                p.rationale(),
                                p.details(),
                                at,
                                e.seq()));
            case StepStarted s ->
                experiment(s.experimentId())
                        .stepStarted(new StepRecord(
                                s.step(),
                                s.stepName(),
                                s.capability(),
                                s.device(),
                                s.idempotencyKey(),
                                at,
                                null,
                                "running",
                                null,
                                Map.of(),
                                s.position(),
                                s.changeoverMillis()));
            case StepCompleted s ->
                experiment(s.experimentId()).stepEnded(s.step(), e.seq(), r -> r.completed(at, s.outputs()));
            case StepFailed s ->
                experiment(s.experimentId()).stepEnded(s.step(), e.seq(), r -> r.failed(at, s.reason()));
            case MeasurementRecorded m ->
                experiment(m.experimentId())
                        .measured(new Measurement(m.name(), m.value(), m.unit(), m.device(), m.step(), m.method(), at));
            case ExperimentCompleted c -> {
                experiment(c.experimentId()).completed(at);
                failedInARow = 0;
            }
            case ExperimentFailed f -> {
                experiment(f.experimentId()).failed(at, f.reason());
                failedInARow++;
                lastFailed = f.experimentId();
            }
            case CampaignCompleted c -> {
                status = CampaignStatus.COMPLETED;
                endedAt = at;
                endReason = c.reason();
            }
            case CampaignPaused p -> {
                status = CampaignStatus.PAUSED;
                pausedImmediately = p.immediate();
                pausedBy = e.actor();
            }
            case CampaignResumed r -> {
                status = CampaignStatus.RUNNING;
                pausedImmediately = false;
                failedInARow = 0;
            }
            case OperatorRequested r ->
                openRequests.put(
                        r.requestId(), new OperatorRequest(r.requestId(), r.experimentId(), r.step(), r.message(), at));
            case OperatorAcknowledged a -> {
                openRequests.remove(a.requestId());
                acknowledged.add(a.requestId());
                failedInARow = 0;
            }
            case CampaignSigned g -> {
                if (!g.definition().equals(firstHash)) {
                    throw new EventLogException("campaign " + e.campaignId() + ": event " + e.seq()
                            + " signs a definition other than the campaign's (" + g.definition() + ")");
                }
                signatures.add(new Signature(g.signer(), g.role(), g.meaning(), g.signedAt(), e.seq()));
            }
            case CampaignAborted a -> {
                status = CampaignStatus.ABORTED;
                endedAt = at;
                endReason = "aborted: " + a.reason();
            }
        }
    }

    private ExperimentState experiment(String experimentId) {
        ExperimentState x = experiments.get(experimentId);
        if (x == null) {
            throw new EventLogException("campaign " + id + ": event refers to unknown experiment " + experimentId);
        }
        return x;
    }

    public String id() {
        return id;
    }

    /**
     * How many experiments failed one after another since the last one completed, or since a person last resumed the
     * campaign or answered an operator request.
     */
    public int failedInARow() {
        return failedInARow;
    }

    /** The experiment that failed last, or null. */
    public String lastFailed() {
        return lastFailed;
    }

    public String name() {
        return name;
    }

    public long seed() {
        return seed;
    }

    public String softwareVersion() {
        return softwareVersion;
    }

    public List<EventBody.Source> sources() {
        return Collections.unmodifiableList(sources);
    }

    public CampaignStatus status() {
        return status;
    }

    public String createdAt() {
        return createdAt;
    }

    public String startedAt() {
        return startedAt;
    }

    public String lastEventAt() {
        return lastEventAt;
    }

    public String endedAt() {
        return endedAt;
    }

    public String endReason() {
        return endReason;
    }

    /** Who paused the campaign last (an actor such as "user:ana" or "engine"). */
    public String pausedBy() {
        return pausedBy;
    }

    /** True while paused with no new steps allowed (not just no new experiments). */
    public boolean pausedImmediately() {
        return pausedImmediately;
    }

    public String timeMode() {
        return timeMode;
    }

    /** The campaigns this one has shared its workcell with, over all its starts (unfinished ones resume with it). */
    public List<String> sharedWith() {
        return sharedWith == null ? List.of() : Collections.unmodifiableList(sharedWith);
    }

    public long lastSeq() {
        return lastSeq;
    }

    public String lastHash() {
        return lastHash;
    }

    public String firstHash() {
        return firstHash;
    }

    /** Electronic signatures of the campaign's definition, in the order they were given. */
    public List<Signature> signatures() {
        return signatures == null ? List.of() : Collections.unmodifiableList(signatures);
    }

    /** Whether {@code signer} has signed the campaign's definition (names compared without regard to case). */
    public boolean signedBy(String signer) {
        return signatures().stream().anyMatch(g -> g.signer().equalsIgnoreCase(signer));
    }

    /**
     * One electronic signature: who signed, with which role, what it means, when by the wall clock (ISO-8601), and the
     * event that records it.
     */
    public record Signature(String signer, String role, String meaning, String signedAt, long seq) {}

    /** Operator requests not yet acknowledged, in the order they were raised. */
    public Map<String, OperatorRequest> openRequests() {
        return Collections.unmodifiableMap(openRequests);
    }

    /** True when operator request {@code requestId} was raised and acknowledged. */
    public boolean acknowledged(String requestId) {
        return acknowledged.contains(requestId);
    }

    /** A question the engine put to a person, still open. */
    public record OperatorRequest(String id, String experimentId, int step, String message, String at) {}

    public Map<String, ExperimentState> experiments() {
        return Collections.unmodifiableMap(experiments);
    }

    public long count(ExperimentStatus s) {
        return counts.getOrDefault(s, 0L);
    }

    /** Experiments in the lab: proposed or running, in proposal order. */
    public List<ExperimentState> inFlight() {
        return List.copyOf(inFlight.values());
    }

    /** How many experiments are in the lab. */
    public int inFlightCount() {
        return inFlight.size();
    }

    private void track(ExperimentState x) {
        ExperimentStatus before = known.put(x.id(), x.status());
        if (before != null) {
            counts.merge(before, -1L, Long::sum);
        }
        counts.merge(x.status(), 1L, Long::sum);
        if (x.status().finished()) {
            inFlight.remove(x.id());
        } else {
            inFlight.put(x.id(), x);
        }
    }

    private static String experimentOf(EventBody body) {
        return switch (body) {
            case ExperimentProposed p -> p.experimentId();
            case StepStarted s -> s.experimentId();
            case StepCompleted s -> s.experimentId();
            case StepFailed s -> s.experimentId();
            case ExperimentCompleted c -> c.experimentId();
            case ExperimentFailed f -> f.experimentId();
            default -> null;
        };
    }

    /**
     * Marks a {@link #toJson} call, the only serialization that may reuse the JSON of finished experiments; its value
     * collects that JSON.
     */
    private static final String SNAPSHOT = "labloop.snapshot";

    private static final ObjectWriter SNAPSHOT_WRITER = EventCodec.mapper().writer();

    /**
     * Stands in the mapper's output for a finished experiment: a raw NUL, which JSON text can only hold escaped, so
     * {@link #toJson} finds exactly the ones it put there.
     */
    private static final char FINISHED = '\u0000';

    /** The JSON of the finished experiments, in the order the mapper wrote their stand-ins. */
    private static final class Finished {
        final List<String> json = new ArrayList<>();
        int length;
    }

    /**
     * Writes a finished experiment from the JSON it had the last time, when serializing for {@link #toJson}: finished
     * experiments make up nearly all of a long campaign and rarely change again, so re-encoding every one of them
     * made each snapshot cost more than all the events since the one before. Any change clears the stored JSON (see
     * ExperimentState), and the text is what the mapper writes for the experiment, so the snapshot is the same bytes.
     * The mapper only writes a stand-in, which toJson replaces: copying the text of every finished experiment through
     * the mapper's buffers, at every snapshot, cost about as much again.
     */
    static final class FinishedOnce extends StdSerializer<ExperimentState> {
        private static final long serialVersionUID = 1L;

        FinishedOnce() {
            super(ExperimentState.class);
        }

        @Override
        public void serialize(ExperimentState x, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (!(provider.getAttribute(SNAPSHOT) instanceof Finished finished)
                    || !x.status().finished()) {
                provider.findValueSerializer(ExperimentState.class).serialize(x, gen, provider);
                return;
            }
            if (x.snapshotJson == null) {
                x.snapshotJson = EventCodec.mapper().writeValueAsString(x);
            }
            finished.json.add(x.snapshotJson);
            finished.length += x.snapshotJson.length();
            gen.writeRawValue(String.valueOf(FINISHED));
        }
    }

    public String toJson() {
        Finished finished = new Finished();
        String outline;
        try {
            outline = SNAPSHOT_WRITER.withAttribute(SNAPSHOT, finished).writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new EventLogException("cannot serialize campaign " + id + ": " + e.getOriginalMessage(), e);
        }
        StringBuilder json = new StringBuilder(outline.length() - finished.json.size() + finished.length);
        int from = 0;
        for (String experiment : finished.json) {
            int at = outline.indexOf(FINISHED, from);
            json.append(outline, from, at).append(experiment);
            from = at + 1;
        }
        return json.append(outline, from, outline.length()).toString();
    }

    public static CampaignState fromJson(String json) {
        try {
            CampaignState state = EventCodec.mapper().readValue(json, CampaignState.class);
            // JSON keeps map keys sorted; experiments go back into proposal order.
            Map<String, ExperimentState> ordered = new LinkedHashMap<>();
            state.experiments.values().stream()
                    .sorted(java.util.Comparator.comparingInt(ExperimentState::index))
                    .forEach(x -> ordered.put(x.id(), x));
            state.experiments = ordered;
            state.inFlight = new LinkedHashMap<>();
            state.known = new java.util.HashMap<>();
            state.counts = new java.util.EnumMap<>(ExperimentStatus.class);
            ordered.values().forEach(state::track);
            return state;
        } catch (JsonProcessingException e) {
            throw new EventLogException("stored snapshot is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
