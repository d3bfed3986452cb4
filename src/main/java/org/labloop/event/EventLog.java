package org.labloop.event;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The append-only record of everything. {@link #append} returns only after the event is durably committed, so the
 * engine may act on it. Implementations: SQLite (the store), and in memory (benchmarks and dry runs).
 */
public interface EventLog extends AutoCloseable {

    /** Reserves a new campaign id derived from {@code name} (unique in this log). */
    String newCampaignId(String name);

    /**
     * Creates a campaign of {@code name}: reserves its id and appends its first event, {@code body}; returns that
     * event. A log that can do both in one transaction leaves neither behind when the process dies in between.
     */
    default Event create(String name, Instant at, String actor, EventBody.CampaignCreated body) {
        return append(newCampaignId(name), at, actor, body);
    }

    /** Appends and commits one event; returns it sealed with its seq and hash. */
    Event append(String campaignId, Instant at, String actor, EventBody body);

    /** Appends and commits several events in one transaction: all of them or none survive a crash. */
    List<Event> appendAll(String campaignId, Instant at, String actor, List<EventBody> bodies);

    /** Events of a campaign with seq greater than {@code afterSeq}, in order. */
    List<Event> read(String campaignId, long afterSeq);

    default List<Event> readAll(String campaignId) {
        return read(campaignId, 0);
    }

    /** Campaign ids in creation order. */
    List<String> campaignIds();

    /** The last event of a campaign, if any. */
    Optional<Event> last(String campaignId);

    /**
     * The wall-clock time each event of a campaign was written, by seq: outside the hash chain, so simulated runs
     * keep byte-identical events while this says when they really ran. Empty where the log does not keep it.
     */
    default java.util.Map<Long, Instant> recordedAt(String campaignId) {
        return java.util.Map.of();
    }

    /** Stores a serialized projection of a campaign as of event {@code seq}; a cache, rebuilt from the log when absent. */
    void saveSnapshot(String campaignId, long seq, String json);

    /** The latest stored projection of a campaign, if any. */
    Optional<Snapshot> snapshot(String campaignId);

    /** Forgets every stored projection (they are rebuilt from the log on demand). */
    void dropSnapshots();

    /** Where the log lives, for messages ("sqlite:/path/labloop.db"). */
    String location();

    @Override
    void close();

    /** A serialized projection and the seq of the last event it includes. */
    record Snapshot(long seq, String json) {}
}
