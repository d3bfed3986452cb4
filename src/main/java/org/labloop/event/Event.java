package org.labloop.event;

import java.time.Instant;
import java.util.Objects;

/**
 * One committed entry of a campaign's log: its position ({@code seq}, from 1), the engine-clock time it happened,
 * who or what caused it ({@code actor}: "planner:sobol", "device:hplc", "user:alice", "engine"), what happened, and
 * the hash chain ({@code hash} covers {@code prevHash} and everything else, so any edit breaks the chain).
 */
public record Event(
        String campaignId, long seq, Instant at, String actor, EventBody body, String prevHash, String hash) {
    public Event {
        Objects.requireNonNull(campaignId, "campaignId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
        if (seq < 1) {
            throw new IllegalArgumentException("event seq starts at 1, got " + seq);
        }
    }
}
