package org.labloop.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Turns event bodies into canonical JSON (sorted keys, so the same event is always the same bytes) and computes the
 * hash chain.
 */
public final class EventCodec {
    /** The {@code prevHash} of a campaign's first event. */
    public static final String GENESIS = "0".repeat(64);

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventCodec() {}

    public static String toJson(EventBody body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new EventLogException("cannot encode " + body.typeName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public static EventBody fromJson(String json) {
        try {
            return JSON.readValue(json, EventBody.class);
        } catch (JsonProcessingException e) {
            throw new EventLogException("cannot decode event body: " + e.getOriginalMessage(), e);
        }
    }

    /** SHA-256 over the previous hash and every field of the event, in a fixed layout. */
    public static String hash(String prevHash, String campaignId, long seq, Instant at, String actor, String bodyJson) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            String canonical = prevHash + '\n' + campaignId + '\n' + seq + '\n' + at + '\n' + actor + '\n' + bodyJson;
            return HexFormat.of().formatHex(md.digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Builds the next event of a chain whose last hash is {@code prevHash}. */
    public static Event seal(String campaignId, long seq, Instant at, String actor, EventBody body, String prevHash) {
        String hash = hash(prevHash, campaignId, seq, at, actor, toJson(body));
        return new Event(campaignId, seq, at, actor, body, prevHash, hash);
    }

    /** True when {@code event}'s hash matches its content (its link to the previous event is checked by the caller). */
    public static boolean intact(Event event) {
        return event.hash()
                .equals(hash(
                        event.prevHash(),
                        event.campaignId(),
                        event.seq(),
                        event.at(),
                        event.actor(),
                        toJson(event.body())));
    }

    /** The shared mapper settings, for adapters that write events or datasets as JSON. */
    public static ObjectMapper mapper() {
        return JSON;
    }
}
