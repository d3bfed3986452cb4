package org.labloop.event;

import java.time.Instant;

/**
 * Reads the instants the campaign state records as text. They are written by {@link Instant#toString}, and reading
 * that form directly is many times cheaper than {@link Instant#parse}, which the placer would otherwise call for every
 * step start and end it takes over. Text in any other form (or out of range) goes to {@link Instant#parse}, so the
 * result, and any error, is always the same as {@code Instant.parse(text).toEpochMilli()}.
 */
public final class InstantText {
    private InstantText() {}

    /** Milliseconds since the epoch of an ISO-8601 instant such as {@code 2026-11-28T09:30:00.250Z}. */
    public static long epochMilli(String text) {
        // yyyy-MM-ddTHH:mm:ss, then nothing or a fraction of 3, 6 or 9 digits, then Z.
        int n = text.length();
        if (n != 20 && n != 24 && n != 27 && n != 30
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || text.charAt(n - 1) != 'Z'
                || n > 20 && text.charAt(19) != '.') {
            return Instant.parse(text).toEpochMilli();
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int millis = n > 20 ? digits(text, 20, 3) : 0;
        int rest = n > 24 ? digits(text, 23, n - 24) : 0;
        boolean allDigits = (year | month | day | hour | minute | second | millis | rest) >= 0;
        if (!allDigits
                || month < 1
                || month > 12
                || day < 1
                || day > lengthOfMonth(year, month)
                || hour > 23
                || minute > 59
                || second > 59) {
            return Instant.parse(text).toEpochMilli();
        }
        long seconds = epochDay(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second;
        return seconds * 1_000 + millis;
    }

    /** The number written by {@code count} ASCII digits from {@code from}; -1 when any is not a digit. */
    private static int digits(String text, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int d = text.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static boolean leap(int year) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> leap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a date in the proleptic Gregorian calendar (as {@code LocalDate.toEpochDay}). */
    private static long epochDay(int year, int month, int day) {
        // Days from civil (H. Hinnant): years counted from March, so the leap day comes last.
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yoe = y - era * 400;
        int mp = (month + 9) % 12;
        int doy = (153 * mp + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097L + doe - 719_468;
    }
}
