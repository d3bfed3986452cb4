package org.labloop.engine;

import org.labloop.campaign.CampaignState;
import org.labloop.event.Event;

/** Told of every event right after it is committed and applied; for progress bars, dashboards, metrics. */
@FunctionalInterface
public interface EngineListener {
    EngineListener NONE = (event, state) -> {};

    void committed(Event event, CampaignState state);
}
