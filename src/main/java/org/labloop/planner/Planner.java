package org.labloop.planner;

import java.util.List;

/**
 * Decides which experiments to run next. A pure function of its request: it never touches devices, the store or the
 * clock, and all its randomness comes from the request's generator, so a seeded campaign is reproducible.
 */
public interface Planner {

    /** Registry name, as written in a campaign file ({@code planner: {type: NAME}}). */
    String name();

    /** Recorded with every proposal for provenance. */
    String version();

    /**
     * Proposes {@code request.count()} points that are in the space, differ from the pending ones and (for pool-based
     * requests) come from the pool.
     */
    List<Proposal> propose(PlanningRequest request);
}
