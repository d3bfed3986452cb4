package org.labloop.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Typed reads of {@link Node}s for one file. Each method returns the value, or null after adding a problem to the file
 * when the node has the wrong type or an impossible value; callers just skip what came back null.
 */
final class Values {
    private static final Pattern NUMBER_WITH_UNIT = Pattern.compile("\\s*[-+]?[0-9.]+(e[-+]?[0-9]+)?\\s*\\S.*");
    private static final Pattern PLAIN_NUMBER =
            Pattern.compile("\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[-+]?[0-9]+)?\\s*");

    private final Doc doc;

    Values(Doc doc) {
        this.doc = doc;
    }

    Doc doc() {
        return doc;
    }

    void error(Node.Loc at, String message, String hint) {
        doc.error(at, message, hint);
    }

    /** A file that reads but cannot work as written (see {@link Doc#unworkable}). */
    void unworkable(Node.Loc at, String message, String hint) {
        doc.unworkable(at, message, hint);
    }

    Node.MapNode map(Node n, String what) {
        if (n instanceof Node.MapNode m) {
            return m;
        }
        wrongType(n, what, "a map of 'key: value' entries");
        return null;
    }

    Node.ListNode list(Node n, String what) {
        if (n instanceof Node.ListNode l) {
            return l;
        }
        wrongType(n, what, "a list");
        return null;
    }

    /** Any single value, as written: {@code campaign: 2024} is the text "2024". */
    String text(Node n, String what) {
        if (n instanceof Node.ScalarNode s && s.kind() != Node.Kind.NULL) {
            return s.text();
        }
        wrongType(n, what, "text");
        return null;
    }

    /** Text that is not blank. */
    String name(Node n, String what) {
        return name(n, what, "write a name");
    }

    /** Text that is not blank; {@code blankHint} says what to write instead. */
    String name(Node n, String what, String blankHint) {
        String t = text(n, what);
        if (t != null && t.isBlank()) {
            error(n.at(), what + " is blank", blankHint);
            return null;
        }
        // A name shows in the terminal, the dashboard and the dataset: a line break or a text-direction mark there
        // would make it read as something else.
        if (t != null && !org.labloop.core.AuditText.oneLine(t, Integer.MAX_VALUE)) {
            error(
                    n.at(),
                    what + " holds a line break, a control or a text-direction character",
                    "write it on one line of visible characters");
            return null;
        }
        return t;
    }

    Double number(Node n, String what) {
        if (n instanceof Node.ScalarNode s && s.isNumber()) {
            double d = s.doubleValue();
            if (!Double.isFinite(d)) {
                error(n.at(), what + " must be a finite number, got " + s.text(), "write an ordinary number");
                return null;
            }
            return d;
        }
        wrongType(n, what, "a number");
        return null;
    }

    Integer integer(Node n, String what, int min, int max) {
        BigInteger b = wholeNumber(n, what);
        if (b == null) {
            return null;
        }
        if (b.compareTo(BigInteger.valueOf(min)) < 0 || b.compareTo(BigInteger.valueOf(max)) > 0) {
            error(
                    n.at(),
                    what + " must be between " + min + " and " + max + ", got " + b,
                    min == 1 && b.signum() <= 0 ? "it counts something, so it is at least 1" : "pick a value in range");
            return null;
        }
        return b.intValue();
    }

    Long longInteger(Node n, String what) {
        BigInteger b = wholeNumber(n, what);
        if (b == null) {
            return null;
        }
        if (b.bitLength() > 63) {
            error(n.at(), what + " is too large: " + b, "use a number between -2^63 and 2^63-1");
            return null;
        }
        return b.longValue();
    }

    private BigInteger wholeNumber(Node n, String what) {
        if (n instanceof Node.ScalarNode s && s.isNumber()) {
            if (s.isWholeNumber()) {
                return s.bigIntegerValue();
            }
            error(
                    n.at(),
                    what + " must be a whole number, got " + s.text(),
                    Double.isFinite(s.doubleValue()) ? "drop the decimals" : "write an ordinary whole number");
            return null;
        }
        wrongType(n, what, "a whole number");
        return null;
    }

    Boolean bool(Node n, String what) {
        if (n instanceof Node.ScalarNode s && s.kind() == Node.Kind.BOOLEAN) {
            return (Boolean) s.value();
        }
        wrongType(n, what, "true or false");
        return null;
    }

    /**
     * A free-form value as plain Java: Map (in file order), List, String, Double for every number, Boolean. Empty
     * values are refused.
     */
    Object plain(Node n, String what) {
        return switch (n) {
            case Node.MapNode m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                boolean ok = true;
                for (Node.Entry e : m.entries().values()) {
                    Object v = plain(e.value(), what + "." + e.key());
                    ok &= v != null;
                    out.put(e.key(), v);
                }
                yield ok ? Collections.unmodifiableMap(out) : null;
            }
            case Node.ListNode l -> {
                List<Object> out = new ArrayList<>();
                boolean ok = true;
                for (int i = 0; i < l.items().size(); i++) {
                    Object v = plain(l.items().get(i), what + "[" + i + "]");
                    ok &= v != null;
                    out.add(v);
                }
                yield ok ? Collections.unmodifiableList(out) : null;
            }
            case Node.ScalarNode s -> {
                if (s.kind() == Node.Kind.NULL) {
                    error(s.at(), what + " is empty", "write a value after the colon, or remove the key");
                    yield null;
                }
                yield switch (s.kind()) {
                    case INTEGER, DECIMAL -> s.doubleValue();
                    case BOOLEAN -> s.value();
                    default -> s.text();
                };
            }
        };
    }

    /** Reports that {@code n} is not {@code expected}, with a hint fitted to what was written instead. */
    void wrongType(Node n, String what, String expected) {
        if (n instanceof Node.ScalarNode s && s.kind() == Node.Kind.NULL) {
            error(n.at(), what + " is empty", "write " + expected + " after the colon");
            return;
        }
        error(n.at(), what + " must be " + expected + ", got " + n.describe(), typeHint(n, expected, what));
    }

    /** ", here N" for a hexadecimal, octal or binary number that reads as N; nothing when it does not read. */
    private static String decimal(String text) {
        String t = text.replace("_", "");
        boolean negative = t.startsWith("-");
        t = t.replaceFirst("^[+-]", "");
        int radix = switch (Character.toLowerCase(t.charAt(1))) {
            case 'x' -> 16;
            case 'o' -> 8;
            default -> 2;
        };
        try {
            java.math.BigInteger v = new java.math.BigInteger(t.substring(2), radix);
            return ", here " + (negative ? v.negate() : v);
        } catch (NumberFormatException e) {
            return "";
        }
    }

    private static String typeHint(Node n, String expected, String what) {
        boolean wantsNumber = expected.contains("number");
        if (n instanceof Node.ScalarNode s && s.kind() == Node.Kind.TEXT && wantsNumber) {
            if (s.text().length() > YamlTree.MAX_NUMBER_LENGTH && s.text().matches("[+-]?[0-9.eE+-]+")) {
                // Read as text only because it is too long to be a number.
                return "it has more than " + YamlTree.MAX_NUMBER_LENGTH + " digits; no LabLoop value needs that many";
            }
            if (PLAIN_NUMBER.matcher(s.text()).matches()) {
                return "remove the quotes around the number";
            }
            if (s.text().matches("[+-]?0[xXoObB][0-9a-fA-F_]+")) {
                return "write the number in decimal" + decimal(s.text());
            }
            if (NUMBER_WITH_UNIT.matcher(s.text()).matches()) {
                // Durations, windows and timings are always minutes; parameters and objectives have a 'unit' key.
                return expected.contains("minutes") || what.contains("duration") || what.contains("_min")
                        ? "write the number of minutes alone, without a unit"
                        : "write the number alone; units go under 'unit:'";
            }
            return expected.contains("whole") ? "write a whole number such as 4" : "write a number such as 2 or 0.5";
        }
        if (wantsNumber) {
            return expected.contains("whole") ? "write a whole number such as 4" : "write a number such as 2 or 0.5";
        }
        return switch (expected) {
            case "a map of 'key: value' entries" ->
                n instanceof Node.ListNode
                        ? "write 'name: value' entries (indented, or in {braces}), not '- ' items or [brackets]"
                        : "write indented 'key: value' lines under it, or {key: value, ...}";
            case "a list" ->
                n instanceof Node.MapNode
                        ? "write [a, b] or one '- item' per line, not 'key: value' entries"
                        : "write [a, b] or one '- item' per line, even for a single item";
            case "true or false" -> "write true or false";
            case "text" -> "write a single value, not a list or a map";
            default -> "write " + expected;
        };
    }
}
