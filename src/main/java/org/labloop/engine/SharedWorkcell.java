package org.labloop.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.core.LabClock;
import org.labloop.device.Driver;
import org.labloop.event.EventLog;
import org.labloop.planner.Planner;
import org.labloop.workcell.Workcell;

/**
 * Several campaigns running at once on one workcell: one clock, and one plan for every campaign's experiments, in
 * which a campaign of higher priority goes first where they compete for a device. Each campaign keeps its own event
 * log, planner and failure policies; the plan is rebuilt from all their logs at every event, so the campaigns resumed
 * together after a crash plan as they would have.
 */
public final class SharedWorkcell implements AutoCloseable {
    private final LabClock clock;
    private final StepPlacer placer;
    private final List<Engine> engines = new ArrayList<>();

    public SharedWorkcell(Workcell workcell, LabClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.placer = new StepPlacer(workcell);
    }

    /** Adds a campaign; its workcell must be this one (see {@link StepPlacer#join}). */
    public Engine add(
            CampaignSpec spec,
            CampaignState state,
            EventLog log,
            Planner planner,
            Map<String, Driver> drivers,
            EngineListener listener) {
        Engine e = new Engine(spec, state, log, clock, planner, drivers, listener, placer);
        engines.add(e);
        return e;
    }

    /** Runs every campaign until each has ended (spent, exhausted or aborted); their final states in the order added. */
    public List<CampaignState> run(String startedBy) {
        List<String> ids = engines.stream().map(e -> e.state().id()).toList();
        for (Engine e : engines) {
            e.sharedWith(ids.stream().filter(id -> !id.equals(e.state().id())).toList());
        }
        // Turns go by priority, then campaign id, whatever order the campaigns were given in: the more urgent
        // campaign proposes and places first, and a resume plans the same.
        List<Engine> active = new ArrayList<>();
        for (Engine e : engines.stream()
                .sorted(java.util.Comparator.comparingInt(
                                (Engine x) -> -x.spec().priority())
                        .thenComparing(x -> x.state().id()))
                .toList()) {
            if (e.begin(startedBy)) {
                active.add(e);
            }
        }
        while (!active.isEmpty()) {
            boolean person = false;
            boolean proposed = false;
            for (Iterator<Engine> it = active.iterator(); it.hasNext(); ) {
                Engine e = it.next();
                switch (e.turn()) {
                    case FINISHED -> {
                        e.end();
                        it.remove();
                    }
                    case WAITING_FOR_A_PERSON -> person = true;
                    case PROPOSED -> proposed = true;
                    case WORKING -> {}
                }
            }
            if (active.isEmpty()) {
                break;
            }
            if (clock.runNext(clock.isVirtual() ? Duration.ZERO : Engine.CONTROL_POLL) || !clock.isVirtual()) {
                continue;
            }
            if (person) {
                clock.runNext(Engine.CONTROL_POLL);
                continue;
            }
            if (proposed) {
                continue;
            }
            // Nothing scheduled and nobody awaited: every campaign left is exhausted (or stuck, which idle reports
            // once every campaign has its final snapshot).
            EngineException stuck = null;
            for (Engine e : active) {
                try {
                    e.idle();
                } catch (EngineException x) {
                    stuck = stuck == null ? x : stuck;
                }
                e.end();
            }
            active.clear();
            if (stuck != null) {
                throw stuck;
            }
        }
        return engines.stream().map(Engine::state).toList();
    }

    @Override
    public void close() {
        Engine.closeClock(clock);
    }
}
