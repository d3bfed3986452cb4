package org.labloop.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InstantTextTest {
    @Test
    void readsWhatInstantWritesAsInstantParseDoes() {
        SplittableRandom random = new SplittableRandom(7);
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            Instant at = Instant.ofEpochSecond(random.nextLong(min, max + 1), 0);
            // Whole seconds, milliseconds, microseconds and nanoseconds: the four forms Instant.toString writes.
            at = switch (i % 4) {
                case 0 -> at;
                case 1 -> at.plusMillis(random.nextInt(1_000));
                case 2 -> at.plusNanos(random.nextInt(1_000_000) * 1_000L);
                default -> at.plusNanos(random.nextInt(1_000_000_000));
            };
            String text = at.toString();
            assertEquals(Instant.parse(text).toEpochMilli(), InstantText.epochMilli(text), text);
        }
    }

    @Test
    void otherFormsAndErrorsAreInstantParses() {
        for (String text : new String[] {
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59.999Z",
            "2026-11-28T09:30:00.5Z",
            "2026-11-28T09:30:00.1234Z",
            "2026-11-28t09:30:00z",
            "+10000-01-01T00:00:00Z",
            "-0001-12-31T23:59:59.999Z",
            "1969-12-31T23:59:59.999999999Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T23:59:60Z"
        }) {
            assertEquals(Instant.parse(text).toEpochMilli(), InstantText.epochMilli(text), text);
        }
        for (String text : new String[] {
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-28T09:30:0xZ",
            "2026-11-28T0x:30:00Z",
            "x026-11-28T09:30:00Z",
            ""
        }) {
            Class<? extends Exception> expected = assertThrows(DateTimeException.class, () -> Instant.parse(text))
                    .getClass();
            assertThrows(expected, () -> InstantText.epochMilli(text), text);
        }
    }

    @Test
    void whatTheEventCodecWrites_readsBackToTheSameMillisecond() {
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 100_000; i++) {
            // Before and after the epoch, with and without a fraction of a second.
            Instant at = Instant.ofEpochMilli(random.nextLong(-5_000_000_000_000L, 5_000_000_000_000L));
            if (i % 3 == 0) {
                at = Instant.ofEpochSecond(at.getEpochSecond());
            }
            assertEquals(at.toEpochMilli(), InstantText.epochMilli(EventCodec.text(at)), at.toString());
        }
    }
}
