package org.labloop.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
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
    /** Typed for the sealed interface, so the root serializer is resolved once rather than looked up per event. */
    private static final ObjectWriter BODY_WRITER = JSON.writerFor(EventBody.class);
    /** Cloned for each hash: getInstance searches the security providers every time, a clone copies a few words. */
    private static final MessageDigest SHA256 = sha256();

    private static final HexFormat HEX = HexFormat.of();

    private EventCodec() {}

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public static String toJson(EventBody body) {
        try {
            return BODY_WRITER.writeValueAsString(body);
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
        MessageDigest md;
        try {
            md = (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            md = sha256();
        }
        // The bytes of "prevHash\ncampaignId\nseq\nat\nactor\nbodyJson" in UTF-8, fed in two parts so the (long)
        // body is not copied into one more string; splitting after a '\n' cannot split a character.
        String head = prevHash + '\n' + campaignId + '\n' + seq + '\n' + text(at) + '\n' + actor + '\n';
        md.update(head.getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(md.digest(bodyJson.getBytes(StandardCharsets.UTF_8)));
    }

    /** First and last second of the years 0 to 9999, which {@link Instant#toString} writes with four digits. */
    private static final long FOUR_DIGIT_YEARS_FROM = -62_167_219_200L;

    private static final long FOUR_DIGIT_YEARS_TO = 253_402_300_799L;

    /**
     * Exactly {@code at.toString()} (ISO-8601, a fraction of 3, 6 or 9 digits only when there is one), written
     * directly: the formatter behind {@link Instant#toString} cost about as much as hashing a small event, and every
     * event's instant is written for its hash and again for the campaign state.
     */
    public static String text(Instant at) {
        long seconds = at.getEpochSecond();
        if (seconds < FOUR_DIGIT_YEARS_FROM || seconds > FOUR_DIGIT_YEARS_TO) {
            return at.toString();
        }
        long days = Math.floorDiv(seconds, 86_400);
        int secondOfDay = Math.floorMod(seconds, 86_400);
        // Civil from days (H. Hinnant), as LocalDate.ofEpochDay: years counted from March, so the leap day comes last.
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        int doe = (int) (z - era * 146_097);
        int yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int mp = (5 * doy + 2) / 153;
        int day = doy - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        int year = (int) (yoe + era * 400) + (month <= 2 ? 1 : 0);
        int nano = at.getNano();
        StringBuilder b = new StringBuilder(30);
        digits(b, year, 4).append('-');
        digits(b, month, 2).append('-');
        digits(b, day, 2).append('T');
        digits(b, secondOfDay / 3_600, 2).append(':');
        digits(b, secondOfDay / 60 % 60, 2).append(':');
        digits(b, secondOfDay % 60, 2);
        if (nano != 0) {
            b.append('.');
            if (nano % 1_000_000 == 0) {
                digits(b, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                digits(b, nano / 1_000, 6);
            } else {
                digits(b, nano, 9);
            }
        }
        return b.append('Z').toString();
    }

    /** Appends {@code value} (not negative, below 10 to the {@code width}) with leading zeros to {@code width} digits. */
    private static StringBuilder digits(StringBuilder b, int value, int width) {
        int end = b.length() + width;
        b.setLength(end);
        for (int i = end - 1; i >= end - width; i--, value /= 10) {
            b.setCharAt(i, (char) ('0' + value % 10));
        }
        return b;
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
