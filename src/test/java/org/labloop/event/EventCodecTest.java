package org.labloop.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The canonical JSON and the hash chain are a storage format: every store ever written must still verify. These tests
 * hold the codec to the straightforward encoding it started as, byte for byte, on every kind of event.
 */
class EventCodecTest {
    /** The mapper settings and the hash layout as first written: the reference the codec must keep matching. */
    private static final ObjectMapper REFERENCE = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static String referenceJson(EventBody body) throws Exception {
        return REFERENCE.writeValueAsString(body);
    }

    private static String referenceHash(
            String prevHash, String campaignId, long seq, Instant at, String actor, String bodyJson) throws Exception {
        String canonical = prevHash + '\n' + campaignId + '\n' + seq + '\n' + at + '\n' + actor + '\n' + bodyJson;
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    /** One of every event type, with text that tests escaping and multi-byte characters (and a lone surrogate). */
    static List<EventBody> everyKind() {
        String odd = "quote \" backslash \\ newline \n tab \t é 温度 🧪 lone \uD800 end";
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("temperature", 87.25);
        params.put("solvent", "EtOH");
        params.put("count", 3);
        params.put("smiles", "c1ccccc1O");
        return List.of(
                new EventBody.CampaignCreated(
                        "SnAr " + odd, 42, "1.2.3", List.of(new EventBody.Source("campaign", "c.yaml", "ab", odd))),
                new EventBody.CampaignStarted("virtual"),
                new EventBody.ExperimentProposed(
                        "E0001", 1, params, "random", "1", odd, Map.of("ei", 0.125, "mean", -1e-9)),
                new EventBody.StepStarted(
                        "E0001", 2, "react", "react", "reactor", Map.of("temperature", 87.25), 90_000, "c/E0001/2/1"),
                new EventBody.StepCompleted("E0001", 4, "hplc-1", Map.of("sty", 1234.5, "e_factor", 7.0e-3)),
                new EventBody.StepFailed("E0001", 1, "arm", odd),
                new EventBody.MeasurementRecorded("E0001", "sty", 1234.5, "kg/m3/h", "hplc-1", 4, "emulator:snar"),
                new EventBody.ExperimentCompleted("E0001"),
                new EventBody.ExperimentFailed("E0002", odd),
                new EventBody.CampaignCompleted("budget of 5 experiments spent"),
                new EventBody.CampaignPaused(odd, true),
                new EventBody.CampaignResumed("go"),
                new EventBody.CampaignAborted(odd),
                new EventBody.OperatorRequested("E0002-react-1", "E0002", 2, odd),
                new EventBody.OperatorAcknowledged("E0002-react-1", odd),
                new EventBody.CampaignSigned("alice", "operator", odd, "2026-11-29T12:00:00.123Z", "ab12"));
    }

    @Test
    void everyKindOfEvent_encodesAndHashes_exactlyAsTheReferenceEncoding() throws Exception {
        List<EventBody> bodies = everyKind();
        assertThat(bodies.stream().map(EventBody::typeName).distinct())
                .hasSize(EventBody.class
                        .getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class)
                        .value()
                        .length);
        String prev = EventCodec.GENESIS;
        Instant at = Instant.parse("2026-11-28T10:15:30.123456789Z");
        for (int i = 0; i < bodies.size(); i++) {
            EventBody body = bodies.get(i);
            String json = referenceJson(body);
            assertThat(EventCodec.toJson(body)).as(body.typeName()).isEqualTo(json);
            String actor = i % 2 == 0 ? "engine" : "user:ana é";
            Event e = EventCodec.seal("snar-" + i, i + 1L, at.plusSeconds(i), actor, body, prev);
            assertThat(e.hash())
                    .as(body.typeName())
                    .isEqualTo(referenceHash(prev, "snar-" + i, i + 1L, at.plusSeconds(i), actor, json));
            assertThat(EventCodec.intact(e)).isTrue();
            prev = e.hash();
        }
    }

    @Test
    void aStoredHash_isPinned() {
        // Computed once by the original codec: a change here means stores written before it no longer verify.
        Event e = EventCodec.seal(
                "snar-1",
                3,
                Instant.parse("2026-01-01T00:00:00Z"),
                "engine",
                new EventBody.StepCompleted("E0001", 4, "hplc-1", Map.of("sty", 1234.5, "e_factor", 0.007)),
                EventCodec.GENESIS);
        assertThat(EventCodec.toJson(e.body()))
                .isEqualTo("{\"type\":\"StepCompleted\",\"device\":\"hplc-1\",\"experimentId\":\"E0001\","
                        + "\"outputs\":{\"e_factor\":0.007,\"sty\":1234.5},\"step\":4}");
        assertThat(e.hash()).isEqualTo("16d8fe9d02526fb4ecb28aead8c0234b361314d1b20f5d853533325e95ee4da6");
    }

    @Test
    void hashing_isSafeFromManyThreadsAtOnce() {
        EventBody body = everyKind().get(2);
        Instant at = Instant.EPOCH;
        String expected =
                EventCodec.seal("c", 1, at, "engine", body, EventCodec.GENESIS).hash();
        Map<String, Boolean> seen = new ConcurrentHashMap<>();
        IntStream.range(0, 2000)
                .parallel()
                .forEach(i -> seen.put(
                        EventCodec.seal("c", 1, at, "engine", body, EventCodec.GENESIS)
                                .hash(),
                        true));
        assertThat(seen.keySet()).containsExactly(expected);
    }

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

    @Test
    void stepStarted_recordsAChangeoverOnlyWhereThereIsOne_andOldStartsKeepTheirBytes() {
        EventBody.StepStarted plain =
                new EventBody.StepStarted("E1", 4, "analyse", "analyse", "hplc", Map.of(), -1, "c/E1/4/1");
        String json = EventCodec.toJson(plain);
        assertThat(json).doesNotContain("changeoverMillis");
        assertThat(((EventBody.StepStarted) EventCodec.fromJson(json)).changeoverMillis())
                .isNull();
        assertThat(EventCodec.toJson(EventCodec.fromJson(json))).isEqualTo(json);

        EventBody.StepStarted none =
                new EventBody.StepStarted("E1", 4, "analyse", "analyse", "hplc", Map.of(), -1, "c/E1/4/1", 0L, null);
        assertThat(EventCodec.toJson(none)).contains("\"changeoverMillis\":0");
        EventBody.StepStarted five = new EventBody.StepStarted(
                "E1", 4, "analyse", "analyse", "hplc", Map.of(), -1, "c/E1/4/1", 300_000L, null);
        assertThat(EventCodec.fromJson(EventCodec.toJson(five))).isEqualTo(five);
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        new EventBody.StepStarted("E1", 4, "analyse", "analyse", "hplc", Map.of(), -1, "k", -1L, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("changeoverMillis must not be negative");
    }

    @Test
    void stepStarted_recordsAPositionOnlyWhereThereAreSeveral_numberedFromOne() {
        assertThat(EventCodec.toJson(
                        new EventBody.StepStarted("E1", 2, "react", "react", "block", Map.of(), -1, "c/E1/2/1")))
                .doesNotContain("position");
        EventBody.StepStarted third =
                new EventBody.StepStarted("E1", 2, "react", "react", "block", Map.of(), -1, "c/E1/2/1", 0L, 3);
        assertThat(EventCodec.toJson(third)).contains("\"position\":3");
        assertThat(EventCodec.fromJson(EventCodec.toJson(third))).isEqualTo(third);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new EventBody.StepStarted("E1", 2, "react", "react", "block", Map.of(), -1, "k", null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positions are numbered from 1, got 0");
    }

    @Test
    void instantText_isWhatInstantToStringWrites() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long seconds = i % 5 == 0 ? random.nextLong(-86_400L * 366, 86_400L * 366) : random.nextLong(min, max + 1);
            Instant at = switch (i % 4) {
                case 0 -> Instant.ofEpochSecond(seconds);
                case 1 -> Instant.ofEpochSecond(seconds, random.nextInt(1_000) * 1_000_000L);
                case 2 -> Instant.ofEpochSecond(seconds, random.nextInt(1_000_000) * 1_000L);
                default -> Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000));
            };
            assertThat(EventCodec.text(at)).isEqualTo(at.toString());
        }
        for (Instant at : List.of(
                Instant.EPOCH,
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("0000-01-01T00:00:00Z").minusNanos(1),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1),
                Instant.parse("2024-02-29T12:00:00.100Z"),
                Instant.MIN,
                Instant.MAX)) {
            assertThat(EventCodec.text(at)).isEqualTo(at.toString());
        }
    }
}
