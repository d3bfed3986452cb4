package org.labloop.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the position it was read from: a map, a list or a scalar. Built by {@link YamlTree} from Jackson's
 * token stream so that every problem can point at a line and column.
 */
sealed interface Node permits Node.MapNode, Node.ListNode, Node.ScalarNode {

    /** Where the value starts (1-based). */
    Loc at();

    /** Short description for messages: "a map", "a list", "text 'abc'", "the number 5", "true", "nothing". */
    String describe();

    /** A 1-based line and column in a file. */
    record Loc(int line, int column) {
        static final Loc START = new Loc(1, 1);

        public Loc {
            line = Math.max(1, line);
            column = Math.max(1, column);
        }
    }

    /** One {@code key: value} of a map, with the position of the key. */
    record Entry(String key, Loc keyAt, Node value) {}

    /** A map in file order. Keys are unique ({@link YamlTree} reports repeats and keeps the first). */
    record MapNode(Loc at, Map<String, Entry> entries) implements Node {
        public MapNode {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        @Override
        public String describe() {
            return "a map";
        }
    }

    record ListNode(Loc at, List<Node> items) implements Node {
        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** What a scalar was read as. YAML 1.1 rules apply: {@code yes}/{@code no}/{@code on}/{@code off} are booleans. */
    enum Kind {
        TEXT,
        INTEGER,
        DECIMAL,
        BOOLEAN,
        NULL
    }

    /**
     * A scalar. {@code text} is the value as written (without quotes); {@code value} is a String, a BigInteger, a
     * Double, a Boolean, or null for an empty value.
     */
    record ScalarNode(Loc at, Kind kind, String text, Object value) implements Node {

        boolean isNumber() {
            return kind == Kind.INTEGER || kind == Kind.DECIMAL;
        }

        double doubleValue() {
            return ((Number) value).doubleValue();
        }

        /** True for an integer, or a decimal with no fractional part (40.0). */
        boolean isWholeNumber() {
            return switch (value) {
                case BigInteger ignored -> true;
                case Double d -> Double.isFinite(d) && d == Math.rint(d);
                default -> false;
            };
        }

        BigInteger bigIntegerValue() {
            return switch (value) {
                case BigInteger b -> b;
                case Double d -> new BigDecimal(d).toBigIntegerExact();
                default -> throw new IllegalStateException("not a number: " + text);
            };
        }

        @Override
        public String describe() {
            return switch (kind) {
                case TEXT -> "text '" + abbreviate(text) + "'";
                case INTEGER, DECIMAL -> "the number " + text;
                case BOOLEAN ->
                    text.equals("true") || text.equals("false")
                            ? text
                            : "'" + text + "' (which YAML reads as " + value + ")";
                case NULL -> "nothing";
            };
        }

        private static String abbreviate(String s) {
            String oneLine = s.replace("\n", "\\n");
            return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 37) + "...";
        }
    }
}
