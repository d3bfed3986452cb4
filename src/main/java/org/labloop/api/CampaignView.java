package org.labloop.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.event.Event;

/**
 * The server's read model of one campaign: its own {@link CampaignState} and the list of its events, folded from
 * committed events on the hub's projector thread (never the engine's live state, which belongs to the engine's loop
 * thread). HTTP threads read it under a read lock; live subscribers (SSE streams) are handed each event as it is
 * applied, in order, after a replay of what they missed.
 */
final class CampaignView {
    private final String id;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final CampaignState state = new CampaignState();
    private final List<Published> events = new ArrayList<>();
    private final List<Consumer<Published>> subscribers = new ArrayList<>();
    private final Function<Event, String> encoder;
    private final CampaignSpec spec;
    private final String altered;
    private volatile boolean live;
    private volatile boolean elsewhere;
    private volatile String expectedTimeMode;
    private volatile String error;

    /** An event with its API JSON, encoded once and shared by every reader and stream. */
    record Published(Event event, String json) {}

    /** Folds {@code initial}, the campaign's whole log, once it is proven intact (an altered log is shown nowhere). */
    CampaignView(
            String id,
            List<Event> initial,
            Function<CampaignState, CampaignSpec> specOf,
            Function<Event, String> encoder,
            org.labloop.event.EventLog log) {
        this.id = id;
        this.encoder = encoder;
        org.labloop.event.ChainCheck check = org.labloop.event.ChainCheck.of(initial);
        if (!check.intact()) {
            this.altered = alteredMessage(id, check.problem(), log);
            this.spec = null;
            return;
        }
        this.altered = null;
        initial.forEach(this::applyLocked);
        this.spec = state.lastSeq() == 0 ? null : specOf.apply(state);
    }

    /** A campaign whose log stopped being what this server showed of it: shown nowhere from then on. */
    private CampaignView(String id, String altered) {
        this.id = id;
        this.encoder = null;
        this.spec = null;
        this.altered = altered;
    }

    static CampaignView altered(String id, String problem, org.labloop.event.EventLog log) {
        return new CampaignView(id, alteredMessage(id, problem, log));
    }

    private static String alteredMessage(String id, String problem, org.labloop.event.EventLog log) {
        return "campaign " + id + " in " + log.location() + " is not intact: " + problem
                + ". Nothing is shown from an altered log; run `labloop verify` for details, restore the store from a"
                + " backup and restart the server";
    }

    /** Why the log cannot be shown (it is not intact), or null. */
    String altered() {
        return altered;
    }

    /**
     * How the campaign's time passes: as recorded once it has started, else as its workcell will make it ("virtual"
     * for simulated devices, "wall" otherwise), or null when its files no longer read.
     */
    String timeMode(CampaignState s) {
        return s.timeMode() != null ? s.timeMode() : expectedTimeMode;
    }

    void timeMode(String expected) {
        expectedTimeMode = expected;
    }

    /** Whether another process drives the campaign (as last seen). */
    boolean elsewhere() {
        return elsewhere;
    }

    void elsewhere(boolean value) {
        elsewhere = value;
    }

    String id() {
        return id;
    }

    /** The campaign as defined (parsed from the files in its first event); null if they no longer parse. */
    CampaignSpec spec() {
        return spec;
    }

    boolean live() {
        return live;
    }

    void live(boolean value) {
        live = value;
        if (value) {
            error = null;
        }
    }

    /** Why the engine stopped with an error, or null. */
    String error() {
        return error;
    }

    void error(String message) {
        error = message;
    }

    /** Applies {@code e} if it is the next event; returns false for one already applied. */
    boolean apply(Event e) {
        lock.writeLock().lock();
        try {
            if (e.seq() <= state.lastSeq()) {
                return false;
            }
            Published p = applyLocked(e);
            for (Consumer<Published> s : subscribers) {
                s.accept(p);
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private Published applyLocked(Event e) {
        state.apply(e);
        Published p = new Published(e, encoder.apply(e));
        events.add(p);
        return p;
    }

    long lastSeq() {
        return read(CampaignState::lastSeq);
    }

    /** Runs {@code f} on the state under the read lock; {@code f} must copy what it keeps. */
    <T> T read(Function<CampaignState, T> f) {
        lock.readLock().lock();
        try {
            return f.apply(state);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Up to {@code limit} events with seq above {@code after} that match {@code filter}, in order. */
    List<Published> events(long after, int limit, Predicate<Event> filter) {
        lock.readLock().lock();
        try {
            List<Published> out = new ArrayList<>();
            for (int i = (int) Math.max(0, Math.min(after, events.size())); i < events.size(); i++) {
                Published e = events.get(i);
                if (filter.test(e.event())) {
                    out.add(e);
                    if (out.size() >= limit) {
                        break;
                    }
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Hands {@code sink} every event after {@code after} (the replay) and then every new one, in order. {@code sink}
     * must not block. Returns the action that unsubscribes.
     */
    Runnable subscribe(long after, Consumer<Published> sink) {
        lock.writeLock().lock();
        try {
            for (int i = (int) Math.max(0, Math.min(after, events.size())); i < events.size(); i++) {
                sink.accept(events.get(i));
            }
            subscribers.add(sink);
        } finally {
            lock.writeLock().unlock();
        }
        return () -> {
            lock.writeLock().lock();
            try {
                subscribers.remove(sink);
            } finally {
                lock.writeLock().unlock();
            }
        };
    }

    int subscriberCount() {
        lock.readLock().lock();
        try {
            return subscribers.size();
        } finally {
            lock.readLock().unlock();
        }
    }
}
