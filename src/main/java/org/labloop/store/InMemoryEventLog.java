package org.labloop.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventCodec;
import org.labloop.event.EventLog;

/**
 * An event log held in memory: every event is sealed into the hash chain exactly as the SQLite log does, but nothing
 * is written anywhere. For dry runs ({@code labloop plan}) and benchmarks of the engine loop; it survives nothing.
 */
public final class InMemoryEventLog implements EventLog {
    private final Map<String, List<Event>> events = new LinkedHashMap<>();
    private final Map<String, Snapshot> snapshots = new HashMap<>();

    @Override
    public synchronized String newCampaignId(String name) {
        String slug =
                name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        if (slug.isEmpty()) {
            slug = "campaign";
        }
        int n = 1;
        while (events.containsKey(slug + "-" + n)) {
            n++;
        }
        String id = slug + "-" + n;
        events.put(id, new ArrayList<>());
        return id;
    }

    @Override
    public synchronized Event append(String campaignId, Instant at, String actor, EventBody body) {
        List<Event> list = events.computeIfAbsent(campaignId, k -> new ArrayList<>());
        String prev =
                list.isEmpty() ? EventCodec.GENESIS : list.get(list.size() - 1).hash();
        Event e = EventCodec.seal(campaignId, list.size() + 1L, at, actor, body, prev);
        list.add(e);
        return e;
    }

    @Override
    public synchronized List<Event> appendAll(String campaignId, Instant at, String actor, List<EventBody> bodies) {
        List<Event> out = new ArrayList<>(bodies.size());
        for (EventBody b : bodies) {
            out.add(append(campaignId, at, actor, b));
        }
        return out;
    }

    @Override
    public synchronized List<Event> read(String campaignId, long afterSeq) {
        List<Event> list = events.getOrDefault(campaignId, List.of());
        return List.copyOf(list.subList((int) Math.min(afterSeq, list.size()), list.size()));
    }

    @Override
    public synchronized List<String> campaignIds() {
        return List.copyOf(events.keySet());
    }

    @Override
    public synchronized Optional<Event> last(String campaignId) {
        List<Event> list = events.getOrDefault(campaignId, List.of());
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(list.size() - 1));
    }

    @Override
    public synchronized void saveSnapshot(String campaignId, long seq, String json) {
        snapshots.put(campaignId, new Snapshot(seq, json));
    }

    @Override
    public synchronized Optional<Snapshot> snapshot(String campaignId) {
        return Optional.ofNullable(snapshots.get(campaignId));
    }

    @Override
    public synchronized void dropSnapshots() {
        snapshots.clear();
    }

    @Override
    public String location() {
        return "memory";
    }

    @Override
    public void close() {}
}
