package org.labloop.space;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The spellings of the units a campaign file gives its parameters ({@code unit: min}), read as the quantity they name.
 * Units are otherwise labels; these are the ones a number is passed on in (step durations, model inputs), where "h"
 * taken for "min" would make every value 60 times off.
 */
public final class Units {
    private static final Map<String, String> CANONICAL = new HashMap<>();

    static {
        canonical("min", "min", "mins", "minute", "minutes");
        canonical("h", "h", "hr", "hrs", "hour", "hours");
        canonical("s", "s", "sec", "secs", "second", "seconds");
        canonical("degC", "degc", "deg c", "°c", "ºc", "oc", "celsius", "c");
        canonical("K", "k", "kelvin");
        canonical("degF", "degf", "deg f", "°f", "ºf", "fahrenheit", "f");
        canonical("mol/L", "mol/l", "mol l-1", "mol l^-1", "mol/dm3", "mol dm-3", "molar");
        canonical("mmol/L", "mmol/l", "mmol l-1", "millimolar");
    }

    private Units() {}

    private static void canonical(String unit, String... spellings) {
        for (String s : List.of(spellings)) {
            CANONICAL.put(s, unit);
        }
    }

    /** The unit as one spelling of the quantity it names ("minutes" and "min" both give "min"); blank gives "". */
    public static String canonical(String unit) {
        if (unit == null) {
            return "";
        }
        String u = unit.trim().replace('·', ' ').replace('*', ' ').replaceAll("\\s+", " ");
        // Molar only as the capital: "m" and "mm" are lengths.
        if (u.equals("M")) {
            return "mol/L";
        }
        if (u.equals("mM")) {
            return "mmol/L";
        }
        String known = CANONICAL.get(u.toLowerCase(Locale.ROOT));
        return known != null ? known : u;
    }

    /**
     * Whether a value given in {@code given} may be passed on where {@code expected} is meant. A blank unit on either
     * side says nothing, so it agrees with every unit.
     */
    public static boolean agree(String given, String expected) {
        String a = canonical(given);
        String b = canonical(expected);
        return a.isEmpty() || b.isEmpty() || a.equals(b);
    }
}
