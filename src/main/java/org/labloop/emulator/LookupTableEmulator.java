package org.labloop.emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.labloop.core.Table;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Parameter;

/**
 * Answers from a table of measured reactions (a fully enumerated search space such as direct arylation), so a planner
 * can be benchmarked on historical data as if it drove a lab: the planner picks conditions, this reveals the outcome
 * that was measured for exactly those conditions.
 *
 * <p>Inputs are every column that is neither an outcome nor ignored (ignore bookkeeping columns such as {@code entry}
 * or a second objective you do not want reported). A column whose cells are all numbers matches numerically, within a
 * relative tolerance of 1e-9, so {@code 105}, {@code 105.0} and {@code 1.05e2} are the same temperature; any other
 * column matches its trimmed text exactly. Outcome cells must all be numbers. Lookups use an index built once, so an
 * evaluation costs the same whatever the table size. Immutable and thread-safe; it never adds noise, because the
 * table already holds real measurements.
 */
public final class LookupTableEmulator implements Emulator {
    public static final String NAME = "lookup";

    static final String OPTION_FILE = "file";
    static final String OPTION_OUTCOMES = "outcomes";
    static final String OPTION_IGNORE = "ignore";
    static final List<String> OPTIONS = List.of(OPTION_FILE, OPTION_OUTCOMES, OPTION_IGNORE);

    private static final String VERSION = "1";
    private static final double RELATIVE_TOLERANCE = 1e-9;
    private static final int LEVELS_SHOWN = 12;

    private final String source;
    private final String version;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Column[] columns;
    private final Map<Key, Map<String, Double>> answers;
    /** The source table, kept to name the lines of cells that stop a column from being numeric. */
    private final Table table;

    /** Beyond this many combinations of the campaign's levels, {@link #gaps} does not enumerate them. */
    private static final long MAX_COMBINATIONS_CHECKED = 2_000_000;

    /**
     * @param outcomes the columns it reports; these are its outputs
     * @param ignore columns that are neither inputs nor outputs (may be empty)
     * @throws EmulationException when a named column is absent, an outcome cell is not a number, or two rows have the
     *     same inputs
     */
    public LookupTableEmulator(Table table, List<String> outcomes, Collection<String> ignore) {
        this.source = table.source();
        this.table = table;
        if (outcomes.isEmpty()) {
            throw new EmulationException(
                    source + ": a lookup emulator needs at least one outcome column; columns are " + columnList(table));
        }
        Set<String> outcomeSet = new LinkedHashSet<>();
        for (String o : outcomes) {
            requireColumn(table, o, "outcome", "outcomes");
            if (!outcomeSet.add(o)) {
                throw new EmulationException(source + ": outcome column '" + o + "' is listed twice");
            }
        }
        Set<String> ignoreSet = new HashSet<>();
        for (String c : ignore) {
            requireColumn(table, c, "ignored", "ignore");
            if (outcomeSet.contains(c)) {
                throw new EmulationException(source + ": column '" + c + "' is both an outcome and ignored");
            }
            ignoreSet.add(c);
        }
        List<String> in = new ArrayList<>();
        for (String c : table.columns()) {
            if (!outcomeSet.contains(c) && !ignoreSet.contains(c)) {
                in.add(c);
            }
        }
        if (in.isEmpty()) {
            throw new EmulationException(source + ": no input columns left once outcomes and ignored columns are"
                    + " taken out; columns are " + columnList(table));
        }
        this.inputs = List.copyOf(in);
        this.outputs = List.copyOf(outcomeSet);
        this.columns = new Column[inputs.size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = Column.of(table, inputs.get(i));
        }
        this.answers = index(table);
        this.version = VERSION + "-sha256:" + contentHash(table);
    }

    /** Builds it from campaign-file options ({@code file}, {@code outcomes}, {@code ignore}). */
    static LookupTableEmulator fromOptions(Map<String, Object> options, TableSource tables) {
        String file = Options.requireString(NAME, options, OPTION_FILE);
        List<String> outcomes = Options.stringList(NAME, options, OPTION_OUTCOMES);
        if (outcomes.isEmpty()) {
            throw new EmulationException(
                    "emulator '" + NAME + "' needs option '" + OPTION_OUTCOMES
                            + "' (the list of outcome columns it reports)",
                    OPTION_OUTCOMES,
                    null,
                    List.of());
        }
        List<String> ignore = Options.stringList(NAME, options, OPTION_IGNORE);
        Table table = tables.load(file);
        if (table == null) {
            throw new EmulationException("emulator '" + NAME + "': no table for file '" + file + "'");
        }
        return new LookupTableEmulator(table, outcomes, ignore);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Includes a hash of the table, so a measurement records which data answered it, not just the file name. */
    @Override
    public String version() {
        return version;
    }

    @Override
    public List<String> inputs() {
        return inputs;
    }

    /**
     * A table answers only for the values and combinations it holds: every value each parameter may take must be in
     * its column, and every combination of them must have a row. Otherwise experiments would fail one by one.
     */
    @Override
    public List<Gap> gaps(java.util.function.Function<String, java.util.Optional<Parameter>> parameterOf) {
        List<Gap> out = new ArrayList<>();
        int[][] levelsOf = new int[columns.length][];
        for (int i = 0; i < columns.length; i++) {
            Column col = columns[i];
            Parameter p = parameterOf.apply(col.name).orElse(null);
            if (p == null) {
                return out; // reported by the campaign's own check of the emulator's inputs
            }
            List<Object> values = switch (p) {
                case ContinuousParameter c
                when c.bound().width() == 0 -> List.of(c.bound().min());
                case ContinuousParameter c -> {
                    out.add(new Gap(
                            p.name(),
                            "parameter '" + p.name() + "' is continuous, but " + source + " answers only for the "
                                    + col.describeLevels() + " of column '" + col.name + "'",
                            "make it discrete over those values (type: discrete, values: [...])"));
                    yield null;
                }
                case DiscreteParameter d -> new ArrayList<>(d.values());
                case CategoricalParameter c -> new ArrayList<>(c.choices());
                case MoleculeParameter m ->
                    new ArrayList<>(m.choices().stream()
                            .map(MoleculeParameter.Molecule::name)
                            .toList());
            };
            if (values == null) {
                continue;
            }
            if (p.isNumeric() && col instanceof TextColumn) {
                int bad = table.firstNonNumber(col.name).orElse(0);
                out.add(new Gap(
                        p.name(),
                        "parameter '" + p.name() + "' is a number, but column '" + col.name + "' of " + source
                                + " is not all numbers (line " + table.line(bad) + " has '"
                                + table.rows().get(bad).get(col.index) + "')",
                        "correct that cell, so the column reads as numbers"));
                continue;
            }
            List<String> missing = new ArrayList<>();
            levelsOf[i] = new int[values.size()];
            for (int v = 0; v < values.size(); v++) {
                int level = col.levelOf(values.get(v));
                if (level < 0) {
                    missing.add(
                            values.get(v) instanceof Double d ? NumericColumn.text(d) : String.valueOf(values.get(v)));
                }
                levelsOf[i][v] = level;
            }
            if (!missing.isEmpty()) {
                out.add(new Gap(
                        p.name(),
                        "no row of " + source + " has " + col.name + " = " + String.join(", ", missing)
                                + "; the column has " + col.describeLevels(),
                        "choose among the table's values"
                                + (p instanceof MoleculeParameter
                                        ? " (a molecule is matched by its name in the campaign file, or, when the column holds"
                                                + " SMILES, by its structure: the same SMILES, or the same molecule written another"
                                                + " way)"
                                        : "")));
            }
        }
        if (out.isEmpty()) {
            combinations(levelsOf, out);
        }
        return out;
    }

    /** Counts the combinations of the campaign's levels that have no row, naming the first. */
    private void combinations(int[][] levelsOf, List<Gap> out) {
        long total = 1;
        for (int[] l : levelsOf) {
            total *= l.length;
            if (total > MAX_COMBINATIONS_CHECKED) {
                return;
            }
        }
        int[] at = new int[levelsOf.length];
        int[] key = new int[levelsOf.length];
        long missing = 0;
        String first = null;
        for (long n = 0; n < total; n++) {
            for (int i = 0; i < at.length; i++) {
                key[i] = levelsOf[i][at[i]];
            }
            if (!answers.containsKey(new Key(key.clone()))) {
                if (missing++ == 0) {
                    List<String> parts = new ArrayList<>();
                    for (int i = 0; i < at.length; i++) {
                        parts.add(columns[i].name + "=" + columns[i].levelText(key[i]));
                    }
                    first = String.join(", ", parts);
                }
            }
            for (int i = at.length - 1; i >= 0 && ++at[i] == levelsOf[i].length; i--) {
                at[i] = 0;
            }
        }
        if (missing > 0) {
            out.add(new Gap(
                    null,
                    source + " has no row for " + missing + " of the " + total
                            + " combinations of the parameters' values, for example " + first,
                    "limit the parameters to values whose every combination is in the table, or add the missing rows"));
        }
    }

    @Override
    public List<String> outputs() {
        return outputs;
    }

    /** The source of the table, as given to the constructor. */
    public String source() {
        return source;
    }

    @Override
    public Map<String, Double> evaluate(Map<String, Object> values, RandomGenerator noise) {
        if (values == null) {
            throw new EmulationException(source + ": no inputs given; the lookup needs " + String.join(", ", inputs));
        }
        int[] levels = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            Object v = values.get(columns[i].name);
            if (v == null) {
                throw new EmulationException(source + ": missing input '" + columns[i].name + "'");
            }
            levels[i] = columns[i].level(source, v);
        }
        Map<String, Double> answer = answers.get(new Key(levels));
        if (answer == null) {
            throw new EmulationException("no row of " + source + " matches " + describe(values));
        }
        return answer;
    }

    @Override
    public java.util.Optional<List<String>> texts(String input) {
        for (Column c : columns) {
            if (c.name.equals(input) && c instanceof TextColumn t) {
                return java.util.Optional.of(List.copyOf(t.levels.keySet()));
            }
        }
        return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<java.util.Collection<Map<String, Double>>> answers() {
        return java.util.Optional.of(java.util.Collections.unmodifiableCollection(answers.values()));
    }

    private Map<Key, Map<String, Double>> index(Table table) {
        int[] outcomeColumns = outputs.stream().mapToInt(table::requireColumn).toArray();
        Map<Key, Map<String, Double>> out = HashMap.newHashMap(table.size());
        Map<Key, Integer> firstRow = HashMap.newHashMap(table.size());
        for (int r = 0; r < table.size(); r++) {
            List<String> row = table.rows().get(r);
            int[] levels = new int[columns.length];
            for (int i = 0; i < columns.length; i++) {
                levels[i] = columns[i].levelOfCell(row.get(columns[i].index));
            }
            Key key = new Key(levels);
            Integer earlier = firstRow.putIfAbsent(key, r);
            if (earlier != null) {
                Map<String, Object> asked = new LinkedHashMap<>();
                for (Column c : columns) {
                    asked.put(c.name, row.get(c.index).trim());
                }
                throw new EmulationException(source + ": duplicate rows for " + describe(asked) + ": lines "
                        + table.line(earlier) + " and " + table.line(r)
                        + "; a lookup needs one row per combination of inputs: stop"
                        + " ignoring the column that tells them apart, or remove the repeats");
            }
            Map<String, Double> answer = new LinkedHashMap<>();
            for (int o = 0; o < outcomeColumns.length; o++) {
                String text = row.get(outcomeColumns[o]).trim();
                answer.put(outputs.get(o), parseOutcome(text, table.where(r), outputs.get(o)));
            }
            out.put(key, Collections.unmodifiableMap(answer));
        }
        return out;
    }

    private double parseOutcome(String text, String where, String column) {
        try {
            double x = Double.parseDouble(text);
            if (Double.isFinite(x)) {
                return x;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new EmulationException(where + ": outcome column '" + column + "': '" + text + "' is not a number");
    }

    private String describe(Map<String, ?> values) {
        StringBuilder sb = new StringBuilder();
        for (String name : inputs) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(name).append('=').append(values.get(name));
        }
        return sb.toString();
    }

    private void requireColumn(Table table, String column, String role, String option) {
        if (table.columnIndex(column).isEmpty()) {
            throw new EmulationException(
                    source + " has no " + role + " column '" + column + "'; its columns are " + columnList(table),
                    option,
                    column,
                    table.columns());
        }
    }

    private static String columnList(Table table) {
        return String.join(", ", table.columns());
    }

    private static String contentHash(Table table) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<List<String>> all = new ArrayList<>();
            all.add(table.columns());
            all.addAll(table.rows());
            for (List<String> row : all) {
                for (String cell : row) {
                    sha.update(cell.getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0x1f);
                }
                sha.update((byte) 0x1e);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Equal when two rows have the same level in every input column. */
    private record Key(int[] levels) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(levels, k.levels);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(levels);
        }

        @Override
        public String toString() {
            return Arrays.toString(levels);
        }
    }

    /** One input column: its distinct values (levels) and how a value asked for maps to one. */
    private abstract static sealed class Column permits NumericColumn, TextColumn {
        final String name;
        final int index;

        Column(String name, int index) {
            this.name = name;
            this.index = index;
        }

        static Column of(Table table, String name) {
            int index = table.requireColumn(name);
            return table.isNumeric(name)
                    ? new NumericColumn(name, index, table.numbers(name))
                    : new TextColumn(name, index, table);
        }

        abstract int levelOfCell(String cell);

        /** The level of a campaign value, or -1 when the column does not have it. */
        abstract int levelOf(Object value);

        abstract String levelText(int level);

        /** The column's values for a message: all of them, or the first few and how many there are. */
        abstract String describeLevels();

        static String describe(List<String> levels) {
            return "values " + shown(levels);
        }

        /** The first few levels, and how many there are when not all are shown. */
        static String shown(List<String> levels) {
            String first = String.join(", ", levels.subList(0, Math.min(LEVELS_SHOWN, levels.size())));
            return first + (levels.size() > LEVELS_SHOWN ? ", ... (" + levels.size() + " in all)" : "");
        }

        /** The level of a value asked for; throws naming the column when it has no such value. */
        abstract int level(String source, Object value);

        EmulationException absent(String source, Object value, List<String> levels) {
            return new EmulationException(
                    source + ": no row has " + name + "=" + value + "; its values are " + shown(levels));
        }
    }

    private static final class NumericColumn extends Column {
        private final double[] levels; // sorted; values within the tolerance are one level

        NumericColumn(String name, int index, double[] cells) {
            super(name, index);
            double[] sorted = cells.clone();
            Arrays.sort(sorted);
            double[] distinct = new double[sorted.length];
            int n = 0;
            for (double x : sorted) {
                if (n == 0 || !same(distinct[n - 1], x)) {
                    distinct[n++] = x;
                }
            }
            this.levels = Arrays.copyOf(distinct, n);
        }

        @Override
        int levelOfCell(String cell) {
            return find(Double.parseDouble(cell.trim()));
        }

        @Override
        int levelOf(Object value) {
            if (value instanceof Number n) {
                return find(n.doubleValue());
            }
            try {
                return find(Double.parseDouble(value.toString().trim()));
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        String levelText(int level) {
            return text(levels[level]);
        }

        @Override
        String describeLevels() {
            return describe(Arrays.stream(levels).mapToObj(NumericColumn::text).toList());
        }

        /** 105 rather than 105.0; other numbers as Java writes them. */
        static String text(double x) {
            return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
        }

        @Override
        int level(String source, Object value) {
            double x;
            if (value instanceof Number n) {
                x = n.doubleValue();
            } else {
                try {
                    x = Double.parseDouble(value.toString().trim());
                } catch (NumberFormatException e) {
                    throw new EmulationException(
                            source + ": input '" + name + "' must be a number, got '" + value + "'");
                }
            }
            int level = find(x);
            if (level < 0) {
                throw absent(
                        source,
                        value,
                        Arrays.stream(levels).mapToObj(String::valueOf).toList());
            }
            return level;
        }

        private int find(double x) {
            int i = Arrays.binarySearch(levels, x);
            if (i >= 0) {
                return i;
            }
            int above = -i - 1;
            if (above < levels.length && same(levels[above], x)) {
                return above;
            }
            if (above > 0 && same(levels[above - 1], x)) {
                return above - 1;
            }
            return -1;
        }

        private static boolean same(double a, double b) {
            return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
        }
    }

    private static final class TextColumn extends Column {
        private final Map<String, Integer> levels = new LinkedHashMap<>();

        TextColumn(String name, int index, Table table) {
            super(name, index);
            for (List<String> row : table.rows()) {
                levels.putIfAbsent(row.get(index).trim(), levels.size());
            }
        }

        @Override
        int levelOfCell(String cell) {
            return levels.get(cell.trim());
        }

        @Override
        int levelOf(Object value) {
            return levels.getOrDefault(value.toString().trim(), -1);
        }

        @Override
        String levelText(int level) {
            return List.copyOf(levels.keySet()).get(level);
        }

        @Override
        String describeLevels() {
            return describe(List.copyOf(levels.keySet()));
        }

        @Override
        int level(String source, Object value) {
            Integer level = levels.get(value.toString().trim());
            if (level == null) {
                throw absent(source, value, List.copyOf(levels.keySet()));
            }
            return level;
        }
    }
}
