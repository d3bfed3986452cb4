package org.labloop.config;

import java.util.List;
import java.util.Objects;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.SourceFile;

/**
 * A campaign as read from its files: the validated spec, and the text of every file it came from (roles campaign,
 * workcell, protocol, in that order) so that the event log can store exactly what was run and
 * {@link CampaignLoader#parse} can rebuild the same spec later.
 */
public record LoadedCampaign(CampaignSpec spec, List<SourceFile> sources) {
    public LoadedCampaign {
        Objects.requireNonNull(spec, "spec");
        sources = List.copyOf(sources);
    }
}
