package org.labloop.planner;

import java.util.List;
import org.labloop.space.Objective;
import org.labloop.space.SearchSpace;

/**
 * Decides which experiments to run next. A pure function of its request: it never touches devices, the store or the
 * clock, and all its randomness comes from the request's generator and seed, so a seeded campaign is reproducible.
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

    /**
     * Throws a {@link PlanningException} saying what to change when this planner, as configured, cannot plan a campaign
     * with these objectives; checked before a campaign starts.
     */
    default void checkObjectives(List<Objective> objectives) {}

    /**
     * Throws a {@link PlanningException} saying what to change when this planner, as configured, does not fit the
     * search space (an option that would have nothing to act on); checked before a campaign starts.
     */
    default void checkSpace(SearchSpace space) {}

    /** Whether, with this many objectives, proposals depend on the objectives' thresholds. */
    default boolean usesThresholds(int objectives) {
        return false;
    }
}
