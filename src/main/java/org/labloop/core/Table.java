package org.labloop.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * An immutable table of text cells with named columns, as read from a CSV file. {@code source} names where it came
 * from, for error messages.
 */
public final class Table {
    private final String source;
    private final List<String> columns;
    private final List<List<String>> rows;
    private final Map<String, Integer> index;
    /** The line of the source each row starts on; null when it has no lines (the header line 1, then a row a line). */
    private final int[] lines;

    public Table(String source, List<String> columns, List<List<String>> rows) {
        this(source, columns, rows, null);
    }

    /**
     * @param lines the line of {@code source} (1-based) each row starts on, when blank lines or quoted line breaks make
     *     it other than the row's index plus 2
     */
    public Table(String source, List<String> columns, List<List<String>> rows, int[] lines) {
        if (lines != null && lines.length != rows.size()) {
            throw new IllegalArgumentException(
                    source + ": " + lines.length + " line numbers for " + rows.size() + " rows");
        }
        this.lines = lines == null ? null : lines.clone();
        this.source = Objects.requireNonNull(source, "source");
        this.columns = List.copyOf(columns);
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < this.columns.size(); i++) {
            if (idx.put(this.columns.get(i), i) != null) {
                throw new IllegalArgumentException(source + ": column '" + this.columns.get(i) + "' appears twice");
            }
        }
        this.index = Map.copyOf(idx);
        List<List<String>> copy = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() != this.columns.size()) {
                throw new IllegalArgumentException(source + ":" + line(r) + ": the row has " + row.size()
                        + " cells but the header has " + this.columns.size());
            }
            copy.add(List.copyOf(row));
        }
        this.rows = Collections.unmodifiableList(copy);
    }

    public String source() {
        return source;
    }

    public List<String> columns() {
        return columns;
    }

    public List<List<String>> rows() {
        return rows;
    }

    /** The line of the source (1-based) data row {@code row} (0-based) starts on. */
    public int line(int row) {
        return lines == null ? row + 2 : lines[row];
    }

    /** Where data row {@code row} (0-based) is, for messages: {@code "source:line"}. */
    public String where(int row) {
        return source + ":" + line(row);
    }

    public int size() {
        return rows.size();
    }

    public OptionalInt columnIndex(String column) {
        Integer i = index.get(column);
        return i == null ? OptionalInt.empty() : OptionalInt.of(i);
    }

    /** Index of {@code column}; throws with the list of columns when there is none. */
    public int requireColumn(String column) {
        Integer i = index.get(column);
        if (i == null) {
            throw new IllegalArgumentException(
                    source + " has no column '" + column + "'; its columns are " + String.join(", ", columns));
        }
        return i;
    }

    public String cell(int row, String column) {
        return rows.get(row).get(requireColumn(column));
    }

    /** True when every cell of the column parses as a finite number. */
    public boolean isNumeric(String column) {
        return !rows.isEmpty() && firstNonNumber(column).isEmpty();
    }

    /** The first row whose cell in {@code column} is not a finite number, if any. */
    public OptionalInt firstNonNumber(String column) {
        int c = requireColumn(column);
        for (int r = 0; r < rows.size(); r++) {
            if (!isNumber(rows.get(r).get(c))) {
                return OptionalInt.of(r);
            }
        }
        return OptionalInt.empty();
    }

    /** Why {@code column} is not numeric, for messages: where its first cell that is not a number is, and what it holds. */
    public String notNumeric(String column) {
        OptionalInt r = firstNonNumber(column);
        return r.isEmpty()
                ? "it has no rows"
                : "line " + line(r.getAsInt()) + " has '" + cell(r.getAsInt(), column) + "'";
    }

    public double[] numbers(String column) {
        int c = requireColumn(column);
        double[] out = new double[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            String text = rows.get(r).get(c);
            if (!isNumber(text)) {
                throw new IllegalArgumentException(
                        where(r) + ": column '" + column + "': '" + text + "' is not a number");
            }
            out[r] = Double.parseDouble(text.trim());
        }
        return out;
    }

    public static boolean isNumber(String text) {
        if (text == null || text.isBlank()) {
            return false;
        }
        try {
            return Double.isFinite(Double.parseDouble(text.trim()));
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
