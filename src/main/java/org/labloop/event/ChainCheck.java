package org.labloop.event;

import java.util.List;

/** Proves a campaign's log untouched: every hash matches its event and links to the event before it. */
public record ChainCheck(boolean intact, long events, long firstBadSeq, String problem) {

    public static ChainCheck of(List<Event> events) {
        String prev = EventCodec.GENESIS;
        long expected = 1;
        for (Event e : events) {
            if (e.seq() != expected) {
                return new ChainCheck(false, events.size(), expected, "event " + expected + " is missing");
            }
            if (!e.prevHash().equals(prev)) {
                return new ChainCheck(
                        false,
                        events.size(),
                        e.seq(),
                        "event " + e.seq() + " does not link to event " + (e.seq() - 1)
                                + " (an event was changed, removed or inserted)");
            }
            if (!EventCodec.intact(e)) {
                return new ChainCheck(
                        false, events.size(), e.seq(), "event " + e.seq() + " was altered after it was written");
            }
            prev = e.hash();
            expected++;
        }
        return new ChainCheck(true, events.size(), 0, "");
    }
}
