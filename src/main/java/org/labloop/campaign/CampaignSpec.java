package org.labloop.campaign;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.labloop.emulator.EmulatorSpec;
import org.labloop.planner.PlannerSpec;
import org.labloop.protocol.Protocol;
import org.labloop.space.Objective;
import org.labloop.space.OutcomeConstraint;
import org.labloop.space.SearchSpace;
import org.labloop.workcell.Workcell;

/**
 * A campaign as the user defined it, parsed and validated once: what to vary, what to optimise, which outcome
 * constraints proposals should respect ({@code purity >= 95}; possibly none), how many experiments
 * to run ({@code budget}), how many may be in the lab at once ({@code batchSize}), who plans, the seed, the
 * workcell, protocol and emulator it uses, its {@code priority} on a workcell it shares with other campaigns
 * (higher goes first), and after how many experiments failing in a row it pauses for a person
 * ({@code pauseAfterFailures}; 0 never), and how many people must sign its definition before it runs
 * ({@code signaturesNeeded}; 0 none).
 */
public record CampaignSpec(
        String name,
        String description,
        SearchSpace space,
        List<Objective> objectives,
        List<OutcomeConstraint> constraints,
        int budget,
        int batchSize,
        PlannerSpec planner,
        long seed,
        Workcell workcell,
        Protocol protocol,
        EmulatorSpec emulator,
        int priority,
        int pauseAfterFailures,
        int signaturesNeeded) {

    /** The largest number of signatures a campaign file may ask for before the campaign runs. */
    public static final int MAX_SIGNATURES = 10;

    /** The largest priority magnitude a campaign file may give. */
    public static final int MAX_PRIORITY = 1000;

    /**
     * Experiments failing one after another that pause a campaign unless its file says otherwise: enough that the odd
     * failure of a working lab (one in ten, say) practically never trips it, few enough that a broken device or an
     * empty reagent bottle wastes little material.
     */
    public static final int DEFAULT_PAUSE_AFTER_FAILURES = 5;

    /** The largest {@code pause_after_failures} a campaign file may give. */
    public static final int MAX_PAUSE_AFTER_FAILURES = 10_000;

    public CampaignSpec {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        Objects.requireNonNull(space, "space");
        objectives = List.copyOf(objectives);
        constraints = List.copyOf(constraints);
        Objects.requireNonNull(planner, "planner");
        Objects.requireNonNull(workcell, "workcell");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(emulator, "emulator");
        if (objectives.isEmpty()) {
            throw new IllegalArgumentException("campaign " + name + " needs at least one objective");
        }
        Set<String> seen = new HashSet<>();
        for (Objective o : objectives) {
            if (!seen.add(o.name())) {
                throw new IllegalArgumentException("campaign " + name + " declares objective " + o.name() + " twice");
            }
        }
        if (new HashSet<>(constraints).size() != constraints.size()) {
            throw new IllegalArgumentException("campaign " + name + " lists a constraint twice");
        }
        if (budget < 1) {
            throw new IllegalArgumentException("campaign " + name + " budget must be at least 1, got " + budget);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("campaign " + name + " batch_size must be at least 1, got " + batchSize);
        }
        if (Math.abs(priority) > MAX_PRIORITY) {
            throw new IllegalArgumentException(
                    "campaign " + name + " priority must be from -1000 to 1000, got " + priority);
        }
        if (pauseAfterFailures < 0 || pauseAfterFailures > MAX_PAUSE_AFTER_FAILURES) {
            throw new IllegalArgumentException("campaign " + name + " pause_after_failures must be from 0 (never) to "
                    + MAX_PAUSE_AFTER_FAILURES + ", got " + pauseAfterFailures);
        }
        if (signaturesNeeded < 0 || signaturesNeeded > MAX_SIGNATURES) {
            throw new IllegalArgumentException("campaign " + name + " approval signatures must be from 0 (none) to "
                    + MAX_SIGNATURES + ", got " + signaturesNeeded);
        }
    }

    /** A campaign that needs no signature before it runs. */
    public CampaignSpec(
            String name,
            String description,
            SearchSpace space,
            List<Objective> objectives,
            List<OutcomeConstraint> constraints,
            int budget,
            int batchSize,
            PlannerSpec planner,
            long seed,
            Workcell workcell,
            Protocol protocol,
            EmulatorSpec emulator,
            int priority,
            int pauseAfterFailures) {
        this(
                name,
                description,
                space,
                objectives,
                constraints,
                budget,
                batchSize,
                planner,
                seed,
                workcell,
                protocol,
                emulator,
                priority,
                pauseAfterFailures,
                0);
    }

    /** A campaign that pauses after the default number of failures in a row. */
    public CampaignSpec(
            String name,
            String description,
            SearchSpace space,
            List<Objective> objectives,
            List<OutcomeConstraint> constraints,
            int budget,
            int batchSize,
            PlannerSpec planner,
            long seed,
            Workcell workcell,
            Protocol protocol,
            EmulatorSpec emulator,
            int priority) {
        this(
                name,
                description,
                space,
                objectives,
                constraints,
                budget,
                batchSize,
                planner,
                seed,
                workcell,
                protocol,
                emulator,
                priority,
                DEFAULT_PAUSE_AFTER_FAILURES);
    }

    /** A campaign at the default priority, 0. */
    public CampaignSpec(
            String name,
            String description,
            SearchSpace space,
            List<Objective> objectives,
            List<OutcomeConstraint> constraints,
            int budget,
            int batchSize,
            PlannerSpec planner,
            long seed,
            Workcell workcell,
            Protocol protocol,
            EmulatorSpec emulator) {
        this(
                name,
                description,
                space,
                objectives,
                constraints,
                budget,
                batchSize,
                planner,
                seed,
                workcell,
                protocol,
                emulator,
                0);
    }

    /** The names of the outcomes the planner learns from: the objectives', then the constrained ones not among them. */
    public List<String> outcomes() {
        Set<String> names = new LinkedHashSet<>();
        objectives.forEach(o -> names.add(o.name()));
        constraints.forEach(c -> names.add(c.outcome()));
        return List.copyOf(names);
    }

    /** True when {@code outcomes} (by name) hold every constrained outcome and each satisfies its constraint. */
    public boolean feasible(Map<String, Double> outcomes) {
        for (OutcomeConstraint c : constraints) {
            Double v = outcomes.get(c.outcome());
            if (v == null || !c.satisfiedBy(v)) {
                return false;
            }
        }
        return true;
    }

    /** The same campaign with another seed (the {@code --seed} option). */
    public CampaignSpec withSeed(long newSeed) {
        return copy(newSeed, pauseAfterFailures);
    }

    /** The same campaign pausing after {@code failures} experiments fail in a row (0: never). */
    public CampaignSpec withPauseAfterFailures(int failures) {
        return copy(seed, failures);
    }

    private CampaignSpec copy(long newSeed, int failures) {
        return new CampaignSpec(
                name,
                description,
                space,
                objectives,
                constraints,
                budget,
                batchSize,
                planner,
                newSeed,
                workcell,
                protocol,
                emulator,
                priority,
                failures,
                signaturesNeeded);
    }
}
