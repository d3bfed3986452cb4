package org.labloop.api;

import java.util.List;
import org.labloop.planner.Planner;
import org.labloop.planner.PlanningRequest;
import org.labloop.planner.Proposal;

/** A planner that reports how long each proposal request took to the server's metrics; otherwise the same planner. */
final class TimedPlanner implements Planner {
    private final Planner delegate;
    private final Metrics metrics;

    TimedPlanner(Planner delegate, Metrics metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String version() {
        return delegate.version();
    }

    @Override
    public List<Proposal> propose(PlanningRequest request) {
        long t0 = System.nanoTime();
        try {
            return delegate.propose(request);
        } finally {
            metrics.planner(delegate.name(), System.nanoTime() - t0);
        }
    }
}
