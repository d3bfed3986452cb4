package org.labloop.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    @Test
    void campaignStarted_withoutPartners_keepsTheBytesAndHashOfEventsWrittenBeforeSharing() {
        // The body as every store written before campaigns could share a workcell holds it.
        String stored = "{\"type\":\"CampaignStarted\",\"timeMode\":\"virtual\"}";
        EventBody decoded = EventCodec.fromJson(stored);
        assertThat(decoded).isEqualTo(new EventBody.CampaignStarted("virtual"));
        assertThat(EventCodec.toJson(decoded)).isEqualTo(stored);
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(EventCodec.hash(EventCodec.GENESIS, "c-1", 2, at, "engine", EventCodec.toJson(decoded)))
                .isEqualTo(EventCodec.hash(EventCodec.GENESIS, "c-1", 2, at, "engine", stored));
    }

    @Test
    void campaignStarted_withPartners_recordsThemAndReadsThemBack() {
        EventBody.CampaignStarted shared = new EventBody.CampaignStarted("wall", List.of("beta-1", "gamma-1"));
        String json = EventCodec.toJson(shared);
        assertThat(json)
                .isEqualTo(
                        "{\"type\":\"CampaignStarted\",\"sharedWith\":[\"beta-1\",\"gamma-1\"],\"timeMode\":\"wall\"}");
        assertThat(EventCodec.fromJson(json)).isEqualTo(shared);
    }
}
