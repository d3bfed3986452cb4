package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record of refused attempts: bounded against a client that sends bad tokens in a loop, and one line each. */
class ApiTokensTest {
    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-29T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void aSourceSendingBadTokensInALoop_isRecordedTwentyTimesAMinute_thenOnceToSaySoMoreCame() {
        try (ApiTokens tokens = ApiTokens.open(dir, clock)) {
            for (int i = 0; i < 500; i++) {
                tokens.refused(ApiTokens.TOKEN_REFUSED, "?", null, "api 10.0.0.9", "GET /api/v1/campaigns");
            }
            tokens.refused(ApiTokens.TOKEN_REFUSED, "?", null, "api 10.0.0.7", "GET /api/v1/campaigns");
            assertThat(tokens.refusals(1000)).hasSize(ApiTokens.PER_SOURCE_PER_MINUTE + 2);
            assertThat(tokens.refusals(2).get(0).detail())
                    .contains("more refused attempts from this source in this minute are not recorded one by one");

            now.set(now.get().plus(Duration.ofMinutes(1)));
            tokens.refused(ApiTokens.TOKEN_REFUSED, "?", null, "api 10.0.0.9", "GET /api/v1/campaigns");
            assertThat(tokens.refusals(1000)).hasSize(ApiTokens.PER_SOURCE_PER_MINUTE + 3);
        }
    }

    @Test
    void whatARefusalRecords_isOnePrintableLineOfBoundedLength() {
        try (ApiTokens tokens = ApiTokens.open(dir, clock)) {
            String id = "\u001b[2J\u001b[31mnope\nfake row\u202e" + "x".repeat(3000);
            tokens.refused(ApiTokens.SIGNATURE_REFUSED, "victor\r", id, "api 10.0.0.9", "why\u0000" + "y".repeat(900));
            ApiTokens.Refusal r = tokens.refusals(1).get(0);
            assertThat(r.campaignId())
                    .hasSize(100)
                    .startsWith("?[2J?[31mnope?fake row?")
                    .doesNotContain("\u001b");
            assertThat(r.principal()).isEqualTo("victor?");
            assertThat(r.detail()).hasSize(500).startsWith("why?y");
            assertThat(r.recordedAt()).isEqualTo("2026-11-29T10:00:00Z");
        }
    }
}
